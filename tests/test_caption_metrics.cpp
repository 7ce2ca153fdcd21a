// Caption tokenizer and caption metrics against values worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "metrics/caption_metrics.h"
#include "metrics/caption_tokenizer.h"

using namespace ppb::metrics;

namespace {
Tokens words(const std::string& s) { return tokenize_caption(s, "whitespace"); }

TokenizedCaption item(const std::string& cand, std::initializer_list<const char*> refs) {
  TokenizedCaption t;
  t.candidate = words(cand);
  for (const char* r : refs) t.references.push_back(words(r));
  return t;
}
}  // namespace

TEST_CASE("ptb_like lower-cases, splits clitics and drops coco's punctuation", "[metrics]") {
  CHECK(ptb_like_tokens("A man is walking.") == Tokens{"a", "man", "is", "walking"});
  CHECK(ptb_like_tokens("The man's dog doesn't bark, (really)!") ==
        Tokens{"the", "man", "'s", "dog", "does", "n't", "bark", "really"});
  CHECK(ptb_like_tokens("He said \"hello\" -- then left...") == Tokens{"he", "said", "hello", "then", "left"});
  // Numbers keep their separators; '$' is split off but is not punctuation to coco.
  CHECK(ptb_like_tokens("It costs $5.50 and 1,000 people came at 10:30.") ==
        Tokens{"it", "costs", "$", "5.50", "and", "1,000", "people", "came", "at", "10:30"});
  // Abbreviations keep their period; PTB3 whole-word splits.
  CHECK(ptb_like_tokens("Mr. Smith lives in the U.S.") == Tokens{"mr.", "smith", "lives", "in", "the", "u.s."});
  CHECK(ptb_like_tokens("I cannot go; gonna stay") == Tokens{"i", "can", "not", "go", "gon", "na", "stay"});
  CHECK(ptb_like_tokens("the dogs' toys - a well-known brand") ==
        Tokens{"the", "dogs", "toys", "a", "well-known", "brand"});
  // Typographic apostrophe and quotes (UTF-8) normalize like ASCII ones.
  CHECK(ptb_like_tokens("don\xE2\x80\x99t \xE2\x80\x9Cgo\xE2\x80\x9D") == Tokens{"do", "n't", "go"});
  CHECK(ptb_like_tokens("a\ncat\tsits") == Tokens{"a", "cat", "sits"});
  CHECK(ptb_like_tokens("").empty());
  // Before the filter, brackets and quotes are PTB tokens.
  CHECK(ptb_like_raw_tokens("(x) \"y\"") == Tokens{"-LRB-", "x", "-RRB-", "``", "y", "''"});
  CHECK(is_coco_punctuation("..."));
  CHECK_FALSE(is_coco_punctuation("'s"));
  CHECK_THROWS_WITH(tokenize_caption("x", "moses"), Catch::Contains("moses") && Catch::Contains("ptb_like"));
}

TEST_CASE("corpus BLEU follows coco's clipping, closest length and summing", "[metrics]") {
  // Item A: candidate "a man is running" (c = 4); references of length 5 and 3 are both 1
  //   away, the tie goes to the shorter: r = 3. Clipped matches (all in ref 1):
  //   1-grams 4/4, 2-grams 3/3, 3-grams 2/2, 4-grams 1/1.
  // Item B: candidate "a dog barks" (c = 3), one reference of length 4: r = 4.
  //   1-grams {a, dog} 2/3, 2-grams {a dog} 1/2, 3-grams 0/1, 4-grams 0/0.
  // Corpus: correct = [6, 4, 2, 1], guess = [7, 5, 3, 1], c = 7, r = 3 + 4 = 7.
  // BP: ratio = (7 + 1e-15) / (7 + 1e-9) is a hair under 1, exp(1 - 1/ratio) = 1 - 1.4e-10.
  // BLEU-1 = 6/7; BLEU-2 = sqrt(6/7 * 4/5); BLEU-3 = (6/7 * 4/5 * 2/3)^(1/3) = (16/35)^(1/3);
  // BLEU-4 = (16/35 * 1/1)^(1/4).
  std::vector<TokenizedCaption> corpus = {
      item("a man is running", {"a man is running fast", "the man runs"}),
      item("a dog barks", {"a dog is barking"}),
  };
  BleuResult b = coco_bleu(corpus);
  CHECK(b.correct == std::array<int64_t, 4>{6, 4, 2, 1});
  CHECK(b.guess == std::array<int64_t, 4>{7, 5, 3, 1});
  CHECK(b.candidate_length == 7);
  CHECK(b.reference_length == 7);
  CHECK(b.bleu[0] == Approx(6.0 / 7.0));
  CHECK(b.bleu[1] == Approx(std::sqrt(6.0 / 7.0 * 4.0 / 5.0)));  // 0.828079
  CHECK(b.bleu[2] == Approx(std::cbrt(16.0 / 35.0)));             // 0.770343
  CHECK(b.bleu[3] == Approx(std::pow(16.0 / 35.0, 0.25)));        // 0.822267
  // Per item, the counts stated above; item B counted twice (as a bootstrap draw would) gives
  // correct = [8, 5, 2, 1], guess = [10, 7, 4, 1], c = 10, r = 11.
  const BleuResult a = bleu_counts(corpus[0]), bb = bleu_counts(corpus[1]);
  CHECK(a.correct == std::array<int64_t, 4>{4, 3, 2, 1});
  CHECK(bb.guess == std::array<int64_t, 4>{3, 2, 1, 0});
  CHECK(a.reference_length == 3);
  BleuResult twice;
  twice.candidate_length = a.candidate_length + 2 * bb.candidate_length;
  twice.reference_length = a.reference_length + 2 * bb.reference_length;
  for (size_t n = 0; n < 4; ++n) {
    twice.correct[n] = a.correct[n] + 2 * bb.correct[n];
    twice.guess[n] = a.guess[n] + 2 * bb.guess[n];
  }
  bleu_from_counts(&twice);
  CHECK(twice.brevity_penalty == Approx(std::exp(1.0 - 11.0 / 10.0)));
  CHECK(twice.bleu[0] == Approx(0.8 * std::exp(1.0 - 11.0 / 10.0)));
  CHECK(twice.bleu[1] == Approx(std::sqrt(0.8 * 5.0 / 7.0) * std::exp(1.0 - 11.0 / 10.0)));
}

