#include "metrics/judge_cache.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/cache_dir.h"
#include "common/sha256.h"

namespace fs = std::filesystem;

namespace ppb::metrics {

namespace {

const char* const kCreateVersion = "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)";
const char* const kCreateJudgements =
    "CREATE TABLE IF NOT EXISTS judgements("
    "key TEXT PRIMARY KEY NOT NULL, "
    "model_requested TEXT NOT NULL, "
    "model_resolved TEXT NOT NULL, "
    "system_fingerprint TEXT NOT NULL, "
    "content TEXT NOT NULL, "
    "finish_reason TEXT NOT NULL, "
    "outcome TEXT NOT NULL, "
    "prompt_tokens INTEGER NOT NULL, "
    "completion_tokens INTEGER NOT NULL, "
    "created_at TEXT NOT NULL, "
    "response_body TEXT NOT NULL) WITHOUT ROWID";
const char* const kSelectVersion = "SELECT version FROM schema_version";
const char* const kInsertVersion = "INSERT INTO schema_version(version) VALUES (?1)";
const char* const kGet =
    "SELECT model_requested, model_resolved, system_fingerprint, content, finish_reason, outcome, "
    "prompt_tokens, completion_tokens, created_at, response_body FROM judgements WHERE key = ?1";
const char* const kPut =
    "INSERT OR IGNORE INTO judgements(key, model_requested, model_resolved, system_fingerprint, content, "
    "finish_reason, outcome, prompt_tokens, completion_tokens, created_at, response_body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
const char* const kCount = "SELECT COUNT(*) FROM judgements";

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

}  // namespace

// A prepared statement, reset (and its bindings cleared) after each use.
struct JudgeCache::Statement {
  const JudgeCache& owner;
  const char* sql;
  sqlite3_stmt* stmt = nullptr;

  Statement(const JudgeCache& c, const char* text) : owner(c), sql(text) {
    int rc = sqlite3_prepare_v2(owner.db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) owner.fail("prepare", sql, rc);
  }
  ~Statement() { sqlite3_finalize(stmt); }
  void reset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
  void bind(int i, const std::string& v) {
    int rc = sqlite3_bind_text(stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) owner.fail("bind", sql, rc);
  }
  void bind(int i, int64_t v) {
    int rc = sqlite3_bind_int64(stmt, i, static_cast<sqlite3_int64>(v));
    if (rc != SQLITE_OK) owner.fail("bind", sql, rc);
  }
  // Returns true when a row is ready, false when done.
  bool step() {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    reset();
    owner.fail("run", sql, rc);
  }
};

std::string judge_cache_canonical_request(const std::string& model, const nlohmann::json& messages,
                                          const nlohmann::json& params) {
  // nlohmann::json objects are std::maps: keys come out sorted at every depth.
  nlohmann::json request = nlohmann::json::object();
  request["model"] = model;
  request["messages"] = messages;
  request["params"] = params;
  return request.dump();
}

std::string judge_cache_key(const std::string& model, const nlohmann::json& messages, const nlohmann::json& params) {
  return sha256_hex(judge_cache_canonical_request(model, messages, params));
}

nlohmann::json judge_request_params(const JudgeClientOptions& options) {
  nlohmann::json params{{"temperature", options.temperature}};
  if (options.max_tokens > 0) params["max_tokens"] = options.max_tokens;
  if (options.seed) params["seed"] = *options.seed;
  if (options.azure) params["azure_deployment"] = options.azure_deployment;
  return params;
}

bool judge_response_is_cacheable(const JudgeResponse& response) {
  return response.outcome == JudgeOutcome::ok || response.outcome == JudgeOutcome::truncated ||
         response.outcome == JudgeOutcome::refusal_or_null;
}

std::string utc_now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string default_judge_cache_path() { return (fs::path(ppbench_cache_dir()) / "judge.sqlite").string(); }

void JudgeCache::fail(const std::string& what, const char* sql, int rc) const {
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  throw std::runtime_error("judge cache: cannot " + what + ": " + msg + " (sqlite code " + std::to_string(rc) +
                           "), file " + path_ + ", statement: " + (sql ? sql : "(none)"));
}

void JudgeCache::exec(const char* sql) const {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw std::runtime_error("judge cache: cannot run: " + msg + " (sqlite code " + std::to_string(rc) + "), file " +
                             path_ + ", statement: " + sql);
  }
}

