// The CLIP relevance tokenizer against hand-built vocabularies: clean-up and lower-casing, CLIP's
// pattern, "</w>" word ends, merge ranks, unknown symbols, special tokens, relevance truncation,
// both file layouts and their errors. Also the shared byte table and UTF-8 repair.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "model/byte_level_bpe.h"
#include "model/clip_tokenizer.h"
#include "tests/test_support.h"

using ppb::model::ClipTokenizer;
using ppb::model::clip_clean_text;
using ppb::test::TempDir;
using Strings = std::vector<std::string>;
using Ids = std::vector<int>;

namespace {

// Ids are the positions in this list. Byte-level spelling: "Ã©" is é (C3 A9).
const Strings kVocab = {
    "l",    "o",      "w",      "w</w>", "o</w>",  "ow</w>",          "lo",            "e",     // 0-7
    "r</w>", "er</w>", "h",     "i</w>", "hi</w>", "<|startoftext|>", "<|endoftext|>", ",</w>",  // 8-15
    "!</w>", "!",      "!!</w>", "2</w>", "4</w>",  "0</w>",           "Ã",             "©</w>",  // 16-23
    "Ã©</w>", "l</w>", "i",      "'s</w>", "'",     "s</w>",           "ok</w>",        "t</w>",  // 24-31
};
// In rank order. Rank 0 before rank 1 makes "low" come out as l + ow</w>, not lo + w</w>.
const Strings kMerges = {"o w</w>", "l o", "e r</w>", "h i</w>", "! !</w>", "Ã ©</w>", "' s</w>"};

nlohmann::json vocab_json(const Strings& vocab) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < vocab.size(); ++i) j[vocab[i]] = i;
  return j;
}

void write_vocab_merges(const TempDir& dir, const Strings& vocab, const Strings& merges) {
  ppb::test::put(dir / "vocab.json", vocab_json(vocab).dump());
  std::string text = "#version: 0.2\n";
  for (const auto& m : merges) text += m + "\n";
  ppb::test::put(dir / "merges.txt", text);
}

}  // namespace

TEST_CASE("byte_to_unicode is GPT-2's table and unicode_to_byte its inverse", "[clip_tokenizer]") {
  using ppb::model::byte_to_unicode;
  CHECK(byte_to_unicode('A') == "A");
  CHECK(byte_to_unicode('!') == "!");
  CHECK(byte_to_unicode(0) == u8"\u0100");    // first non-printable byte
  CHECK(byte_to_unicode(10) == u8"\u010A");   // Ċ
  CHECK(byte_to_unicode(32) == u8"\u0120");   // Ġ
  CHECK(byte_to_unicode(127) == u8"\u0121");  // after the 33 bytes 0..32
  CHECK(byte_to_unicode(160) == u8"\u0142");
  CHECK(byte_to_unicode(161) == u8"\u00A1");  // printable Latin-1 keeps itself
  CHECK(byte_to_unicode(173) == u8"\u0143");  // soft hyphen, the last non-printable
  CHECK(byte_to_unicode(255) == u8"\u00FF");
  for (int b = 0; b < 256; ++b) {
    auto cps = ppb::model::utf8_to_code_points(byte_to_unicode(static_cast<unsigned char>(b)));
    REQUIRE(cps.size() == 1);
    CHECK(ppb::model::unicode_to_byte(cps[0]) == static_cast<unsigned char>(b));
  }
  CHECK_FALSE(ppb::model::unicode_to_byte(0x20).has_value());  // space is not a byte-level character
  CHECK_FALSE(ppb::model::unicode_to_byte(0x144).has_value());
  CHECK(ppb::model::bytes_to_unicode("a b\n") == u8"a\u0120b\u010A");
}

TEST_CASE("utf8_lossy replaces each broken sequence by one U+FFFD", "[clip_tokenizer]") {
  using ppb::model::utf8_lossy;
  CHECK(utf8_lossy("\xE4\xB8\xAD") == "\xE4\xB8\xAD");
  CHECK(utf8_lossy("\xE4\xB8") == u8"\uFFFD");
  CHECK(utf8_lossy("a\xFF" "b") == u8"a\uFFFDb");
  CHECK(utf8_lossy("\xF0\x9F\x98x") == u8"\uFFFDx");
  CHECK(utf8_lossy("\xED\xA0\x80") == u8"\uFFFD\uFFFD\uFFFD");  // a surrogate: each byte on its own
  CHECK_THROWS_WITH(ppb::model::check_utf8("ab\xC3", "input"), Catch::Contains("at byte 2"));
}

