// The option_letter extractor on the response shapes models produce.
#include "tests/catch_aten.h"

#include "tasks/answer_extractors.h"

using ppb::tasks::builtin_extractors;
using ppb::tasks::extract_option_letter;

namespace {
std::string parse(const std::string& response, const std::string& prefix = "", size_t n = 4) {
  return extract_option_letter({response, prefix, n});
}
}  // namespace

TEST_CASE("option_letter after the 'Best option:(' prefill", "[extractor]") {
  CHECK(parse("B) blue", "Best option:(") == "B");
  CHECK(parse("C", "Best option:(") == "C");
  CHECK(parse(" D) down\nmore text", "Best option:(") == "D");
}

TEST_CASE("option_letter on free-form answers", "[extractor]") {
  CHECK(parse("(A) red") == "A");
  CHECK(parse("B. two") == "B");
  CHECK(parse("The answer is (C) up.") == "C");
  CHECK(parse("I think the answer is D") == "D");
  // A capital that starts a word is not an answer; "Blue" does not mean B.
  CHECK(parse("Blue shapes") == "");
  CHECK(parse("A red circle") == "A");  // a leading standalone letter counts, as in E1-style parsers
  CHECK(parse("") == "");
}

TEST_CASE("option_letter only accepts letters of existing options", "[extractor]") {
  CHECK(parse("E) white", "", 4) == "");
  CHECK(parse("E) white", "", 5) == "E");
  CHECK(parse("(F) or (B)", "", 4) == "B");
}

TEST_CASE("the extractor registry lists its names on a typo", "[extractor]") {
  CHECK(builtin_extractors().get("option_letter").extract({"(B)", "", 4}) == "B");
  CHECK_THROWS_WITH(builtin_extractors().get("letter"), Catch::Contains("option_letter"));
}