TEST_CASE("BLEU brevity penalty and the tiny/small smoothing of empty orders", "[metrics]") {
  // "a cat" against "a cat sits on the mat": c = 2, r = 6, BP = exp(1 - 6/2) = exp(-2) = 0.135335.
  // p1 = 2/2, p2 = 1/1; no 3- or 4-grams: p3 = p4 = (0 + 1e-15) / (0 + 1e-9) = 1e-6.
  // BLEU-1 = BLEU-2 = 0.135335; BLEU-3 = (1e-6)^(1/3) * BP = 0.01 * BP = 0.00135335;
  // BLEU-4 = (1e-12)^(1/4) * BP = 1e-3 * BP = 0.000135335.
  BleuResult b = coco_bleu({item("a cat", {"a cat sits on the mat"})});
  CHECK(b.brevity_penalty == Approx(std::exp(-2.0)));
  CHECK(b.bleu[0] == Approx(0.1353352832));
  CHECK(b.bleu[1] == Approx(0.1353352832));
  CHECK(b.bleu[2] == Approx(0.0013533528));
  CHECK(b.bleu[3] == Approx(0.0001353353));
  // A candidate longer than its reference takes no penalty.
  CHECK(coco_bleu({item("a cat sits here now", {"a cat sits"})}).brevity_penalty == 1.0);
}

TEST_CASE("ROUGE-L takes the F of the best precision and the best recall", "[metrics]") {
  // "a man is running" vs "a man is running fast": LCS 4, P = 4/4, R = 4/5;
  // vs "the man runs": LCS 1, P = 1/4, R = 1/3. Pmax = 1, Rmax = 0.8.
  // F = (1 + 1.44) * 1 * 0.8 / (0.8 + 1.44 * 1) = 1.952 / 2.24 = 0.871429.
  TokenizedCaption a = item("a man is running", {"a man is running fast", "the man runs"});
  CHECK(rouge_l_item(a) == Approx(0.8714285714));
  // Pmax and Rmax from different references: "a b c d" vs "a b" (P 0.5, R 1.0) and "a b c x"
  // (LCS 3: P 0.75, R 0.75). coco: F(0.75, 1.0) = 2.44 * 0.75 / (1 + 1.44 * 0.75) = 0.879808.
  // (The best single-reference F would be 0.75: coco does not compute that.)
  TokenizedCaption mixed = item("a b c d", {"a b", "a b c x"});
  CHECK(rouge_l_item(mixed) == Approx(0.8798076923));
  // "a dog barks" vs "a dog is barking": LCS 2, P = 2/3, R = 1/2:
  // F = 2.44 * (2/3) * 0.5 / (0.5 + 1.44 * 2/3) = 0.813333 / 1.46 = 0.557078.
  TokenizedCaption b = item("a dog barks", {"a dog is barking"});
  CHECK(rouge_l_item(b) == Approx(0.5570776256));
  CHECK(rouge_l_item(item("x y", {"a b"})) == 0.0);
  CHECK(rouge_l_item(item("", {"a b"})) == 0.0);
}

