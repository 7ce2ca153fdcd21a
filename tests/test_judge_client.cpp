// The judge client against tests/judge_server.py (a local OpenAI-compatible server with
// injected faults), and the retry policy's pure functions.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/http_retry.h"
#include "metrics/judge_client.h"
#include "tests/judge_server_process.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace ppb::metrics;

using ppb::test::JudgeServer;

namespace {

const char* const kKeyEnv = "PPB_JUDGE_TEST_KEY";
const char* const kKey = "sk-test-Zq81secretJudgeKey";

// Sends fd 2 to a file until finish().
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::cerr.flush();
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  std::string finish() {
    if (saved_ >= 0) {
      std::cerr.flush();
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
    return ppb::test::read_file(path_);
  }
  ~StderrCapture() { finish(); }

 private:
  std::string path_;
  int saved_ = -1;
};

JudgeClientOptions options_for(const JudgeServer& server) {
  ::setenv(kKeyEnv, kKey, 1);
  JudgeClientOptions o;
  o.base_url = server.url();
  o.api_key_env = kKeyEnv;
  o.api_key_file_env = "";
  o.model = "gpt-4o-2024-11-20";
  o.connect_timeout_s = 5;
  o.total_timeout_s = 20;
  o.max_attempts = 3;
  o.backoff_seed = 7;
  return o;
}

JudgeRequest qa(const std::string& id, const std::string& pred, const std::string& answer,
                const std::string& marker = "") {
  JudgeRequest r;
  r.id = id;
  r.messages = {{"system", "You are an evaluator of question-answer pairs."},
                {"user", "Question: what is shown? (" + id + ")\nCorrect Answer: " + answer + "\nPredicted Answer: " +
                             pred + "\n" + marker}};
  return r;
}

JudgeResponse one(const JudgeClientOptions& o, const JudgeRequest& r) {
  auto out = run_judge_batch(o, {r});
  REQUIRE(out.size() == 1);
  return out[0];
}

}  // namespace

TEST_CASE("retry policy: retryable statuses and header parsing", "[judge]") {
  for (long s : {408L, 409L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(is_retryable_status(s));
  for (long s : {200L, 400L, 401L, 403L, 404L, 422L}) CHECK_FALSE(is_retryable_status(s));

  CHECK(parse_should_retry("true") == std::optional<bool>(true));
  CHECK(parse_should_retry(" FALSE ") == std::optional<bool>(false));
  CHECK_FALSE(parse_should_retry("maybe").has_value());

  CHECK(*parse_retry_after_ms("250") == Approx(0.25));
  CHECK(*parse_retry_after_ms("12.5") == Approx(0.0125));
  CHECK_FALSE(parse_retry_after_ms("soon").has_value());

  const std::time_t date = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == std::optional<std::time_t>(date));
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == std::optional<std::time_t>(date));
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == std::optional<std::time_t>(date));
  CHECK_FALSE(parse_http_date("yesterday").has_value());
  CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT").has_value());

  CHECK(*parse_retry_after("2", date) == Approx(2.0));
  CHECK(*parse_retry_after("1.5", date) == Approx(1.5));
  CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date - 30) == Approx(30.0));
  CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date + 5) == Approx(-5.0));
  CHECK_FALSE(parse_retry_after("-3", date).has_value());
  CHECK_FALSE(parse_retry_after("", date).has_value());
}

TEST_CASE("retry policy: backoff bounds", "[judge]") {
  const RetryPolicy p;
  CHECK(backoff_delay_s(0, 0.0, p) == Approx(0.5));
  CHECK(backoff_delay_s(1, 0.0, p) == Approx(1.0));
  CHECK(backoff_delay_s(3, 0.0, p) == Approx(4.0));
  CHECK(backoff_delay_s(4, 0.0, p) == Approx(8.0));
  CHECK(backoff_delay_s(30, 0.0, p) == Approx(8.0));
  for (int k = 0; k < 8; ++k) {
    const double raw = std::min(0.5 * std::pow(2.0, k), 8.0);
    for (double u : {0.0, 0.3, 0.999}) {
      const double d = backoff_delay_s(k, u, p);
      CHECK(d <= raw + 1e-12);
      CHECK(d >= 0.75 * raw - 1e-12);
    }
  }
}

