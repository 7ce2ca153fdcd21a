#!/usr/bin/env python3
"""Reference outputs from Hugging Face transformers for ppb_parity.

Builds tiny random CLIP vision, CLIP text (with projection), LLaMA and Qwen2 models, runs them
on fixed random inputs on the CPU in float32, and writes, per case, into OUT/<case>/:
  model.safetensors  the weights under ppbench's release names (vision_tower.vision_model.*,
                     multi_modal_projector.clip_text_model.*, language_model.*)
  ref.safetensors    the inputs and the reference outputs
and OUT/parity.json, which describes every case (dimensions read back from the configs, so a
transformers version that changes a default cannot silently change the comparison).

  python3 tests/parity/make_reference.py OUT
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
import transformers
from transformers import (CLIPTextConfig, CLIPTextModelWithProjection, CLIPVisionConfig, CLIPVisionModel,
                          LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM)


def jitter(model, seed):
    # Random init leaves LayerNorms at exactly 1 and 0 and some biases at 0: perturb everything.
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters()):
            p.add_(torch.randn(p.shape, generator=g) * 0.02)


def renamed(state, prefix, roots, extra=()):
    """Keys under ppbench's names: the part of each key from its first segment in `roots` on,
    behind `prefix` (transformers versions differ in the module path above those roots);
    `extra` maps other leading segments to their own names."""
    out = {}
    for name, t in state.items():
        if name.endswith("position_ids"):  # an index buffer, not a weight (older versions save it)
            continue
        parts = name.split(".")
        new = None
        for i, seg in enumerate(parts):
            if seg in dict(extra):
                new = dict(extra)[seg] + "." + ".".join(parts[i + 1:])
                break
            if seg in roots:
                new = prefix + ".".join(parts[i:])
                break
        if new is None:
            raise SystemExit("unexpected tensor name " + name)
        new = new.replace(".pre_layernorm.", ".pre_layrnorm.")  # HF's CLIP spells it pre_layrnorm
        out[new] = t.detach().contiguous().float()
    print("  ", len(out), "tensors, e.g.", sorted(state)[0], "->", sorted(out)[0])
    return out


def rope_theta(cfg):
    # Newer transformers keep it in rope_parameters; older ones as an attribute.
    params = getattr(cfg, "rope_parameters", None)
    if isinstance(params, dict) and "rope_theta" in params:
        return float(params["rope_theta"])
    return float(cfg.rope_theta)


def main(out):
    torch.manual_seed(0)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    cases = []

    # CLIP vision: the LLaVA feature is hidden_states[-2] without CLS.
    vc = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                          image_size=56, patch_size=14, hidden_act="quick_gelu", layer_norm_eps=1e-5)
    vm = CLIPVisionModel(vc).eval()
    jitter(vm, 1)
    px = torch.randn(3, 3, 56, 56)
    with torch.no_grad():
        feat = vm(pixel_values=px, output_hidden_states=True).hidden_states[-2][:, 1:, :]
    d = os.path.join(out, "clip_vision")
    os.makedirs(d, exist_ok=True)
    save_file(renamed(vm.state_dict(), "vision_tower.vision_model.",
                      {"embeddings", "encoder", "pre_layrnorm", "pre_layernorm", "post_layernorm"}),
              os.path.join(d, "model.safetensors"))
    save_file({"pixel_values": px, "features": feat.contiguous()}, os.path.join(d, "ref.safetensors"))
    cases.append({"name": "clip_vision", "kind": "clip_vision", "hidden_size": vc.hidden_size,
                  "intermediate_size": vc.intermediate_size, "num_hidden_layers": vc.num_hidden_layers,
                  "num_attention_heads": vc.num_attention_heads, "image_size": vc.image_size,
                  "patch_size": vc.patch_size, "layer_norm_eps": vc.layer_norm_eps, "hidden_act": vc.hidden_act})

    # CLIP text with projection: pooled at the first EOS (an eos id other than 2 selects that rule).
    tc = CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, max_position_embeddings=77, projection_dim=24,
                        hidden_act="quick_gelu", bos_token_id=998, eos_token_id=999, pad_token_id=1)
    tm = CLIPTextModelWithProjection(tc).eval()
    jitter(tm, 2)
    ids = torch.cat([torch.tensor([998]), torch.randint(2, 998, (11,)), torch.tensor([999])])
    with torch.no_grad():
        emb = tm(input_ids=ids[None]).text_embeds[0]
    emb = emb / emb.norm()
    d = os.path.join(out, "clip_text")
    os.makedirs(d, exist_ok=True)
    save_file(renamed(tm.state_dict(), "multi_modal_projector.clip_text_model.",
                      {"embeddings", "encoder", "final_layer_norm"},
                      [("text_projection", "multi_modal_projector.clip_text_projection")]),
              os.path.join(d, "model.safetensors"))
    save_file({"ids": ids.long(), "text_embedding": emb.contiguous()}, os.path.join(d, "ref.safetensors"))
    cases.append({"name": "clip_text", "kind": "clip_text", "vocab_size": tc.vocab_size, "hidden_size": tc.hidden_size,
                  "intermediate_size": tc.intermediate_size, "num_hidden_layers": tc.num_hidden_layers,
                  "num_attention_heads": tc.num_attention_heads,
                  "max_position_embeddings": tc.max_position_embeddings, "projection_dim": tc.projection_dim,
                  "layer_norm_eps": tc.layer_norm_eps, "hidden_act": tc.hidden_act, "bos_token_id": 998,
                  "eos_token_id": 999})

    # LLaMA and Qwen2 decoders: logits of every position of a 24-token sequence.
    common = dict(vocab_size=320, hidden_size=64, intermediate_size=172, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=256, tie_word_embeddings=False)
    llms = [("llama", LlamaConfig(rms_norm_eps=1e-5, rope_theta=10000.0, **common), LlamaForCausalLM),
            ("qwen2", Qwen2Config(rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False, **common),
             Qwen2ForCausalLM)]
    for family, cfg, cls in llms:
        m = cls(cfg).eval()
        jitter(m, 3)
        ids = torch.randint(0, cfg.vocab_size, (24,))
        with torch.no_grad():
            logits = m(input_ids=ids[None]).logits[0]
        d = os.path.join(out, family)
        os.makedirs(d, exist_ok=True)
        save_file(renamed(m.state_dict(), "language_model.model.", {"embed_tokens", "layers", "norm"},
                          [("lm_head", "language_model.lm_head")]),
                  os.path.join(d, "model.safetensors"))
        save_file({"ids": ids.long(), "logits": logits.float().contiguous()}, os.path.join(d, "ref.safetensors"))
        cases.append({"name": family, "kind": "llm", "model_type": family, "vocab_size": cfg.vocab_size,
                      "hidden_size": cfg.hidden_size, "intermediate_size": cfg.intermediate_size,
                      "num_hidden_layers": cfg.num_hidden_layers, "num_attention_heads": cfg.num_attention_heads,
                      "num_key_value_heads": cfg.num_key_value_heads,
                      "max_position_embeddings": cfg.max_position_embeddings, "rms_norm_eps": cfg.rms_norm_eps,
                      "rope_theta": rope_theta(cfg)})

    info = {"torch": torch.__version__, "transformers": transformers.__version__, "cases": cases}
    with open(os.path.join(out, "parity.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("references written for", ", ".join(c["name"] for c in cases), "with torch", torch.__version__,
          "and transformers", transformers.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