TEST_CASE("CIDEr-D: corpus idf, clipped tf-idf cosine, length penalty, x10", "[metrics]") {
  // Corpus of 2: log N = ln 2. df("a") = 2 (both items' references) -> idf 0; every other
  // reference n-gram has df 1 -> idf ln 2.
  // Item 1: candidate == reference "a dog runs". Orders 1..3 have cosine 1 ("a" weighs 0 on
  //   both sides), order 4 has no n-grams -> 0. Same bigram count, penalty 1.
  //   CIDEr = (1 + 1 + 1 + 0) / 4 * 10 = 7.5.
  // Item 2: "a cat" vs "a cat sits". Order 1: cand {cat: ln2}, ref {cat: ln2, sits: ln2}:
  //   cosine = ln2^2 / (ln2 * sqrt(2) ln2) = 1/sqrt(2). Order 2 likewise: {a cat} vs
  //   {a cat, cat sits} -> 1/sqrt(2). Orders 3, 4: 0. Bigram counts 1 vs 2: delta = -1,
  //   penalty exp(-1 / 72) = 0.986207. CIDEr = 2/sqrt(2) * 0.986207 / 4 * 10 = 3.486769.
  // Corpus CIDEr-D = (7.5 + 3.486769) / 2 = 5.493384.
  std::vector<TokenizedCaption> corpus = {item("a dog runs", {"a dog runs"}), item("a cat", {"a cat sits"})};
  std::vector<double> s = cider_d_items(corpus);
  REQUIRE(s.size() == 2);
  CHECK(s[0] == Approx(7.5));
  CHECK(s[1] == Approx(3.4867686995));
  CHECK((s[0] + s[1]) / 2 == Approx(5.4933843498));
  // One item: idf = log 1 - log 1 = 0 everywhere, so CIDEr-D is 0 (a corpus statistic).
  CHECK(cider_d_items({item("a dog runs", {"a dog runs"})})[0] == 0.0);
}

TEST_CASE("CIDEr-D clips a repeated candidate n-gram by the reference's weight", "[metrics]") {
  // Three items, order 1 only (max_n = 1), idf of every reference word = ln 3 (df 1).
  // Item 1: "dog dog" vs "dog runs": cand {dog: 2 ln3}, ref {dog: ln3, runs: ln3}.
  //   clipped dot = min(2 ln3, ln3) * ln3 = ln3^2; norms 2 ln3 and sqrt(2) ln3:
  //   cosine = 1 / (2 sqrt 2) = 0.353553; bigram counts 1 and 1 -> penalty 1; x10 = 3.535534.
  //   (Unclipped, the dot would be 2 ln3^2 and the score twice as high.)
  // Items 2 and 3: "cat" vs "cat sits": cosine 1/sqrt(2) -> 10 / sqrt(2) = 7.071068. No
  //   length penalty: coco counts the length from the bigram table, which max_n = 1 never
  //   fills, so both lengths are 0 (with max_n = 4 it would be exp(-1/72) = 0.986207).
  std::vector<TokenizedCaption> corpus = {item("dog dog", {"dog runs"}), item("cat", {"cat sits"}),
                                          item("bird", {"bird flies"})};
  CiderOptions unigram_only;
  unigram_only.max_n = 1;
  std::vector<double> s = cider_d_items(corpus, unigram_only);
  CHECK(s[0] == Approx(3.5355339059));
  CHECK(s[1] == Approx(7.0710678119));
  CHECK(s[2] == Approx(7.0710678119));
}

TEST_CASE("score_captions reports every metric and says METEOR is not provided", "[metrics]") {
  std::vector<CaptionItem> items = {
      {"v1", "A man is running.", {"A man is running fast.", "The man runs!"}},
      {"v2", "A dog barks", {"a dog is barking ."}},
  };
  CaptionReport r = score_captions(items);
  CHECK(r.tokenizer == "ptb_like");
  CHECK(r.n_items == 2);
  REQUIRE(r.metrics.size() == caption_metric_names().size());
  // After ptb_like these are the whitespace examples above.
  CHECK(caption_metric(r, "BLEU-1") == Approx(6.0 / 7.0));
  CHECK(caption_metric(r, "ROUGE-L") == Approx((0.8714285714 + 0.5570776256) / 2));
  const CaptionMetricValue& meteor = r.metrics[4];
  CHECK(meteor.name == "METEOR");
  CHECK_FALSE(meteor.provided);
  CHECK_THAT(meteor.note, Catch::Contains("not provided"));
  CHECK_THROWS_WITH(caption_metric(r, "METEOR"), Catch::Contains("not provided"));
  CHECK_THROWS_WITH(caption_metric(r, "SPICE"), Catch::Contains("SPICE"));
  CHECK_THROWS_WITH(score_captions({{"v9", "a cat", {}}}), Catch::Contains("v9"));
  CHECK_THROWS(score_captions({}));
}
