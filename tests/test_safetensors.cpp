// The safetensors reader against files built byte by byte here, and its errors.
#include "tests/catch_aten.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "model/safetensors.h"
#include "tests/test_support.h"

using ppb::model::SafetensorsFile;
using ppb::test::TempDir;

namespace {

// Writes [u64 little-endian header length][header][data] exactly as the format defines it.
void write_raw(const std::string& path, const std::string& header, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << header << data;
}

std::string float_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) {
    char b[4];
    std::memcpy(b, &v, 4);
    s.append(b, 4);
  }
  return s;
}

}  // namespace

TEST_CASE("reads F32, F16 and BF16 tensors from a hand-built file", "[safetensors]") {
  TempDir dir("st");
  // F16 1.0 = 0x3C00, -2.0 = 0xC000; BF16 1.0 = 0x3F80, 0.5 = 0x3F00 (little-endian bytes below).
  const std::string f16("\x00\x3c\x00\xc0", 4), bf16("\x80\x3f\x00\x3f", 4);
  const std::string data = float_bytes({1.5f, -2.0f, 3.25f}) + f16 + bf16;
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
      R"("h":{"dtype":"F16","shape":[2],"data_offsets":[12,16]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[16,20]}})";
  write_raw(dir / "x.safetensors", header, data);
  SafetensorsFile f(dir / "x.safetensors");
  REQUIRE(f.tensors().size() == 3);
  auto a = f.load("a");
  CHECK(a.sizes().vec() == (std::vector<int64_t>{3}));
  CHECK(a[0].item<float>() == 1.5f);
  CHECK(a[1].item<float>() == -2.0f);
  CHECK(a[2].item<float>() == 3.25f);
  auto h = f.load("h");
  CHECK(h.scalar_type() == at::kFloat);
  CHECK(h[0].item<float>() == 1.0f);
  CHECK(h[1].item<float>() == -2.0f);
  auto b = f.load("b");
  CHECK(b.sizes().vec() == (std::vector<int64_t>{1, 2}));
  CHECK(b[0][0].item<float>() == 1.0f);
  CHECK(b[0][1].item<float>() == 0.5f);
  CHECK_THROWS_WITH(f.load("missing"), Catch::Contains("'missing' not found"));
}

TEST_CASE("writer output reads back bit for bit in every stored dtype", "[safetensors]") {
  TempDir dir("st");
  at::Tensor t = at::tensor({0.5f, -1.25f, 2.0f, 3.0f, -0.75f, 8.0f}).view({2, 3});  // exact in all three dtypes
  for (auto dt : {at::kFloat, at::kHalf, at::kBFloat16}) {
    const std::string path = dir / "w.safetensors";
    ppb::model::write_safetensors(path, {{"w", t}, {"z", at::zeros({4})}}, dt);
    SafetensorsFile f(path);
    const std::string want = dt == at::kFloat ? "F32" : (dt == at::kHalf ? "F16" : "BF16");
    CHECK(f.tensors().at("w").dtype == want);
    CHECK(at::equal(f.load("w"), t));
    // The header is padded to a multiple of 8 bytes.
    CHECK(f.header_text().size() % 8 == 0);
  }
}

TEST_CASE("a truncated file is reported with the tensor that runs past the end", "[safetensors]") {
  TempDir dir("st");
  const std::string path = dir / "t.safetensors";
  ppb::model::write_safetensors(path, {{"big", at::ones({16})}}, at::kFloat);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
  CHECK_THROWS_WITH(SafetensorsFile(path), Catch::Contains("'big'") && Catch::Contains("truncated"));
  std::filesystem::resize_file(path, 5);
  CHECK_THROWS_WITH(SafetensorsFile(path), Catch::Contains("shorter than the 8-byte header"));
}

TEST_CASE("headers whose offsets lie are rejected", "[safetensors]") {
  TempDir dir("st");
  const std::string data = float_bytes({1, 2, 3, 4});
  SECTION("size does not match the shape") {
    write_raw(dir / "a.st", R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", data);
    CHECK_THROWS_WITH(SafetensorsFile(dir / "a.st"), Catch::Contains("'x'") && Catch::Contains("12 bytes"));
  }
  SECTION("end before begin") {
    write_raw(dir / "b.st", R"({"x":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", data);
    CHECK_THROWS_WITH(SafetensorsFile(dir / "b.st"), Catch::Contains("end precedes begin"));
  }
  SECTION("overlapping tensors") {
    write_raw(dir / "c.st",
              R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
              data);
    CHECK_THROWS_WITH(SafetensorsFile(dir / "c.st"), Catch::Contains("overlap"));
  }
  SECTION("header length beyond the file") {
    std::ofstream out(dir / "d.st", std::ios::binary);
    const char len[8] = {static_cast<char>(0xff), 0x7f, 0, 0, 0, 0, 0, 0};
    out.write(len, 8);
    out << "{}";
    out.close();
    CHECK_THROWS_WITH(SafetensorsFile(dir / "d.st"), Catch::Contains("exceeds the file size"));
  }
  SECTION("unknown dtype") {
    write_raw(dir / "e.st", R"({"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", data);
    CHECK_THROWS_WITH(SafetensorsFile(dir / "e.st"), Catch::Contains("unsupported safetensors dtype 'Q4'"));
  }
  SECTION("header is not JSON") {
    write_raw(dir / "f.st", "{not json", data);
    CHECK_THROWS_WITH(SafetensorsFile(dir / "f.st"), Catch::Contains("not valid JSON"));
  }
}
