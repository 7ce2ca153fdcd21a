// Judge client on libcurl's multi interface (see judge_client.h).
#include "metrics/judge_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "metrics/http_retry.h"

namespace ppb::metrics {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;


double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Replaces every occurrence of the key in `s`: a server may echo it in an error message. Keys
// shorter than 16 characters are placeholders, not secrets (a local vLLM server takes "EMPTY"),
// and replacing them would corrupt the judge's replies.
constexpr size_t kShortestSecretKey = 16;
void redact(std::string* s, const std::string& key) {
  if (key.size() < kShortestSecretKey) return;
  size_t pos = 0;
  while ((pos = s->find(key, pos)) != std::string::npos) {
    s->replace(pos, key.size(), "[redacted]");
    pos += 10;
  }
}

void ensure_curl_global() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("judge client: curl_global_init failed");
  });
}

// One attempt in flight.
struct Transfer {
  size_t index = 0;
  CURL* easy = nullptr;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last response only
  Clock::time_point started;
  char errbuf[CURL_ERROR_SIZE] = {0};
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->body.append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->headers.clear();  // a new response (after 100-continue or a redirect)
  } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
    t->headers[lower_ascii(trim_space(line.substr(0, colon)))] = trim_space(line.substr(colon + 1));
  }
  return size * n;
}

std::optional<std::string> header(const Transfer& t, const std::string& name) {
  const auto it = t.headers.find(name);
  if (it == t.headers.end()) return std::nullopt;
  return it->second;
}

// Reads a 2xx body as a chat completion into `r`; false with `why` when it is not one.
bool read_completion(const std::string& body, JudgeResponse* r, std::string* why) {
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    *why = "the body is not JSON";
    return false;
  }
  if (!doc.is_object() || !doc.contains("choices") || !doc["choices"].is_array() || doc["choices"].empty()) {
    *why = "no choices in the body";
    return false;
  }
  const json& choice = doc["choices"][0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object()) {
    *why = "choices[0] has no message";
    return false;
  }
  const json& msg = choice["message"];
  const bool has_content = msg.contains("content") && msg["content"].is_string();
  if (msg.contains("content") && !msg["content"].is_null() && !has_content) {
    *why = "message.content is neither a string nor null";
    return false;
  }
  r->content = has_content ? msg["content"].get<std::string>() : "";
  r->refusal = msg.contains("refusal") && msg["refusal"].is_string() ? msg["refusal"].get<std::string>() : "";
  r->finish_reason =
      choice.contains("finish_reason") && choice["finish_reason"].is_string() ? choice["finish_reason"].get<std::string>() : "";
  r->model = doc.contains("model") && doc["model"].is_string() ? doc["model"].get<std::string>() : "";
  r->system_fingerprint = doc.contains("system_fingerprint") && doc["system_fingerprint"].is_string()
                              ? doc["system_fingerprint"].get<std::string>()
                              : "";
  if (doc.contains("usage") && doc["usage"].is_object()) {
    const json& u = doc["usage"];
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) r->prompt_tokens = u["prompt_tokens"].get<int64_t>();
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer())
      r->completion_tokens = u["completion_tokens"].get<int64_t>();
  }
  if (!has_content || !r->refusal.empty() || r->finish_reason == "content_filter")
    r->outcome = JudgeOutcome::refusal_or_null;
  else if (r->finish_reason == "length")
    r->outcome = JudgeOutcome::truncated;
  else
    r->outcome = JudgeOutcome::ok;
  return true;
}

// The error message and code of an error body {"error": {"message", "type", "code"}}.
struct ApiError {
  std::string message, type, code;
};
ApiError read_error(const std::string& body) {
  ApiError e;
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return e;
  const json& err = doc["error"];
  if (err.contains("message") && err["message"].is_string()) e.message = err["message"].get<std::string>();
  if (err.contains("type") && err["type"].is_string()) e.type = err["type"].get<std::string>();
  if (err.contains("code") && err["code"].is_string()) e.code = err["code"].get<std::string>();
  return e;
}

