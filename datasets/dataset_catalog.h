// The dataset catalog: datasets/catalog.json names every dataset ppbench reads, the reader for
// its upstream layout and where its files sit under the data root. It is data, so users point
// ppbench at their own copies by editing it (or $PPBENCH_CATALOG) rather than the code.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/named_registry.h"
#include "datasets/sample.h"

namespace ppb::datasets {

// One catalog entry, with typed access whose errors name the catalog file, the dataset and the key.
struct DatasetEntry {
  std::string name;          // catalog key, e.g. "msvd_qa"
  std::string reader;        // reader name, e.g. "gpt_qa"
  std::string description;   // one line
  nlohmann::json fields;     // the entry as written
  std::string catalog_file;  // where it was read from

  // "catalog <file> dataset '<name>' key '<key>'", the prefix of errors about one key.
  std::string where(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::vector<std::string> text_list(const std::string& key) const;
  std::string text_or(const std::string& key, const std::string& fallback) const;
  // data_root/<value of key>, confined to data_root.
  std::string path(const std::string& data_root, const std::string& key) const;
};

// A reader of one upstream layout: the catalog keys it takes and how it turns an entry into samples.
struct DatasetReader {
  std::string layout;                                   // one line: the files it reads
  std::vector<std::string> required_keys;               // catalog keys besides reader and description
  std::vector<std::string> optional_keys;               // keys that may be left out
  std::function<void(const DatasetEntry&)> validate;    // checks nested tables; may be empty
  std::function<std::vector<Sample>(const DatasetEntry&, const std::string& data_root)> read;
};

struct ReaderRegistry : NamedRegistry<DatasetReader> {
  ReaderRegistry() : NamedRegistry("dataset reader") {}
};

// Fills `reg` with the readers of every upstream layout (datasets/builtin_readers.cpp).
void register_builtin_readers(ReaderRegistry& reg);
// The built-in readers, registered on first use.
const ReaderRegistry& builtin_readers();

// $PPBENCH_CATALOG when set, else the source tree's datasets/catalog.json recorded at build time.
std::string default_catalog_path();

// Reads and validates a catalog: an unknown reader, an unknown key or a missing key is an error
// naming the file, the dataset and the key.
std::map<std::string, DatasetEntry> read_catalog(const std::string& path,
                                                 const ReaderRegistry& readers = builtin_readers());

// The entry for `name`; an unknown name is an error listing the catalog's datasets.
DatasetEntry catalog_entry(const std::string& name, const std::string& catalog_path = default_catalog_path());

// Reads dataset `name` from its upstream files under `data_root`.
std::vector<Sample> load_dataset(const std::string& name, const std::string& data_root,
                                 const std::string& catalog_path = default_catalog_path());

}  // namespace ppb::datasets
