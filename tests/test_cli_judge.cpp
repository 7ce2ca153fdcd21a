// `ppbench judge` end to end against tests/judge_server.py: judged tasks get their replies,
// the report parses them under the protocol's policy, a second pass is served by the cache,
// offline re-scoring is identical, and the API key is written nowhere.
#include <cstdlib>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/judge_server_process.h"
#include "tests/test_support.h"

using nlohmann::json;
using namespace ppb::test;
namespace fs = std::filesystem;

namespace {

const char* const kKey = "sk-e2e-Wd93judgeSecret";

// What tests/judge_server.py answers for one record, computed here from its documented rule:
// yes and 4 when the first lines of the reference and the prediction share a lower-case word of
// three or more letters, else no and 1.
bool judge_says_yes(const json& rec) {
  auto words = [](const std::string& text) {
    std::set<std::string> out;
    std::string w;
    for (char c : text.substr(0, text.find('\n')) + " ") {
      const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (l >= 'a' && l <= 'z') {
        w += l;
      } else {
        if (w.size() >= 3) out.insert(w);
        w.clear();
      }
    }
    return out;
  };
  const auto a = words(rec["target"].get<std::string>()), b = words(rec["response"].get<std::string>());
  for (const auto& w : a)
    if (b.count(w)) return true;
  return false;
}

json results_without_timing(const json& report) {
  json r = report["results"];
  for (auto& res : r) res.erase("latency_ms");
  return r;
}

}  // namespace

TEST_CASE("ppbench judge scores open-ended answers through the cache and offline", "[cli][judge]") {
  TempDir dir("judge_cli");
  const std::string data = dir / "data", run = dir / "run", cache = dir / "judge.sqlite";
  REQUIRE(run_ppbench({"synth", "--out", data, "--layouts", "msvd_qa,vcg_generic", "--frames", "24"}).exit_code == 0);
  auto r = run_ppbench({"run", "--data-root", data, "--out", run, "--tasks", "msvd_qa,vcg_generic", "--methods",
                        "avgpool3d", "--frames", "4", "--budget", "128", "--limit", "2", "--threads", "2"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  json report = json::parse(read_file(run + "/report.json"));
  for (const auto& res : report["results"]) CHECK(res["n_awaiting_scoring"] == 2);

  ::setenv("PPB_E2E_JUDGE_KEY", kKey, 1);
  JudgeServer server(kKey);
  const std::vector<std::string> judge = {"judge", run, "--judge-url", server.url(), "--judge-cache", cache,
                                          "--api-key-env", "PPB_E2E_JUDGE_KEY"};
  r = run_ppbench(judge);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("msvd_qa: 2 judgements asked, 0 from the cache") &&
                        Catch::Contains("vcg_generic: 6 judgements asked, 0 from the cache"));
  CHECK(server.stats()["requests"] == 8);  // one call per judgement: nothing asked twice
  report = json::parse(read_file(run + "/report.json"));
  std::map<std::string, std::pair<double, double>> expected;  // task -> (yes count, score sum)
  for (const auto& l : read_lines(run + "/samples.jsonl")) {
    const json rec = json::parse(l);
    const bool yes = judge_says_yes(rec);
    expected[rec["task"].get<std::string>()].first += yes;
    expected[rec["task"].get<std::string>()].second += yes ? 4 : 1;
  }
  for (const auto& res : report["results"]) {
    INFO(res.dump());
    const auto& e = expected[res["task"].get<std::string>()];
    CHECK(res["n_awaiting_scoring"] == 0);
    CHECK(res["n_scored"] == 2);
    CHECK(res["judge"]["policy"] == "vcg_original");
    if (res["task"] == "msvd_qa") {
      const auto& c = res["judge"]["dimensions"]["correctness"];
      CHECK(c["outcomes"]["ok"] == 2);
      CHECK(c["yes_rate"]["n"] == 2);
      CHECK(c["yes_rate"]["value"].get<double>() == Approx(e.first / 2));
      CHECK(c["mean_score"]["value"].get<double>() == Approx(e.second / 2));
    } else {
      for (const char* d : {"correctness", "detail", "context"}) {
        CHECK(res["judge"]["dimensions"][d]["n_items"] == 2);
        CHECK(res["judge"]["dimensions"][d]["mean_score"]["value"].get<double>() == Approx(e.second / 2));
      }
    }
  }
  CHECK(report["judge_usage"]["total"]["calls_made"] == 8);
  CHECK_THAT(read_file(run + "/report.md"), Catch::Contains("## Judge usage") && Catch::Contains("| msvd_qa | 2 | 0 |"));
  for (const auto& l : read_lines(run + "/samples.jsonl")) {
    const json rec = json::parse(l);
    for (const auto& [dim, j] : rec["judgements"].items()) {
      CHECK(j["outcome"] == "ok");
      CHECK(j["cached"] == false);
      CHECK(j["model_requested"] == "gpt-3.5-turbo-0613");
    }
  }

  // A second pass is served by the cache and scores the same.
  const json first = results_without_timing(report);
  r = run_ppbench(judge);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("msvd_qa: 0 judgements asked, 2 from the cache"));
  CHECK(server.stats()["requests"] == 8);
  report = json::parse(read_file(run + "/report.json"));
  CHECK(results_without_timing(report) == first);
  CHECK(report["judge_usage"]["total"]["served_from_cache"] == 8);

  // Offline: an empty cache fails listing what it lacks; the filled one re-scores identically.
  auto offline = judge;
  offline[5] = dir / "empty.sqlite";
  offline.push_back("--judge-offline");
  r = run_ppbench(offline);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.out, Catch::Contains("missing"));
  offline[5] = cache;
  offline[3] = "http://127.0.0.1:9/unreachable";
  r = run_ppbench(offline);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(results_without_timing(json::parse(read_file(run + "/report.json"))) == first);

  // The key is in no file the run, the judge or the cache wrote.
  for (const auto& root : {fs::path(run), fs::path(dir / "judge.sqlite").parent_path()})
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || e.path().string().find("/data/") != std::string::npos) continue;
      INFO(e.path());
      CHECK(read_file(e.path().string()).find(kKey) == std::string::npos);
    }
}

