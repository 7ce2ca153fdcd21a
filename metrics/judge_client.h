// The GPT-judge HTTP client: OpenAI Chat Completions (or any compatible server, or an Azure
// deployment) over libcurl's multi interface, with bounded concurrency, connection reuse,
// timeouts and the retry policy of http_retry.h (reference/benchmarks.md section 10).
//
// The client reports transport and HTTP outcomes and the raw reply text; reading the text as a
// verdict is judge_parsing.h's business. The API key is read from the environment (or a file
// named there) and never appears in any returned field or log line.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ppb::metrics {

struct JudgeClientOptions {
  std::string base_url = "https://api.openai.com/v1";  // POST {base_url}/chat/completions (no trailing slash needed)
  bool azure = false;                         // Azure: {base_url}/openai/deployments/{azure_deployment}/chat/completions
  std::string azure_deployment;               // Azure deployment name (replaces model in the URL)
  std::string azure_api_version = "2024-06-01";  // Azure api-version query parameter
  std::string api_key_env = "OPENAI_API_KEY";      // environment variable holding the key
  std::string api_key_file_env = "OPENAI_API_KEY_FILE";  // or: variable naming a file holding the key
  std::string model = "gpt-4o-2024-11-20";    // pin a dated snapshot; an undated alias draws a warning
  double temperature = 0.0;                   // sent always (the API default is 1)
  int max_tokens = 64;                        // sent when > 0
  std::optional<int64_t> seed;                // sent when set (best-effort determinism)
  int concurrency = 8;                        // transfers in flight at once
  double connect_timeout_s = 5.0;             // TCP/TLS connect limit per attempt
  double total_timeout_s = 60.0;              // whole-transfer limit per attempt
  int max_attempts = 3;                       // attempts per request, first try included
  double max_retry_wait_s = 120.0;            // a longer server-stated wait gives way to the backoff
  uint64_t backoff_seed = 0;                  // seeds the backoff jitter (reproducible schedules)
};

struct JudgeMessage {
  std::string role;  // "system", "user", "assistant", "developer"
  std::string content;
};

struct JudgeRequest {
  std::string id;  // caller's key, copied to the response
  std::vector<JudgeMessage> messages;
};

enum class JudgeOutcome {
  ok,               // a completion with text and finish_reason other than length / content_filter
  refusal_or_null,  // content null, a refusal, or finish_reason content_filter
  truncated,        // finish_reason length (content kept, but not a complete judgement)
  bad_response,     // a 2xx whose body is not a chat completion, after the retries
  http_error,       // an HTTP error status or transport failure, after the retries
};
const char* judge_outcome_name(JudgeOutcome outcome);  // "ok", "refusal_or_null", "truncated", ...

struct JudgeResponse {
  std::string id;                           // JudgeRequest::id
  JudgeOutcome outcome = JudgeOutcome::http_error;
  std::string outcome_name;                 // judge_outcome_name(outcome)
  std::string content;                      // choices[0].message.content ("" when null)
  std::string refusal;                      // choices[0].message.refusal when given
  std::string finish_reason;                // choices[0].finish_reason
  std::string model;                        // the resolved model the server reports
  std::string system_fingerprint;           // backend configuration id, "" when absent
  int64_t prompt_tokens = 0;                // usage
  int64_t completion_tokens = 0;
  int attempts = 0;                         // HTTP attempts made
  long http_status = 0;                     // of the last attempt; 0 if it got no HTTP answer
  std::string error;                        // why it failed (last attempt), "" when ok
  double latency_ms = 0.0;                  // the last attempt's duration
  double total_ms = 0.0;                    // from the first attempt's start to the end, waits included
  std::string raw_body;                     // the last response body as received
};

// Called after each request's final answer, from the calling thread.
using JudgeProgress = std::function<void(size_t done, size_t total, const JudgeResponse& response)>;

// Sends every request (up to options.concurrency at once; retries wait their turn without
// holding up other transfers) and returns one response per request, in request order.
// Throws std::runtime_error when the key is missing or the options are unusable.
std::vector<JudgeResponse> run_judge_batch(const JudgeClientOptions& options, const std::vector<JudgeRequest>& requests,
                                           const JudgeProgress& progress = {});

// True when the model id ends in a date: -YYYY-MM-DD (gpt-4o-2024-11-20) or -MMDD
// (gpt-3.5-turbo-0613), optionally followed by -preview.
bool model_id_is_dated(const std::string& model);

// The key from getenv(api_key_env), else from the file named by getenv(api_key_file_env),
// blanks trimmed; throws std::runtime_error naming the variables (never the key) if neither.
std::string read_judge_api_key(const JudgeClientOptions& options);

// The request URL for the options (Azure or OpenAI form).
std::string judge_endpoint_url(const JudgeClientOptions& options);

}  // namespace ppb::metrics
