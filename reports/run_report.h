// report.json: one result per (task, variant) aggregated from RUN/samples.jsonl, plus the run's
// context. Everything but the latency figures is byte-identical when a run is repeated.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ppb::reports {

constexpr int kReportSchemaVersion = 1;

// Aggregates the records of a run folder (context.json and samples.jsonl).
nlohmann::ordered_json build_report(const std::string& run_dir);
// Writes RUN/report.json and RUN/report.md; returns the report.
nlohmann::ordered_json write_reports(const std::string& run_dir);

}  // namespace ppb::reports
