#include "model/clip_position_extension.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace ppb::model {

int64_t extended_position_rows(int64_t rows, int keep, int ratio) {
  return static_cast<int64_t>(ratio) * rows - static_cast<int64_t>(ratio - 1) * keep;
}

at::Tensor extend_clip_positions(const at::Tensor& table, int keep, int ratio) {
  if (table.dim() != 2)
    throw std::runtime_error("extend_clip_positions: the position table must be 2-d [rows, width], got " +
                             std::to_string(table.dim()) + "-d");
  const int64_t n = table.size(0);
  // Extrapolation needs two rows, and at least one row must lie past the kept prefix.
  if (n < 2 || keep < 0 || keep >= n || ratio < 1)
    throw std::runtime_error("extend_clip_positions: keep " + std::to_string(keep) + " and ratio " +
                             std::to_string(ratio) + " do not fit a table of " + std::to_string(n) +
                             " rows (need rows >= 2, 0 <= keep < rows, ratio >= 1)");
  const int64_t out_rows = extended_position_rows(n, keep, ratio);
  const at::Tensor p = table.to(at::kDouble);

  // For every stretched row: the old row below it and the fraction towards the next one.
  // Clamping `lo` to n-2 turns the rows past the end into extrapolation on the last segment
  // (fraction > 1) and makes the row landing exactly on row n-1 an exact copy (fraction 1).
  const int64_t tail = out_rows - keep;
  std::vector<int64_t> lo(static_cast<size_t>(tail));
  std::vector<double> frac(static_cast<size_t>(tail));
  for (int64_t k = 0; k < tail; ++k) {
    const int64_t whole = keep + k / ratio;  // floor of j = keep + k/ratio
    const int64_t l = whole < n - 1 ? whole : n - 2;
    lo[static_cast<size_t>(k)] = l;
    frac[static_cast<size_t>(k)] = static_cast<double>(whole - l) + static_cast<double>(k % ratio) / ratio;
  }
  const at::Tensor lo_t = at::tensor(lo, at::TensorOptions().dtype(at::kLong)).to(p.device());
  const at::Tensor t = at::tensor(frac, at::TensorOptions().dtype(at::kDouble)).to(p.device()).unsqueeze(1);
  const at::Tensor below = p.index_select(0, lo_t);
  const at::Tensor above = p.index_select(0, lo_t + 1);
  const at::Tensor stretched = below * (1.0 - t) + above * t;
  return at::cat({p.slice(0, 0, keep), stretched}, 0).to(table.scalar_type());
}

}  // namespace ppb::model
