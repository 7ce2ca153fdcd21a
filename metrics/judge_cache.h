// The judge's answer cache: one SQLite file (WAL mode) that several ppbench processes may read
// and write at once, keyed by the SHA-256 of what was asked (model, messages, parameters).
//
// A published run ships its cache file; `--judge-offline` then re-scores it from the file alone,
// bit-identically, with no network. Every answer the judge gave belongs here (judge_response_is_cacheable:
// ok, truncated, refusal_or_null; a reply that does not parse included, since re-asking the same
// request would only repeat it), never a call that got no answer (timeout, HTTP error, a
// garbled body), so that such a call is retried on the next run instead of being replayed forever.
// The first answer stored for a key wins (INSERT OR IGNORE), so re-runs stay stable even when
// two processes ask the same question at the same moment.
//
// Nothing secret is stored: a row holds the answer and its provenance, never request headers,
// and the API key is not part of the key's input either.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/judge_client.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ppb::metrics {

// The cache key: lowercase hex SHA-256 of the canonical request text
//
//   nlohmann::json{{"model", model}, {"messages", messages}, {"params", params}}.dump()
//
// i.e. one compact line with no whitespace, object keys sorted by their UTF-8 bytes at every
// depth (so the top level reads {"messages":...,"model":...,"params":...}), strings written as
// UTF-8 with only the escapes JSON requires (\" \\ \b \f \n \r \t and \u00XX for other control
// characters), integers as integers and floating-point numbers in their shortest round-trip
// form. 0 and 0.0 therefore give different keys: build `params` with the types sent on the wire.
// Example: model "m", messages [{"role":"user","content":"hi"}], params {"temperature":0} hash
// the 84 bytes {"messages":[{"content":"hi","role":"user"}],"model":"m","params":{"temperature":0}}
std::string judge_cache_canonical_request(const std::string& model, const nlohmann::json& messages,
                                          const nlohmann::json& params);
std::string judge_cache_key(const std::string& model, const nlohmann::json& messages, const nlohmann::json& params);
// The generation parameters as the client sends them, for `params` above: temperature always,
// max_tokens when positive, seed when set, and in Azure mode the deployment (which stands for
// the model there, so two deployments never share entries).
nlohmann::json judge_request_params(const JudgeClientOptions& options);

// One stored judgement. Empty strings stand for fields the server did not send.
struct CachedJudgement {
  std::string model_requested;     // the model id the request named
  std::string model_resolved;      // the "model" field of the response (e.g. a dated snapshot)
  std::string system_fingerprint;  // the response's system_fingerprint, "" when absent or null
  std::string content;             // the raw message content the judge returned
  std::string finish_reason;       // e.g. "stop", "length"
  std::string outcome;             // the client's outcome name for the call (only successes are stored)
  int64_t prompt_tokens = 0;       // usage.prompt_tokens
  int64_t completion_tokens = 0;   // usage.completion_tokens
  std::string created_at;          // UTC ISO 8601 time of the call; put() fills it when empty
  std::string response_body;       // the raw HTTP response body, as text
};

// The cache entry of a successful client response to a request that named `model_requested`.
CachedJudgement cached_judgement_of(const JudgeResponse& response, const std::string& model_requested);
// True when the judge answered (ok, truncated, refusal_or_null): a completion that was billed and
// that the same request would repeat. False for http_error and bad_response.
bool judge_response_is_cacheable(const JudgeResponse& response);

// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso();

// $PPBENCH_CACHE_DIR/judge.sqlite, else $XDG_CACHE_HOME/ppbench/judge.sqlite, else
// ~/.cache/ppbench/judge.sqlite (common/cache_dir.h).
std::string default_judge_cache_path();

// An open cache file. Opening creates the file (and its folder) when missing, switches it to
// WAL journal mode, sets a busy timeout so concurrent writers wait instead of failing, and
// checks the schema version. Every SQLite error is thrown as std::runtime_error naming the file
// and the statement. One object may be shared by the threads of a process (calls are
// serialised); other processes open their own.
class JudgeCache {
 public:
  static constexpr int kSchemaVersion = 1;

  // busy_timeout_ms: how long a statement waits for another process's lock before failing.
  explicit JudgeCache(const std::string& path, int busy_timeout_ms = 30000);
  ~JudgeCache();
  JudgeCache(const JudgeCache&) = delete;
  JudgeCache& operator=(const JudgeCache&) = delete;

  const std::string& path() const { return path_; }

  std::optional<CachedJudgement> get(const std::string& key) const;
  // The stored entries among `keys` (absent keys are simply not in the map); one read transaction.
  std::map<std::string, CachedJudgement> get_many(const std::vector<std::string>& keys) const;
  bool contains(const std::string& key) const;
  // Stores `entry` unless `key` is already present (first write wins). Returns true when this
  // call inserted the row. Store answers only (judge_response_is_cacheable).
  bool put(const std::string& key, const CachedJudgement& entry);
  int64_t count() const;

  // The journal mode SQLite reports for the connection ("wal" once opened).
  std::string journal_mode() const;

 private:
  struct Statement;
  void exec(const char* sql) const;
  [[noreturn]] void fail(const std::string& what, const char* sql, int rc) const;
  void open_schema();
  std::optional<CachedJudgement> get_locked(const std::string& key) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> get_stmt_;
  std::unique_ptr<Statement> put_stmt_;
  std::unique_ptr<Statement> count_stmt_;
  mutable std::mutex mutex_;
};

// Offline re-scoring: the keys among `needed` that the cache lacks, in the order first needed,
// each listed once.
std::vector<std::string> missing_keys(const JudgeCache& cache, const std::vector<std::string>& needed);

// Throws std::runtime_error when `needed` has keys the cache lacks, listing them (the first
// `max_listed`, then how many more) with the cache file's path. For --judge-offline.
void require_cached(const JudgeCache& cache, const std::vector<std::string>& needed, size_t max_listed = 50);

}  // namespace ppb::metrics
