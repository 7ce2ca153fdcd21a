// Stretching a CLIP text position table to a longer context without training (PPLLaVA's
// "knowledge-preserved" extension, as in Long-CLIP): the first `keep` rows, which CLIP trained
// well, stay as they are; the rest are interpolated at a finer step and, at the very end,
// extrapolated along the last segment.
#pragma once
#include <cstdint>

#include <ATen/ATen.h>

namespace ppb::model {

// Row count after stretching a table of `rows` rows: ratio*rows - (ratio-1)*keep (77 -> 248).
int64_t extended_position_rows(int64_t rows, int keep = 20, int ratio = 4);

// table [N, D] -> [ratio*N - (ratio-1)*keep, D]. Row i < keep is row i; row i >= keep sits at
// j = keep + (i-keep)/ratio in the old table, linearly interpolated between its neighbours, and
// the last ratio-1 rows (j > N-1) continue the line through rows N-2 and N-1. Computed in float64,
// returned in the input's dtype. Throws when the table is not 2-d or keep/ratio do not fit it.
at::Tensor extend_clip_positions(const at::Tensor& table, int keep = 20, int ratio = 4);

}  // namespace ppb::model
