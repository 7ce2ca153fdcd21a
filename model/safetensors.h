// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
// header mapping tensor names to {dtype, shape, data_offsets}, then the raw bytes.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ppb::model {

// One tensor's entry in a safetensors header.
struct TensorInfo {
  std::string dtype;            // "F32", "F16", "BF16", ...
  std::vector<int64_t> shape;   // dimensions, outermost first
  uint64_t begin = 0;           // byte offset of the data, relative to the end of the header
  uint64_t end = 0;             // one past the last byte
};

// A memory-mapped safetensors file with a validated header.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  // The tensor converted to `dtype` (a copy; the mapping is read-only).
  at::Tensor load(const std::string& name, at::ScalarType dtype = at::kFloat) const;
  // The raw header bytes, for fingerprints.
  const std::string& header_text() const { return header_; }
  uint64_t file_size() const { return size_; }

 private:
  std::string path_;
  std::string header_;
  std::map<std::string, TensorInfo> tensors_;
  const uint8_t* data_ = nullptr;  // start of the tensor data area
  void* map_ = nullptr;
  uint64_t size_ = 0;
};

// Bytes per element of a safetensors dtype name; throws for names this reader does not support.
size_t safetensors_dtype_size(const std::string& dtype);

// Writes tensors to one file, converted to `dtype` (kFloat, kHalf, kBFloat16, kLong, kInt or kByte),
// or each in its own dtype when `dtype` is Undefined. Names are written in sorted order so that the
// same tensors give the same bytes.
void write_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                       at::ScalarType dtype, const std::map<std::string, std::string>& metadata = {});

}  // namespace ppb::model