TEST_CASE("retry policy: decisions", "[judge]") {
  RetryPolicy p;
  p.max_attempts = 3;
  const std::time_t now = 1700000000;
  AttemptResult a;
  a.http_status = 429;
  a.retry_after = "3";
  auto d = decide_retry(a, p, 0.5, now);
  CHECK(d.retry);
  CHECK(d.delay_s == Approx(3.0));

  a.retry_after_ms = "100";  // takes precedence over Retry-After
  d = decide_retry(a, p, 0.5, now);
  CHECK(d.retry);
  CHECK(d.delay_s == Approx(0.1));

  AttemptResult far;
  far.http_status = 429;
  far.retry_after = "500";  // beyond the 120 s maximum: the backoff applies instead
  const RetryDecision far_d = decide_retry(far, p, 0.5, now);
  CHECK(far_d.retry);
  CHECK(far_d.delay_s == Approx(0.5 * (1 - 0.25 * 0.5)));
  CHECK_THAT(far_d.reason, Catch::Contains("exceeds the maximum wait"));

  AttemptResult zero;
  zero.http_status = 503;
  zero.retry_after = "0";  // not a usable hint: backoff
  d = decide_retry(zero, p, 0.0, now);
  CHECK(d.retry);
  CHECK(d.delay_s == Approx(0.5));

  AttemptResult told_no;
  told_no.http_status = 500;
  told_no.x_should_retry = "false";
  CHECK_FALSE(decide_retry(told_no, p, 0.5, now).retry);

  AttemptResult told_yes;
  told_yes.http_status = 400;
  told_yes.x_should_retry = "true";
  CHECK(decide_retry(told_yes, p, 0.5, now).retry);

  AttemptResult bad;
  bad.http_status = 400;
  CHECK_FALSE(decide_retry(bad, p, 0.5, now).retry);

  AttemptResult quota;
  quota.http_status = 429;
  quota.quota_exhausted = true;
  quota.x_should_retry = "true";
  CHECK_FALSE(decide_retry(quota, p, 0.5, now).retry);

  AttemptResult transport;
  transport.transport_error = true;
  transport.attempts_made = 2;
  d = decide_retry(transport, p, 0.999, now);
  CHECK(d.retry);
  CHECK(d.delay_s >= 0.75 - 1e-9);
  CHECK(d.delay_s <= 1.0);

  transport.attempts_made = 3;  // the cap
  CHECK_FALSE(decide_retry(transport, p, 0.5, now).retry);
}

TEST_CASE("judge client: model ids, endpoint and key", "[judge]") {
  CHECK(model_id_is_dated("gpt-4o-2024-11-20"));
  CHECK(model_id_is_dated("gpt-3.5-turbo-0613"));
  CHECK(model_id_is_dated("gpt-4-0125-preview"));
  CHECK_FALSE(model_id_is_dated("gpt-4o"));
  CHECK_FALSE(model_id_is_dated("gpt-3.5-turbo"));

  JudgeClientOptions o;
  o.base_url = "https://api.example.com/v1/";
  CHECK(judge_endpoint_url(o) == "https://api.example.com/v1/chat/completions");
  o.azure = true;
  o.base_url = "https://res.openai.azure.com";
  o.azure_deployment = "judge35";
  o.azure_api_version = "2023-07-01-preview";
  CHECK(judge_endpoint_url(o) ==
        "https://res.openai.azure.com/openai/deployments/judge35/chat/completions?api-version=2023-07-01-preview");

  ppb::test::TempDir dir("judge_key");
  ppb::test::put(dir / "key.txt", "  sk-from-file\n");
  JudgeClientOptions k;
  k.api_key_env = "PPB_JUDGE_TEST_NO_SUCH_VAR";
  k.api_key_file_env = "PPB_JUDGE_TEST_KEY_FILE";
  ::unsetenv("PPB_JUDGE_TEST_NO_SUCH_VAR");
  ::setenv("PPB_JUDGE_TEST_KEY_FILE", (dir / "key.txt").c_str(), 1);
  CHECK(read_judge_api_key(k) == "sk-from-file");
  ::unsetenv("PPB_JUDGE_TEST_KEY_FILE");
  CHECK_THROWS_WITH(read_judge_api_key(k), Catch::Contains("PPB_JUDGE_TEST_NO_SUCH_VAR"));
  CHECK_THROWS(run_judge_batch(k, {qa("x", "a", "b")}));
}