JudgeCache::JudgeCache(const std::string& path, int busy_timeout_ms) : path_(path) {
  if (path_.empty()) throw std::runtime_error("judge cache: no file given");
  fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error("judge cache: cannot create the folder " + parent.string() + ": " + ec.message());
  }
  int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("judge cache: cannot open: " + msg + ", file " + path_);
  }
  try {
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // Switching a fresh file to WAL takes an exclusive lock, and SQLite may answer BUSY without
    // waiting when another process is doing the same: retry until the busy timeout is spent.
    const char* wal_sql = "PRAGMA journal_mode=WAL";
    std::string mode;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    for (;;) {
      sqlite3_stmt* s = nullptr;
      rc = sqlite3_prepare_v2(db_, wal_sql, -1, &s, nullptr);
      if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) mode = column_text(s, 0);
      }
      sqlite3_finalize(s);
      if (rc == SQLITE_ROW) break;
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      fail("switch to WAL journal mode", wal_sql, rc);
    }
    if (mode != "wal")
      throw std::runtime_error("judge cache: SQLite kept journal mode '" + mode +
                               "' instead of WAL (a network file system?), file " + path_);
    // In WAL mode NORMAL never corrupts the file; a power cut may lose the last answers, which
    // the next run asks again.
    exec("PRAGMA synchronous=NORMAL");
    open_schema();
    get_stmt_ = std::make_unique<Statement>(*this, kGet);
    put_stmt_ = std::make_unique<Statement>(*this, kPut);
    count_stmt_ = std::make_unique<Statement>(*this, kCount);
  } catch (...) {
    get_stmt_.reset();
    put_stmt_.reset();
    count_stmt_.reset();
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

JudgeCache::~JudgeCache() {
  get_stmt_.reset();
  put_stmt_.reset();
  count_stmt_.reset();
  if (db_) sqlite3_close(db_);
}

void JudgeCache::open_schema() {
  // IMMEDIATE: the write lock is taken up front, so two processes creating the file at once
  // queue here instead of both inserting a version row.
  exec("BEGIN IMMEDIATE");
  try {
    exec(kCreateVersion);
    exec(kCreateJudgements);
    std::optional<int64_t> version;
    {
      Statement sel(*this, kSelectVersion);
      while (sel.step()) {
        int64_t v = sqlite3_column_int64(sel.stmt, 0);
        if (version && *version != v)
          throw std::runtime_error("judge cache: schema_version holds several versions, file " + path_);
        version = v;
      }
    }
    if (!version) {
      Statement ins(*this, kInsertVersion);
      ins.bind(1, static_cast<int64_t>(kSchemaVersion));
      ins.step();
    } else if (*version != kSchemaVersion) {
      throw std::runtime_error("judge cache: schema version " + std::to_string(*version) + ", this ppbench reads " +
                               std::to_string(kSchemaVersion) + ", file " + path_);
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::optional<CachedJudgement> JudgeCache::get_locked(const std::string& key) const {
  Statement& s = *get_stmt_;
  s.bind(1, key);
  std::optional<CachedJudgement> out;
  if (s.step()) {
    CachedJudgement j;
    j.model_requested = column_text(s.stmt, 0);
    j.model_resolved = column_text(s.stmt, 1);
    j.system_fingerprint = column_text(s.stmt, 2);
    j.content = column_text(s.stmt, 3);
    j.finish_reason = column_text(s.stmt, 4);
    j.outcome = column_text(s.stmt, 5);
    j.prompt_tokens = sqlite3_column_int64(s.stmt, 6);
    j.completion_tokens = sqlite3_column_int64(s.stmt, 7);
    j.created_at = column_text(s.stmt, 8);
    j.response_body = column_text(s.stmt, 9);
    out = std::move(j);
  }
  s.reset();
  return out;
}

std::optional<CachedJudgement> JudgeCache::get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return get_locked(key);
}

bool JudgeCache::contains(const std::string& key) const { return get(key).has_value(); }

std::map<std::string, CachedJudgement> JudgeCache::get_many(const std::vector<std::string>& keys) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, CachedJudgement> out;
  exec("BEGIN");  // one snapshot for the whole batch
  try {
    for (const auto& k : keys) {
      if (out.count(k)) continue;
      if (auto j = get_locked(k)) out.emplace(k, std::move(*j));
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return out;
}

bool JudgeCache::put(const std::string& key, const CachedJudgement& e) {
  if (key.empty()) throw std::runtime_error("judge cache: empty key, file " + path_);
  std::lock_guard<std::mutex> lock(mutex_);
  Statement& s = *put_stmt_;
  s.bind(1, key);
  s.bind(2, e.model_requested);
  s.bind(3, e.model_resolved);
  s.bind(4, e.system_fingerprint);
  s.bind(5, e.content);
  s.bind(6, e.finish_reason);
  s.bind(7, e.outcome);
  s.bind(8, e.prompt_tokens);
  s.bind(9, e.completion_tokens);
  s.bind(10, e.created_at.empty() ? utc_now_iso() : e.created_at);
  s.bind(11, e.response_body);
  s.step();
  bool inserted = sqlite3_changes(db_) > 0;
  s.reset();
  return inserted;
}

int64_t JudgeCache::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement& s = *count_stmt_;
  int64_t n = s.step() ? sqlite3_column_int64(s.stmt, 0) : 0;
  s.reset();
  return n;
}

std::string JudgeCache::journal_mode() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(*this, "PRAGMA journal_mode");
  return s.step() ? column_text(s.stmt, 0) : std::string();
}

std::vector<std::string> missing_keys(const JudgeCache& cache, const std::vector<std::string>& needed) {
  auto found = cache.get_many(needed);
  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const auto& k : needed)
    if (!found.count(k) && seen.insert(k).second) missing.push_back(k);
  return missing;
}

void require_cached(const JudgeCache& cache, const std::vector<std::string>& needed, size_t max_listed) {
  auto missing = missing_keys(cache, needed);
  if (missing.empty()) return;
  std::string list;
  for (size_t i = 0; i < missing.size() && i < max_listed; ++i) list += (i ? ", " : "") + missing[i];
  if (missing.size() > max_listed) list += ", and " + std::to_string(missing.size() - max_listed) + " more";
  throw std::runtime_error("judge offline: " + std::to_string(missing.size()) + " of the needed judgements are not in " +
                           "the cache, file " + cache.path() + "; missing keys: " + list);
}

CachedJudgement cached_judgement_of(const JudgeResponse& r, const std::string& model_requested) {
  CachedJudgement c;
  c.model_requested = model_requested;
  c.model_resolved = r.model;
  c.system_fingerprint = r.system_fingerprint;
  c.content = r.content;
  c.finish_reason = r.finish_reason;
  c.outcome = r.outcome_name;
  c.prompt_tokens = r.prompt_tokens;
  c.completion_tokens = r.completion_tokens;
  c.response_body = r.raw_body;
  return c;
}

}  // namespace ppb::metrics
