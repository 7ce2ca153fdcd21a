// The byte-level BPE trainer: its first merges on tiny corpora worked out by hand (counts and the
// tie rule), the vocabulary layout, determinism of the written files, and that the CLIP and Qwen2
// tokenizers load what it writes.
#include <catch2/catch.hpp>

#include "model/bpe_trainer.h"
#include "model/clip_tokenizer.h"
#include "model/qwen2_tokenizer.h"
#include "tests/test_support.h"

using ppb::model::BpeStyle;
using ppb::model::BpeTrainOptions;
using ppb::model::train_bpe;
using ppb::test::TempDir;
using Merges = std::vector<std::pair<std::string, std::string>>;
using Ids = std::vector<int>;

namespace {

const std::string G = u8"\u0120";  // byte-level space

// Words: "low" x2, " lower", " lowest". Pair counts: l o 4, o w 4 (tie: "l" < "o"), then lo w 4,
// then Ġ low 2 and low e 2 (tie: "low" < "Ġ" in UTF-8 bytes), then Ġ lowe 2; the rest occur once.
const std::vector<std::string> kCorpus = {"low lower lowest", "low"};

BpeTrainOptions qwen2_options(int merges, int min_count = 2) {
  BpeTrainOptions o;
  o.style = BpeStyle::qwen2;
  o.merges = merges;
  o.min_pair_count = min_count;
  o.special_tokens = {"<|endoftext|>"};
  return o;
}

}  // namespace

TEST_CASE("trainer: first merges of a tiny corpus and the vocabulary layout", "[bpe_trainer]") {
  auto v = train_bpe(kCorpus, qwen2_options(10));
  CHECK(v.merges == Merges{{"l", "o"}, {"lo", "w"}, {"low", "e"}, {G, "lowe"}});
  REQUIRE(v.tokens.size() == 260);
  // The 256 byte symbols in GPT-2's vocabulary order: printable bytes first, space at 220.
  CHECK(v.tokens[0] == "!");
  CHECK(v.tokens[93] == "~");
  CHECK(v.tokens[94] == u8"\u00A1");
  CHECK(v.tokens[188] == u8"\u0100");  // byte 0
  CHECK(v.tokens[220] == G);
  CHECK(v.tokens[255] == u8"\u0143");  // byte 173
  CHECK(v.tokens[256] == "lo");
  CHECK(v.tokens[257] == "low");
  CHECK(v.tokens[258] == "lowe");
  CHECK(v.tokens[259] == G + "lowe");
  CHECK(v.special_tokens == std::vector<std::string>{"<|endoftext|>"});
  CHECK(v.size() == 261);
}

TEST_CASE("trainer: merge count, minimum pair count and the tie rule on the right symbol", "[bpe_trainer]") {
  CHECK(train_bpe(kCorpus, qwen2_options(1)).merges == Merges{{"l", "o"}});
  CHECK(train_bpe(kCorpus, qwen2_options(0)).merges.empty());
  // With pairs seen once allowed: s t ("s" < "Ġlowe"), then Ġlowe r before Ġlowe st ("r" < "st").
  CHECK(train_bpe(kCorpus, qwen2_options(100, 1)).merges ==
        Merges{{"l", "o"}, {"lo", "w"}, {"low", "e"}, {G, "lowe"}, {"s", "t"}, {G + "lowe", "r"}, {G + "lowe", "st"}});
  CHECK_THROWS_AS(train_bpe(kCorpus, qwen2_options(10, 0)), std::invalid_argument);
}

TEST_CASE("trainer: special tokens in the corpus are cut out, not learned", "[bpe_trainer]") {
  auto o = qwen2_options(10);
  CHECK(train_bpe({"<|endoftext|><|endoftext|>"}, o).merges.empty());
  o.special_tokens = {"!"};  // also a byte symbol
  CHECK_THROWS_AS(train_bpe(kCorpus, o), std::invalid_argument);
  o.special_tokens = {"<a>", "<a>"};
  CHECK_THROWS_AS(train_bpe(kCorpus, o), std::invalid_argument);
}

