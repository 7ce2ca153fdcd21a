// The whole PPLLaVA model from tiny checkpoints through the real loader: the relevance path,
// the Qwen2 family (ChatML, no BOS, <image> as an added token), checkpoints without a relevance
// encoder, and bad input (prompts with no or two <image>, a prompt past the context, a weight
// stored as integers, a missing config key, the CLIP tokenizer missing).
#include "tests/catch_aten.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "model/hf_config.h"
#include "model/safetensors.h"
#include "model/tiny_checkpoint.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string& tiny(const std::string& llm) {
  static TempDir llama_dir("ppllava_llama"), qwen_dir("ppllava_qwen");
  static bool made_llama = false, made_qwen = false;
  const bool qwen = llm == "qwen2";
  bool& made = qwen ? made_qwen : made_llama;
  const std::string& dir = qwen ? qwen_dir.path() : llama_dir.path();
  if (!made) {
    TinyCheckpointOptions o;
    o.seed = 9;
    o.llm = llm;
    o.dtype = "F32";
    write_tiny_checkpoint(dir, o);
    made = true;
  }
  return dir;
}

nlohmann::json read_config(const std::string& dir) {
  nlohmann::json j;
  std::ifstream(dir + "/config.json") >> j;
  return j;
}

}  // namespace

TEST_CASE("relevance: CLIP ids, a unit prompt embedding, scores over all positions summing to 1", "[ppllava]") {
  VideoLlm m(tiny("llama"));
  REQUIRE(m.has_relevance());
  CHECK_FALSE(m.clip_positions_extended_at_load());  // the tiny checkpoint carries both 248-row tables
  const auto& ct = m.config().clip_text;
  const std::vector<int> ids = m.relevance_ids("What colour are the moving shapes?");
  REQUIRE(ids.size() >= 3);
  CHECK(ids.front() == ct.bos_token_id);
  CHECK(ids.back() == ct.eos_token_id);
  const at::Tensor c = m.prompt_embedding(ids);
  REQUIRE(c.sizes() == (std::vector<int64_t>{ct.projection_dim}));
  CHECK(c.norm().item<double>() == Approx(1.0).epsilon(1e-5));
  // A question past the 248-token context is cut, keeping the end-of-text token.
  std::string long_q;
  for (int i = 0; i < 400; ++i) long_q += "red ";
  const std::vector<int> cut = m.relevance_ids(long_q);
  CHECK(cut.size() == 248);
  CHECK(cut.back() == ct.eos_token_id);

  at::manual_seed(1);
  const at::Tensor f = m.encode_frames(at::randn({2, 3, 336, 336}));
  const at::Tensor s = m.relevance(f, c);
  REQUIRE(s.sizes() == (std::vector<int64_t>{2, 24, 24}));
  CHECK(s.scalar_type() == at::kFloat);
  CHECK(s.sum().item<double>() == Approx(1.0).epsilon(1e-5));
  CHECK((s >= 0).all().item<bool>());
  // Another prompt weighs the same positions differently.
  const at::Tensor s2 = m.relevance(f, m.prompt_embedding(m.relevance_ids("How many shapes are there?")));
  CHECK_FALSE(at::allclose(s, s2));
}

TEST_CASE("the Qwen2 family: ChatML, no BOS, <image> an added token, <|im_end|> ends the answer", "[ppllava]") {
  VideoLlm m(tiny("qwen2"));
  const auto& cfg = m.config();
  CHECK(m.llm_family() == "qwen2");
  CHECK(m.prompt_text("Question: Which way?", "Best option:(") ==
        "<|im_start|>user\n<image>\nQuestion: Which way?<|im_end|>\n<|im_start|>assistant\nBest option:(");
  const std::vector<int> ids = m.prompt_ids("Question: Which way?", "Best option:(");
  CHECK(ids.front() == *m.tokenizer().token_to_id("<|im_start|>"));
  CHECK(std::count(ids.begin(), ids.end(), cfg.image_token_index) == 1);
  CHECK(cfg.text.eos_token_id == *m.tokenizer().token_to_id("<|im_end|>"));
  CHECK(m.tokenizer().decode(m.tokenizer().encode("Only give the best option.")) == "Only give the best option.");
  at::manual_seed(2);
  const at::Tensor f = m.encode_frames(at::randn({2, 3, 336, 336}));
  const auto& avg = builtin_reducers().get("avgpool3d");
  const at::Tensor v = m.visual_tokens(f, avg, avg.default_params);
  GenerationOptions go;
  go.max_new_tokens = 4;
  const GenerationResult a = m.generate(ids, v, go), b = m.generate(ids, v, go);
  CHECK(a.tokens == b.tokens);
  CHECK(a.prompt_tokens == static_cast<int64_t>(ids.size()) - 1);  // no BOS to leave out
  CHECK(m.first_token_logits(ids, v).size(0) == cfg.text.vocab_size);
}

