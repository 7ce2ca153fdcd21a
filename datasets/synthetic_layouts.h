// Small synthetic instances of every upstream annotation layout the catalog knows (MSVD/MSRVTT/
// TGIF/ActivityNet-QA, VCG-Bench, MVBench, Video-MME, EgoSchema, LongVideoBench, MLVU, Tarsier's
// caption JSONL, DREAM-1K): a few items each, with real videos of moving coloured shapes in the
// containers the upstream data use (.avi, .webm, .mkv, .MP4, .gif, frame folders), subtitles
// where the layout has them, captions and events that describe the drawn scene, written
// at the catalog's paths so that load_dataset and `ppbench data check` read them back.
// The same seed gives the same bytes.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ppb::datasets {

struct SyntheticLayoutOptions {
  uint64_t seed = 0;         // every random choice (scenes, option order) follows it
  std::string catalog_path;  // where the datasets' reader and paths come from; empty: default_catalog_path()
};

// The datasets write_synthetic_layouts can write: every catalog dataset except synth_mcq
// (write_synthetic_benchmark writes that one).
std::vector<std::string> synthetic_layout_names(const std::string& catalog_path);

// Writes the instance of each dataset in `names` under `dir`; returns the number of items per dataset.
std::map<std::string, int> write_synthetic_layouts(const std::string& dir, const std::vector<std::string>& names,
                                                   const SyntheticLayoutOptions& opts);

}  // namespace ppb::datasets