std::string request_body(const JudgeClientOptions& o, const JudgeRequest& r) {
  json body;
  if (!o.azure) body["model"] = o.model;
  json messages = json::array();
  for (const auto& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  body["temperature"] = o.temperature;
  if (o.max_tokens > 0) body["max_tokens"] = o.max_tokens;
  if (o.seed) body["seed"] = *o.seed;
  return body.dump();
}

// Owns the multi handle and the transfers in flight, so that an exception cleans up.
class Session {
 public:
  Session() : multi_(curl_multi_init()) {
    if (!multi_) throw std::runtime_error("judge client: curl_multi_init failed");
  }
  ~Session() {
    for (auto& [easy, t] : active_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
    }
    curl_multi_cleanup(multi_);
    if (headers_) curl_slist_free_all(headers_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  CURLM* multi() const { return multi_; }
  void add_header(const std::string& line) { headers_ = curl_slist_append(headers_, line.c_str()); }
  curl_slist* headers() const { return headers_; }
  std::unordered_map<CURL*, std::unique_ptr<Transfer>>& active() { return active_; }

 private:
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
};

}  // namespace

const char* judge_outcome_name(JudgeOutcome outcome) {
  switch (outcome) {
    case JudgeOutcome::ok: return "ok";
    case JudgeOutcome::refusal_or_null: return "refusal_or_null";
    case JudgeOutcome::truncated: return "truncated";
    case JudgeOutcome::bad_response: return "bad_response";
    case JudgeOutcome::http_error: return "http_error";
  }
  return "unknown";
}

bool model_id_is_dated(const std::string& model) {
  std::string m = model;
  const std::string preview = "-preview";
  if (m.size() > preview.size() && m.compare(m.size() - preview.size(), preview.size(), preview) == 0)
    m.resize(m.size() - preview.size());
  // Does m end in '-' followed by `pattern` (d = digit, '-' = dash)?
  auto ends_with = [&m](const std::string& pattern) {
    if (m.size() < pattern.size() + 2) return false;
    const size_t off = m.size() - pattern.size();
    if (m[off - 1] != '-') return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      const char c = m[off + i];
      if (pattern[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(c)) : c != '-') return false;
    }
    return true;
  };
  return ends_with("dddd-dd-dd") || ends_with("dddd");
}

std::string read_judge_api_key(const JudgeClientOptions& o) {
  if (!o.api_key_env.empty()) {
    if (const char* v = std::getenv(o.api_key_env.c_str()); v && !trim_space(v).empty()) return trim_space(v);
  }
  if (!o.api_key_file_env.empty()) {
    if (const char* path = std::getenv(o.api_key_file_env.c_str()); path && *path) {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw std::runtime_error("judge client: cannot read the key file named by $" + o.api_key_file_env);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string key = trim_space(ss.str());
      if (key.empty()) throw std::runtime_error("judge client: the key file named by $" + o.api_key_file_env + " is empty");
      return key;
    }
  }
  throw std::runtime_error("judge client: no API key: set $" + o.api_key_env +
                           (o.api_key_file_env.empty() ? std::string() : " or $" + o.api_key_file_env + " (a file)"));
}

std::string judge_endpoint_url(const JudgeClientOptions& o) {
  std::string base = o.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!o.azure) return base + "/chat/completions";
  return base + "/openai/deployments/" + o.azure_deployment + "/chat/completions?api-version=" + o.azure_api_version;
}

