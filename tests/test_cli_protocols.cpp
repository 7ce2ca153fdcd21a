// Protocols end to end: tasks read in their upstream layouts run under their default protocol
// and under another, prompts and fingerprints follow the protocol and --prompts-dir, and
// `ppbench score` re-scores a run under another protocol without the model.
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using nlohmann::json;
using namespace ppb::test;

namespace {

std::vector<json> records_of(const std::string& run) {
  std::vector<json> out;
  for (const auto& l : read_lines(run + "/samples.jsonl")) out.push_back(json::parse(l));
  return out;
}

std::vector<std::string> run_args(const std::string& data, const std::string& out) {
  return {"run",     "--data-root", data, "--out", out, "--tasks", "mvbench,videomme_subs", "--methods", "avgpool3d",
          "--frames", "4",          "--budget", "128", "--limit", "2", "--threads", "2"};
}

json without_timing(json r) {
  for (auto& res : r["results"]) res.erase("latency_ms");
  r["context"].erase("threads");
  return r;
}

}  // namespace

TEST_CASE("tasks run under their protocols, and ppbench score re-scores under another", "[cli][protocols]") {
  TempDir dir("protocols");
  const std::string data = dir / "data";
  REQUIRE(run_ppbench({"synth", "--out", data, "--layouts", "mvbench,videomme", "--frames", "48"}).exit_code == 0);

  // The default protocols: PPLLaVA's for both tasks.
  const std::string run = dir / "run_default";
  auto r = run_ppbench(run_args(data, run));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json context = json::parse(read_file(run + "/context.json"));
  CHECK(context["tasks"]["mvbench"]["protocol"] == "ppllava");
  CHECK(context["tasks"]["mvbench"]["protocol_spec"]["extractor"] == "option_letter");
  CHECK(context["tasks"]["videomme_subs"]["protocol_spec"]["subtitles"] == true);
  auto listing = run_ppbench({"list", "protocols"});
  REQUIRE(listing.exit_code == 0);
  const std::string fp = context["tasks"]["mvbench"]["fingerprint"].get<std::string>();
  CHECK_THAT(listing.out, Catch::Contains(fp.substr(0, 16)));
  const auto recs = records_of(run);
  REQUIRE(recs.size() == 4);
  for (const auto& rec : recs) {
    INFO(rec.dump());
    CHECK(rec["error"].is_null());
    CHECK(rec["task_fingerprint"] == context["tasks"][rec["task"].get<std::string>()]["fingerprint"]);
    CHECK(rec.contains("parse_rule"));
    const std::string prompt = rec["prompt"].get<std::string>();
    if (rec["task"] == "mvbench") {
      CHECK_THAT(prompt, Catch::Contains("Options:\n(A) ") && Catch::EndsWith("Best option:("));
    } else {
      // The subtitle block holds the cues on screen at the sampled frames, options as "A. text".
      CHECK_THAT(prompt, Catch::Contains("subtitles are listed below") && Catch::Contains("\nA. ") &&
                             Catch::EndsWith("The best answer is:"));
    }
  }
  const json report = json::parse(read_file(run + "/report.json"));
  for (const auto& res : report["results"]) {
    CHECK(res["accuracy"]["denominator"] == "all");
    CHECK(res["accuracy"].contains("ci_low"));
    CHECK(res["accuracy"].contains("stderr_clustered"));
    if (res["task"] == "videomme_subs") CHECK(res["breakdowns"].contains("duration"));
  }

  // Another protocol changes the prompt the model sees and the fingerprint.
  const std::string lmms = dir / "run_lmms";
  auto args = run_args(data, lmms);
  args.insert(args.end(), {"--protocol", "lmms"});
  r = run_ppbench(args);
  REQUIRE(r.exit_code == 0);
  for (const auto& rec : records_of(lmms)) {
    CHECK(rec["protocol"] == "lmms");
    CHECK(rec["task_fingerprint"] != context["tasks"][rec["task"].get<std::string>()]["fingerprint"]);
    if (rec["task"] == "mvbench") CHECK_THAT(rec["prompt"].get<std::string>(), Catch::Contains("Option:\n(A) "));
  }
  CHECK(json::parse(read_file(lmms + "/report.json"))["results"][0]["accuracy"]["denominator"] == "nonempty");

  // A protocol a task lacks is refused, naming the ones it has.
  args = run_args(data, dir / "run_bad");
  args.insert(args.end(), {"--protocol", "tarsier"});
  r = run_ppbench(args);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.out, Catch::Contains("has no protocol 'tarsier'") && Catch::Contains("ppllava"));

  // Re-scoring under the run's own protocol changes nothing but the bookkeeping.
  const json before = json::parse(read_file(run + "/report.json"));
  r = run_ppbench({"score", run});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("mvbench: scored under ppllava: 2 records re-scored"));
  json after = json::parse(read_file(run + "/report.json"));
  CHECK(after["scoring"]["mvbench"]["protocol"] == "ppllava");
  after.erase("scoring");
  CHECK(without_timing(after).dump() == without_timing(before).dump());

  // Under the official MVBench protocol the same responses go through VideoChat2's check.
  r = run_ppbench({"score", run, "--protocol", "official"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const auto& rec : records_of(run)) {
    CHECK(rec["protocol"] == "ppllava");  // what the model was prompted with
    CHECK(rec["scored_protocol"] == "official");
  }
  const json official = json::parse(read_file(run + "/report.json"));
  CHECK(official["scoring"]["videomme_subs"]["protocol_spec"]["denominator"] == "parsed");
  for (const auto& res : official["results"]) {
    CHECK(res["scored_protocol"] == "official");
    if (res["task"] == "videomme_subs") CHECK(res["accuracy"]["denominator"] == "parsed");
  }

  // A protocol per task; a plain name only where a task has it; a name no task has is an error.
  r = run_ppbench({"score", run, "--protocol", "mvbench=lmms"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  json mixed = json::parse(read_file(run + "/report.json"));
  CHECK(mixed["scoring"]["mvbench"]["protocol"] == "lmms");
  CHECK(mixed["scoring"]["videomme_subs"]["protocol"] == "ppllava");
  r = run_ppbench({"score", run, "--protocol", "vlmeval"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("videomme_subs has no protocol 'vlmeval': scored under ppllava"));
  mixed = json::parse(read_file(run + "/report.json"));
  CHECK(mixed["scoring"]["mvbench"]["protocol"] == "vlmeval");
  r = run_ppbench({"score", run, "--protocol", "nosuch"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.out, Catch::Contains("has a protocol 'nosuch'"));
}

TEST_CASE("--prompts-dir replaces a template and the fingerprint follows", "[cli][protocols]") {
  TempDir dir("prompts_dir");
  const std::string data = dir / "data";
  REQUIRE(run_ppbench({"synth", "--out", data, "--videos", "1", "--frames", "24"}).exit_code == 0);
  put(dir / "own/prompts/mcq_ppllava.txt", "Verbatim upstream wording. Q: {question}\n{options}\n");
  auto base = run_ppbench({"list", "protocols"});
  auto own = run_ppbench({"list", "protocols", "--prompts-dir", dir / "own"});
  REQUIRE(base.exit_code == 0);
  REQUIRE(own.exit_code == 0);
  CHECK(base.out != own.out);  // synth_mcq's fingerprint changed
  const std::string run = dir / "run";
  auto r = run_ppbench({"run", "--data-root", data, "--out", run, "--methods", "avgpool3d", "--frames", "4",
                        "--budget", "128", "--limit", "1", "--threads", "2", "--prompts-dir", dir / "own"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json rec = json::parse(read_lines(run + "/samples.jsonl").at(0));
  CHECK_THAT(rec["prompt"].get<std::string>(), Catch::Contains("Verbatim upstream wording. Q: "));
  const json context = json::parse(read_file(run + "/context.json"));
  CHECK_THAT(context["tasks"]["synth_mcq"]["prompt_template_path"].get<std::string>(), Catch::Contains("own/prompts"));

  // A typo in a placeholder, or text that is not UTF-8, stops at once, naming the file.
  put(dir / "typo/prompts/mcq_ppllava.txt", "Q: {qustion}\n{options}\n");
  auto typo = run_ppbench({"list", "protocols", "--prompts-dir", dir / "typo"});
  CHECK(typo.exit_code != 0);
  CHECK_THAT(typo.out, Catch::Contains("typo/prompts/mcq_ppllava.txt") && Catch::Contains("{qustion}"));
  put(dir / "latin1/judges/qa_correctness.txt", "[system]\nCaf\xe9 {question}\n[user]\n{prediction}\n");
  auto latin1 = run_ppbench({"list", "protocols", "--prompts-dir", dir / "latin1"});
  CHECK(latin1.exit_code != 0);
  CHECK_THAT(latin1.out, Catch::Contains("latin1/judges/qa_correctness.txt") && Catch::Contains("not valid UTF-8"));
}
