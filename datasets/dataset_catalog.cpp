#include "datasets/dataset_catalog.h"

#include <cstdlib>
#include <set>
#include <stdexcept>

#include "common/json_file.h"
#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"
#include "ppb_build_info.h"

namespace ppb::datasets {

std::string DatasetEntry::where(const std::string& key) const {
  return "catalog " + catalog_file + " dataset '" + name + "' key '" + key + "'";
}

std::string DatasetEntry::text(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) throw std::runtime_error(where(key) + ": missing");
  if (!it->is_string()) throw std::runtime_error(where(key) + ": should be a string");
  return it->get<std::string>();
}

std::vector<std::string> DatasetEntry::text_list(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) throw std::runtime_error(where(key) + ": missing");
  std::vector<std::string> out;
  if (!it->is_array()) throw std::runtime_error(where(key) + ": should be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) throw std::runtime_error(where(key) + ": should be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string DatasetEntry::text_or(const std::string& key, const std::string& fallback) const {
  return fields.contains(key) ? text(key) : fallback;
}

std::string DatasetEntry::path(const std::string& data_root, const std::string& key) const {
  return confined_path(data_root, text(key), where(key));
}

const ReaderRegistry& builtin_readers() {
  static const ReaderRegistry reg = [] {
    ReaderRegistry r;
    register_builtin_readers(r);
    return r;
  }();
  return reg;
}

std::string default_catalog_path() {
  if (const char* env = std::getenv("PPBENCH_CATALOG"); env && *env) return env;
  return std::string(PPB_SOURCE_DIR) + "/datasets/catalog.json";
}

std::map<std::string, DatasetEntry> read_catalog(const std::string& path, const ReaderRegistry& readers) {
  const nlohmann::json j = read_json_file(path, "dataset catalog");
  if (!j.is_object()) throw std::runtime_error("catalog " + path + ": expected a JSON object of datasets");
  std::map<std::string, DatasetEntry> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    DatasetEntry e;
    e.name = it.key();
    e.catalog_file = path;
    e.fields = it.value();
    if (!e.fields.is_object())
      throw std::runtime_error("catalog " + path + " dataset '" + e.name + "': expected a JSON object");
    e.reader = e.text("reader");
    e.description = e.text("description");
    const DatasetReader* reader = nullptr;
    try {
      reader = &readers.get(e.reader);
    } catch (const std::exception& ex) {
      throw std::runtime_error(e.where("reader") + ": " + ex.what());
    }
    std::set<std::string> known = {"reader", "description"};
    known.insert(reader->required_keys.begin(), reader->required_keys.end());
    known.insert(reader->optional_keys.begin(), reader->optional_keys.end());
    for (auto f = e.fields.begin(); f != e.fields.end(); ++f)
      if (!known.count(f.key())) throw std::runtime_error(e.where(f.key()) + ": unknown for reader '" + e.reader + "'");
    for (const auto& key : reader->required_keys)
      if (!e.fields.contains(key)) throw std::runtime_error(e.where(key) + ": missing");
    if (reader->validate) reader->validate(e);
    out.emplace(e.name, std::move(e));
  }
  return out;
}

DatasetEntry catalog_entry(const std::string& name, const std::string& catalog_path) {
  const auto catalog = read_catalog(catalog_path);
  auto it = catalog.find(name);
  if (it != catalog.end()) return it->second;
  std::string known;
  for (const auto& [n, e] : catalog) known += (known.empty() ? "" : ", ") + n;
  throw std::runtime_error("unknown dataset '" + name + "' in catalog " + catalog_path + " (known: " + known + ")");
}

std::vector<Sample> load_dataset(const std::string& name, const std::string& data_root,
                                 const std::string& catalog_path) {
  const DatasetEntry e = catalog_entry(name, catalog_path);
  std::vector<Sample> samples = builtin_readers().get(e.reader).read(e, data_root);
  // Results are keyed by sample id: two samples with one id would be merged or counted twice.
  check_unique_sample_ids(samples, "dataset '" + name + "' (reader '" + e.reader + "')");
  return samples;
}

}  // namespace ppb::datasets
