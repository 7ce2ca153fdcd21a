// The task tables that some catalog entries hold (MVBench's and MLVU's), parsed from an entry.
// register_builtin_readers() itself is declared in datasets/dataset_catalog.h.
#pragma once
#include <vector>

#include "datasets/dataset_catalog.h"
#include "datasets/mlvu_reader.h"
#include "datasets/mvbench_reader.h"

namespace ppb::datasets {

// The entry's "tasks" table for the mvbench reader: [{name, folder, bounded[, frames_fps]}].
std::vector<MvbenchTask> mvbench_tasks(const DatasetEntry& entry);
// The entry's "tasks" table for the mlvu reader: [{name, file, folder}].
std::vector<MlvuTask> mlvu_tasks(const DatasetEntry& entry);

}  // namespace ppb::datasets
