// The judge cache (SQLite, WAL, several processes) and the usage / cost tally.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "metrics/judge_cache.h"
#include "metrics/judge_pricing.h"
#include "tests/test_support.h"

using nlohmann::json;
using ppb::metrics::CachedJudgement;
using ppb::metrics::JudgeCache;
using ppb::metrics::JudgePrices;
using ppb::metrics::UsageTally;
using ppb::metrics::judge_cache_key;
using ppb::metrics::missing_keys;

namespace {

CachedJudgement make_entry(const std::string& content) {
  CachedJudgement e;
  e.model_requested = "gpt-3.5-turbo";
  e.model_resolved = "gpt-3.5-turbo-0125";
  e.system_fingerprint = "fp_0123abcd";
  e.content = content;
  e.finish_reason = "stop";
  e.outcome = "ok";
  e.prompt_tokens = 120;
  e.completion_tokens = 7;
  e.created_at = "2026-01-02T03:04:05Z";
  e.response_body = R"({"id":"chatcmpl-1","choices":[{"message":{"content":")" + content + R"("}}]})";
  return e;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("judge cache key is sha256 of the canonical request", "[judge]") {
  const json messages = json::array({{{"role", "user"}, {"content", "hi"}}});
  const json params = {{"temperature", 0}};
  const std::string canonical = R"({"messages":[{"content":"hi","role":"user"}],"model":"m","params":{"temperature":0}})";
  CHECK(ppb::metrics::judge_cache_canonical_request("m", messages, params) == canonical);
  // Computed independently (sha256sum of the 84 bytes above).
  CHECK(judge_cache_key("m", messages, params) == "eec9195c92b98cb7a41074ec93a495cbc3702486f6721f09f0fd5eeb8ef99a84");
  CHECK(judge_cache_key("m", messages, params) == ppb::sha256_hex(canonical));
}

TEST_CASE("judge cache key ignores key order and sees every change", "[judge]") {
  const json m1 = json::parse(R"([{"role":"system","content":"judge"},{"role":"user","content":"Q: x\nA: y"}])");
  const json m2 = json::parse(R"([{"content":"judge","role":"system"},{"content":"Q: x\nA: y","role":"user"}])");
  const json p1 = json::parse(R"({"temperature":0,"max_tokens":64,"response_format":{"type":"json_object"}})");
  const json p2 = json::parse(R"({"response_format":{"type":"json_object"},"max_tokens":64,"temperature":0})");
  const std::string k = judge_cache_key("gpt-3.5-turbo-0125", m1, p1);
  CHECK(k.size() == 64);
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m2, p2) == k);

  CHECK(judge_cache_key("gpt-3.5-turbo-0613", m1, p1) != k);  // model
  json m3 = m1;
  m3[1]["content"] = "Q: x\nA: z";
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m3, p1) != k);  // message text
  json m4 = json::array({m1[1], m1[0]});
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m4, p1) != k);  // message order matters
  json p3 = p1;
  p3["max_tokens"] = 65;
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m1, p3) != k);  // a parameter value
  json p4 = p1;
  p4["seed"] = 1;
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m1, p4) != k);  // an added parameter
  json p5 = p1;
  p5["temperature"] = 0.0;
  CHECK(judge_cache_key("gpt-3.5-turbo-0125", m1, p5) != k);  // 0 and 0.0 are written differently
}

TEST_CASE("judge cache stores, returns and keeps the first answer", "[judge]") {
  ppb::test::TempDir dir("judge-cache");
  const std::string path = dir / "sub/judge.sqlite";  // the folder is created
  JudgeCache cache(path);
  CHECK(cache.count() == 0);
  CHECK_FALSE(cache.get("k1").has_value());

  CachedJudgement e = make_entry("{'pred': 'yes', 'score': 4}");
  e.content += "\n\"quoted\" ünïcode";
  CHECK(cache.put("k1", e));
  auto got = cache.get("k1");
  REQUIRE(got.has_value());
  CHECK(got->model_requested == e.model_requested);
  CHECK(got->model_resolved == e.model_resolved);
  CHECK(got->system_fingerprint == e.system_fingerprint);
  CHECK(got->content == e.content);
  CHECK(got->finish_reason == "stop");
  CHECK(got->outcome == "ok");
  CHECK(got->prompt_tokens == 120);
  CHECK(got->completion_tokens == 7);
  CHECK(got->created_at == "2026-01-02T03:04:05Z");
  CHECK(got->response_body == e.response_body);

  // First write wins.
  CHECK_FALSE(cache.put("k1", make_entry("{'pred': 'no', 'score': 1}")));
  CHECK(cache.get("k1")->content == e.content);
  CHECK(cache.count() == 1);

  // An empty created_at is filled with the UTC time.
  CachedJudgement e2 = make_entry("b");
  e2.created_at.clear();
  CHECK(cache.put("k2", e2));
  std::string t = cache.get("k2")->created_at;
  REQUIRE(t.size() == 20);
  CHECK(t[4] == '-');
  CHECK(t[10] == 'T');
  CHECK(t.back() == 'Z');

  // Survives reopening; get_many returns present keys only.
  JudgeCache again(path);
  CHECK(again.count() == 2);
  auto many = again.get_many({"k2", "nope", "k1", "k2"});
  CHECK(many.size() == 2);
  CHECK(many.at("k1").content == e.content);
  CHECK(many.at("k2").content == "b");
}

