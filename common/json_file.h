// Reading a JSON file with errors that name it, and replacing a file in one step.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ppb {

// Parses `path`; `what` says what the file is ("task spec", "config file") in the errors.
nlohmann::json read_json_file(const std::string& path, const std::string& what);

// Writes `text` to `path` through a temporary file and one rename, so that a crash leaves the
// old file or the new one, never half of either. Throws naming the file.
void replace_file(const std::string& path, const std::string& text);

}  // namespace ppb