TEST_CASE("an extractor's judge fallback runs through --judge-url and the cache, and fails clearly without", "[cli][judge]") {
  TempDir dir("choice_judge");
  const std::string data = dir / "data";
  REQUIRE(run_ppbench({"synth", "--out", data, "--layouts", "mvbench", "--frames", "24"}).exit_code == 0);
  const std::vector<std::string> base = {"run",   "--data-root", data,   "--tasks", "mvbench", "--protocol", "vlmeval",
                                         "--methods", "avgpool3d", "--frames", "4", "--budget", "128",
                                         "--limit", "2", "--threads", "2"};
  // Without a judge every sample is recorded with an error that says what to configure.
  auto args = base;
  args.insert(args.end(), {"--out", dir / "no_judge"});
  auto r = run_ppbench(args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const auto& l : read_lines(dir / "no_judge/samples.jsonl")) {
    const json rec = json::parse(l);
    REQUIRE(rec["error"].is_object());
    CHECK(rec["error"]["stage"] == "score");
    CHECK_THAT(rec["error"]["message"].get<std::string>(), Catch::Contains("needs a judge"));
  }

  ::setenv("PPB_E2E_CHOICE_KEY", kKey, 1);
  JudgeServer server(kKey);
  auto judged = base;
  judged.insert(judged.end(), {"--judge-url", server.url(), "--judge-cache", dir / "judge.sqlite", "--api-key-env",
                               "PPB_E2E_CHOICE_KEY"});
  args = judged;
  args.insert(args.end(), {"--out", dir / "judged"});
  r = run_ppbench(args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const auto& l : read_lines(dir / "judged/samples.jsonl")) {
    const json rec = json::parse(l);
    INFO(rec.dump());
    CHECK(rec["error"].is_null());
    CHECK(rec["parse_rule"].is_string());
  }
  // A second run asks the judge nothing new: every reply comes from the cache.
  const int64_t asked = server.stats()["requests"].get<int64_t>();
  CHECK(asked > 0);  // the tiny model's answers name no option: the judge was asked
  args = judged;
  args.insert(args.end(), {"--out", dir / "judged_again"});
  REQUIRE(run_ppbench(args).exit_code == 0);
  CHECK(server.stats()["requests"].get<int64_t>() == asked);
  CHECK(read_file(dir / "judged_again/samples.jsonl").find(kKey) == std::string::npos);
}