TEST_CASE("judge cache runs in WAL mode with a schema version", "[judge]") {
  ppb::test::TempDir dir("judge-cache-wal");
  const std::string path = dir / "judge.sqlite";
  {
    JudgeCache cache(path);
    CHECK(cache.journal_mode() == "wal");
  }
  // Another connection sees WAL persisted in the file, and the version row.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "wal");
  sqlite3_finalize(s);
  REQUIRE(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(sqlite3_column_int(s, 0) == JudgeCache::kSchemaVersion);
  sqlite3_finalize(s);
  REQUIRE(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  // A future schema is refused, naming the file.
  try {
    JudgeCache cache(path);
    FAIL("opened a cache with schema version 99");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("schema version 99") && Catch::Contains(path));
  }
}

TEST_CASE("judge cache errors name the file", "[judge]") {
  ppb::test::TempDir dir("judge-cache-err");
  ppb::test::put(dir / "plain", "not a folder");
  const std::string bad = dir / "plain/judge.sqlite";
  try {
    JudgeCache cache(bad);
    FAIL("opened a cache under a regular file");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(dir / "plain"));
  }
  ppb::test::put(dir / "garbage.sqlite", std::string(4096, 'x'));
  try {
    JudgeCache cache(dir / "garbage.sqlite");
    FAIL("opened a file that is not a database");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(dir / "garbage.sqlite") && Catch::Contains("statement"));
  }
}

TEST_CASE("judge cache takes writes from two processes at once", "[judge]") {
  ppb::test::TempDir dir("judge-cache-procs");
  const std::string path = dir / "judge.sqlite";  // created by the children, racing
  int go[2];
  REQUIRE(pipe(go) == 0);
  std::vector<pid_t> kids;
  for (int child = 0; child < 2; ++child) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(go[1]);
      char c;
      if (read(go[0], &c, 1) != 0) _exit(3);  // wait until the parent closes the pipe
      int rc = 0;
      try {
        JudgeCache cache(path);
        for (int i = 0; i < 200; ++i) {
          std::string key = "child" + std::to_string(child) + "-" + std::to_string(i);
          if (!cache.put(key, make_entry(key))) rc = 2;
        }
      } catch (...) {
        rc = 1;
      }
      _exit(rc);
    }
    kids.push_back(pid);
  }
  close(go[0]);
  close(go[1]);  // both children start now
  for (pid_t pid : kids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  JudgeCache cache(path);
  CHECK(cache.count() == 400);
  CHECK(cache.get("child0-199")->content == "child0-199");
  CHECK(cache.get("child1-0")->content == "child1-0");
}

TEST_CASE("judge cache lists the keys an offline run lacks", "[judge]") {
  ppb::test::TempDir dir("judge-cache-offline");
  JudgeCache cache(dir / "judge.sqlite");
  cache.put("a", make_entry("A"));
  cache.put("c", make_entry("C"));
  CHECK(missing_keys(cache, {"a", "b", "c", "d", "b"}) == std::vector<std::string>{"b", "d"});
  CHECK(missing_keys(cache, {"c", "a"}).empty());
  CHECK(missing_keys(cache, {}).empty());
  CHECK_NOTHROW(ppb::metrics::require_cached(cache, {"a", "c"}));
  try {
    ppb::metrics::require_cached(cache, {"a", "b", "zz"});
    FAIL("no error for missing keys");
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("2 of") && Catch::Contains("b, zz") && Catch::Contains(cache.path()));
  }
  try {
    ppb::metrics::require_cached(cache, {"x1", "x2", "x3"}, 2);
    FAIL("no error for missing keys");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("x1, x2, and 1 more"));
  }
}