std::vector<JudgeResponse> run_judge_batch(const JudgeClientOptions& o, const std::vector<JudgeRequest>& requests,
                                           const JudgeProgress& progress) {
  if (o.base_url.empty()) throw std::runtime_error("judge client: base_url is empty");
  if (o.azure && o.azure_deployment.empty()) throw std::runtime_error("judge client: Azure mode needs a deployment name");
  if (!o.azure && o.model.empty()) throw std::runtime_error("judge client: model is empty");
  if (o.concurrency < 1 || o.max_attempts < 1) throw std::runtime_error("judge client: concurrency and max_attempts must be >= 1");
  const std::string key = read_judge_api_key(o);
  if (!o.model.empty() && !model_id_is_dated(o.model))
    std::cerr << "warning: judge model '" << o.model
              << "' is an undated alias; pin a dated snapshot (e.g. gpt-4o-2024-11-20) for reproducible judgements\n";

  const size_t n = requests.size();
  std::vector<JudgeResponse> results(n);
  if (n == 0) return results;
  ensure_curl_global();

  const std::string url = judge_endpoint_url(o);
  std::vector<std::string> bodies(n);
  for (size_t i = 0; i < n; ++i) {
    bodies[i] = request_body(o, requests[i]);
    results[i].id = requests[i].id;
  }
  RetryPolicy policy;
  policy.max_attempts = o.max_attempts;
  policy.max_retry_wait_s = o.max_retry_wait_s;

  Session session;
  session.add_header("Content-Type: application/json");
  session.add_header("Expect:");
  session.add_header(o.azure ? "api-key: " + key : "Authorization: Bearer " + key);
  curl_multi_setopt(session.multi(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(o.concurrency));
  curl_multi_setopt(session.multi(), CURLMOPT_MAXCONNECTS, static_cast<long>(o.concurrency));

  std::mt19937_64 rng(o.backoff_seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::deque<size_t> fresh;
  for (size_t i = 0; i < n; ++i) fresh.push_back(i);
  std::multimap<Clock::time_point, size_t> waiting;  // retries by due time
  std::vector<Clock::time_point> first_start(n);
  std::vector<JudgeOutcome> failure_kind(n, JudgeOutcome::http_error);
  size_t done = 0;

  auto start = [&](size_t idx) {
    auto t = std::make_unique<Transfer>();
    t->index = idx;
    t->easy = curl_easy_init();
    if (!t->easy) throw std::runtime_error("judge client: curl_easy_init failed");
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, bodies[idx].c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bodies[idx].size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, session.headers());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_s * 1000.0));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout_s * 1000.0));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "ppbench-judge/1");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    t->started = Clock::now();
    if (results[idx].attempts == 0) first_start[idx] = t->started;
    ++results[idx].attempts;
    if (curl_multi_add_handle(session.multi(), e) != CURLM_OK) {
      curl_easy_cleanup(e);
      throw std::runtime_error("judge client: curl_multi_add_handle failed");
    }
    session.active().emplace(e, std::move(t));
  };

  auto finish = [&](Transfer& t, CURLcode rc) {
    const Clock::time_point now = Clock::now();
    JudgeResponse& r = results[t.index];
    r.latency_ms = ms_between(t.started, now);
    r.raw_body = t.body;
    r.error.clear();
    AttemptResult a;
    a.attempts_made = r.attempts;
    a.x_should_retry = header(t, "x-should-retry");
    a.retry_after_ms = header(t, "retry-after-ms");
    a.retry_after = header(t, "retry-after");
    bool final_answer = false;
    if (rc != CURLE_OK) {
      r.http_status = 0;
      a.transport_error = true;
      r.error = std::string("transport: ") + curl_easy_strerror(rc) + (t.errbuf[0] ? std::string(" (") + t.errbuf + ")" : "");
      failure_kind[t.index] = JudgeOutcome::http_error;
    } else {
      long status = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
      r.http_status = status;
      a.http_status = status;
      if (status >= 200 && status < 300) {
        std::string why;
        if (read_completion(t.body, &r, &why)) {
          final_answer = true;
        } else {
          a.transport_error = true;  // a garbled body is retried like a broken connection
          r.error = "bad response: " + why;
          failure_kind[t.index] = JudgeOutcome::bad_response;
        }
      } else {
        const ApiError api = read_error(t.body);
        a.quota_exhausted = api.code == "insufficient_quota" || api.type == "insufficient_quota";
        r.error = "HTTP " + std::to_string(status);
        if (!api.code.empty()) r.error += " " + api.code;
        if (!api.message.empty()) r.error += ": " + api.message;
        failure_kind[t.index] = JudgeOutcome::http_error;
      }
    }
    if (!final_answer) {
      const RetryDecision d = decide_retry(a, policy, unit(rng), std::time(nullptr));
      if (d.retry) {
        waiting.emplace(now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(d.delay_s)),
                        t.index);
        return;
      }
      r.outcome = failure_kind[t.index];
      r.error += " [" + d.reason + "]";
    }
    r.outcome_name = judge_outcome_name(r.outcome);
    r.total_ms = ms_between(first_start[t.index], now);
    for (std::string* s : {&r.content, &r.refusal, &r.error, &r.raw_body, &r.model, &r.system_fingerprint})
      redact(s, key);
    ++done;
    if (progress) progress(done, n, r);
  };

  while (done < n) {
    const Clock::time_point now = Clock::now();
    while (session.active().size() < static_cast<size_t>(o.concurrency)) {
      if (!waiting.empty() && waiting.begin()->first <= now) {
        const size_t idx = waiting.begin()->second;
        waiting.erase(waiting.begin());
        start(idx);
      } else if (!fresh.empty()) {
        start(fresh.front());
        fresh.pop_front();
      } else {
        break;
      }
    }
    int running = 0;
    curl_multi_perform(session.multi(), &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(session.multi(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode rc = msg->data.result;
      auto it = session.active().find(easy);
      if (it == session.active().end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      session.active().erase(it);
      curl_multi_remove_handle(session.multi(), easy);
      try {
        finish(*t, rc);
      } catch (...) {
        curl_easy_cleanup(easy);
        throw;
      }
      curl_easy_cleanup(easy);
    }
    if (done >= n) break;
    // Wait for network activity, or until the next retry is due (at most 1 s at a time).
    const bool free_slot = session.active().size() < static_cast<size_t>(o.concurrency);
    long wait_ms = 1000;
    if (free_slot && !fresh.empty()) wait_ms = 0;
    if (free_slot && !waiting.empty()) {
      const double until = ms_between(Clock::now(), waiting.begin()->first);
      wait_ms = std::min(wait_ms, static_cast<long>(std::max(0.0, std::ceil(until))));
    }
    if (wait_ms == 0) continue;
    if (session.active().empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    else
      curl_multi_poll(session.multi(), nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
  return results;
}

}  // namespace ppb::metrics
