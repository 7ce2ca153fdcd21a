// The ppbench binary end to end: help texts, the demo's report, reproducibility, a missing
// video recorded as an error, and a run killed with SIGKILL then resumed.
#include "tests/catch_aten.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using namespace ppb::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json load_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

// The report without what legitimately changes between two identical runs: latency figures.
nlohmann::json without_timing(nlohmann::json r) {
  for (auto& res : r["results"]) res.erase("latency_ms");
  r["context"].erase("threads");
  return r;
}

const nlohmann::json& result_for(const nlohmann::json& report, const std::string& method) {
  for (const auto& r : report["results"])
    if (r["variant"]["method"] == method) return r;
  FAIL("no result for " << method);
  static nlohmann::json none;
  return none;
}

}  // namespace

TEST_CASE("every command explains itself", "[cli]") {
  auto top = run_ppbench({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* cmd : {"demo", "run", "report", "list", "synth", "frames", "model"}) {
    CHECK_THAT(top.out, Catch::Contains(cmd));
    auto r = run_ppbench({cmd, "--help"});
    INFO(cmd << ": " << r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("usage: ppbench"));
  }
  auto bad = run_ppbench({"evaluate"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.out, Catch::Contains("ppbench: error: unknown command 'evaluate'"));
  auto missing = run_ppbench({"run", "--out", "/nonexistent/x"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::Contains("ppbench: error: run: --data-root DIR is required"));
  auto methods = run_ppbench({"list", "methods"});
  CHECK_THAT(methods.out, Catch::Contains("avgpool3d") && Catch::Contains("after_projector"));
}

TEST_CASE("the demo writes a complete, reproducible report", "[cli]") {
  TempDir dir("demo");
  const std::vector<std::string> args = {"demo", "--out", dir / "demo", "--videos", "2", "--frames", "4",
                                         "--budget", "576", "--threads", "2"};
  auto r = run_ppbench(args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("| ppllava |") && Catch::Contains("| avgpool3d |") && Catch::Contains("| full |"));
  const std::string run = dir / "demo/run";
  const nlohmann::json report = load_json(run + "/report.json");
  CHECK(report["schema_version"] == 1);
  for (const char* key : {"ppbench_version", "git_sha", "build_type", "compiler", "libtorch", "ffmpeg", "device",
                          "host", "argv", "config", "model_fingerprint", "tasks", "budget_plans"})
    CHECK(report["context"].contains(key));
  REQUIRE(report["results"].size() == 6);
  // At B = 576 and T0 = 4 on the 24x24 grid every method fills the budget exactly, each its own way
  // (worked by hand from the rules of docs/methods.md).
  struct Expect {
    const char* method;
    int frames;
    nlohmann::json params;
  };
  for (const Expect& e : {Expect{"ppllava", 4, {{"kernel", {1, 2, 2}}, {"temperature", 0.01}}},   // 4*12*12
                          Expect{"avgpool3d", 4, {{"kernel", {1, 2, 2}}}},
                          Expect{"pllava", 4, {{"shape", {4, 12, 12}}}},                          // sqrt(576/4) = 12
                          Expect{"slowfast", 4, {{"slow_frames", 1}, {"fast_grid", {8, 9}}, {"fast_frames", 4}}},  // 288 + 4*72
                          Expect{"pool2d", 4, {{"stride", 2}}},                                   // 4*144
                          Expect{"full", 1, nlohmann::json::object()}}) {                         // 1*576
    INFO(e.method);
    const auto& res = result_for(report, e.method);
    CHECK(res["variant"]["frames"] == e.frames);
    CHECK(res["method_params"] == e.params);
    CHECK(res["tokens_planned"] == 576);
    CHECK(res["tokens"]["visual"]["mean"] == 576);
    CHECK(res["tokens"]["visual"]["max"] == 576);
    CHECK(res["status"] == "ok");
    CHECK(res["n_total"] == 6);  // 2 videos x 3 questions
    CHECK(res["n_errors"] == 0);
    CHECK(res["n_scored"] == 6);
    CHECK(res["accuracy"]["n"] == 6);
    for (const char* stage : {"decode", "preprocess", "vision", "relevance", "reduce", "prefill", "generate", "total"})
      for (const char* stat : {"mean", "p50", "p90", "p99"}) CHECK(res["latency_ms"][stage].contains(stat));
    CHECK(res["latency_ms"]["vision"]["mean"].get<double>() > 0);
    // Only prompt-guided pooling pays for the relevance encoder.
    CHECK((res["latency_ms"]["relevance"]["mean"].get<double>() > 0) == (std::string(e.method) == "ppllava"));
  }
  CHECK(result_for(report, "full")["tokens"]["visual_raw"]["mean"] == 576);
  CHECK(result_for(report, "pool2d")["tokens"]["visual_raw"]["mean"] == 4 * 576);

  const auto lines = read_lines(run + "/samples.jsonl");
  REQUIRE(lines.size() == 36);
  for (const auto& l : lines) {
    auto rec = nlohmann::json::parse(l);
    for (const char* key : {"task", "protocol", "sample_id", "variant", "method_params", "budget_plan", "video",
                            "frame_indices", "prompt", "response", "parsed", "target", "correct", "tokens", "times_ms",
                            "error"})
      CHECK(rec.contains(key));
    CHECK(rec["frame_indices"].size() == rec["variant"]["frames"]);
    CHECK(rec["tokens"]["visual"] == rec["budget_plan"]["tokens"]);
    // The relevance encoder read the question with its options.
    if (rec["variant"]["method"] == "ppllava")
      CHECK_THAT(rec["relevance_text"].get<std::string>(), Catch::Contains("(A) "));
    CHECK(rec["error"].is_null());
    CHECK(rec["prompt"].get<std::string>().find("Options:\n(A) ") != std::string::npos);
    // The context is everything the LLM saw: text prompt + BOS + visual tokens + fed-back generated tokens.
    CHECK(rec["tokens"]["context"].get<int64_t>() >=
          rec["tokens"]["prompt"].get<int64_t>() + rec["tokens"]["visual"].get<int64_t>());
  }

  // `report` rebuilds the same report from the records; a repeated run differs only in timing.
  const std::string first = read_file(run + "/report.json");
  REQUIRE(run_ppbench({"report", run}).exit_code == 0);
  CHECK(read_file(run + "/report.json") == first);
  fs::remove_all(dir / "demo");
  REQUIRE(run_ppbench(args).exit_code == 0);
  CHECK(without_timing(load_json(run + "/report.json")).dump() == without_timing(nlohmann::json::parse(first)).dump());
}

TEST_CASE("a missing video is recorded; a run killed with SIGKILL resumes to one record per sample", "[cli]") {
  TempDir dir("resume");
  REQUIRE(run_ppbench({"synth", "--out", dir / "data", "--videos", "4", "--frames", "48"}).exit_code == 0);
  fs::remove(dir / "data/videos/synth_001.mp4");
  const std::string run = dir / "run";
  const std::vector<std::string> args = {"run", "--data-root", dir / "data", "--out", run, "--methods", "full,avgpool3d",
                                         "--frames", "12", "--budget", "6912", "--threads", "2"};
  const std::string samples = run + "/samples.jsonl";

  // Start a run, let it write a few records, then kill it without warning.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd = ::open((dir / "first.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<std::string> all = {ppbench_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : all) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execv(cargs[0], cargs.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline && read_lines(samples).size() < 3)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const size_t before = read_lines(samples).size();
  INFO(read_file(dir / "first.log"));
  REQUIRE(before >= 3);
  REQUIRE(before < 24);
  // Simulate the kill landing in the middle of a write.
  std::ofstream(samples, std::ios::app) << R"({"task":"synth_mcq","sample_id":"count/00)";

  auto r = run_ppbench(args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("dropped a partial last line"));
  const auto lines = read_lines(samples);
  CHECK(lines.size() == 24);  // 4 videos x 3 questions x 2 methods
  std::set<std::string> keys;
  int errors = 0;
  for (const auto& l : lines) {
    auto rec = nlohmann::json::parse(l);  // every line is whole
    keys.insert(rec["sample_id"].get<std::string>() + "/" + rec["variant"]["method"].get<std::string>());
    if (rec["video"].get<std::string>().find("synth_001.mp4") != std::string::npos) {
      ++errors;
      REQUIRE(rec["error"].is_object());
      CHECK(rec["error"]["stage"] == "decode");
      CHECK_THAT(rec["error"]["message"].get<std::string>(), Catch::Contains("synth_001.mp4"));
    } else {
      CHECK(rec["error"].is_null());
    }
  }
  CHECK(keys.size() == 24);
  CHECK(errors == 6);
  const nlohmann::json report = load_json(run + "/report.json");
  for (const auto& res : report["results"]) {
    CHECK(res["n_total"] == 12);
    CHECK(res["n_errors"] == 3);
    CHECK(res["n_scored"] == 9);
  }
  CHECK_THAT(read_file(run + "/report.md"), Catch::Contains("synth_001.mp4"));
}