TEST_CASE("judge client: ordinary answers, OpenAI and Azure forms", "[judge]") {
  JudgeServer server(kKey);
  auto o = options_for(server);
  o.seed = 42;
  const std::vector<JudgeRequest> reqs = {qa("a", "a brown dog runs", "the dog"), qa("b", "a cat", "a horse"),
                                          JudgeRequest{"c", {{"user", "Rate the detail of this caption."}}}};
  const auto out = run_judge_batch(o, reqs);
  REQUIRE(out.size() == 3);
  CHECK(out[0].id == "a");
  CHECK(out[0].outcome == JudgeOutcome::ok);
  CHECK(out[0].outcome_name == "ok");
  CHECK(out[0].content == "{'pred': 'yes', 'score': 4}");
  CHECK(out[1].content == "{'pred': 'no', 'score': 1}");
  CHECK(out[2].content == "{'score': 3}");
  CHECK(out[0].finish_reason == "stop");
  CHECK(out[0].model == "gpt-4o-2024-11-20");
  CHECK(out[0].system_fingerprint == "fp_test");
  CHECK(out[0].prompt_tokens > 0);
  CHECK(out[0].completion_tokens == 4);
  CHECK(out[0].attempts == 1);
  CHECK(out[0].http_status == 200);
  CHECK(out[0].error.empty());
  CHECK(out[0].raw_body.find("chat.completion") != std::string::npos);

  auto az = o;
  az.azure = true;
  az.base_url = server.root();
  az.azure_deployment = "judge35";
  const auto r = one(az, qa("az", "red", "red"));
  CHECK(r.outcome == JudgeOutcome::ok);
  CHECK(r.content == "{'pred': 'yes', 'score': 4}");

  ::setenv(kKeyEnv, "sk-wrong", 1);
  const auto denied = one(o, qa("denied", "red", "red"));
  ::setenv(kKeyEnv, kKey, 1);
  CHECK(denied.outcome == JudgeOutcome::http_error);
  CHECK(denied.http_status == 401);
  CHECK(denied.attempts == 1);
}

TEST_CASE("judge client: Retry-After and retry-after-ms are honoured", "[judge]") {
  JudgeServer server(kKey);
  const auto o = options_for(server);
  const auto r = one(o, qa("ra", "red", "red", "[fault:429:retry_after=1,times=1]"));
  CHECK(r.outcome == JudgeOutcome::ok);
  CHECK(r.attempts == 2);
  CHECK(r.total_ms >= 1000.0);
  CHECK(r.total_ms < 1000.0 + 8000.0);

  const auto m = one(o, qa("rams", "red", "red", "[fault:503:retry_after_ms=700,retry_after=5,times=1]"));
  CHECK(m.outcome == JudgeOutcome::ok);
  CHECK(m.attempts == 2);
  CHECK(m.total_ms >= 700.0);
  CHECK(m.total_ms < 5000.0);  // retry-after-ms wins over Retry-After

  // A stated wait beyond the 120 s maximum gives way to the backoff (0.5 s at the first retry).
  const auto far = one(o, qa("far", "red", "red", "[fault:429:retry_after=500,times=1]"));
  CHECK(far.outcome == JudgeOutcome::ok);
  CHECK(far.attempts == 2);
  CHECK(far.total_ms >= 0.5 * 0.75 * 1000.0);
  CHECK(far.total_ms < 5000.0);
}

