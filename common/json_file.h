// Reading a JSON file with errors that name it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ppb {

// Parses `path`; `what` says what the file is ("task spec", "config file") in the errors.
nlohmann::json read_json_file(const std::string& path, const std::string& what);

}  // namespace ppb
