// ppbench model: init-tiny for both LLM families and dump, whose tensors must be what a parity
// check against another implementation needs, consistent with one another.
#include "tests/catch_aten.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "tests/test_support.h"

using namespace ppb::test;
using ppb::model::SafetensorsFile;

TEST_CASE("model tools explain themselves", "[cli]") {
  for (const char* tool : {"init-tiny", "dump"}) {
    auto r = run_ppbench({"model", tool, "--help"});
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("usage: ppbench model"));
  }
  CHECK(run_ppbench({"model", "convert"}).exit_code != 0);
}

TEST_CASE("model dump writes every stage of one forward pass", "[cli]") {
  TempDir dir("dump");
  for (const char* llm : {"llama", "qwen2"}) {
    INFO(llm);
    const std::string model = dir / (std::string("tiny_") + llm);
    REQUIRE(run_ppbench({"model", "init-tiny", "--out", model, "--llm", llm}).exit_code == 0);
    REQUIRE(run_ppbench({"synth", "--out", dir / "data", "--videos", "1", "--frames", "30"}).exit_code == 0);
    auto fr = run_ppbench({"frames", "--video", dir / "data/videos/synth_000.mp4", "--count", "4", "--out",
                           dir / "frames.safetensors"});
    INFO(fr.out);
    REQUIRE(fr.exit_code == 0);
    auto r = run_ppbench({"model", "dump", "--model", model, "--frames", dir / "frames.safetensors", "--question",
                          "What colour are the moving shapes?", "--method", "avgpool3d", "--out",
                          dir / "dump.safetensors", "--max-new-tokens", "3"});
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto summary = nlohmann::json::parse(r.out);
    SafetensorsFile f(dir / "dump.safetensors");
    nlohmann::json cfg;
    std::ifstream(model + "/config.json") >> cfg;
    const int64_t dv = cfg["vision_config"]["hidden_size"], dl = cfg["text_config"]["hidden_size"];
    const int64_t vocab = cfg["text_config"]["vocab_size"];
    CHECK(f.tensors().at("vision_features").shape == std::vector<int64_t>{4, 576, dv});
    CHECK(f.tensors().at("visual_tokens").shape == std::vector<int64_t>{2 * 8 * 8, dl});  // avgpool3d (2,3,3)
    CHECK(f.tensors().at("relevance").shape == std::vector<int64_t>{4, 24, 24});
    CHECK(f.tensors().at("logits_first_token").shape == std::vector<int64_t>{vocab});
    CHECK(f.tensors().at("clip_ids").dtype == "I64");
    const at::Tensor clip_ids = f.load("clip_ids", at::kLong);
    CHECK(clip_ids[-1].item<int64_t>() == cfg["clip_text_config"]["eos_token_id"].get<int64_t>());
    CHECK(f.load("relevance").sum().item<double>() == Approx(1.0).epsilon(1e-5));
    CHECK(f.load("text_embedding").norm().item<double>() == Approx(1.0).epsilon(1e-5));
    // Exactly one <image> among the prompt ids, and greedy generation starts from the dumped logits.
    const at::Tensor prompt = f.load("prompt_ids", at::kLong);
    CHECK((prompt == cfg["image_token_index"].get<int64_t>()).sum().item<int64_t>() == 1);
    const at::Tensor generated = f.load("generated_ids", at::kLong);
    if (generated.numel() > 0)
      CHECK(generated[0].item<int64_t>() == f.load("logits_first_token").argmax().item<int64_t>());
    CHECK(summary["visual_tokens"] == 128);
  }
  // --budget solves the method's parameters: for ppllava on 4 frames at 288 tokens, kernel (2,2,2)
  // (2 x 12 x 12 = 288), pooled with the dumped relevance.
  const std::string model = dir / "tiny_llama";
  auto pp = run_ppbench({"model", "dump", "--model", model, "--frames", dir / "frames.safetensors", "--question",
                         "What colour are the moving shapes?", "--method", "ppllava", "--budget", "288", "--out",
                         dir / "dump_pp.safetensors", "--max-new-tokens", "1"});
  INFO(pp.out);
  REQUIRE(pp.exit_code == 0);
  const auto summary = nlohmann::json::parse(pp.out);
  CHECK(summary["method_params"]["kernel"] == nlohmann::json({2, 2, 2}));
  CHECK(summary["visual_tokens"] == 288);
  // full fits one 576-token frame into 1000, not the file's 4 frames: said, not silently cut.
  auto full = run_ppbench({"model", "dump", "--model", model, "--frames", dir / "frames.safetensors", "--question", "Why?",
                           "--method", "full", "--budget", "1000", "--out", dir / "dump_full.safetensors"});
  CHECK(full.exit_code != 0);
  CHECK_THAT(full.out, Catch::Contains("full takes 1 frames at this budget") && Catch::Contains("holds 4"));
}
