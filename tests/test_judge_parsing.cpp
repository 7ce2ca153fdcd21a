// Judge reply parsing under the vcg_original / lmms / tarsier policies, their aggregates,
// VCG's five dimensions and DREAM-1K precision / recall / F1.
#include <catch2/catch.hpp>

#include "metrics/judge_parsing.h"
#include "metrics/python_literal.h"

using namespace ppb::metrics;

namespace {
const JudgePolicy kOriginal = JudgePolicy::vcg_original;
const JudgePolicy kLmms = JudgePolicy::lmms;
const JudgePolicy kTarsier = JudgePolicy::tarsier;
}  // namespace

TEST_CASE("the Python literal reader accepts what literal_eval accepts", "[metrics]") {
  PyValue v;
  std::string err;
  REQUIRE(parse_python_literal("  {'a': \"x\", 'b': [1, -2.5, (3,), {4, 5}], 'c': None, 'd': True,}\n", &v, &err));
  CHECK(v.get("a")->text == "x");
  CHECK(v.get("b")->items.size() == 4);
  CHECK(v.get("b")->items[1].number == -2.5);
  CHECK(v.get("b")->items[2].kind == PyValue::Kind::tuple);
  CHECK(v.get("b")->items[3].kind == PyValue::Kind::set);
  CHECK(v.get("c")->kind == PyValue::Kind::none);
  REQUIRE(parse_python_literal("{'k': 'it\\'s' \"\"\"ok\"\"\", 'k': 2}", &v, &err));
  CHECK(v.get("k")->number == 2);  // a later duplicate key wins, as in a Python dict
  REQUIRE(parse_python_literal("{'s': 'a' 'b'}", &v, &err));
  CHECK(v.get("s")->text == "ab");  // adjacent literals concatenate
  CHECK_FALSE(parse_python_literal("{'pred': yes}", &v, &err));
  CHECK_THAT(err, Catch::Contains("name"));
  CHECK_FALSE(parse_python_literal("{''score': 4.8}", &v, &err));  // the typo in VCG's own example
  CHECK_FALSE(parse_python_literal("{'a': 1} {'b': 2}", &v, &err));
  CHECK_THAT(err, Catch::Contains("after the literal"));
  CHECK_FALSE(parse_python_literal("{'a': true}", &v, &err));  // JSON keywords only on request
  double x = 0;
  CHECK((python_int(PyValue{PyValue::Kind::real, false, -4.8, "", {}, {}}, &x, &err) && x == -4.0));
  CHECK((python_int(PyValue{PyValue::Kind::string, false, 0, " 4 ", {}, {}}, &x, &err) && x == 4.0));
  CHECK_FALSE(python_int(PyValue{PyValue::Kind::string, false, 0, "4.8", {}, {}}, &x, &err));
  // int(1e999) overflows in Python: a reply scoring infinity does not parse.
  CHECK_FALSE(python_int(PyValue{PyValue::Kind::real, false, HUGE_VAL, "", {}, {}}, &x, &err));
  CHECK_THAT(err, Catch::Contains("not finite"));
  CHECK_FALSE(parse_score_judgement("{'score': 1e999}", JudgePolicy::vcg_original).ok);
}

TEST_CASE("a clean reply parses the same under every policy", "[metrics]") {
  for (JudgePolicy p : {kOriginal, kLmms, kTarsier}) {
    const JudgeVerdict v = parse_qa_judgement("{'pred': 'yes', 'score': 4}", p);
    CHECK(v.ok);
    CHECK(v.pred == JudgePred::yes);
    CHECK(v.score == 4.0);
    CHECK(v.reason.empty());
  }
  CHECK(judge_policy_from_name("tarsier") == kTarsier);
  CHECK_THROWS_WITH(judge_policy_from_name("gpt"), Catch::Contains("vcg_original"));
}

