// Writes a tiny randomly initialised checkpoint in the release layout (config.json with the
// PPLLaVA keys, two safetensors shards with their index, a SentencePiece tokenizer.model
// trained on the spot). Tests and the demo get their model from here, through the real loader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ppb::model {

struct TinyCheckpointOptions {
  uint64_t seed = 0;              // weights and nothing else depend on it
  int vision_width = 64;          // CLIP hidden size
  int vision_layers = 3;          // CLIP encoder layers (the last one is unused at feature layer -2)
  int vision_heads = 4;           // CLIP attention heads
  int image_size = 336;           // input side; with patch 14 gives the released 24x24 grid
  int patch_size = 14;            // CLIP patch side
  int text_width = 64;            // LLaMA hidden size
  int text_layers = 2;            // LLaMA decoder layers
  int text_heads = 4;             // LLaMA query heads
  int text_kv_heads = 2;          // LLaMA key/value heads (grouped-query attention when < text_heads)
  int sp_vocab = 480;             // SentencePiece pieces; <image> takes the next id
  int vocab_size = 512;           // embedding rows (pieces + <image> + padding, as the release pads to 32064)
  int max_positions = 8192;       // context length
  std::string dtype = "BF16";     // stored dtype, as in the release (F32, F16 or BF16)
  std::vector<std::string> extra_corpus;  // sentences added to the tokenizer's training text
};

// Writes the checkpoint into `dir` (created if needed).
void write_tiny_checkpoint(const std::string& dir, const TinyCheckpointOptions& opts);

}  // namespace ppb::model
