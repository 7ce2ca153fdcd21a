// The Qwen2 tokenizer against a hand-built tokenizer.json: Qwen2's pattern (letters, digits,
// punctuation, contractions, whitespace and newline rules), BPE merge order, added tokens in the
// middle of text, bytes missing from the vocabulary, round trips and file errors.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>

#include "model/byte_level_bpe.h"
#include "model/qwen2_tokenizer.h"
#include "tests/test_support.h"

using ppb::model::Qwen2Tokenizer;
using ppb::test::TempDir;
using Strings = std::vector<std::string>;
using Ids = std::vector<int>;

namespace {

const std::string G = u8"\u0120";   // byte-level space
const std::string NL = u8"\u010A";  // byte-level newline

// Merges in rank order; each result gets the next id after the 256 byte symbols (ids = byte values).
const std::vector<std::pair<std::string, std::string>> kMerges = {
    {"l", "l"},      {"H", "e"},    {"He", "ll"},           {"Hell", "o"},        {G, "w"},
    {"o", "r"},      {G + "w", "or"}, {G + "wor", "l"},     {G + "worl", "d"},    {NL, NL},
    {"o", "l"},  // rank 10: after l+l, so "oll" is o + ll
    {u8"\u00E4", u8"\u00B8"}, {u8"\u00E4\u00B8", u8"\u0143"},  // 中 = E4 B8 AD = "ä¸Ń"
    {u8"\u00C3", u8"\u00A9"},                                  // é = C3 A9 = "Ã©"
};
const std::vector<std::pair<std::string, int>> kAdded = {
    {"<|endoftext|>", 300}, {"<|im_start|>", 301}, {"<|im_end|>", 302}, {"<image>", 303}};

struct Fixture {
  std::map<std::string, int> ids;  // what the test wrote, to spell expectations as tokens
  nlohmann::json file;
};

Fixture make_fixture(bool merges_as_pairs = false) {
  Fixture f;
  nlohmann::json vocab = nlohmann::json::object(), merges = nlohmann::json::array(), added = nlohmann::json::array();
  for (int b = 0; b < 256; ++b) f.ids[ppb::model::byte_to_unicode(static_cast<unsigned char>(b))] = b;
  int next = 256;
  for (const auto& [a, b] : kMerges) {
    f.ids[a + b] = next++;
    merges.push_back(merges_as_pairs ? nlohmann::json::array({a, b}) : nlohmann::json(a + " " + b));
  }
  for (const auto& [token, id] : f.ids) vocab[token] = id;
  for (const auto& [content, id] : kAdded) {
    added.push_back({{"id", id}, {"content", content}, {"special", true}, {"normalized", false}});
    f.ids[content] = id;
  }
  f.file = {{"added_tokens", added},
            {"normalizer", {{"type", "NFC"}}},
            {"model", {{"type", "BPE"}, {"ignore_merges", false}, {"vocab", vocab}, {"merges", merges}}}};
  return f;
}

Ids ids_of(const Fixture& f, const Strings& tokens) {
  Ids out;
  for (const auto& t : tokens) out.push_back(f.ids.at(t));
  return out;
}

}  // namespace

