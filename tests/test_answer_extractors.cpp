// The answer extractors on tricky responses. Every expected value is worked out by hand from the
// rule text of benchmarks.md §0.3 (and docs/protocols.md), quirks included: a wrong-looking
// expectation here is usually the upstream quirk the extractor must reproduce.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "tasks/answer_extractors.h"

using ppb::tasks::builtin_extractors;
using ppb::tasks::ChoiceJudgeQuery;
using ppb::tasks::ExtractorInput;

namespace {

const std::vector<std::string> kOptions = {"a dog", "a cat", "a bird", "a fish"};

struct Row {
  std::string response;
  size_t n_options;
  std::string target;  // only videochat2_check reads it
  // extractor -> expected answer; vlmeval_can_infer's "" is where vlmeval_judge asks the judge.
  std::map<std::string, std::string> expected;
};

// Columns: E1 videomme_official, E2 lmms_mcq_extract, E3 mmmu_style, E4 lvb_simple,
// E5 videochat2_check, E6 lmms_mvbench, E7 mlvu_official, E8 vlmeval_can_infer, option_letter.
std::map<std::string, std::string> cols(const std::vector<std::string>& v) {
  static const char* names[] = {"videomme_official", "lmms_mcq_extract", "mmmu_style",       "lvb_simple",   "videochat2_check",
                                "lmms_mvbench",      "mlvu_official",    "vlmeval_can_infer", "option_letter"};
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < v.size(); ++i) m[names[i]] = v[i];
  return m;
}

const std::vector<Row> kTable = {
    //                                         E1   E2   E3   E4   E5   E6   E7   E8   option_letter
    // E1/E4 read the first capital anywhere: the B of "Based". E2 ranks the trailing C (end) first.
    {"Based on the video, the answer is C.", 4, "C", cols({"B", "C", "C", "B", "", "C", "", "C", "C"})},
    // E1's phrase list glues "Best answer:" to "Best option:", so it is never deleted (B); E4's is intact.
    {"Best answer: C", 4, "C", cols({"B", "C", "C", "C", "", "C", "", "C", "C"})},
    {"Best option: D", 4, "D", cols({"B", "D", "D", "D", "", "D", "", "D", "D"})},
    // A code-fenced dict: E3 has 4 tokens (no text match) and would guess; E5/E7 see no letter; E8's
    // tokens keep the quotes ("C"), so only the judge could map it.
    {"```json\n{\"answer\": \"C\"}\n```", 4, "C", cols({"C", "C", "", "C", "", "C", "", "", "C"})},
    // "(E)" on a four-option item: E4 and E6 are fixed to A-E and E7 reads the E before ')'.
    {"(E)", 4, "B", cols({"", "", "", "E", "", "E", "E", "", ""})},
    // Empty output: "(" alone is inside every "(X)", so E5 passes it for whatever the target is.
    {"", 4, "B", cols({"", "", "", "", "B", "", "", "", ""})},
    // A leading article: E2 ranks the standalone start letter A over the trailing C; E3 takes the
    // candidate whose last occurrence is earliest ("A " before "C "); E5's "(A" fits in "(A)".
    {"A man is walking, so the answer is C", 4, "C", cols({"A", "A", "A", "A", "A", "A", "", "", "A"})},
    // Lower-casing before the letter search makes the article "a" option A under E6; E3 and E8 match
    // the option text "a cat" (E3 because the answer has more than 5 words).
    {"I think it is a cat.", 4, "B", cols({"", "", "B", "", "", "A", "", "B", ""})},
    // Several "(X)": E3 takes the earliest last occurrence, (C); E2's phrase (7) beats parentheses (6).
    {"(C) is wrong, the answer is (B)", 4, "B", cols({"C", "B", "C", "C", "C", "C", "C", "", "C"})},
    // E2: the trailing letter (end, 9) outranks the answer phrase (7); E3 sees "C " but not "B,".
    {"The answer is B, not C.", 4, "B", cols({"B", "C", "C", "B", "", "B", "", "", "B"})},
    // Chinese phrases (E2): "答案是B。" ends in a full-width stop, so only the phrase places the B; the
    // A of "选项A不对" sits between Chinese characters and is no candidate of any kind.
    {"选项A不对，答案是B。", 4, "B", cols({"A", "B", "", "A", "", "", "", "", "A"})},
    // E6 matches "^[A-E]\.\s*(.+)$" before normalising (which would glue "Cthe").
    {"C.the man", 4, "C", cols({"C", "C", "C", "C", "", "C", "", "C", "C"})},
    // E7 takes the character before the first ')', wherever it is.
    {"I think B is right (not C)", 4, "B", cols({"B", "C", "B", "B", "", "B", "C", "", "B"})},
    // After the "Best option:(" prefill the model writes "B) ...": E5 restores "(B)". E3 knows no
    // "X)" form and 3 words are too few for its text match.
    {"B) a cat", 4, "B", cols({"B", "B", "", "B", "B", "B", "B", "B", "B"})},
    // E5 reads the first line only, and its first token; "(B." loses its period and fits in "(B)".
    // E3 prefers "X " (the padded trailing "D ") to "X."; E8 sees two letter tokens, so it falls to
    // the option texts, where only "a cat" occurs.
    {"B. a cat\nno, D", 4, "B", cols({"B", "B", "D", "B", "B", "B", "", "B", "B"})},
    // A long answer with no A-D letter: E1's >10-words rule, E4 would guess; E3 and E8 match the
    // option text; E6 reads the article "a" as A.
    {"the video shows a bird flying slowly over the quiet lake at sunset", 4, "C",
     cols({"", "", "C", "", "", "A", "", "C", ""})},
    // "X " has no left boundary in E3: the D of "END " counts. E1 reads the first A-D capital (D),
    // E4 the first A-E one (the E of "THE"), E2 falls back to any letter.
    {"THE END is near", 4, "D", cols({"D", "D", "D", "E", "", "", "", "", ""})},
};

