#include "model/bpe_trainer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "model/byte_level_bpe.h"
#include "model/clip_tokenizer.h"
#include "model/qwen2_tokenizer.h"

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

namespace ppb::model {
namespace {

const char* const kEndOfWord = "</w>";

uint64_t pair_key(int a, int b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); }
int pair_left(uint64_t k) { return static_cast<int>(k >> 32); }
int pair_right(uint64_t k) { return static_cast<int>(k & 0xffffffffu); }

// The byte symbols in the order GPT-2 and CLIP vocabularies list them, i.e. by character: the
// printable bytes first (as themselves), then the others (U+0100 onwards).
std::vector<std::string> byte_symbols_in_vocab_order() {
  std::vector<std::string> symbols;
  for (int b = 0; b < 256; ++b) symbols.push_back(byte_to_unicode(static_cast<unsigned char>(b)));
  std::sort(symbols.begin(), symbols.end(), [](const std::string& x, const std::string& y) {
    return utf8_to_code_points(x)[0] < utf8_to_code_points(y)[0];
  });
  return symbols;
}

// Word -> count over the corpus, pre-tokenized as the tokenizer of `style` will split text.
std::map<std::string, int64_t> count_words(const std::vector<std::string>& corpus, const BpeTrainOptions& o) {
  std::vector<AddedToken> specials;
  for (const auto& s : o.special_tokens) specials.push_back({s, 0, true});
  bool clip = o.style == BpeStyle::clip;
  PreTokenizerRegex pattern(clip ? clip_pre_tokenizer_pattern() : qwen2_pre_tokenizer_pattern(), clip);
  std::map<std::string, int64_t> counts;
  for (size_t i = 0; i < corpus.size(); ++i) {
    check_utf8(corpus[i], "BPE training text " + std::to_string(i));
    for (const TextPiece& piece : split_added_tokens(corpus[i], specials)) {
      if (piece.added_id) continue;
      auto words = clip ? pattern.split(clip_clean_text(piece.text), false) : pattern.split(piece.text, true);
      for (const auto& w : words) ++counts[w];
    }
  }
  return counts;
}

// The learning state: words as symbol ids, and adjacent-pair counts kept up to date as merges
// rewrite the words that hold the merged pair.
class Trainer {
 public:
  Trainer(const std::map<std::string, int64_t>& counts, BpeVocab& vocab) : vocab_(vocab) {
    bool clip = vocab.style == BpeStyle::clip;
    const std::vector<std::string> bytes = byte_symbols_in_vocab_order();
    for (const auto& s : bytes) add_symbol(s);
    if (clip)
      for (const auto& s : bytes) add_symbol(s + kEndOfWord);
    for (const auto& [word, count] : counts) {
      std::vector<int> syms;
      for (size_t i = 0; i < word.size(); ++i) {
        std::string s = byte_to_unicode(static_cast<unsigned char>(word[i]));
        if (clip && i + 1 == word.size()) s += kEndOfWord;
        syms.push_back(ids_.at(s));
      }
      words_.push_back(std::move(syms));
      counts_.push_back(count);
      add_pairs(static_cast<int>(words_.size()) - 1, +1);
    }
  }

  // One merge step; false when no pair reaches `min_count`.
  bool merge_best(int64_t min_count) {
    uint64_t best = 0;
    int64_t best_count = 0;
    for (const auto& [key, count] : pair_counts_)
      if (count >= min_count && (count > best_count || (count == best_count && smaller(key, best))))
        best = key, best_count = count;
    if (best_count == 0) return false;
    int a = pair_left(best), b = pair_right(best);
    vocab_.merges.emplace_back(vocab_.tokens[a], vocab_.tokens[b]);
    int merged = add_symbol(vocab_.tokens[a] + vocab_.tokens[b]);
    std::unordered_set<int> holders = pair_words_[best];
    for (int w : holders) {
      add_pairs(w, -1);
      std::vector<int> next;
      const auto& syms = words_[w];
      for (size_t i = 0; i < syms.size();) {
        if (i + 1 < syms.size() && syms[i] == a && syms[i + 1] == b) {
          next.push_back(merged);
          i += 2;
        } else {
          next.push_back(syms[i++]);
        }
      }
      words_[w] = std::move(next);
      add_pairs(w, +1);
    }
    return true;
  }

 private:
  // A merge result can repeat an existing token ("a"+"bc" after "ab"+"c"); it keeps its first id.
  int add_symbol(const std::string& s) {
    auto [it, inserted] = ids_.emplace(s, static_cast<int>(vocab_.tokens.size()));
    if (inserted) vocab_.tokens.push_back(s);
    return it->second;
  }
  void add_pairs(int w, int sign) {
    const auto& syms = words_[w];
    for (size_t i = 0; i + 1 < syms.size(); ++i) {
      uint64_t k = pair_key(syms[i], syms[i + 1]);
      auto it = pair_counts_.emplace(k, 0).first;
      it->second += sign * counts_[w];
      if (it->second == 0) pair_counts_.erase(it);
      if (sign > 0) pair_words_[k].insert(w);
    }
  }
  // The fixed tie rule: the left symbols in byte order, then the right ones.
  bool smaller(uint64_t x, uint64_t y) const {
    const std::string &xl = vocab_.tokens[pair_left(x)], &yl = vocab_.tokens[pair_left(y)];
    if (xl != yl) return xl < yl;
    return vocab_.tokens[pair_right(x)] < vocab_.tokens[pair_right(y)];
  }

