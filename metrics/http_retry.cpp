// Retry decisions and retry-header parsing for the judge client (see http_retry.h).
#include "metrics/http_retry.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace ppb::metrics {

std::string trim_space(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {


// A plain non-negative decimal number filling the whole (trimmed) string.
std::optional<double> parse_number(const std::string& raw) {
  const std::string s = trim_space(raw);
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

int month_index(const char* name) {
  static const char* const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string m = lower_ascii(name);
  for (int i = 0; i < 12; ++i)
    if (m == months[i]) return i;
  return -1;
}

std::optional<std::time_t> make_utc(int year, int month0, int day, int hour, int minute, int second) {
  if (month0 < 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month0;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return ::timegm(&tm);
}

std::string format_seconds(double s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

}  // namespace

bool is_retryable_status(long status) { return status == 408 || status == 409 || status == 429 || status >= 500; }

std::optional<bool> parse_should_retry(const std::string& value) {
  const std::string v = lower_ascii(trim_space(value));
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::optional<double> parse_retry_after_ms(const std::string& value) {
  const auto ms = parse_number(value);
  if (!ms) return std::nullopt;
  return *ms / 1000.0;
}

std::optional<std::time_t> parse_http_date(const std::string& raw) {
  const std::string s = trim_space(raw);
  char wday[16] = {0}, mon[8] = {0}, zone[8] = {0};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, n = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %d %7s %d %d:%d:%d %7s%n", wday, &day, mon, &year, &hh, &mm, &ss, zone,
                  &n) == 8 &&
      static_cast<size_t>(n) == s.size() && lower_ascii(zone) == "gmt")
    return make_utc(year, month_index(mon), day, hh, mm, ss);
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  n = 0;
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %d-%3[A-Za-z]-%d %d:%d:%d %7s%n", wday, &day, mon, &year, &hh, &mm, &ss,
                  zone, &n) == 8 &&
      static_cast<size_t>(n) == s.size() && lower_ascii(zone) == "gmt") {
    if (year < 100) year += year < 70 ? 2000 : 1900;
    return make_utc(year, month_index(mon), day, hh, mm, ss);
  }
  // asctime: Sun Nov  6 08:49:37 1994
  n = 0;
  if (std::sscanf(s.c_str(), "%15[A-Za-z] %7s %d %d:%d:%d %d%n", wday, mon, &day, &hh, &mm, &ss, &year, &n) == 7 &&
      static_cast<size_t>(n) == s.size())
    return make_utc(year, month_index(mon), day, hh, mm, ss);
  return std::nullopt;
}

std::optional<double> parse_retry_after(const std::string& value, std::time_t now) {
  if (const auto secs = parse_number(value)) return secs;
  if (const auto when = parse_http_date(value)) return std::difftime(*when, now);
  return std::nullopt;
}

double backoff_delay_s(int retry_index, double jitter_u01, const RetryPolicy& policy) {
  const int k = std::clamp(retry_index, 0, 62);
  const double raw = std::min(policy.backoff_base_s * std::pow(2.0, k), policy.backoff_cap_s);
  const double u = std::clamp(jitter_u01, 0.0, 1.0);
  return raw * (1.0 - 0.25 * u);
}

RetryDecision decide_retry(const AttemptResult& a, const RetryPolicy& policy, double jitter_u01, std::time_t now) {
  RetryDecision d;
  const std::string what = a.transport_error ? std::string("transport error") : "HTTP " + std::to_string(a.http_status);
  if (a.attempts_made >= std::max(1, policy.max_attempts)) {
    d.reason = what + ", attempt cap (" + std::to_string(policy.max_attempts) + ") reached";
    return d;
  }
  if (a.quota_exhausted) {
    d.reason = what + ", insufficient_quota is not retried";
    return d;
  }
  std::optional<bool> told;
  if (a.x_should_retry) told = parse_should_retry(*a.x_should_retry);
  bool retry = false;
  if (told) {
    retry = *told;
    if (!retry) {
      d.reason = what + ", x-should-retry: false";
      return d;
    }
  } else {
    retry = a.transport_error || is_retryable_status(a.http_status);
    if (!retry) {
      d.reason = what + " is not retried";
      return d;
    }
  }
  // The wait: server hints first (retry-after-ms, then Retry-After), else backoff.
  std::optional<double> hinted;
  std::string hint_name;
  if (a.retry_after_ms) {
    hinted = parse_retry_after_ms(*a.retry_after_ms);
    hint_name = "retry-after-ms";
  }
  if (!hinted && a.retry_after) {
    hinted = parse_retry_after(*a.retry_after, now);
    hint_name = "Retry-After";
  }
  // A stated wait is honoured up to the maximum; a longer one is set aside for the backoff.
  std::string set_aside;
  if (hinted && *hinted > policy.max_retry_wait_s) {
    set_aside = " (" + hint_name + " " + format_seconds(*hinted) + " s exceeds the maximum wait of " +
                format_seconds(policy.max_retry_wait_s) + " s)";
    hinted.reset();
  }
  d.retry = true;
  if (hinted && *hinted > 0) {
    d.delay_s = *hinted;
    d.reason = what + ", " + hint_name + " " + format_seconds(*hinted) + " s";
  } else {
    d.delay_s = backoff_delay_s(a.attempts_made - 1, jitter_u01, policy);
    d.reason = what + ", backoff " + format_seconds(d.delay_s) + " s" + set_aside;
  }
  return d;
}

}  // namespace ppb::metrics
