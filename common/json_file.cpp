#include "common/json_file.h"

#include <fstream>
#include <stdexcept>

namespace ppb {

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + what + " " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot parse " + what + " " + path + ": " + e.what());
  }
}

}  // namespace ppb
