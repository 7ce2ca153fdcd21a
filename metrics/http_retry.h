// Retry policy of the judge client (reference/benchmarks.md section 10.3), as pure functions
// so that it can be tested without a network: which failures are retried, how long to wait
// (server hints first, then capped exponential backoff with jitter), and the header parsers.
#pragma once
#include <ctime>
#include <optional>
#include <string>

namespace ppb::metrics {

struct RetryPolicy {
  int max_attempts = 3;              // attempts per request in all (first try included); >= 1
  double max_retry_wait_s = 120.0;   // a server-requested wait above this is replaced by the backoff
  double backoff_base_s = 0.5;       // first backoff delay before jitter
  double backoff_cap_s = 8.0;        // largest backoff delay before jitter
};

// What one attempt ended with, as far as the retry decision needs it.
struct AttemptResult {
  int attempts_made = 1;         // attempts so far, this one included
  bool transport_error = false;  // no usable HTTP answer: connect failure, timeout, reset, garbled 2xx body
  long http_status = 0;          // the HTTP status (0 when there was none)
  bool quota_exhausted = false;  // the error body's code or type is insufficient_quota
  std::optional<std::string> x_should_retry;  // raw header values, when present
  std::optional<std::string> retry_after_ms;
  std::optional<std::string> retry_after;
};

struct RetryDecision {
  bool retry = false;
  double delay_s = 0.0;  // wait before the next attempt (when retry)
  std::string reason;    // a short explanation, e.g. "429, retry-after 1 s" or "attempt cap reached"
};

// True for 408, 409, 429 and every status >= 500.
bool is_retryable_status(long status);

// "true" / "false" (case-insensitive, surrounding blanks ignored); anything else gives nothing.
std::optional<bool> parse_should_retry(const std::string& value);
// retry-after-ms: a number of milliseconds (a fraction allowed), returned in seconds.
std::optional<double> parse_retry_after_ms(const std::string& value);
// An HTTP date in IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 or asctime form,
// as seconds since the epoch (UTC).
std::optional<std::time_t> parse_http_date(const std::string& value);
// Retry-After: seconds (a fraction allowed) or an HTTP date, as seconds from `now`
// (negative for a date in the past).
std::optional<double> parse_retry_after(const std::string& value, std::time_t now);

// min(base * 2^retry_index, cap) * (1 - 0.25 * jitter_u01); retry_index is 0 before the first
// retry, jitter_u01 lies in [0, 1).
double backoff_delay_s(int retry_index, double jitter_u01, const RetryPolicy& policy = {});

// The whole decision for one finished attempt. Order: the attempt cap; insufficient_quota (never
// retried); x-should-retry when it says true or false; otherwise transport errors and
// retryable statuses. The delay is retry-after-ms, else Retry-After, when 0 < value <= the
// policy's maximum (a larger stated wait stops the retries), else the jittered backoff.
RetryDecision decide_retry(const AttemptResult& attempt, const RetryPolicy& policy, double jitter_u01,
                           std::time_t now);

// Header text helpers shared with the client: ASCII whitespace trimmed; ASCII letters lower-cased.
std::string trim_space(const std::string& s);
std::string lower_ascii(std::string s);

}  // namespace ppb::metrics
