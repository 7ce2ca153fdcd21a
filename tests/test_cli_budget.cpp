// `ppbench budget` and a run under one budget: solved parameters per method, the infeasible and
// under-filled rows in the report, and bad input.
#include <map>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using nlohmann::json;
using namespace ppb::test;

namespace {

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') out.push_back(json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("ppbench budget prints each method's solved parameters and exact token count", "[cli][budget]") {
  auto r = run_ppbench({"budget", "--method", "ppllava,slowfast,pool2d,pllava,full", "--budget", "1024", "--frames", "32"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto plans = json_lines(r.out);
  REQUIRE(plans.size() == 5);
  CHECK(plans[0]["method"] == "ppllava");
  CHECK(plans[0]["params"]["kernel"] == json({2, 3, 3}));
  CHECK(plans[0]["tokens"] == 1024);
  CHECK(plans[0]["frames"] == 32);
  CHECK(plans[1]["tokens"] == 960);
  CHECK(plans[2]["frames"] == 7);
  CHECK(plans[2]["tokens"] == 1008);
  CHECK(plans[3]["params"]["shape"] == json({16, 8, 8}));
  CHECK(plans[4]["under_filled"] == true);
  for (const auto& p : plans) {
    CHECK(p["budget"] == 1024);
    CHECK(p["frames_requested"] == 32);
    CHECK(p["feasible"] == true);
  }

  auto sf = run_ppbench({"budget", "--method", "slowfast", "--budget", "3680", "--frames", "50"});
  REQUIRE(sf.exit_code == 0);
  const json p = json_lines(sf.out).at(0);
  CHECK(p["params"] == json({{"slow_frames", 10}, {"fast_grid", {4, 4}}, {"fast_frames", 50}}));
  CHECK(p["tokens"] == 3680);

  auto odd = run_ppbench({"budget", "--method", "full", "--budget", "500", "--frames", "8", "--grid", "27x27"});
  REQUIRE(odd.exit_code == 0);
  const json f = json_lines(odd.out).at(0);
  CHECK(f["feasible"] == false);
  CHECK_THAT(f["reason"].get<std::string>(), Catch::Contains("729 tokens"));
}

TEST_CASE("ppbench budget rejects bad input and names the valid choices", "[cli][budget]") {
  auto bad = [](const std::vector<std::string>& args, const std::string& needle) {
    auto r = run_ppbench(args);
    INFO(r.out);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.out, Catch::Contains(needle));
  };
  bad({"budget", "--method", "ppllava", "--budget", "0", "--frames", "32"}, "a budget is at least one token");
  bad({"budget", "--method", "ppllava", "--budget", "1024", "--frames", "0"}, "a video has at least one frame");
  bad({"budget", "--method", "tome", "--budget", "1024", "--frames", "32"}, "unknown method 'tome'");
  bad({"budget", "--method", "tome", "--budget", "1024", "--frames", "32"}, "ppllava");
  bad({"budget", "--method", "ppllava", "--budget", "1024", "--frames", "32", "--grid", "24"}, "is not HxW");

  TempDir dir("budget_model");
  REQUIRE(run_ppbench({"model", "init-tiny", "--out", dir / "model"}).exit_code == 0);
  auto ok = run_ppbench({"budget", "--method", "ppllava", "--budget", "1024", "--frames", "32", "--model", dir / "model"});
  REQUIRE(ok.exit_code == 0);
  CHECK(json_lines(ok.out).at(0)["grid"] == json({24, 24}));
  bad({"budget", "--method", "ppllava", "--budget", "1024", "--frames", "32", "--model", dir / "model", "--grid",
       "16x16"},
      "does not match the vision tower");
}

TEST_CASE("a run at a small budget reports infeasible and under-filled methods instead of hiding them", "[cli][budget]") {
  TempDir dir("budget_run");
  REQUIRE(run_ppbench({"synth", "--out", dir / "data", "--videos", "1", "--frames", "24"}).exit_code == 0);
  const std::string run = dir / "run";
  auto r = run_ppbench({"run", "--data-root", dir / "data", "--out", run, "--methods", "ppllava,pool2d,full",
                        "--frames", "4", "--budget", "200", "--threads", "2"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("full is infeasible for synth_mcq at budget 200"));

  const json context = json::parse(read_file(run + "/context.json"));
  CHECK(context["budget_plans"]["synth_mcq"]["full"]["feasible"] == false);
  CHECK(context["budget_plans"]["synth_mcq"]["ppllava"]["params"]["kernel"] == json({1, 4, 4}));

  const json report = json::parse(read_file(run + "/report.json"));
  REQUIRE(report["results"].size() == 3);
  std::map<std::string, json> by_method;
  for (const auto& res : report["results"]) by_method[res["variant"]["method"].get<std::string>()] = res;
  // ppllava: the kernels that divide 4 frames and a 24x24 grid give 144 tokens at most below 200
  // ((1,4,4) before (4,2,2) on the tie); pool2d: one frame of 12x12; full: one frame is 576.
  CHECK(by_method["ppllava"]["tokens"]["visual"]["mean"] == 144);
  CHECK(by_method["ppllava"]["status"] == "under_filled");
  CHECK(by_method["pool2d"]["variant"]["frames"] == 1);
  CHECK(by_method["pool2d"]["tokens"]["visual"]["mean"] == 144);
  CHECK(by_method["pool2d"]["status"] == "under_filled");
  CHECK(by_method["full"]["status"] == "infeasible");
  CHECK(by_method["full"]["n_total"] == 0);
  CHECK_THAT(by_method["full"]["reason"].get<std::string>(), Catch::Contains("576 tokens, more than the budget"));
  CHECK(read_lines(run + "/samples.jsonl").size() == 6);  // 3 questions x the 2 feasible methods

  const std::string md = read_file(run + "/report.md");
  CHECK_THAT(md, Catch::Contains("| full | 4 | 200 | infeasible |"));
  CHECK_THAT(md, Catch::Contains("| under_filled |"));
  CHECK_THAT(md, Catch::Contains("full cannot run at a budget of 200"));
  CHECK_THAT(md, Catch::Contains("pool2d fills 72% of the budget of 200"));
}