TEST_CASE("a checkpoint without the relevance encoder loads and says so", "[ppllava]") {
  TempDir dir("no_relevance");
  TinyCheckpointOptions o;
  o.relevance = false;
  write_tiny_checkpoint(dir.path(), o);
  VideoLlm m(dir.path());
  CHECK_FALSE(m.has_relevance());
  CHECK(m.config().pooling == "avgpool3d");
  CHECK_THROWS_WITH(m.relevance_ids("q"), Catch::Contains("no relevance encoder"));
}

TEST_CASE("bad prompts: no <image>, two, and past the context", "[ppllava]") {
  VideoLlm m(tiny("llama"));
  at::manual_seed(3);
  const at::Tensor f = m.encode_frames(at::randn({2, 3, 336, 336}));
  const auto& full = builtin_reducers().get("full");
  const at::Tensor v = m.visual_tokens(f, full, full.default_params);  // 1152 visual tokens
  GenerationOptions go;
  go.max_new_tokens = 2;
  CHECK_THROWS_WITH(m.generate(m.encode_prompt("USER: no picture ASSISTANT:"), v, go),
                    Catch::Contains("0 <image> tokens"));
  CHECK_THROWS_WITH(m.generate(m.encode_prompt("USER: <image> and <image> ASSISTANT:"), v, go),
                    Catch::Contains("2 <image> tokens"));
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += " the answer is";
  CHECK_THROWS_WITH(m.generate(m.prompt_ids(long_text, ""), v, go),
                    Catch::Contains("exceeds the context of 8192 positions"));
}

TEST_CASE("bad checkpoints: an integer weight, a missing config key, no CLIP tokenizer", "[ppllava]") {
  TempDir dir("bad_ckpt");
  TinyCheckpointOptions o;
  o.dtype = "F32";
  write_tiny_checkpoint(dir.path(), o);
  const std::string shard = dir / "model-00002-of-00002.safetensors";
  {
    std::map<std::string, at::Tensor> kept;
    {
      SafetensorsFile file(shard);
      for (const auto& [name, info] : file.tensors()) kept[name] = file.load(name);
    }
    kept["language_model.model.norm.weight"] = kept["language_model.model.norm.weight"].to(at::kLong);
    write_safetensors(shard, kept, at::ScalarType::Undefined);
  }
  CHECK_THROWS_WITH(VideoLlm(dir.path()),
                    Catch::Contains("language_model.model.norm.weight") && Catch::Contains("stored as I64"));

  TempDir dir2("bad_cfg");
  write_tiny_checkpoint(dir2.path(), o);
  nlohmann::json cfg = read_config(dir2.path());
  cfg["text_config"].erase("num_hidden_layers");
  std::ofstream(dir2 / "config.json") << cfg.dump();
  CHECK_THROWS_WITH(VideoLlm(dir2.path()), Catch::Contains("config.json text_config: missing key 'num_hidden_layers'"));

  TempDir dir3("no_clip_tok");
  write_tiny_checkpoint(dir3.path(), o);
  fs::remove_all(dir3 / "clip_tokenizer");
  CHECK_THROWS_WITH(VideoLlm(dir3.path()),
                    Catch::Contains("openai/clip-vit-large-patch14-336") && Catch::Contains("clip_tokenizer"));
  ModelLoadOptions elsewhere;
  elsewhere.clip_tokenizer = dir / "clip_tokenizer";  // the same vocabulary, from another folder
  CHECK(VideoLlm(dir3.path(), elsewhere).has_relevance());
  ModelLoadOptions gpu;
  gpu.device = "cuda";
  if (!at::hasCUDA()) CHECK_THROWS_WITH(VideoLlm(dir3.path(), gpu), Catch::Contains("no CUDA"));
}
