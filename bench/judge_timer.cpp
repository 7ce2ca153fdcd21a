// Times the judge client against tests/judge_server.py answering every call after a fixed
// latency: wall time of N calls at each concurrency against the ideal N * latency / concurrency,
// and the client's own CPU time per call (getrusage of this process, the server excluded).
// Run: build/ppb_judge_timer [calls=1000] [latency_ms=50]   (docs/PERFORMANCE.md)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "metrics/judge_client.h"
#include "tests/judge_server_process.h"

namespace {

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 1000;
  const double latency_ms = argc > 2 ? std::atof(argv[2]) : 50.0;
  const std::string key = "sk-bench-judge";
  ::setenv("PPB_BENCH_JUDGE_KEY", key.c_str(), 1);
  ppb::test::JudgeServer server(key, {"--latency-ms", std::to_string(latency_ms)});
  std::printf("calls %d, server latency %.0f ms\n", calls, latency_ms);
  std::printf("%-12s %10s %10s %8s %18s %8s\n", "concurrency", "wall s", "ideal s", "ratio", "client CPU us/call",
              "ok");
  for (int concurrency : {8, 32}) {
    ppb::metrics::JudgeClientOptions o;
    o.base_url = server.url();
    o.api_key_env = "PPB_BENCH_JUDGE_KEY";
    o.model = "gpt-3.5-turbo-0613";
    o.concurrency = concurrency;
    std::vector<ppb::metrics::JudgeRequest> requests(static_cast<size_t>(calls));
    for (int i = 0; i < calls; ++i) {
      requests[i].id = std::to_string(i);
      requests[i].messages = {{"user", "Question: q" + std::to_string(i) + "\nCorrect Answer: a red ball\n"
                                       "Predicted Answer: a red cube"}};
    }
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const auto responses = ppb::metrics::run_judge_batch(o, requests);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    int ok = 0;
    for (const auto& r : responses) ok += r.outcome == ppb::metrics::JudgeOutcome::ok;
    const double ideal = calls * latency_ms / 1000.0 / concurrency;
    std::printf("%-12d %10.2f %10.2f %8.2f %18.0f %8d\n", concurrency, wall, ideal, wall / ideal, 1e6 * cpu / calls, ok);
  }
  return 0;
}