ExtractorInput input(const Row& r) {
  ExtractorInput in;
  in.response = r.response;
  in.n_options = r.n_options;
  in.options = kOptions;
  in.target = r.target;
  return in;
}

}  // namespace

TEST_CASE("every extractor gives the hand-computed answer on the tricky responses", "[extractors]") {
  for (const auto& row : kTable) {
    for (const auto& [name, expected] : row.expected) {
      INFO("extractor " << name << " on '" << row.response << "'");
      const auto x = builtin_extractors().get(name).extract(input(row));
      INFO("rule: " << x.rule);
      CHECK(x.answer == expected);
      CHECK_FALSE(x.rule.empty());
    }
  }
}

TEST_CASE("the rules that guess upstream report the pool instead of guessing", "[extractors]") {
  ExtractorInput in;
  in.response = "";
  in.n_options = 5;
  const auto e3 = builtin_extractors().get("mmmu_style").extract(in);
  CHECK(e3.answer.empty());
  CHECK(e3.guess_pool == "ABCDE");
  const auto e4 = builtin_extractors().get("lvb_simple").extract(in);
  CHECK(e4.answer.empty());
  CHECK(e4.guess_pool == "ABCDE");
  // E1 never guesses: Video-MME's official scorer drops the item from the denominator instead.
  CHECK(builtin_extractors().get("videomme_official").extract(in).guess_pool.empty());
  in.response = "E";
  CHECK(builtin_extractors().get("lvb_simple").extract(in).answer == "E");
  CHECK(builtin_extractors().get("videomme_official").extract(in).answer.empty());  // fixed to A-D
}

TEST_CASE("videochat2_check is a correctness check: it needs the target to name an ambiguous answer",
          "[extractors]") {
  ExtractorInput in;
  in.response = " B";  // "( B": the first token is "(", inside every "(X)"
  const auto& e5 = builtin_extractors().get("videochat2_check");
  CHECK(e5.extract(in).answer.empty());
  CHECK_THAT(e5.extract(in).rule, Catch::Contains("every option"));
  in.target = "D";
  CHECK(e5.extract(in).answer == "D");
  in.response = "(b) lower case";  // "((b)" holds no "(X)" and no "(X)" holds it
  CHECK(e5.extract(in).answer.empty());
}