TEST_CASE("replies with extra text, fences, floats and string scores", "[metrics]") {
  // Prose around the dict: only lmms extracts the first {...} block.
  const std::string prose = "Sure! {'pred': 'yes', 'score': 4.8} Hope this helps.";
  CHECK_FALSE(parse_qa_judgement(prose, kOriginal).ok);
  CHECK_FALSE(parse_qa_judgement(prose, kTarsier).ok);
  const JudgeVerdict lm = parse_qa_judgement(prose, kLmms);
  CHECK(lm.ok);
  CHECK(lm.score == 4.0);  // int(4.8) truncates
  const std::string fenced = "```python\n{'pred': 'no', 'score': 2}\n```";
  CHECK(parse_qa_judgement(fenced, kLmms).pred == JudgePred::no);
  CHECK_FALSE(parse_qa_judgement(fenced, kOriginal).ok);
  // Double quotes are a valid Python dict; tarsier keeps the float, the others truncate.
  const std::string dq = "{\"pred\": \"yes\", \"score\": 4.8}";
  CHECK(parse_qa_judgement(dq, kOriginal).score == 4.0);
  CHECK(parse_qa_judgement(dq, kTarsier).score == 4.8);
  // int('4') works in Python, int('4.8') raises; tarsier wants a number.
  CHECK(parse_qa_judgement("{'pred': 'yes', 'score': '4'}", kOriginal).score == 4.0);
  CHECK_FALSE(parse_qa_judgement("{'pred': 'yes', 'score': '4'}", kTarsier).ok);
  for (JudgePolicy p : {kOriginal, kLmms, kTarsier})
    CHECK_FALSE(parse_qa_judgement("{'pred': 'yes', 'score': '4.8'}", p).ok);
  // lmms stops at the first '}', so a nested dict before 'score' breaks the block.
  const JudgeVerdict nested = parse_qa_judgement("{'pred': 'yes', 'why': {'a': 1}, 'score': 3}", kLmms);
  CHECK_FALSE(nested.ok);
  CHECK_THAT(nested.reason, Catch::Contains("not a Python literal"));
  // Two dicts: lmms reads the first; the whole-reply policies fail.
  CHECK(parse_qa_judgement("{'pred': 'yes', 'score': 3}\n{'pred': 'no', 'score': 1}", kLmms).score == 3.0);
  CHECK_FALSE(parse_qa_judgement("{'pred': 'yes', 'score': 3}\n{'pred': 'no', 'score': 1}", kOriginal).ok);
  CHECK_THAT(parse_qa_judgement("", kLmms).reason, Catch::Contains("no '{...}'"));
  CHECK_THAT(parse_qa_judgement("['yes', 4]", kOriginal).reason, Catch::Contains("list, not a dict"));
}

TEST_CASE("missing keys, out-of-range scores and yes/no inside words", "[metrics]") {
  // Missing score: the original and tarsier fail; lmms uses dict.get's 0 and says so.
  CHECK_THAT(parse_qa_judgement("{'pred': 'yes'}", kOriginal).reason, Catch::Contains("no 'score'"));
  CHECK_FALSE(parse_qa_judgement("{'pred': 'yes'}", kTarsier).ok);
  const JudgeVerdict lm = parse_qa_judgement("{'pred': 'yes'}", kLmms);
  CHECK(lm.ok);
  CHECK(lm.score == 0.0);
  CHECK_THAT(lm.reason, Catch::Contains("0 used"));
  // Out of range: only tarsier checks 0 <= score <= 5.
  CHECK(parse_qa_judgement("{'pred': 'yes', 'score': 7}", kOriginal).score == 7.0);
  CHECK(parse_qa_judgement("{'pred': 'yes', 'score': 7}", kLmms).score == 7.0);
  CHECK_THAT(parse_qa_judgement("{'pred': 'yes', 'score': 7}", kTarsier).reason, Catch::Contains("outside [0, 5]"));
  CHECK_FALSE(parse_qa_judgement("{'pred': 'yes', 'score': -1}", kTarsier).ok);
  // Substring tests: "eyes" is a yes, "not sure" a no, "maybe" neither (original) / no (lmms).
  CHECK(parse_qa_judgement("{'pred': 'eyes', 'score': 3}", kOriginal).pred == JudgePred::yes);
  CHECK(parse_qa_judgement("{'pred': 'not sure', 'score': 2}", kOriginal).pred == JudgePred::no);
  CHECK(parse_qa_judgement("{'pred': 'maybe', 'score': 2}", kOriginal).pred == JudgePred::neither);
  CHECK(parse_qa_judgement("{'pred': 'maybe', 'score': 2}", kLmms).pred == JudgePred::no);
  CHECK(parse_qa_judgement("{'pred': 'Yes', 'score': 5}", kOriginal).pred == JudgePred::yes);
  // tarsier wants exactly 'yes' or 'no'.
  CHECK_FALSE(parse_qa_judgement("{'pred': 'Yes', 'score': 5}", kTarsier).ok);
  CHECK_FALSE(parse_qa_judgement("{'pred': 'eyes', 'score': 3}", kTarsier).ok);
  // A non-string pred fails where .lower() would raise.
  CHECK_THAT(parse_qa_judgement("{'pred': True, 'score': 5}", kOriginal).reason, Catch::Contains("bool"));
}

