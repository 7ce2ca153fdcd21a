// Helpers shared by the tests: scratch folders and running the ppbench binary.
#pragma once
#include <string>
#include <vector>

namespace ppb::test {

// A fresh folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs the built ppbench with `args` and captures its output.
CommandResult run_ppbench(const std::vector<std::string>& args);
// The ppbench binary's path.
std::string ppbench_binary();
std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);
// Writes `text` to `path`, creating its folders: hand-written fixtures.
void put(const std::string& path, const std::string& text);

}  // namespace ppb::test