TEST_CASE("lmms_mvbench labels empty predictions, which lmms-eval leaves out of the denominator", "[extractors]") {
  ExtractorInput in;
  in.response = "  \n";
  const auto x = builtin_extractors().get("lmms_mvbench").extract(in);
  CHECK(x.answer.empty());
  CHECK_THAT(x.rule, Catch::Contains("empty prediction"));
  in.response = "答案是B";  // B follows a Chinese character: no word boundary, no letter
  CHECK(builtin_extractors().get("lmms_mvbench").extract(in).answer.empty());
}

TEST_CASE("mlvu_official takes only what sits before ')' or a bare letter", "[extractors]") {
  ExtractorInput in;
  const auto& e7 = builtin_extractors().get("mlvu_official");
  in.response = ") A";
  CHECK(e7.extract(in).answer.empty());
  in.response = "C";
  CHECK(e7.extract(in).answer == "C");
  in.response = "C.";
  CHECK(e7.extract(in).answer.empty());
  in.response = "是)";  // the whole UTF-8 character, never half of one
  CHECK(e7.extract(in).answer == "是");
}

TEST_CASE("vlmeval_judge needs a judge and asks it only when the rule fails", "[extractors]") {
  const auto& e8 = builtin_extractors().get("vlmeval_judge");
  CHECK(e8.needs_judge);
  ExtractorInput in;
  in.response = "(B)";
  in.options = kOptions;
  // No judge: an error naming the extractor and how to configure one, even on an easy answer.
  CHECK_THROWS_WITH(e8.extract(in), Catch::Contains("extractor vlmeval_judge needs a judge") &&
                                        Catch::Contains("--judge-url"));

  int calls = 0;
  std::vector<std::string> replies;
  in.judge = [&](const ChoiceJudgeQuery& q) {
    CHECK(q.response == in.response);
    CHECK(q.options == kOptions);
    return replies.at(static_cast<size_t>(calls++));
  };
  CHECK(e8.extract(in).answer == "B");  // the rule decides, no call
  CHECK(calls == 0);

  in.response = "```json\n{\"answer\": \"C\"}\n```";
  replies = {"I cannot tell", "C"};
  auto x = e8.extract(in);
  CHECK(x.answer == "C");
  CHECK(calls == 2);
  CHECK_THAT(x.rule, Catch::Contains("judge (try 2)"));

  calls = 0;
  replies = {"Z"};  // none of the options
  CHECK(e8.extract(in).answer == "Z");

  calls = 0;
  replies = {"?", "??", "???"};
  x = e8.extract(in);
  CHECK(x.answer.empty());
  CHECK(calls == 3);
  CHECK(x.guess_pool == "ABCDZ");

  in.judge = [](const ChoiceJudgeQuery&) -> std::string { throw std::runtime_error("judge: HTTP 503"); };
  CHECK_THROWS_WITH(e8.extract(in), Catch::Contains("HTTP 503"));  // a sample error, not a guess
}

TEST_CASE("option_letter after the 'Best option:(' prefill", "[extractors]") {
  auto parse = [](const std::string& response, const std::string& prefix = "", size_t n = 4) {
    ExtractorInput in;
    in.response = response;
    in.answer_prefix = prefix;
    in.n_options = n;
    return ppb::tasks::extract_option_letter(in).answer;
  };
  CHECK(parse("B) blue", "Best option:(") == "B");
  CHECK(parse("C", "Best option:(") == "C");
  CHECK(parse(" D) down\nmore text", "Best option:(") == "D");
  CHECK(parse("Blue shapes") == "");  // a capital that starts a word is not an answer
  CHECK(parse("E) white", "", 4) == "");
  CHECK(parse("E) white", "", 5) == "E");
  CHECK(parse("(F) or (B)", "", 4) == "B");
}

TEST_CASE("the extractor registry lists its names on a typo", "[extractors]") {
  CHECK_THROWS_WITH(builtin_extractors().get("letter"),
                    Catch::Contains("option_letter") && Catch::Contains("videomme_official") &&
                        Catch::Contains("vlmeval_judge"));
  for (const auto& name : builtin_extractors().names()) CHECK_FALSE(builtin_extractors().get(name).description.empty());
}
