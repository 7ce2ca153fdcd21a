// A C interface to libsentencepiece, built as its own shared library (libppb_spm.so) and opened
// with dlmopen into a link-map namespace of its own. Debian's libsentencepiece embeds and exports
// its own protobuf 3.14 runtime while LibTorch loads protobuf 3.21: linked into one process the
// two resolve to each other's symbols and crash at start-up (RTLD_DEEPBIND is no cure: it breaks
// the C++ runtime's iostreams). Only plain C types cross this interface, so each side keeps its
// own allocator and runtime. Nothing but this file includes SentencePiece headers.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

namespace {
void set_error(char* err, size_t len, const std::string& msg) {
  if (err && len) {
    std::strncpy(err, msg.c_str(), len - 1);
    err[len - 1] = '\0';
  }
}
}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* ppb_spm_load(const char* path, char* err, size_t err_len) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  auto status = sp->Load(path);
  if (!status.ok()) {
    set_error(err, err_len, status.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

__attribute__((visibility("default"))) void ppb_spm_free(void* sp) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(sp);
}

// Encodes `text`; the ids are written to `out` (up to `cap`) and their count is returned, or -1 on error.
__attribute__((visibility("default"))) long ppb_spm_encode(void* sp, const char* text, size_t len, int* out, size_t cap,
                                                           char* err, size_t err_len) {
  std::vector<int> ids;
  auto status = static_cast<sentencepiece::SentencePieceProcessor*>(sp)->Encode(std::string(text, len), &ids);
  if (!status.ok()) {
    set_error(err, err_len, status.ToString());
    return -1;
  }
  for (size_t i = 0; i < ids.size() && i < cap; ++i) out[i] = ids[i];
  return static_cast<long>(ids.size());
}

// Decodes ids; the text is written to `out` (up to `cap` bytes) and its length returned, or -1 on error.
__attribute__((visibility("default"))) long ppb_spm_decode(void* sp, const int* ids, size_t n, char* out, size_t cap,
                                                           char* err, size_t err_len) {
  std::string text;
  auto status = static_cast<sentencepiece::SentencePieceProcessor*>(sp)->Decode(std::vector<int>(ids, ids + n), &text);
  if (!status.ok()) {
    set_error(err, err_len, status.ToString());
    return -1;
  }
  std::memcpy(out, text.data(), std::min(cap, text.size()));
  return static_cast<long>(text.size());
}

__attribute__((visibility("default"))) int ppb_spm_special(void* sp, int which) {
  auto* p = static_cast<sentencepiece::SentencePieceProcessor*>(sp);
  switch (which) {
    case 0: return p->bos_id();
    case 1: return p->eos_id();
    case 2: return p->unk_id();
    default: return p->GetPieceSize();
  }
}

// The trainer logs its whole command line to stderr before it reads --minloglevel; its stderr goes
// to `log_path` instead, and the caller shows it only when training fails.
__attribute__((visibility("default"))) int ppb_spm_train(const char* args, const char* log_path, char* err,
                                                         size_t err_len) {
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int log = ::open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) ::dup2(log, STDERR_FILENO);
  auto status = sentencepiece::SentencePieceTrainer::Train(args);
  std::fflush(stderr);
  if (saved >= 0) {
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
  }
  if (log >= 0) ::close(log);
  if (!status.ok()) {
    set_error(err, err_len, status.ToString());
    return -1;
  }
  return 0;
}

}  // extern "C"