TEST_CASE("Qwen2 pattern splits words, digits, punctuation, contractions and whitespace", "[qwen2_tokenizer]") {
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", make_fixture().file.dump());
  Qwen2Tokenizer tok(dir.path());
  CHECK(tok.pre_tokenize("Hello world") == Strings{"Hello", " world"});
  CHECK(tok.pre_tokenize("a  b") == Strings{"a", " ", " b"});  // \s+(?!\S) leaves the last space to the word
  CHECK(tok.pre_tokenize("hi  ") == Strings{"hi", "  "});
  CHECK(tok.pre_tokenize("  leading") == Strings{" ", " leading"});
  CHECK(tok.pre_tokenize("x\n\ny") == Strings{"x", "\n\n", "y"});
  CHECK(tok.pre_tokenize("a \n b") == Strings{"a", " \n", " b"});
  CHECK(tok.pre_tokenize("x\r\n") == Strings{"x", "\r\n"});
  CHECK(tok.pre_tokenize("end.  \n\nNext") == Strings{"end", ".", "  \n\n", "Next"});
  CHECK(tok.pre_tokenize("\tTab") == Strings{"\tTab"});  // one non-letter, non-newline may lead a word
  CHECK(tok.pre_tokenize("abc123") == Strings{"abc", "1", "2", "3"});
  CHECK(tok.pre_tokenize("$100") == Strings{"$", "1", "0", "0"});
  CHECK(tok.pre_tokenize("Hi!!!\n") == Strings{"Hi", "!!!\n"});
  CHECK(tok.pre_tokenize("I'm HE'S don't") == Strings{"I", "'m", " HE", "'S", " don", "'t"});
  CHECK(tok.pre_tokenize(u8"caf\u00E9 stra\u00DFe") == Strings{u8"caf\u00E9", u8" stra\u00DFe"});
  CHECK(tok.pre_tokenize(u8"\u041F\u0440\u0438\u0432\u0435\u0442, \u043C\u0438\u0440") ==
        Strings{u8"\u041F\u0440\u0438\u0432\u0435\u0442", ",", u8" \u043C\u0438\u0440"});
  CHECK(tok.pre_tokenize(u8"\u4F60\u597D\u4E16\u754C") == Strings{u8"\u4F60\u597D\u4E16\u754C"});
  CHECK(tok.pre_tokenize("<|im_start") == Strings{"<|", "im", "_start"});
  // No NFC here: a decomposed é stays e + combining accent (Hugging Face would compose it first).
  CHECK(tok.pre_tokenize(u8"e\u0301") == Strings{"e", u8"\u0301"});
}

TEST_CASE("Qwen2 BPE: byte-level symbols, no word-end marker, merges by rank", "[qwen2_tokenizer]") {
  Fixture f = make_fixture();
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  Qwen2Tokenizer tok(dir.path());
  CHECK(tok.encode("Hello world") == ids_of(f, {"Hello", G + "world"}));
  CHECK(tok.encode("Hello  world") == ids_of(f, {"Hello", G, G + "world"}));
  CHECK(tok.encode("Hello\n\nworld") == ids_of(f, {"Hello", NL + NL, "w", "or", "l", "d"}));
  CHECK(tok.encode("oll") == ids_of(f, {"o", "ll"}));  // l+l (rank 0) before o+l (rank 10)
  CHECK(tok.encode(u8"\u4E2D\u00E9") == ids_of(f, {u8"\u00E4\u00B8\u0143", u8"\u00C3\u00A9"}));
  CHECK(tok.encode("2024") == ids_of(f, {"2", "0", "2", "4"}));
  CHECK(tok.encode("") == Ids{});
  CHECK(tok.vocab_size() == 304);
  CHECK(tok.token_to_id(G + "world") == f.ids.at(G + "world"));
  CHECK(tok.token_to_id("<|im_end|>") == 302);
  CHECK(tok.name() == "qwen2_bpe");
}

TEST_CASE("Qwen2 added tokens are matched exactly anywhere in the text", "[qwen2_tokenizer]") {
  Fixture f = make_fixture();
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  Qwen2Tokenizer tok(dir.path());
  CHECK(tok.encode("<|im_start|>user\n<image>\nHello<|im_end|>\n") ==
        ids_of(f, {"<|im_start|>", "u", "s", "e", "r", NL, "<image>", NL, "Hello", "<|im_end|>", NL}));
  CHECK(tok.encode("Hello<|endoftext|><|endoftext|>") == Ids{f.ids.at("Hello"), 300, 300});
  CHECK(tok.encode("<|im_start") == ids_of(f, {"<", "|", "i", "m", "_", "s", "t", "a", "r", "t"}));
  CHECK(tok.encode("<IMAGE>") == ids_of(f, {"<", "I", "M", "A", "G", "E", ">"}));  // case matters
}

