// report.md: the report as tables a person reads, one per task.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ppb::reports {

std::string render_markdown(const nlohmann::ordered_json& report);

}  // namespace ppb::reports