TEST_CASE("CLIP clean-up folds whitespace, trims and lower-cases like Python", "[clip_tokenizer]") {
  CHECK(clip_clean_text("  Hello\t\n  World  ") == "hello world");
  CHECK(clip_clean_text(u8"\u00C0\u00C9\u00CE\u00D5\u00DC") == u8"\u00E0\u00E9\u00EE\u00F5\u00FC");  // ÀÉÎÕÜ
  CHECK(clip_clean_text(u8"STRASSE Stra\u00DFe") == u8"strasse stra\u00DFe");                        // ß stays
  CHECK(clip_clean_text(u8"\u0391\u0392\u0393") == u8"\u03B1\u03B2\u03B3");                          // ΑΒΓ
  CHECK(clip_clean_text(u8"\u041F\u0420\u0418\u0412\u0415\u0422") == u8"\u043F\u0440\u0438\u0432\u0435\u0442");
  CHECK(clip_clean_text(u8"\u0130") == u8"i\u0307");  // İ lower-cases to two code points
  CHECK(clip_clean_text(u8"\u01C4") == u8"\u01C6");   // Ǆ
  // Capital sigma ends a word as ς: "ΣΑΣ ΟΔΟΣ. Σ ΑΣΑ" -> "σας οδος. σ ασα".
  CHECK(clip_clean_text(u8"\u03A3\u0391\u03A3 \u039F\u0394\u039F\u03A3. \u03A3 \u0391\u03A3\u0391") ==
        u8"\u03C3\u03B1\u03C2 \u03BF\u03B4\u03BF\u03C2. \u03C3 \u03B1\u03C3\u03B1");
  CHECK(clip_clean_text(u8"a\u00A0\u3000b") == "a b");
  CHECK(clip_clean_text("a\x1c" "b") == "a b");  // Python counts the file separators as space
  CHECK(clip_clean_text(u8"\u4E2D\u6587") == u8"\u4E2D\u6587");
  CHECK(clip_clean_text(" \t ").empty());
}

TEST_CASE("CLIP pattern: letter runs, single digits, punctuation runs, contractions", "[clip_tokenizer]") {
  TempDir dir("clip");
  write_vocab_merges(dir, kVocab, kMerges);
  ClipTokenizer tok(dir.path());
  CHECK(tok.pre_tokenize(u8"H\u00E9llo, WORLD!! 2024 it's") ==
        Strings{u8"h\u00E9llo", ",", "world", "!!", "2", "0", "2", "4", "it", "'s"});
  CHECK(tok.pre_tokenize(u8"Stra\u00DFe \u041F\u0440\u0438\u0432\u0435\u0442 \u4E2D\u6587\u5B57") ==
        Strings{u8"stra\u00DFe", u8"\u043F\u0440\u0438\u0432\u0435\u0442", u8"\u4E2D\u6587\u5B57"});
  CHECK(tok.pre_tokenize("we'll don't I'M") == Strings{"we", "'ll", "don", "'t", "i", "'m"});
  CHECK(tok.pre_tokenize("a...b--c") == Strings{"a", "...", "b", "--", "c"});
  CHECK(tok.pre_tokenize(u8"x\u00B2\u00BD") == Strings{"x", u8"\u00B2", u8"\u00BD"});  // x²½: numbers one each
  CHECK(tok.pre_tokenize("3.14") == Strings{"3", ".", "1", "4"});
  CHECK(tok.pre_tokenize("'sup") == Strings{"'s", "up"});  // CLIP's pattern takes 's wherever it starts
}

TEST_CASE("CLIP BPE: </w> on the last symbol, merges by rank, unknown symbols to <|endoftext|>", "[clip_tokenizer]") {
  TempDir dir("clip");
  write_vocab_merges(dir, kVocab, kMerges);
  ClipTokenizer tok(dir.path());
  CHECK(tok.encode("low") == Ids{0, 5});      // o+w</w> (rank 0) first, then l + ow</w> has no merge
  CHECK(tok.encode("lower") == Ids{6, 2, 9});  // l+o (rank 1), then e+r</w> (rank 2)
  CHECK(tok.encode("hi") == Ids{12});
  CHECK(tok.encode("l") == Ids{25});  // a one-symbol word is its symbol with </w>
  CHECK(tok.encode(u8"Low, HI!! it's \u00E9 2024") == Ids{0, 5, 15, 12, 18, 26, 31, 27, 24, 19, 21, 19, 20});
  CHECK(tok.encode("z") == Ids{14});      // "z</w>" is not in the vocabulary
  CHECK(tok.encode("lz") == Ids{0, 14});  // nor is "z</w>" after l
  CHECK(tok.encode("") == Ids{});
  CHECK(tok.encode("   ") == Ids{});
  CHECK(tok.vocab_size() == 32);
  CHECK(tok.token_to_id("ow</w>") == 5);
  CHECK_FALSE(tok.token_to_id("zz").has_value());
  CHECK(tok.name() == "clip_bpe");
}

