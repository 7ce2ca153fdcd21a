// `ppbench judge` end to end against tests/judge_server.py: judged tasks get their replies,
// the report parses them under the protocol's policy, a second pass is served by the cache,
// offline re-scoring is identical, and the API key is written nowhere.
#include <cstdlib>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <algorithm>
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

// The judge server's words: lower-case runs of a-z of three or more letters.
std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> out;
  std::string w;
  for (char c : text + " ") {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l >= 'a' && l <= 'z') {
      w += l;
    } else {
      if (w.size() >= 3) out.insert(w);
      w.clear();
    }
  }
  return out;
}

bool share_a_word(const std::string& a, const std::string& b) {
  const auto wa = words_of(a), wb = words_of(b);
  for (const auto& w : wa)
    if (wb.count(w)) return true;
  return false;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// What tests/judge_server.py answers for one record, computed here from its documented rule:
// yes and 4 when the first lines of the reference and the prediction share a lower-case word of
// three or more letters, else no and 1.
bool judge_says_yes(const json& rec) {
  return share_a_word(first_line(rec["target"].get<std::string>()), first_line(rec["response"].get<std::string>()));
}

// The judge server's DREAM-1K events of a description: its sentences, split at '.', trimmed,
// empty ones dropped, at most 10.
std::vector<std::string> server_events(const std::string& description) {
  std::vector<std::string> out;
  std::stringstream ss(description);
  std::string part;
  while (std::getline(ss, part, '.')) {
    part.erase(0, part.find_first_not_of(" \t\r\n"));
    part.erase(part.find_last_not_of(" \t\r\n") + 1);
    if (!part.empty() && out.size() < 10) out.push_back(part);
  }
  return out;
}

// Fraction of `events` that share a word with `text`; 1 for no events (AutoDQ's rule).
double entailed_share(const std::vector<std::string>& events, const std::string& text) {
  if (events.empty()) return 1.0;
  double hits = 0;
  for (const auto& e : events) hits += share_a_word(e, text);
  return hits / static_cast<double>(events.size());
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
  CHECK(r.out.find(kKey) == std::string::npos);  // nor in what the command printed
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
  // VCG-Bench's summary row: three of the five dimensions, so no mean of five.
  REQUIRE(report["vcg_bench"].size() == 1);
  CHECK(report["vcg_bench"][0]["complete"] == false);
  CHECK(report["vcg_bench"][0]["dimensions"]["detail"]["value"].get<double>() == Approx(expected["vcg_generic"].second / 2));
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
  // `ppbench score` binds the judge too: the failed samples of the first run are re-scored.
  r = run_ppbench({"score", dir / "no_judge", "--judge-url", server.url(), "--judge-cache", dir / "judge.sqlite",
                   "--api-key-env", "PPB_E2E_CHOICE_KEY"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const auto& l : read_lines(dir / "no_judge/samples.jsonl")) CHECK(json::parse(l)["error"].is_null());
  // The judge's template is read like every other one: --prompts-dir replaces it, and the
  // recorded hash and the fingerprint follow.
  const json context = json::parse(read_file(dir / "judged/context.json"));
  REQUIRE(context["tasks"]["mvbench"]["judge_templates"].contains("choice_extraction"));
  CHECK(context["judge_models"] == json::array({"gpt-3.5-turbo-0125"}));
  fs::create_directories(dir / "own/judges");
  std::ofstream(dir / "own/judges/choice_extraction.txt")
      << "[system]\n[user]\nWhich option does this answer pick? {question}\n{options}\nAnswer: {prediction}\n";
  args = base;
  args.insert(args.end(), {"--out", dir / "own_judge", "--prompts-dir", dir / "own"});
  r = run_ppbench(args);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json own_context = json::parse(read_file(dir / "own_judge/context.json"));
  CHECK(own_context["tasks"]["mvbench"]["judge_templates"]["choice_extraction"]["sha256"] !=
        context["tasks"]["mvbench"]["judge_templates"]["choice_extraction"]["sha256"]);
  CHECK(own_context["tasks"]["mvbench"]["fingerprint"] != context["tasks"]["mvbench"]["fingerprint"]);

  // A second run asks the judge nothing new: every reply comes from the cache.
  const int64_t asked = server.stats()["requests"].get<int64_t>();
  CHECK(asked > 0);  // the tiny model's answers name no option: the judge was asked
  args = judged;
  args.insert(args.end(), {"--out", dir / "judged_again"});
  REQUIRE(run_ppbench(args).exit_code == 0);
  CHECK(server.stats()["requests"].get<int64_t>() == asked);
  CHECK(read_file(dir / "judged_again/samples.jsonl").find(kKey) == std::string::npos);
}

TEST_CASE("ppbench judge scores DREAM-1K in two steps, re-asks unusable replies and leaves failures out", "[cli][judge]") {
  TempDir dir("judge_dream");
  const std::string data = dir / "data", run = dir / "run", cache = dir / "judge.sqlite";
  REQUIRE(run_ppbench({"synth", "--out", data, "--layouts", "dream1k", "--frames", "24"}).exit_code == 0);
  auto r = run_ppbench({"run", "--data-root", data, "--out", run, "--tasks", "dream1k", "--methods",
                        "avgpool3d,ppllava", "--frames", "4", "--budget", "128", "--threads", "2",
                        "--max-new-tokens", "4"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  // Descriptions chosen here (the tiny model's are noise), the same for both methods, so every
  // judgement of the second method is identical to one of the first and rides on its call: one
  // plain, one whose first reply to every call is garbage (re-asked once), and an empty one for
  // the video without reference events (nothing extracted: precision 1 without a call; recall
  // judges the reference text).
  std::vector<json> recs;
  for (const auto& l : read_lines(run + "/samples.jsonl")) recs.push_back(json::parse(l));
  REQUIRE(recs.size() == 6);
  std::sort(recs.begin(), recs.end(), [](const json& a, const json& b) {
    return std::make_pair(a["variant"]["method"], a["sample_id"]) < std::make_pair(b["variant"]["method"], b["sample_id"]);
  });
  std::map<std::string, std::string> response_of;  // by sample id
  for (size_t k = 0; k < 3; ++k) {
    REQUIRE(recs[k]["sample_id"] == recs[k + 3]["sample_id"]);
    const std::string text = k == 0   ? "A red square moves across the picture. The background stays grey. It stops"
                             : k == 1 ? "[fault:garbage:times=1] The shapes leave the picture. A bird sings."
                                      : "";
    response_of[recs[k]["sample_id"].get<std::string>()] = text;
  }
  REQUIRE(recs[2]["events"].empty());
  auto write_records = [&] {
    std::string text;
    for (auto& rec : recs) {
      rec["response"] = response_of.at(rec["sample_id"].get<std::string>());
      text += rec.dump() + "\n";
    }
    std::ofstream(run + "/samples.jsonl") << text;
  };
  write_records();

  ::setenv("PPB_E2E_DREAM_KEY", kKey, 1);
  JudgeServer server(kKey);
  const std::vector<std::string> judge = {"judge", run, "--judge-url", server.url(), "--judge-cache", cache,
                                          "--api-key-env", "PPB_E2E_DREAM_KEY"};
  r = run_ppbench(judge);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  // 3 calls for the plain video, each doubled for the faulted one, 2 for the empty description;
  // the second method's identical judgements add none.
  CHECK(server.stats()["requests"] == 3 + 6 + 2);
  CHECK_THAT(r.out, Catch::Contains("dream1k: 11 judgements asked, 11 from the cache"));

  // Expected scores from the server's documented rule, macro over the subsets (stock: videos
  // 1 and 3; youtube: video 2), F1 of the averaged precision and recall.
  std::map<std::string, std::vector<std::pair<double, double>>> by_subset;  // subset -> (P, R)
  for (size_t k = 0; k < 3; ++k) {
    const json& rec = recs[k];
    std::vector<std::string> reference_events = rec["events"].get<std::vector<std::string>>();
    const std::string reference = rec["references"][0].get<std::string>();
    if (reference_events.empty()) reference_events = {reference};
    const std::string response = rec["response"].get<std::string>();
    by_subset[rec["subtask"].get<std::string>()].push_back(
        {entailed_share(server_events(response), reference), entailed_share(reference_events, response)});
  }
  REQUIRE(by_subset.size() == 2);
  double p = 0, rc = 0;
  for (const auto& [subset, items] : by_subset) {
    double ps = 0, rs = 0;
    for (const auto& [pi, ri] : items) {
      ps += pi;
      rs += ri;
    }
    p += ps / static_cast<double>(items.size()) / 2.0;
    rc += rs / static_cast<double>(items.size()) / 2.0;
  }
  const double f1 = p + rc > 0 ? 2 * p * rc / (p + rc) : 0.0;
  json report = json::parse(read_file(run + "/report.json"));
  REQUIRE(report["results"].size() == 2);
  for (const json& row : report["results"]) {
    INFO(row.dump(1));
    CHECK(row["n_scored"] == 3);
    CHECK(row["n_awaiting_scoring"] == 0);
    CHECK(row["n_unparsed"] == 0);
    const json& d = row["dream"];
    CHECK(d["aggregation"] == "macro");
    CHECK(d["n_failed"] == 0);
    CHECK(d["precision"]["value"].get<double>() == Approx(p));
    CHECK(d["recall"]["value"].get<double>() == Approx(rc));
    CHECK(d["f1"]["value"].get<double>() == Approx(f1));
    CHECK(d["macro"]["f1"].get<double>() == Approx(f1));
    CHECK(d["steps"]["extract_events"]["reasked"] == 1);
    CHECK(d["steps"]["recall"]["reasked"] == 1);
    CHECK(d["steps"]["precision"]["reasked"] == 1);
    CHECK(d["steps"]["precision"]["outcomes"]["ok"] == 2);  // none for the empty description
  }
  const json first = results_without_timing(report);
  CHECK_THAT(read_file(run + "/report.md"), Catch::Contains("F1 "));
  // The faulted video keeps the rejected replies and why they were not used.
  for (const auto& l : read_lines(run + "/samples.jsonl")) {
    const json judged = json::parse(l);
    if (judged["sample_id"] != recs[1]["sample_id"]) continue;
    for (const char* step : {"extract_events", "recall", "precision"}) {
      INFO(step);
      CHECK(judged["judgements"][step]["retry"] == 1);
      CHECK(judged["judgements"][step]["rejected"][0]["content"] == "I would rather describe the weather.");
      CHECK_THAT(judged["judgements"][step]["rejected"][0]["reason"].get<std::string>(),
                 Catch::Contains("no '{...}' block"));
    }
  }

  // A second pass is served by the cache and scores the same; so does an offline one.
  r = run_ppbench(judge);
  REQUIRE(r.exit_code == 0);
  CHECK(server.stats()["requests"] == 11);
  CHECK(results_without_timing(json::parse(read_file(run + "/report.json"))) == first);
  auto offline = judge;
  offline[3] = "http://127.0.0.1:9/unreachable";
  offline.push_back("--judge-offline");
  r = run_ppbench(offline);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(results_without_timing(json::parse(read_file(run + "/report.json"))) == first);

  // A description whose replies never parse: asked 1 + 10 times per first-round step, then left
  // out of the scores and listed with the reason.
  response_of[recs[0]["sample_id"].get<std::string>()] = "[fault:garbage] A red square moves.";
  write_records();
  r = run_ppbench(judge);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(server.stats()["requests"] == 11 + 2 * 11);
  report = json::parse(read_file(run + "/report.json"));
  for (const json& row : report["results"]) {
    const json& failed = row["dream"];
    CHECK(row["n_scored"] == 2);
    CHECK(row["n_unparsed"] == 1);
    CHECK(failed["n_failed"] == 1);
    CHECK(failed["failures"][0]["sample_id"] == recs[0]["sample_id"]);
    CHECK_THAT(failed["failures"][0]["reason"].get<std::string>(), Catch::Contains("recall: no '{...}' block"));
  }
  CHECK_THAT(read_file(run + "/report.md"), Catch::Contains("1 videos left out of DREAM-1K's scores"));

  // Read under VLMEvalKit's protocol instead: `score` re-labels the records and `judge` then asks
  // that protocol's judge, and the report aggregates its way (micro).
  r = run_ppbench({"score", run, "--protocol", "dream1k=vlmeval"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = run_ppbench(judge);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const auto& l : read_lines(run + "/samples.jsonl")) {
    const json rec = json::parse(l);
    CHECK(rec["scored_protocol"] == "vlmeval");
    CHECK(rec["judgements"]["recall"]["model_requested"] == "gpt-4o");
  }
  report = json::parse(read_file(run + "/report.json"));
  for (const json& row : report["results"]) {
    CHECK(row["scored_protocol"] == "vlmeval");
    CHECK(row["dream"]["aggregation"] == "micro");
  }
  r = run_ppbench({"score", run, "--protocol", "dreamlk=vlmeval"});  // a task the run does not have
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.out, Catch::Contains("names task 'dreamlk'") && Catch::Contains("dream1k"));
}
