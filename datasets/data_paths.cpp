#include "datasets/data_paths.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ppb::datasets {

std::string confined_path(const std::string& root, const std::string& relative, const std::string& where) {
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    throw std::runtime_error(where + ": path '" + relative + "' is absolute; annotation paths must be relative to " +
                             root);
  const fs::path norm = rel.lexically_normal();
  if (!norm.empty() && *norm.begin() == "..")
    throw std::runtime_error(where + ": path '" + relative + "' leaves the data folder " + root);
  if (norm.empty() || norm == ".") return fs::path(root).lexically_normal().string();
  return (fs::path(root) / norm).lexically_normal().string();
}

std::string confined_item_path(const std::string& root, const std::string& relative, const std::string& where) {
  const fs::path norm = fs::path(relative).lexically_normal();
  if (norm.empty() || norm == ".")
    throw std::runtime_error(where + ": path '" + relative + "' names no file below " + root);
  return confined_path(root, relative, where);
}

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp";
}

std::string find_video(const std::string& dir, const std::string& stem, const std::vector<std::string>& extensions,
                       const std::string& where) {
  if (stem.empty()) throw std::runtime_error(where + ": empty video name");
  if (extensions.empty()) return confined_item_path(dir, stem, where);
  std::string first;
  for (const auto& ext : extensions) {
    const std::string candidate = confined_path(dir, stem + ext, where);
    if (first.empty()) first = candidate;
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate;
  }
  return first;
}

}  // namespace ppb::datasets
