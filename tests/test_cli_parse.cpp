// `ppbench parse`: one extractor on one response, end to end through the binary.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using nlohmann::json;
using namespace ppb::test;

namespace {

// The JSON line of the output (stdout and stderr come together).
json parsed_line(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') return json::parse(line);
  FAIL("no JSON line in: " << text);
  return {};
}

}  // namespace

TEST_CASE("ppbench parse prints the parsed letter and the rule that fired", "[cli][parse][extractors]") {
  // Video-MME's official rule reads the B of "Based"; lmms-eval's ranked extractor the trailing C.
  auto e1 = run_ppbench({"parse", "--extractor", "videomme_official", "--options", "4",
                         "Based on the video, the answer is C."});
  INFO(e1.out);
  REQUIRE(e1.exit_code == 0);
  const json j1 = parsed_line(e1.out);
  CHECK(j1["extractor"] == "videomme_official");
  CHECK(j1["parsed"] == "B");
  CHECK_THAT(j1["rule"].get<std::string>(), Catch::Contains("first A-D character"));
  CHECK(j1["guess_pool"].is_null());
  CHECK(j1["needs_judge"] == false);

  auto e2 = run_ppbench({"parse", "--extractor", "lmms_mcq_extract", "--options", "4",
                         "Based on the video, the answer is C."});
  REQUIRE(e2.exit_code == 0);
  const json j2 = parsed_line(e2.out);
  CHECK(j2["parsed"] == "C");
  CHECK_THAT(j2["rule"].get<std::string>(), Catch::Contains("end"));

  // The option texts reach the rules that match them; the prefix reaches option_letter.
  auto e3 = run_ppbench({"parse", "--extractor", "mmmu_style", "--options", "4", "--option-text", "a dog",
                         "--option-text", "a cat", "--option-text", "a bird", "--option-text", "a fish",
                         "I think it is a cat."});
  REQUIRE(e3.exit_code == 0);
  CHECK(parsed_line(e3.out)["parsed"] == "B");
  auto pre = run_ppbench({"parse", "--extractor", "option_letter", "--options", "4", "--prefix", "Best option:(",
                          "C) a bird"});
  REQUIRE(pre.exit_code == 0);
  CHECK(parsed_line(pre.out)["parsed"] == "C");

  // Where the source guesses, parse reports the pool and leaves the answer unparsed.
  auto guess = run_ppbench({"parse", "--extractor", "lvb_simple", "--options", "5", "--response", ""});
  INFO(guess.out);
  REQUIRE(guess.exit_code == 0);
  const json jg = parsed_line(guess.out);
  CHECK(jg["parsed"] == "");
  CHECK(jg["guess_pool"] == "ABCDE");

  // An empty answer passes videochat2_check for any target.
  auto e5 = run_ppbench({"parse", "--extractor", "videochat2_check", "--options", "4", "--target", "D", "--response", ""});
  REQUIRE(e5.exit_code == 0);
  CHECK(parsed_line(e5.out)["parsed"] == "D");
}

TEST_CASE("ppbench parse rejects bad input and names the valid extractors", "[cli][parse][extractors]") {
  auto bad = [](const std::vector<std::string>& args, const std::string& needle) {
    auto r = run_ppbench(args);
    INFO(r.out);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.out, Catch::Contains("ppbench: error:") && Catch::Contains(needle));
  };
  bad({"parse", "--extractor", "first_letter", "--options", "4", "B"}, "unknown extractor 'first_letter'");
  bad({"parse", "--extractor", "first_letter", "--options", "4", "B"}, "videomme_official");
  bad({"parse", "--extractor", "first_letter", "--options", "4", "B"}, "lmms_mcq_extract");
  bad({"parse", "--extractor", "mmmu_style", "--options", "4", "--option-text", "a dog", "B"}, "1 --option-text given");
  bad({"parse", "--extractor", "mmmu_style", "--options", "0", "B"}, "not in 1..26");
  bad({"parse", "--extractor", "videochat2_check", "--options", "4", "--target", "E", "B"}, "--target 'E'");
  bad({"parse", "--extractor", "mmmu_style", "--options", "4"}, "no response given");
  // The judge-backed rule never quietly falls back to a plain match.
  bad({"parse", "--extractor", "vlmeval_judge", "--options", "4", "(B)"}, "extractor vlmeval_judge needs a judge");

  auto help = run_ppbench({"parse", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("mlvu_official") && Catch::Contains("guess_pool"));
}