TEST_CASE("judge client: server errors, resets, stalls and garbled bodies", "[judge]") {
  JudgeServer server(kKey);
  auto o = options_for(server);
  o.total_timeout_s = 1.0;
  const std::vector<JudgeRequest> reqs = {
      qa("e500", "red", "red", "[fault:500:times=1]"),
      qa("e503", "red", "red", "[fault:503:times=2]"),
      qa("reset", "red", "red", "[fault:reset:times=1]"),
      qa("stall1", "red", "red", "[fault:stall:stall_s=4,times=1]"),
      qa("stall", "red", "red", "[fault:stall:stall_s=4]"),
      qa("mal1", "red", "red", "[fault:malformed:times=1]"),
      qa("mal", "red", "red", "[fault:malformed]"),
      qa("always500", "red", "red", "[fault:500]"),
      qa("no_retry", "red", "red", "[fault:500:should_retry=false]"),
      qa("e400", "red", "red", "[fault:400]"),
      qa("quota", "red", "red", "[fault:quota]"),
      qa("null", "red", "red", "[fault:null]"),
      qa("refusal", "red", "red", "[fault:refusal]"),
      qa("length", "red", "red", "[fault:length]"),
  };
  std::vector<std::string> progressed;
  const auto out = run_judge_batch(o, reqs, [&](size_t done, size_t total, const JudgeResponse& r) {
    CHECK(total == reqs.size());
    CHECK(done == progressed.size() + 1);
    progressed.push_back(r.id);
  });
  REQUIRE(out.size() == reqs.size());
  std::map<std::string, JudgeResponse> by;
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].id == reqs[i].id);
    by[out[i].id] = out[i];
  }
  CHECK(by["e500"].outcome == JudgeOutcome::ok);
  CHECK(by["e500"].attempts == 2);
  CHECK(by["e503"].outcome == JudgeOutcome::ok);
  CHECK(by["e503"].attempts == 3);
  CHECK(by["reset"].outcome == JudgeOutcome::ok);
  CHECK(by["reset"].attempts == 2);
  CHECK(by["stall1"].outcome == JudgeOutcome::ok);
  CHECK(by["stall1"].attempts == 2);
  CHECK(by["stall"].outcome == JudgeOutcome::http_error);
  CHECK(by["stall"].attempts == 3);
  CHECK(by["stall"].http_status == 0);
  CHECK_THAT(by["stall"].error, Catch::Contains("transport"));
  CHECK(by["mal1"].outcome == JudgeOutcome::ok);
  CHECK(by["mal1"].attempts == 2);
  CHECK(by["mal"].outcome == JudgeOutcome::bad_response);
  CHECK(by["mal"].outcome_name == "bad_response");
  CHECK(by["mal"].attempts == 3);
  CHECK(by["always500"].outcome == JudgeOutcome::http_error);
  CHECK(by["always500"].attempts == 3);
  CHECK(by["always500"].http_status == 500);
  CHECK(by["no_retry"].attempts == 1);
  CHECK(by["e400"].outcome == JudgeOutcome::http_error);
  CHECK(by["e400"].attempts == 1);
  CHECK(by["quota"].outcome == JudgeOutcome::http_error);
  CHECK(by["quota"].http_status == 429);
  CHECK(by["quota"].attempts == 1);
  CHECK_THAT(by["quota"].error, Catch::Contains("insufficient_quota"));
  CHECK(by["null"].outcome == JudgeOutcome::refusal_or_null);
  CHECK(by["null"].attempts == 1);
  CHECK(by["refusal"].outcome == JudgeOutcome::refusal_or_null);
  CHECK(by["refusal"].refusal == "I can't help with that.");
  CHECK(by["length"].outcome == JudgeOutcome::truncated);
  CHECK(by["length"].finish_reason == "length");

  // Each request answered once; the server saw exactly the attempts the client counted.
  CHECK(progressed.size() == reqs.size());
  CHECK(std::set<std::string>(progressed.begin(), progressed.end()).size() == reqs.size());
  const auto stats = server.stats();
  int total_attempts = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    total_attempts += out[i].attempts;
    CHECK(stats["by_message"][reqs[i].messages.back().content].get<int>() == out[i].attempts);
  }
  CHECK(stats["requests"].get<int>() == total_attempts);
}