TEST_CASE("aggregation counts failures per policy", "[metrics]") {
  const std::vector<std::string> replies = {
      "{'pred': 'yes', 'score': 4.8}",      // clean (float score)
      "{'pred': 'no', 'score': 1}",         // clean
      "Here: {'pred': 'yes', 'score': 5}",  // prose around the dict
      "{'pred': 'maybe', 'score': 3}",      // neither yes nor no
      "garbage",                            // not a dict at all
  };
  auto summarize = [&](JudgePolicy p) {
    std::vector<JudgeVerdict> v;
    for (const std::string& r : replies) v.push_back(parse_qa_judgement(r, p));
    return summarize_qa_judgements(v, p);
  };
  // vcg_original: items 3 and 5 fail and vanish; accuracy = 1 / (1 + 1); item 4 counts in the
  // score only: (4 + 1 + 3) / 3.
  const QaJudgeSummary o = summarize(kOriginal);
  CHECK(o.n_failed == 2);
  CHECK((o.n_yes == 1 && o.n_no == 1 && o.n_neither == 1));
  CHECK(o.accuracy == Approx(0.5));
  CHECK(o.mean_score == Approx(8.0 / 3.0));
  // lmms: yes, no, yes, no ("maybe"), and the failure as ("no", 0): accuracy 2/5,
  // score (4 + 1 + 5 + 3 + 0) / 5 = 2.6.
  const QaJudgeSummary l = summarize(kLmms);
  CHECK(l.n_failed == 1);
  CHECK((l.n_yes == 2 && l.n_no == 3));
  CHECK(l.accuracy == Approx(0.4));
  CHECK(l.mean_score == Approx(2.6));
  // tarsier: only items 1 and 2 are valid: accuracy 1/2, score (4.8 + 1) / 2 = 2.9.
  const QaJudgeSummary t = summarize(kTarsier);
  CHECK(t.n_failed == 3);
  CHECK(t.accuracy == Approx(0.5));
  CHECK(t.mean_score == Approx(2.9));
  CHECK(t.policy == "tarsier");
}

TEST_CASE("VCG-Bench: a mean score per dimension", "[metrics]") {
  std::array<std::vector<JudgeVerdict>, 5> dims;
  const std::vector<std::vector<std::string>> replies = {
      {"{'score': 4}", "{'score': 3.9}"},             // correctness
      {"{'score': 2}", "```\n{'score': 5}\n```"},     // detail: a fenced reply
      {"{'score': 5}"},                               // context
      {"{'score': 1}", "{'rating': 4}"},              // temporal: wrong key
      {"{'score': 6}"},                               // consistency: out of range
  };
  auto run = [&](JudgePolicy p) {
    for (size_t d = 0; d < 5; ++d) {
      dims[d].clear();
      for (const std::string& r : replies[d]) dims[d].push_back(parse_score_judgement(r, p));
    }
    return summarize_vcg(dims, p);
  };
  // vcg_original: int() truncates 3.9 -> 3; failures dropped; no range check.
  const VcgSummary o = run(kOriginal);
  CHECK(o.dimensions[0].dimension == "correctness");
  CHECK(o.dimensions[0].mean_score == Approx(3.5));
  CHECK(o.dimensions[1].mean_score == Approx(2.0));
  CHECK(o.dimensions[1].n_failed == 1);
  CHECK(o.dimensions[3].mean_score == Approx(1.0));
  CHECK(o.dimensions[4].mean_score == Approx(6.0));
  CHECK(o.complete);
  CHECK(o.mean_of_five == Approx((3.5 + 2 + 5 + 1 + 6) / 5.0));
  // lmms (whole-reply literal_eval here): the fenced reply is a 0 kept in the mean, the
  // missing key a dict.get 0.
  const VcgSummary l = run(kLmms);
  CHECK(l.dimensions[1].mean_score == Approx(1.0));
  CHECK(l.dimensions[3].mean_score == Approx(0.5));
  // tarsier: floats kept, 6 invalid -> consistency has no valid item, summary incomplete.
  const VcgSummary t = run(kTarsier);
  CHECK(t.dimensions[0].mean_score == Approx(3.95));
  CHECK(t.dimensions[4].n_in_score == 0);
  CHECK_FALSE(t.complete);
}

