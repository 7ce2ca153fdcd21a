// The resolved configuration of a run: defaults < --config FILE < command-line flags.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::harness {

struct RunConfig {
  std::vector<std::string> tasks{"synth_mcq"};       // task names from the registry
  std::string protocol;           // the protocol every task runs under; empty = each task's default
  std::vector<std::string> methods{"full", "avgpool3d"};  // token reducers
  int64_t budget = 1024;          // visual-token budget B recorded with every variant
  int frames = 0;                 // frames per video; 0 = each task's default
  std::string model = "tiny";     // checkpoint folder, or "tiny" for a tiny checkpoint made in RUN/tiny_model
  std::string data_root;          // folder holding the tasks' annotations and videos
  std::string out;                // the run folder
  int64_t limit = 0;              // samples per task at most; 0 = all
  std::string device = "cpu";     // cpu, or cuda with a CUDA build of LibTorch
  std::string dtype;              // float32, bfloat16 or float16; empty = float32 on cpu, bfloat16 on cuda
  std::string clip_tokenizer;     // the relevance encoder's CLIP tokenizer folder; empty = MODEL/clip_tokenizer
  int threads = 0;                // LibTorch intra-op threads; 0 = all cores
  int decode_threads = 1;         // FFmpeg decoder threads per video
  int prefetch = 2;               // samples decoded ahead of the model on other threads; 0 = none
  std::string frame_cache;        // frame cache folder; empty = the user's cache folder, "none" = no cache
  double frame_cache_max_gb = 20; // frame cache size cap in GiB (least recently used entries go first)
  std::string preprocess = "squash";  // frame geometry: squash, shortest_edge_center_crop or pad_to_square
  int max_new_tokens = 0;         // generation limit; 0 = each task's default
  uint64_t seed = 0;              // seeds every random choice (tiny model weights)
  std::string tasks_dir;          // task specs and templates; empty = the built-in folder
  std::string prompts_dir;        // templates read from here first (e.g. verbatim upstream texts); empty = none
  std::string judge_url;          // judge for extractors that ask one (vlmeval_judge); empty = none
  std::string judge_model;        // that judge's model id; empty = each protocol's judge_model
  std::string judge_cache;        // judge cache file; empty = the default
  std::string judge_api_key_env = "OPENAI_API_KEY";  // variable holding the judge's key
};

nlohmann::json to_json(const RunConfig& c);
// Overlays the keys present in `j` onto `c`; an unknown key is an error naming `where`.
void apply_json(RunConfig& c, const nlohmann::json& j, const std::string& where);
// The configuration a run folder was made with (RUN/config.json).
RunConfig read_run_config(const std::string& run_dir);

// The keys whose change makes earlier records of a run incomparable.
nlohmann::json plan_fields(const RunConfig& c);

}  // namespace ppb::harness