TEST_CASE("Qwen2 added tokens: the longest one starting at a place wins", "[qwen2_tokenizer]") {
  Fixture f = make_fixture();
  auto& added = f.file["added_tokens"];
  added.insert(added.begin(), nlohmann::json{{"id", 304}, {"content", "<|im"}, {"special", true}});
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  Qwen2Tokenizer tok(dir.path());
  CHECK(tok.encode("<|im_start|><|im_end|>") == Ids{301, 302});
  CHECK(tok.encode("<|im_x") == Ids{304, f.ids.at("_"), f.ids.at("x")});
}

TEST_CASE("Qwen2 decode(encode(x)) == x, and a split character decodes to U+FFFD", "[qwen2_tokenizer]") {
  Fixture f = make_fixture(/*merges_as_pairs=*/true);
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  Qwen2Tokenizer tok(dir.path());
  const Strings texts = {
      "Hello world",
      "  multiple   spaces\t\tand\nnewlines\r\n\n",
      u8"emoji \U0001F642 and \u4E2D\u6587, caf\u00E9, stra\u00DFe, \u043C\u0438\u0440",
      "<|im_start|>user\n<image>\nWhat is 12+30?<|im_end|>\n<|im_start|>assistant\n",
      "I'm sure it's 100% fine...   ",
      std::string(3000, 'l'),
  };
  for (const auto& text : texts) CHECK(tok.decode(tok.encode(text)) == text);
  CHECK(tok.encode(std::string(5, 'l')) == ids_of(f, {"ll", "ll", "l"}));  // pairs join left to right
  CHECK(tok.decode({f.ids.at(u8"\u00E4\u00B8\u0143")}) == u8"\u4E2D");
  CHECK(tok.decode({f.ids.at(u8"\u00E4")}) == u8"\uFFFD");
  CHECK_THROWS_WITH(tok.decode({280}), Catch::Contains("280") && Catch::Contains("tokenizer.json"));
  CHECK_THROWS_WITH(tok.encode("ok\xC3"), Catch::Contains("not valid UTF-8"));
}

TEST_CASE("Qwen2: a byte outside the vocabulary is an error naming it", "[qwen2_tokenizer]") {
  TempDir dir("qwen2");
  nlohmann::json j = {{"model", {{"type", "BPE"}, {"vocab", {{"a", 0}, {"b", 1}}}, {"merges", nlohmann::json::array()}}}};
  ppb::test::put(dir / "tokenizer.json", j.dump());
  Qwen2Tokenizer tok(dir.path());
  CHECK(tok.encode("ab") == Ids{0, 1});
  CHECK_THROWS_WITH(tok.encode("abc"), Catch::Contains("0x63") && Catch::Contains("tokenizer.json"));
}

TEST_CASE("Qwen2 honours model.ignore_merges", "[qwen2_tokenizer]") {
  Fixture f = make_fixture();
  f.file["model"]["vocab"]["oll"] = 400;  // in the vocabulary, but no merge makes it
  TempDir dir("qwen2");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK(Qwen2Tokenizer(dir.path()).encode("oll") == ids_of(f, {"o", "ll"}));
  f.file["model"]["ignore_merges"] = true;
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK(Qwen2Tokenizer(dir.path()).encode("oll") == Ids{400});
}

TEST_CASE("Qwen2 tokenizer.json errors name the file and the key", "[qwen2_tokenizer]") {
  TempDir dir("qwen2");
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("tokenizer.json"));

  Fixture f = make_fixture();
  f.file["model"]["merges"][1] = 7;
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("model.merges[1]"));

  f = make_fixture();
  f.file["model"]["merges"][2] = "He zz";
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("model.merges[2]") && Catch::Contains("'zz'"));

  f = make_fixture();
  f.file["added_tokens"][0].erase("id");
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("added_tokens[0]"));

  f = make_fixture();
  f.file["model"]["type"] = "WordPiece";
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("model.type") && Catch::Contains("WordPiece"));

  f = make_fixture();
  f.file["added_tokens"][0]["id"] = f.ids.at("Hello");  // an added token on a vocabulary id
  ppb::test::put(dir / "tokenizer.json", f.file.dump());
  CHECK_THROWS_WITH(Qwen2Tokenizer(dir.path()), Catch::Contains("<|endoftext|>") && Catch::Contains("'Hello'"));
}
