// `ppbench synth --layouts all` then `ppbench data check`: every synthetic layout is usable,
// and deleted, emptied, corrupted and imageless videos are reported per sample.
#include "tests/catch_aten.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/test_support.h"

using namespace ppb::test;
namespace fs = std::filesystem;

TEST_CASE("data check finds every synthetic layout usable, then reports broken videos", "[cli]") {
  TempDir d("cli_data");
  const std::string root = d / "data";
  auto synth = run_ppbench({"synth", "--out", root, "--layouts", "all", "--videos", "2", "--frames", "8", "--seed", "4"});
  INFO(synth.out);
  REQUIRE(synth.exit_code == 0);
  const std::map<std::string, int> items = {
      {"synth_mcq", 6},   {"msvd_qa", 3},         {"msrvtt_qa", 3},       {"tgif_qa", 3},
      {"activitynet_qa", 3}, {"vcg_generic", 3},  {"vcg_temporal", 2},    {"vcg_consistency", 2},
      {"mvbench", 3},     {"videomme", 3},        {"egoschema_subset", 2}, {"longvideobench_val", 2},
      {"mlvu_dev", 2},    {"msvd_caption", 3},    {"msrvtt_caption", 3},  {"dream1k", 3}};
  for (const auto& [name, n] : items) {
    auto r = run_ppbench({"data", "check", "--task", name, "--data-root", root, "--strict", "--threads", "2"});
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out == name + ": " + std::to_string(n) + " usable / " + std::to_string(n) + " total\n");
  }

  // Break four videos in four ways.
  fs::remove(root + "/MSVD_Zero_Shot_QA/videos/msvd_qa_clip0.avi");         // asked about twice
  std::ofstream(root + "/videomme/data/synthYT1.mp4", std::ios::trunc);      // 0 bytes
  std::ofstream(root + "/LongVideoBench/videos/synthLVB0.mp4", std::ios::trunc) << "not a video at all";
  for (const auto& e : fs::directory_iterator(root + "/MVBench/video/tvqa/frames_fps3_hq/episodic_reasoning_clip0"))
    fs::remove(e.path());

  auto r = run_ppbench({"data", "check", "--task", "msvd_qa,videomme,longvideobench_val,mvbench,synth_mcq",
                        "--data-root", root, "--strict"});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const std::string msvd_missing = root + "/MSVD_Zero_Shot_QA/videos/msvd_qa_clip0.mp4";  // first extension tried
  CHECK_THAT(r.out, Catch::Contains("msvd_qa: 1000: missing: " + msvd_missing));
  CHECK_THAT(r.out, Catch::Contains("msvd_qa: 1001: missing: " + msvd_missing));
  CHECK_THAT(r.out, Catch::Contains("msvd_qa: 1 usable / 3 total"));
  CHECK_THAT(r.out, Catch::Contains("videomme: 002-1: empty: " + root + "/videomme/data/synthYT1.mp4"));
  CHECK_THAT(r.out, Catch::Contains("videomme: 2 usable / 3 total"));
  CHECK_THAT(r.out, Catch::Contains("longvideobench_val: synthLVB0_0: unreadable: " + root +
                                    "/LongVideoBench/videos/synthLVB0.mp4"));
  CHECK_THAT(r.out, Catch::Contains("longvideobench_val: 1 usable / 2 total"));
  CHECK_THAT(r.out, Catch::Contains("mvbench: episodic_reasoning/0000: unreadable:") &&
                        Catch::Contains("holds no images"));
  CHECK_THAT(r.out, Catch::Contains("mvbench: 2 usable / 3 total"));
  CHECK_THAT(r.out, Catch::Contains("synth_mcq: 6 usable / 6 total"));
  // Without --strict the same report exits 0.
  auto lax = run_ppbench({"data", "check", "--task", "msvd_qa", "--data-root", root});
  CHECK(lax.exit_code == 0);
  CHECK_THAT(lax.out, Catch::Contains("msvd_qa: 1 usable / 3 total"));
}

TEST_CASE("data check explains itself and names what it cannot resolve", "[cli]") {
  auto help = run_ppbench({"data", "check", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("usage: ppbench data check") && Catch::Contains("usable / M total"));
  auto top = run_ppbench({"--help"});
  CHECK_THAT(top.out, Catch::Contains("data"));
  TempDir d("cli_data_err");
  auto unknown = run_ppbench({"data", "check", "--task", "nosuch", "--data-root", d.path()});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.out, Catch::Contains("'nosuch'") && Catch::Contains("mvbench") && Catch::Contains("task synth_mcq"));
  // A task name resolves to its spec's dataset: with a catalog that lacks it, that dataset is what is missing.
  std::ofstream(d / "cat.json") << R"({"only": {"reader": "vcg", "description": "d", "annotations": "a.json",
                                      "videos": "v", "extensions": [".mp4"], "dimension": "generic"}})";
  auto via_task = run_ppbench({"data", "check", "--task", "synth_mcq", "--data-root", d.path(), "--catalog",
                               d / "cat.json"});
  CHECK(via_task.exit_code == 1);
  CHECK_THAT(via_task.out, Catch::Contains("unknown dataset 'synth_mcq'") && Catch::Contains("only"));
}