TEST_CASE("DREAM-1K precision, recall and F1, macro over subsets", "[metrics]") {
  using E = Entailment;
  // v1 (shorts): reference events E N E C -> recall 2/4; predicted events E E -> precision 1.
  // v2 (shorts): reference events E -> recall 1; no predicted events -> precision 1.
  // v3 (stock): N N -> recall 0; C -> precision 0; F1 0.
  std::vector<DreamVideoJudgement> videos = {
      {"v1", "shorts", {E::entailment, E::neutral, E::entailment, E::contradiction}, {E::entailment, E::entailment}},
      {"v2", "shorts", {E::entailment}, {}},
      {"v3", "stock", {E::neutral, E::neutral}, {E::contradiction}},
  };
  const DreamScores s1 = dream_video_scores(videos[0]);
  CHECK(s1.recall == Approx(0.5));
  CHECK(s1.precision == Approx(1.0));
  CHECK(s1.f1 == Approx(2 * 0.5 / 1.5));
  CHECK(dream_video_scores(videos[2]).f1 == 0.0);
  const DreamSummary d = summarize_dream(videos);
  REQUIRE(d.subsets.size() == 2);
  // shorts: P = (1 + 1) / 2 = 1, R = (0.5 + 1) / 2 = 0.75, F1 = 1.5 / 1.75 = 0.857143.
  CHECK(d.subsets[0].subset == "shorts");
  CHECK(d.subsets[0].mean.recall == Approx(0.75));
  CHECK(d.subsets[0].mean.f1 == Approx(1.5 / 1.75));
  // Macro (Tarsier): P = (1 + 0) / 2 = 0.5, R = (0.75 + 0) / 2 = 0.375, F1 = 0.375 / 0.875.
  CHECK(d.macro.precision == Approx(0.5));
  CHECK(d.macro.recall == Approx(0.375));
  CHECK(d.macro.f1 == Approx(0.375 / 0.875));
  // Micro: P = 2/3, R = 1.5/3 = 0.5, F1 = 2 (2/3)(1/2) / (7/6) = 4/7.
  CHECK(d.micro.precision == Approx(2.0 / 3.0));
  CHECK(d.micro.f1 == Approx(4.0 / 7.0));
}

TEST_CASE("DREAM-1K entailment replies", "[metrics]") {
  const std::string fenced =
      "```json\n{\"events\": [{\"event\": \"a man runs\", \"relationship\": \"Entailment \", \"reason\": \"x\"},"
      " {\"event\": \"a dog sits\", \"relationship\": \"neutral\", \"reason\": null}]}\n```";
  EntailmentParse p = parse_entailment_reply(fenced, 2);
  REQUIRE(p.ok);
  CHECK(p.labels == std::vector<Entailment>{Entailment::entailment, Entailment::neutral});
  CHECK_THAT(parse_entailment_reply(fenced, 3).reason, Catch::Contains("judges 2 events, expected 3"));
  const std::string odd = "{'events': [{'event': 'e', 'relationship': 'partial'}]}";
  CHECK_THAT(parse_entailment_reply(odd, 1).reason, Catch::Contains("'partial'"));
  CHECK_FALSE(parse_entailment_reply("no json here", 1).ok);
}

TEST_CASE("DREAM-1K event extraction replies", "[metrics]") {
  // Tarsier's judge answers with a Python dict string; prose and fences around it are tolerated.
  EventListParse e = parse_event_list_reply("Sure:\n```python\n{'events': ['A man opens a door', \"The dog's tail wags\"]}\n```");
  REQUIRE(e.ok);
  CHECK(e.events == std::vector<std::string>{"A man opens a door", "The dog's tail wags"});
  e = parse_event_list_reply("{\"events\": []}");
  REQUIRE(e.ok);
  CHECK(e.events.empty());
  CHECK_THAT(parse_event_list_reply("{'events': ['a', 3]}").reason, Catch::Contains("event 1 is a int"));
  CHECK_THAT(parse_event_list_reply("{'actions': ['a']}").reason, Catch::Contains("no 'events' list"));
  CHECK_THAT(parse_event_list_reply("{'events': ['a'").reason, Catch::Contains("no '{...}' block"));
  CHECK_THAT(parse_event_list_reply("{'events': ['a'}").reason, Catch::Contains("does not parse"));
}
