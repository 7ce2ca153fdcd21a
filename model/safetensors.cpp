#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ppb::model {
namespace {

at::ScalarType scalar_type_of(const std::string& dtype) {
  if (dtype == "F32") return at::kFloat;
  if (dtype == "F16") return at::kHalf;
  if (dtype == "BF16") return at::kBFloat16;
  if (dtype == "F64") return at::kDouble;
  if (dtype == "I64") return at::kLong;
  if (dtype == "I32") return at::kInt;
  if (dtype == "U8") return at::kByte;
  throw std::runtime_error("unsupported safetensors dtype '" + dtype + "'");
}

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "F32";
    case at::kHalf: return "F16";
    case at::kBFloat16: return "BF16";
    case at::kByte: return "U8";
    case at::kLong: return "I64";
    case at::kInt: return "I32";
    default: throw std::runtime_error("write_safetensors: only F32, F16, BF16, I64, I32 and U8 are written");
  }
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  return at::elementSize(scalar_type_of(dtype));
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open safetensors file " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot stat " + path);
  }
  size_ = static_cast<uint64_t>(st.st_size);
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("invalid safetensors file " + path + ": " + what);
  };
  if (size_ < 8) {
    ::close(fd);
    fail("file is " + std::to_string(size_) + " bytes, shorter than the 8-byte header length");
  }
  map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail("mmap failed");
  }
  try {
    const auto* bytes = static_cast<const uint8_t*>(map_);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
    if (header_len > size_ - 8)
      fail("header length " + std::to_string(header_len) + " exceeds the file size " + std::to_string(size_));
    header_.assign(reinterpret_cast<const char*>(bytes + 8), header_len);
    data_ = bytes + 8 + header_len;
    const uint64_t data_size = size_ - 8 - header_len;

    nlohmann::json header;
    try {
      header = nlohmann::json::parse(header_);
    } catch (const std::exception& e) {
      fail(std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) fail("header is not a JSON object");
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__") continue;
      const auto& e = it.value();
      const std::string where = "tensor '" + it.key() + "'";
      if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
        fail(where + " lacks dtype, shape or data_offsets");
      TensorInfo info;
      info.dtype = e["dtype"].get<std::string>();
      size_t elem = 0;
      try {
        elem = safetensors_dtype_size(info.dtype);
      } catch (const std::exception& ex) {
        fail(where + ": " + ex.what());
      }
      uint64_t count = 1;
      for (const auto& d : e["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0) fail(where + " has a negative or non-integer dimension");
        info.shape.push_back(d.get<int64_t>());
        count *= static_cast<uint64_t>(d.get<int64_t>());
      }
      const auto& off = e["data_offsets"];
      if (!off.is_array() || off.size() != 2) fail(where + ": data_offsets must be [begin, end]");
      info.begin = off[0].get<uint64_t>();
      info.end = off[1].get<uint64_t>();
      if (info.end < info.begin) fail(where + ": data_offsets end precedes begin");
      if (info.end > data_size)
        fail(where + ": data_offsets end " + std::to_string(info.end) + " lies past the data area of " +
             std::to_string(data_size) + " bytes (truncated file?)");
      if (info.end - info.begin != count * elem)
        fail(where + ": " + std::to_string(info.end - info.begin) + " bytes for shape of " + std::to_string(count) +
             " elements of " + info.dtype);
      ranges.emplace_back(info.begin, info.end);
      tensors_.emplace(it.key(), std::move(info));
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i)
      if (ranges[i].first < ranges[i - 1].second) fail("two tensors' data_offsets overlap");
  } catch (...) {
    ::munmap(map_, size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

at::Tensor SafetensorsFile::load(const std::string& name, at::ScalarType dtype) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::runtime_error("tensor '" + name + "' not found in " + path_);
  const TensorInfo& info = it->second;
  // from_blob over a read-only mapping: the view is only read; to(..., copy=true) converts and copies in one pass.
  auto view = at::from_blob(const_cast<uint8_t*>(data_ + info.begin), info.shape,
                            at::TensorOptions().dtype(scalar_type_of(info.dtype)));
  return view.to(dtype, /*non_blocking=*/false, /*copy=*/true);
}

void write_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                       at::ScalarType dtype, const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    at::Tensor c = (dtype == at::ScalarType::Undefined ? t : t.to(dtype)).cpu().contiguous();
    const uint64_t n = static_cast<uint64_t>(c.numel()) * c.element_size();
    header[name] = {{"dtype", dtype_name(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    data.push_back(c);
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');  // the format pads the header to 8 bytes
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  uint64_t len = text.size();
  char len_bytes[8];
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  out.write(len_bytes, 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& c : data)
    out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
  if (!out) throw std::runtime_error("write failed: " + path);
}

}  // namespace ppb::model
