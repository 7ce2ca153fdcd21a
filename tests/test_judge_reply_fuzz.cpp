// A randomized test of the judge-reply readers: seeded random and mutated replies (truncations,
// deep nesting, stray quotes and braces, binary bytes) must be answered with a value or a clean
// failure, never a crash, an exception or a hang. Runs in CI on every build; ASan builds catch
// memory errors on the same inputs.
#include <chrono>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "metrics/judge_parsing.h"
#include "metrics/python_literal.h"

using namespace ppb::metrics;

namespace {

const char* const kSeeds[] = {
    "{'pred': 'yes', 'score': 4}",
    "{\"pred\": \"no\", \"score\": 1.5}",
    "```python\n{'pred': 'yes', 'score': 4.8}\n```",
    "Sure! {'score': 3} is my answer",
    "{''score': 4.8}",
    "{'pred': 'yes', 'score': '4'}",
    "{'a': [1, (2, 3), {4, 5}], 'b': {'c': None, 'd': True}}",
    "'''triple''' r'raw' u'uni' b'bytes'",
    "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
    "-1e308, +0x10, 1_000, .5, 5., 1e-400",
    "{'events': ['A man opens a door', \"The dog's tail wags\"]}",
    "{\"events\": [{\"event\": \"a man runs\", \"relationship\": \"entailment\", \"reason\": null}]}",
};

std::string mutate(std::string s, std::mt19937_64& rng) {
  static const std::string alphabet = "{}[]()'\",:\\ \n\tabcdefyesno0123456789.-+eE_#\x01\xff\xc3\xa9";
  const int edits = 1 + static_cast<int>(rng() % 6);
  for (int e = 0; e < edits; ++e) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;                 // insert
      case 1: if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 3); break;      // delete
      case 2: if (!s.empty() && pos < s.size()) s[pos] = alphabet[rng() % alphabet.size()]; break;
      case 3: s = s.substr(0, pos); break;                                               // truncate
      default: s.insert(pos, s.substr(0, std::min<size_t>(s.size(), 8))); break;         // repeat
    }
  }
  return s;
}

}  // namespace

TEST_CASE("judge reply readers survive random and mutated input", "[judge][fuzz]") {
  std::mt19937_64 rng(20261127);
  const auto start = std::chrono::steady_clock::now();
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 4 == 0) {
      // Pure noise, sometimes long.
      const size_t n = rng() % (i % 100 == 0 ? 5000 : 64);
      for (size_t k = 0; k < n; ++k) text.push_back(static_cast<char>(rng() % 256));
    } else {
      text = mutate(kSeeds[rng() % (sizeof kSeeds / sizeof *kSeeds)], rng);
    }
    INFO("input #" << i << ": " << text);
    PyValue v;
    std::string error;
    bool ok = false;
    REQUIRE_NOTHROW(ok = parse_python_literal(text, &v, &error));
    (ok ? parsed : rejected) += 1;
    if (!ok) REQUIRE_FALSE(error.empty());
    for (JudgePolicy p : {JudgePolicy::vcg_original, JudgePolicy::lmms, JudgePolicy::tarsier}) {
      JudgeVerdict q, s;
      REQUIRE_NOTHROW(q = parse_qa_judgement(text, p));
      REQUIRE_NOTHROW(s = parse_score_judgement(text, p));
      if (q.ok) REQUIRE((q.score >= -1e300 && q.score <= 1e300));
    }
    // DREAM-1K's two readers.
    EventListParse events;
    REQUIRE_NOTHROW(events = parse_event_list_reply(text));
    if (!events.ok) REQUIRE_FALSE(events.reason.empty());
    EntailmentParse entail;
    REQUIRE_NOTHROW(entail = parse_entailment_reply(text, 1));
    if (entail.ok) REQUIRE(entail.labels.size() == 1);
  }
  // Deep nesting is rejected or parsed without exhausting the stack.
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  PyValue v;
  std::string error;
  REQUIRE_NOTHROW(parse_python_literal(deep, &v, &error));
  CHECK(parsed > 0);
  CHECK(rejected > 0);
  // Not a timing assertion on speed: a guard that no input made the readers loop.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::minutes(5));
}
