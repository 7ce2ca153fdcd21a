#include "model/sentencepiece_tokenizer.h"

#include <algorithm>

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ppb::model {
namespace {

// The SentencePiece entry points of libppb_spm.so (see sentencepiece_shim.cpp for why it is separate).
struct SpmApi {
  void* (*load)(const char*, char*, size_t) = nullptr;
  void (*free)(void*) = nullptr;
  long (*encode)(void*, const char*, size_t, int*, size_t, char*, size_t) = nullptr;
  long (*decode)(void*, const int*, size_t, char*, size_t, char*, size_t) = nullptr;
  int (*special)(void*, int) = nullptr;
  int (*train)(const char*, const char*, char*, size_t) = nullptr;
};

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

const SpmApi& spm() {
  static SpmApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("PPBENCH_SPM_LIBRARY"); env && *env) candidates.push_back(env);
    candidates.push_back(exe_dir() + "/libppb_spm.so");
    candidates.push_back(PPB_SPM_LIBRARY);
    std::string tried;
    void* handle = nullptr;
    for (const auto& c : candidates) {
      if (!fs::exists(c)) {
        tried += "\n  " + c + " (absent)";
        continue;
      }
      // A link-map namespace of its own: SentencePiece, its protobuf and its C++ runtime bind only to each other.
      handle = ::dlmopen(LM_ID_NEWLM, c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) break;
      tried += "\n  " + c + " (" + ::dlerror() + ")";
    }
    if (!handle) throw std::runtime_error("cannot load the SentencePiece library libppb_spm.so; tried:" + tried);
    auto sym = [&](const char* name) {
      void* s = ::dlsym(handle, name);
      if (!s) throw std::runtime_error(std::string("libppb_spm.so lacks ") + name);
      return s;
    };
    api.load = reinterpret_cast<decltype(api.load)>(sym("ppb_spm_load"));
    api.free = reinterpret_cast<decltype(api.free)>(sym("ppb_spm_free"));
    api.encode = reinterpret_cast<decltype(api.encode)>(sym("ppb_spm_encode"));
    api.decode = reinterpret_cast<decltype(api.decode)>(sym("ppb_spm_decode"));
    api.special = reinterpret_cast<decltype(api.special)>(sym("ppb_spm_special"));
    api.train = reinterpret_cast<decltype(api.train)>(sym("ppb_spm_train"));
  });
  return api;
}

}  // namespace

struct SentencePieceTokenizer::Impl {
  void* sp = nullptr;
  ~Impl() {
    if (sp) spm().free(sp);
  }
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& dir, int image_token_id)
    : impl_(std::make_unique<Impl>()), image_token_id_(image_token_id) {
  const std::string path = dir + "/tokenizer.model";
  char err[512] = {0};
  impl_->sp = spm().load(path.c_str(), err, sizeof err);
  if (!impl_->sp) throw std::runtime_error("cannot load SentencePiece model " + path + ": " + err);
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::vector<int> SentencePieceTokenizer::encode(const std::string& text) const {
  char err[512] = {0};
  std::vector<int> ids(text.size() + 16);  // never more pieces than bytes, plus slack
  long n = spm().encode(impl_->sp, text.data(), text.size(), ids.data(), ids.size(), err, sizeof err);
  if (n < 0) throw std::runtime_error(std::string("SentencePiece encode failed: ") + err);
  if (static_cast<size_t>(n) > ids.size()) {
    ids.resize(n);
    n = spm().encode(impl_->sp, text.data(), text.size(), ids.data(), ids.size(), err, sizeof err);
  }
  ids.resize(n);
  return ids;
}

std::vector<int> SentencePieceTokenizer::encode_prompt(const std::string& prompt) const {
  static const std::string kImage = "<image>";
  std::vector<int> ids{bos_id()};
  size_t pos = 0;
  while (true) {
    size_t next = prompt.find(kImage, pos);
    std::string chunk = prompt.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!chunk.empty()) {
      auto part = encode(chunk);
      ids.insert(ids.end(), part.begin(), part.end());
    }
    if (next == std::string::npos) break;
    ids.push_back(image_token_id_);
    pos = next + kImage.size();
  }
  return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<int>& ids) const {
  std::vector<int> known;  // added tokens (<image>, padding rows) have no piece
  const int pieces = piece_count();
  for (int id : ids)
    if (id >= 0 && id < pieces) known.push_back(id);
  char err[512] = {0};
  std::string out(known.size() * 16 + 16, '\0');
  long n = spm().decode(impl_->sp, known.data(), known.size(), out.data(), out.size(), err, sizeof err);
  if (n < 0) throw std::runtime_error(std::string("SentencePiece decode failed: ") + err);
  if (static_cast<size_t>(n) > out.size()) {
    out.assign(n, '\0');
    n = spm().decode(impl_->sp, known.data(), known.size(), out.data(), out.size(), err, sizeof err);
  }
  out.resize(n);
  return out;
}

int SentencePieceTokenizer::bos_id() const { return spm().special(impl_->sp, 0); }
int SentencePieceTokenizer::eos_id() const { return spm().special(impl_->sp, 1); }
int SentencePieceTokenizer::piece_count() const { return spm().special(impl_->sp, 3); }
int SentencePieceTokenizer::vocab_size() const { return std::max(piece_count(), image_token_id_ + 1); }

std::optional<int> SentencePieceTokenizer::token_to_id(const std::string& piece) const {
  if (piece == "<image>") return image_token_id_;
  if (piece == "<s>") return bos_id();
  if (piece == "</s>") return eos_id();
  const auto ids = encode(piece);
  if (ids.size() == 1) return ids[0];
  return std::nullopt;
}

void train_sentencepiece(const std::vector<std::string>& sentences, int vocab_size, const std::string& dir) {
  const fs::path corpus = fs::path(dir) / "tokenizer_corpus.txt.tmp";
  {
    std::ofstream out(corpus);
    for (const auto& s : sentences) out << s << "\n";
  }
  const std::string args = "--input=" + corpus.string() + " --model_prefix=" + (fs::path(dir) / "tokenizer").string() +
                           " --vocab_size=" + std::to_string(vocab_size) +
                           " --model_type=bpe --character_coverage=1.0 --num_threads=1"
                           " --byte_fallback=true --split_digits=true --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1"
                           " --hard_vocab_limit=false --minloglevel=2 --input_sentence_size=0"
                           " --shuffle_input_sentence=false";
  const fs::path log = fs::path(dir) / "tokenizer_train.log.tmp";
  char err[512] = {0};
  const int rc = spm().train(args.c_str(), log.c_str(), err, sizeof err);
  std::ifstream log_in(log);
  const std::string log_text((std::istreambuf_iterator<char>(log_in)), std::istreambuf_iterator<char>());
  fs::remove(corpus);
  fs::remove(log);
  fs::remove(fs::path(dir) / "tokenizer.vocab");
  if (rc != 0) throw std::runtime_error("SentencePiece training failed in " + dir + ": " + err + "\n" + log_text);
}

}  // namespace ppb::model