TEST_CASE("judge client: the attempt cap holds", "[judge]") {
  JudgeServer server(kKey);
  auto o = options_for(server);
  o.max_attempts = 1;
  const auto r = one(o, qa("cap1", "red", "red", "[fault:503]"));
  CHECK(r.attempts == 1);
  CHECK(r.outcome == JudgeOutcome::http_error);
  o.max_attempts = 2;
  const auto r2 = one(o, qa("cap2", "red", "red", "[fault:429:retry_after=0.2]"));
  CHECK(r2.attempts == 2);
  CHECK(server.stats()["requests"].get<int>() == 3);
}

TEST_CASE("judge client: requests run in parallel, bounded by the concurrency", "[judge]") {
  JudgeServer server(kKey, {"--latency-ms", "200"});
  auto o = options_for(server);
  o.concurrency = 8;
  std::vector<JudgeRequest> reqs;
  for (int i = 0; i < 16; ++i) reqs.push_back(qa("p" + std::to_string(i), "blue sky", "sky"));
  const auto out = run_judge_batch(o, reqs);
  REQUIRE(out.size() == 16);
  for (const auto& r : out) CHECK(r.outcome == JudgeOutcome::ok);
  const auto stats = server.stats();
  CHECK(stats["max_in_flight"].get<int>() >= 4);
  CHECK(stats["max_in_flight"].get<int>() <= 8);
  CHECK(stats["requests"].get<int>() == 16);

  JudgeServer serial(kKey, {"--latency-ms", "50"});
  auto s = options_for(serial);
  s.concurrency = 1;
  reqs.resize(4);
  run_judge_batch(s, reqs);
  CHECK(serial.stats()["max_in_flight"].get<int>() == 1);
}

TEST_CASE("judge client: a waiting retry does not hold up other requests", "[judge]") {
  JudgeServer server(kKey, {"--latency-ms", "20"});
  auto o = options_for(server);
  o.concurrency = 2;
  std::vector<JudgeRequest> reqs = {qa("slow", "red", "red", "[fault:429:retry_after=2,times=1]")};
  for (int i = 0; i < 6; ++i) reqs.push_back(qa("q" + std::to_string(i), "red", "red"));
  std::vector<std::string> order;
  run_judge_batch(o, reqs, [&](size_t, size_t, const JudgeResponse& r) { order.push_back(r.id); });
  REQUIRE(order.size() == reqs.size());
  CHECK(order.back() == "slow");
}

TEST_CASE("judge client: the key never reaches results or logs", "[judge]") {
  JudgeServer server(kKey);
  auto o = options_for(server);
  o.model = "gpt-4o";  // an undated alias: warned about on stderr
  o.total_timeout_s = 1.0;
  o.max_attempts = 2;
  ppb::test::TempDir dir("judge_stderr");
  StderrCapture capture(dir / "stderr.txt");
  const std::vector<JudgeRequest> reqs = {qa("k1", "red", "red"), qa("k2", "red", "red", "[fault:500]"),
                                          qa("k3", "red", "red", "[fault:reset]"),
                                          qa("k4", "red", "red", "[fault:malformed]"),
                                          qa("k5", "red", "red", "[fault:quota]"),
                                          qa("k6", "red", "red", "[fault:stall:stall_s=3]"),
                                          qa("k7", "red", "red", "[fault:echo_key]")};
  const auto out = run_judge_batch(o, reqs);
  const std::string err = capture.finish();
  CHECK_THAT(err, Catch::Contains("undated"));
  CHECK(err.find(kKey) == std::string::npos);
  REQUIRE(out.size() == reqs.size());
  CHECK(out[0].model == "gpt-4o-2024-01-01");
  // The server echoed the key in its error body: redacted in the error and the raw body.
  CHECK(out[6].outcome == JudgeOutcome::http_error);  // 400 is not retried
  CHECK_THAT(out[6].error + out[6].raw_body, Catch::Contains("[redacted]"));
  for (const auto& r : out) {
    for (const std::string* s : {&r.id, &r.outcome_name, &r.content, &r.refusal, &r.finish_reason, &r.model,
                                 &r.system_fingerprint, &r.error, &r.raw_body})
      CHECK(s->find(kKey) == std::string::npos);
  }
}