TEST_CASE("trainer: CLIP style lower-cases, ends words with </w>, and ClipTokenizer loads it", "[bpe_trainer]") {
  BpeTrainOptions o;
  o.style = BpeStyle::clip;
  o.merges = 10;
  o.special_tokens = {"<|startoftext|>", "<|endoftext|>"};
  // Words: "low" x3, "lower". l o 4; then lo w</w> 3; the rest once.
  auto v = train_bpe({"Low low LOW", "lower"}, o);
  CHECK(v.merges == Merges{{"l", "o"}, {"lo", "w</w>"}});
  REQUIRE(v.tokens.size() == 514);
  CHECK(v.tokens[256] == "!</w>");
  CHECK(v.tokens[512] == "lo");
  CHECK(v.tokens[513] == "low</w>");

  TempDir files("bpe"), json("bpe");
  ppb::model::write_vocab_merges(files.path(), v);
  ppb::model::write_tokenizer_json(json / "tokenizer.json", v);
  for (const auto* dir : {&files, &json}) {
    ppb::model::ClipTokenizer tok(dir->path());
    CHECK(tok.bos_id() == 514);
    CHECK(tok.eos_id() == 515);
    CHECK(tok.encode("LOW") == Ids{513});
    // lower: l o -> lo, then lo w has no merge: w = 'w' - 33, e = 'e' - 33, r</w> = 256 + 'r' - 33.
    CHECK(tok.encode("lower") == Ids{512, 86, 68, 337});
    CHECK(tok.encode_for_relevance("low") == Ids{514, 513, 515});
  }
}

TEST_CASE("trainer: Qwen2 style tokenizer.json loads in Qwen2Tokenizer", "[bpe_trainer]") {
  auto v = train_bpe(kCorpus, qwen2_options(10));
  TempDir dir("bpe");
  ppb::model::write_tokenizer_json(dir / "tokenizer.json", v);
  ppb::model::Qwen2Tokenizer tok(dir.path());
  // "low" -> low; " lowest" -> Ġlowe s t ('s' - 33 = 82, 't' - 33 = 83); then the special token.
  CHECK(tok.encode("low lowest<|endoftext|>") == Ids{257, 259, 82, 83, 260});
  CHECK(tok.vocab_size() == 261);
  CHECK(tok.decode(tok.encode("lower and lowest\n")) == "lower and lowest\n");
}

TEST_CASE("trainer: the same corpus and options write the same bytes", "[bpe_trainer]") {
  const std::vector<std::string> corpus = {
      "the cat sat on the mat", "a dog sat on a log", "The quick brown fox jumps over the lazy dog",
      u8"\u4E2D\u6587 caf\u00E9 2024!", "what is the man doing in the video?"};
  for (BpeStyle style : {BpeStyle::qwen2, BpeStyle::clip}) {
    BpeTrainOptions o;
    o.style = style;
    o.merges = 40;
    o.special_tokens = {"<|endoftext|>", "<image>"};
    TempDir a("bpe"), b("bpe");
    auto va = train_bpe(corpus, o), vb = train_bpe(corpus, o);
    CHECK(va.merges.size() > 5);
    ppb::model::write_vocab_merges(a.path(), va);
    ppb::model::write_tokenizer_json(a / "tokenizer.json", va);
    ppb::model::write_vocab_merges(b.path(), vb);
    ppb::model::write_tokenizer_json(b / "tokenizer.json", vb);
    for (const char* name : {"vocab.json", "merges.txt", "tokenizer.json"}) {
      INFO(name);
      CHECK(ppb::test::read_file(a / name) == ppb::test::read_file(b / name));
    }
    CHECK(ppb::test::read_lines(a / "merges.txt").at(0) == "#version: 0.2");
  }
}
