// Caption tasks end to end: `ppbench synth --layouts` writes the caption and DREAM-1K instances,
// `ppbench run` keeps every reference in the records, and the report scores captions as a
// corpus (BLEU, ROUGE-L, CIDEr-D) while DREAM-1K waits for its judge.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using nlohmann::json;
using namespace ppb::test;

namespace {

std::vector<json> records_of(const std::string& path) {
  std::vector<json> out;
  for (const auto& line : read_lines(path))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::map<std::string, json> results_by_task(const json& report) {
  std::map<std::string, json> out;
  for (const auto& r : report["results"]) out[r["task"].get<std::string>()] = r;
  return out;
}

void check_caption_ranges(const json& c) {
  for (const char* name : {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L"}) {
    INFO(name);
    REQUIRE(c.contains(name));
    CHECK(c[name].get<double>() >= 0.0);
    CHECK(c[name].get<double>() <= 1.0 + 1e-9);
  }
  CHECK(c["CIDEr-D"].get<double>() >= 0.0);
  CHECK(c["CIDEr-D"].get<double>() <= 10.0 + 1e-9);
  CHECK_THAT(c["METEOR"].get<std::string>(), Catch::Contains("not provided"));
  for (const char* name : {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr-D"}) {
    INFO(name);
    const json& u = c["uncertainty"][name];
    CHECK(u["value"] == c[name]);
    CHECK(u["n"] == c["n_items"]);
    CHECK(u["stderr"].get<double>() >= 0.0);
    CHECK(u["ci_low"].get<double>() <= u["ci_high"].get<double>());
  }
}

}  // namespace

TEST_CASE("caption tasks run end to end and the report scores them as a corpus", "[cli][captions]") {
  TempDir dir("cli_captions");
  const std::string data = dir / "data", run = dir / "run";
  auto synth = run_ppbench({"synth", "--out", data, "--layouts", "msvd_caption,msrvtt_caption,dream1k"});
  INFO(synth.out);
  REQUIRE(synth.exit_code == 0);
  auto r = run_ppbench({"run", "--data-root", data, "--out", run, "--tasks", "msvd_caption,dream1k", "--methods",
                        "avgpool3d", "--frames", "4", "--budget", "128", "--limit", "2", "--threads", "2"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);

  const auto recs = records_of(run + "/samples.jsonl");
  REQUIRE(recs.size() == 4);  // 2 samples x 2 tasks
  for (const auto& rec : recs) {
    INFO(rec.dump());
    CHECK(rec["error"].is_null());
    CHECK(rec["response"].is_string());
    REQUIRE(rec.contains("references"));
    CHECK(rec["target"] == rec["references"][0]);
    if (rec["task"] == "msvd_caption") {
      CHECK(rec["scoring"] == "corpus");
      CHECK(rec["references"].size() == 4);
      CHECK_FALSE(rec.contains("events"));
    } else {
      CHECK(rec["scoring"] == "judge");
      CHECK(rec["references"].size() == 1);
      CHECK(rec["events"].size() == 3);  // the first two synthetic DREAM videos have three events
      CHECK_FALSE(rec["subtask"].get<std::string>().empty());
    }
  }

  const json report = json::parse(read_file(run + "/report.json"));
  auto by_task = results_by_task(report);
  const json cap = by_task.at("msvd_caption");
  CHECK(cap["scoring"] == "corpus");
  CHECK(cap["n_scored"] == 2);
  CHECK(cap["n_awaiting_scoring"] == 0);
  CHECK(cap["n_without_references"] == 0);
  REQUIRE(cap["captions"].is_object());
  CHECK(cap["captions"]["n_items"] == 2);
  CHECK(cap["captions"]["tokenizer"] == "ptb_like");
  check_caption_ranges(cap["captions"]);
  const json dream = by_task.at("dream1k");
  CHECK(dream["scoring"] == "judge");
  CHECK(dream["n_awaiting_scoring"] == 2);
  CHECK_FALSE(dream.contains("captions"));
  const std::string md = read_file(run + "/report.md");
  CHECK_THAT(md, Catch::Contains("Caption metrics") && Catch::Contains("| avgpool3d | 2 |"));
  CHECK_THAT(md, Catch::Contains("| CIDEr-D "));

  // The scores come from the records: answering with a reference itself gives BLEU and ROUGE-L
  // of 1 and a higher CIDEr-D than the tiny model's caption, once the report is rewritten.
  std::ostringstream rewritten;
  for (auto rec : recs) {
    if (rec["task"] == "msvd_caption") rec["response"] = rec["references"][1];
    rewritten << rec.dump() << "\n";
  }
  std::ofstream(run + "/samples.jsonl", std::ios::trunc) << rewritten.str();
  auto again = run_ppbench({"report", run});
  INFO(again.out);
  REQUIRE(again.exit_code == 0);
  const json perfect = results_by_task(json::parse(read_file(run + "/report.json"))).at("msvd_caption")["captions"];
  check_caption_ranges(perfect);
  for (const char* name : {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L"}) {
    INFO(name);
    CHECK(perfect[name].get<double>() == Approx(1.0).epsilon(1e-6));
    // Every video scores 1 alone, so every resample does too: no spread.
    CHECK(perfect["uncertainty"][name]["stderr"].get<double>() == Approx(0.0).margin(1e-9));
    CHECK(perfect["uncertainty"][name]["ci_low"].get<double>() == Approx(1.0).epsilon(1e-6));
  }
  CHECK(perfect["CIDEr-D"].get<double>() > cap["captions"]["CIDEr-D"].get<double>());
  CHECK(perfect["bleu_brevity_penalty"].get<double>() == Approx(1.0));
}