  BpeVocab& vocab_;
  std::unordered_map<std::string, int> ids_;
  std::vector<std::vector<int>> words_;
  std::vector<int64_t> counts_;
  std::unordered_map<uint64_t, int64_t> pair_counts_;
  std::unordered_map<uint64_t, std::unordered_set<int>> pair_words_;  // may hold words the pair has left
};

void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw std::runtime_error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write tokenizer file " + path.string());
}

ordered_json vocab_object(const BpeVocab& v, bool with_specials) {
  ordered_json j = ordered_json::object();
  for (size_t i = 0; i < v.tokens.size(); ++i) j[v.tokens[i]] = i;
  if (with_specials)
    for (size_t i = 0; i < v.special_tokens.size(); ++i) j[v.special_tokens[i]] = v.tokens.size() + i;
  return j;
}

int special_id(const BpeVocab& v, const std::string& s) {
  for (size_t i = 0; i < v.special_tokens.size(); ++i)
    if (v.special_tokens[i] == s) return static_cast<int>(v.tokens.size() + i);
  return -1;
}

ordered_json byte_level_step() {
  return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

}  // namespace

BpeVocab train_bpe(const std::vector<std::string>& corpus, const BpeTrainOptions& options) {
  if (options.merges < 0) throw std::invalid_argument("BPE training: merges must not be negative");
  if (options.min_pair_count < 1) throw std::invalid_argument("BPE training: min_pair_count must be at least 1");
  BpeVocab vocab;
  vocab.style = options.style;
  Trainer trainer(count_words(corpus, options), vocab);
  for (int m = 0; m < options.merges && trainer.merge_best(options.min_pair_count); ++m) {
  }
  for (const auto& s : options.special_tokens) {
    if (s.empty()) throw std::invalid_argument("BPE training: empty special token");
    for (const auto& t : vocab.tokens)
      if (t == s) throw std::invalid_argument("BPE training: special token '" + s + "' is also a learned token");
    if (special_id(vocab, s) >= 0) throw std::invalid_argument("BPE training: special token '" + s + "' given twice");
    vocab.special_tokens.push_back(s);
  }
  return vocab;
}

void write_vocab_merges(const std::string& dir, const BpeVocab& vocab) {
  write_text(fs::path(dir) / "vocab.json", vocab_object(vocab, true).dump() + "\n");
  std::string merges = "#version: 0.2\n";
  for (const auto& [a, b] : vocab.merges) merges += a + " " + b + "\n";
  write_text(fs::path(dir) / "merges.txt", merges);
}

void write_tokenizer_json(const std::string& path, const BpeVocab& vocab) {
  bool clip = vocab.style == BpeStyle::clip;
  ordered_json added = ordered_json::array();
  for (const auto& s : vocab.special_tokens)
    added.push_back({{"id", special_id(vocab, s)},
                     {"content", s},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  ordered_json split = {{"type", "Split"},
                        {"pattern", {{"Regex", clip ? clip_pre_tokenizer_pattern() : qwen2_pre_tokenizer_pattern()}}},
                        {"behavior", clip ? "Removed" : "Isolated"},
                        {"invert", clip}};
  ordered_json normalizer = {{"type", "NFC"}};
  if (clip)
    normalizer = {{"type", "Sequence"},
                  {"normalizers",
                   {{{"type", "NFC"}},
                    {{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}},
                    {{"type", "Lowercase"}}}}};
  ordered_json post = byte_level_step();
  int bos = special_id(vocab, "<|startoftext|>"), eos = special_id(vocab, "<|endoftext|>");
  if (clip)
    post = bos >= 0 && eos >= 0 ? ordered_json{{"type", "RobertaProcessing"},
                                               {"sep", {"<|endoftext|>", eos}},
                                               {"cls", {"<|startoftext|>", bos}},
                                               {"trim_offsets", false},
                                               {"add_prefix_space", false}}
                                : ordered_json(nullptr);
  ordered_json merges = ordered_json::array();
  for (const auto& [a, b] : vocab.merges) merges.push_back(a + " " + b);
  ordered_json model = {{"type", "BPE"},
                        {"dropout", nullptr},
                        {"unk_token", clip && eos >= 0 ? ordered_json("<|endoftext|>") : ordered_json(nullptr)},
                        {"continuing_subword_prefix", clip ? ordered_json("") : ordered_json(nullptr)},
                        {"end_of_word_suffix", clip ? ordered_json(kEndOfWord) : ordered_json(nullptr)},
                        {"fuse_unk", false},
                        {"byte_fallback", false},
                        {"ignore_merges", false},
                        {"vocab", vocab_object(vocab, clip)},
                        {"merges", merges}};
  ordered_json j = {{"version", "1.0"},
                    {"truncation", nullptr},
                    {"padding", nullptr},
                    {"added_tokens", added},
                    {"normalizer", normalizer},
                    {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {split, byte_level_step()}}}},
                    {"post_processor", post},
                    {"decoder", byte_level_step()},
                    {"model", model}};
  write_text(path, j.dump(2) + "\n");
}

}  // namespace ppb::model
