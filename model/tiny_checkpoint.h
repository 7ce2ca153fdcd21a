// Writes a tiny randomly initialised PPLLaVA checkpoint in the release layout: config.json with
// the PPLLaVA keys, safetensors shards with their index and the release's tensor names (CLIP
// vision tower with the BT-Adapter, projector, relevance encoder, LLM), and tokenizers trained on
// the spot: SentencePiece (tokenizer.model) for a LLaMA LLM or byte-level BPE (tokenizer.json) for
// Qwen2, and the relevance encoder's CLIP BPE in clip_tokenizer/. Tests and the demo get their
// model from here, through the real loader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ppb::model {

struct TinyCheckpointOptions {
  uint64_t seed = 0;              // weights and nothing else depend on it
  std::string llm = "llama";      // "llama" (Vicuna layout, SentencePiece) or "qwen2" (q/k/v biases, byte-level BPE, ChatML)
  int vision_width = 64;          // CLIP hidden size
  int vision_layers = 4;          // CLIP encoder layers (the last one is unused at feature layer -2)
  int vision_heads = 4;           // CLIP attention heads
  int image_size = 336;           // input side; with patch 14 gives the released 24x24 grid
  int patch_size = 14;            // CLIP patch side
  bool btadapter = true;          // the vision tower carries a BT-Adapter, as the release does
  int btadapter_depth = 3;        // adapter steps beside the last layers (two of them reach feature layer -2)
  int max_T = 64;                 // frames the adapter's time embedding covers
  bool relevance = true;          // write the relevance encoder (CLIP text tower, visual head, tokenizer)
  int clip_text_width = 32;       // relevance CLIP text width (also its projection width)
  int clip_text_layers = 2;       // relevance CLIP text layers
  int clip_text_heads = 2;        // relevance CLIP text heads
  int clip_bpe_merges = 300;      // merges of the relevance CLIP's BPE vocabulary
  int text_width = 64;            // LLM hidden size
  int text_layers = 2;            // LLM decoder layers
  int text_heads = 4;             // LLM query heads
  int text_kv_heads = 2;          // LLM key/value heads (grouped-query attention when < text_heads)
  int sp_vocab = 480;             // LLaMA: SentencePiece pieces; <image> takes the next id
  int qwen_bpe_merges = 400;      // Qwen2: merges of the byte-level BPE vocabulary
  int vocab_size = 512;           // LLaMA: embedding rows (pieces + <image> + padding, as the release pads to 32064);
                                  // Qwen2: the BPE vocabulary rounded up to a multiple of 64
  int max_positions = 8192;       // context length
  std::string rope_scaling;       // "", "linear" or "dynamic"
  double rope_factor = 2.0;       // with rope_scaling
  std::string dtype = "BF16";     // stored dtype, as in the release (F32, F16 or BF16)
  std::vector<std::string> extra_corpus;  // sentences added to the tokenizers' training text
};

// Writes the checkpoint into `dir` (created if needed).
void write_tiny_checkpoint(const std::string& dir, const TinyCheckpointOptions& opts);

}  // namespace ppb::model