TEST_CASE("judge cache file never holds the API key", "[judge]") {
  ppb::test::TempDir dir("judge-cache-secret");
  const std::string path = dir / "judge.sqlite";
  const std::string api_key = "sk-proj-T3stK3yNeverStored0123456789abcdefXYZ";
  {
    JudgeCache cache(path);
    // A realistic request: the key travels in a header, which the cache key does not hash.
    const json messages = json::array({{{"role", "user"}, {"content", "rate this answer"}}});
    const json params = {{"temperature", 0}, {"max_tokens", 32}};
    for (int i = 0; i < 20; ++i) {
      std::string key = judge_cache_key("gpt-3.5-turbo", messages, {{"temperature", 0}, {"n", i}});
      cache.put(key, make_entry("marker-content-" + std::to_string(i)));
    }
    CHECK(cache.count() == 20);
    (void)params;
  }
  std::string bytes;
  for (const char* suffix : {"", "-wal", "-shm"})
    if (std::filesystem::exists(path + suffix)) bytes += slurp(path + suffix);
  CHECK(bytes.find("marker-content-7") != std::string::npos);  // the scan does see stored text
  CHECK(bytes.find(api_key) == std::string::npos);
  CHECK(bytes.find("sk-proj-") == std::string::npos);
}

TEST_CASE("judge prices give costs, null for unknown models", "[judge]") {
  JudgePrices prices = JudgePrices::load(ppb::metrics::default_judge_prices_path());
  // gpt-3.5-turbo-0125: $0.50 / 1M prompt, $1.50 / 1M completion.
  auto c = prices.cost_usd("gpt-3.5-turbo-0125", 1000000, 200000);
  REQUIRE(c.has_value());
  CHECK(*c == Approx(0.50 + 0.30));
  CHECK_FALSE(prices.cost_usd("my-local-judge", 10, 10).has_value());

  JudgePrices custom = JudgePrices::from_json(json::parse(R"({"models": {
      "judge-x": {"prompt_usd_per_1m": 2, "completion_usd_per_1m": 8},
      "judge-*": {"prompt_usd_per_1m": 1, "completion_usd_per_1m": 1},
      "judge-y*": {"prompt_usd_per_1m": 3, "completion_usd_per_1m": 4}}})"),
                                              "inline");
  CHECK(*custom.cost_usd("judge-x", 500000, 250000) == Approx(1.0 + 2.0));  // exact beats prefix
  CHECK(*custom.cost_usd("judge-y-2025", 1000000, 1000000) == Approx(7.0));  // longest prefix
  CHECK(*custom.cost_usd("judge-z", 1000000, 0) == Approx(1.0));
  CHECK_FALSE(custom.cost_usd("other", 1, 1).has_value());
  CHECK_THROWS_WITH(JudgePrices::from_json(json::parse(R"({"models": {"m": {"prompt_usd_per_1m": -1,
      "completion_usd_per_1m": 1}}})"), "prices.json"),
                    Catch::Contains("'m'") && Catch::Contains("prices.json"));
  CHECK_THROWS(JudgePrices::from_json(json::parse(R"({"m": 1})"), "x"));
}

TEST_CASE("usage tally counts calls, cache hits, tokens and cost per task", "[judge]") {
  JudgePrices prices = JudgePrices::from_json(
      json::parse(R"({"models": {"j": {"prompt_usd_per_1m": 1.0, "completion_usd_per_1m": 2.0}}})"), "inline");
  UsageTally t;
  t.add("j", 1000, 100, /*from_cache=*/false, prices);
  t.add("j", 2000, 300, /*from_cache=*/true, prices);
  t.add("j", 500, 50, /*from_cache=*/true, prices);
  json j = t.to_json();
  CHECK(j["calls_made"] == 1);
  CHECK(j["served_from_cache"] == 2);
  CHECK(j["prompt_tokens"] == 3500);
  CHECK(j["completion_tokens"] == 450);
  // (3500 * 1 + 450 * 2) / 1e6 = 0.0044; this run: (1000 + 200) / 1e6 = 0.0012.
  CHECK(j["estimated_cost_usd"].get<double>() == Approx(0.0044));
  CHECK(j["estimated_cost_this_run_usd"].get<double>() == Approx(0.0012));
  CHECK(j["unpriced_models"].empty());

  UsageTally u;
  u.add("unknown-judge", 10, 1, false, prices);
  json ju = u.to_json();
  CHECK(ju["estimated_cost_usd"].is_null());
  CHECK(ju["prompt_tokens"] == 10);
  CHECK(ju["unpriced_models"] == json::array({"unknown-judge"}));

  json all = ppb::metrics::usage_by_task_to_json({{"msvd_qa", t}, {"vcg_generic", u}});
  CHECK(all["msvd_qa"]["estimated_cost_usd"].get<double>() == Approx(0.0044));
  CHECK(all["total"]["calls_made"] == 2);
  CHECK(all["total"]["served_from_cache"] == 2);
  CHECK(all["total"]["estimated_cost_usd"].is_null());  // one model has no price
}