TEST_CASE("CLIP special tokens come from the vocabulary and are matched in the raw text", "[clip_tokenizer]") {
  TempDir dir("clip");
  write_vocab_merges(dir, kVocab, kMerges);
  ClipTokenizer tok(dir.path());
  CHECK(tok.bos_id() == 13);
  CHECK(tok.eos_id() == 14);
  CHECK(tok.encode("hi<|endoftext|>lower") == Ids{12, 14, 6, 2, 9});
  CHECK(tok.encode("hi <|startoftext|> hi") == Ids{12, 13, 12});
}

TEST_CASE("CLIP decode reads </w> as a space: the cleaned, lower-cased text comes back", "[clip_tokenizer]") {
  TempDir dir("clip");
  write_vocab_merges(dir, kVocab, kMerges);
  ClipTokenizer tok(dir.path());
  const std::string text = "  Hi\t\tLOWER   lower\nlow  ";
  CHECK(tok.decode(tok.encode(text)) == "hi lower lower low");
  CHECK(tok.decode(tok.encode(text)) == clip_clean_text(text));
  CHECK(tok.decode(Ids{0, 5, 15, 12}) == "low , hi");  // punctuation gets its own word end
  CHECK(tok.decode(Ids{24}) == u8"\u00E9");
  CHECK(tok.decode(Ids{22}) == u8"\uFFFD");  // half of é
  CHECK_THROWS_WITH(tok.decode(Ids{32}), Catch::Contains("32") && Catch::Contains("vocab.json"));
}

TEST_CASE("encode_for_relevance: BOS, tokens cut to the context, EOS re-appended", "[clip_tokenizer]") {
  TempDir dir("clip");
  write_vocab_merges(dir, kVocab, kMerges);
  ClipTokenizer tok(dir.path());
  // "low hi lower" -> l ow</w> | hi</w> | lo w er</w> = 6 tokens.
  CHECK(tok.encode_for_relevance("low hi lower") == Ids{13, 0, 5, 12, 6, 2, 9, 14});
  CHECK(tok.encode_for_relevance("low hi lower", 8) == Ids{13, 0, 5, 12, 6, 2, 9, 14});
  CHECK(tok.encode_for_relevance("low hi lower", 7) == Ids{13, 0, 5, 12, 6, 2, 14});
  CHECK(tok.encode_for_relevance("low hi lower", 6) == Ids{13, 0, 5, 12, 6, 14});
  CHECK(tok.encode_for_relevance("low hi lower", 2) == Ids{13, 14});
  CHECK(tok.encode_for_relevance("") == Ids{13, 14});
  CHECK_THROWS_AS(tok.encode_for_relevance("low", 1), std::invalid_argument);
}

TEST_CASE("CLIP reads tokenizer.json with merges as strings or pairs", "[clip_tokenizer]") {
  TempDir dir("clip");
  nlohmann::json merges = nlohmann::json::array();
  for (size_t i = 0; i < kMerges.size(); ++i) {
    auto sp = kMerges[i].find(' ');
    if (i % 2)
      merges.push_back(kMerges[i]);
    else
      merges.push_back(nlohmann::json::array({kMerges[i].substr(0, sp), kMerges[i].substr(sp + 1)}));
  }
  nlohmann::json j = {{"model", {{"type", "BPE"}, {"vocab", vocab_json(kVocab)}, {"merges", merges}}},
                      {"added_tokens",
                       {{{"id", 13}, {"content", "<|startoftext|>"}, {"special", true}},
                        {{"id", 14}, {"content", "<|endoftext|>"}, {"special", true}}}}};
  ppb::test::put(dir / "tokenizer.json", j.dump());
  ClipTokenizer tok(dir.path());
  CHECK(tok.encode(u8"Low, HI!! it's \u00E9 2024") == Ids{0, 5, 15, 12, 18, 26, 31, 27, 24, 19, 21, 19, 20});
  CHECK(tok.encode_for_relevance("lower") == Ids{13, 6, 2, 9, 14});
}

TEST_CASE("CLIP tokenizer errors name the file and the line or key", "[clip_tokenizer]") {
  TempDir dir("clip");
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("no CLIP tokenizer files") && Catch::Contains(dir.path()));

  write_vocab_merges(dir, kVocab, {"o w</w>", "l o", "l"});
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("merges.txt line 4") && Catch::Contains("'l'"));

  write_vocab_merges(dir, kVocab, {"o w</w>", "x y"});
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("merges.txt line 3") && Catch::Contains("'x'"));

  write_vocab_merges(dir, kVocab, {"l w</w>"});  // "lw</w>" is not in the vocabulary
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("line 2") && Catch::Contains("'lw</w>'"));

  Strings no_bos = kVocab;
  no_bos[13] = "<|notstart|>";
  write_vocab_merges(dir, no_bos, kMerges);
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("<|startoftext|>") && Catch::Contains("vocab.json"));

  ppb::test::put(dir / "vocab.json", R"({"l": 0, "o": "one"})");
  CHECK_THROWS_WITH(ClipTokenizer(dir.path()), Catch::Contains("vocab.json") && Catch::Contains("'o'"));
}
