// Sharded checkpoints through model.safetensors.index.json, fingerprints and missing tensors.
#include "tests/catch_aten.h"

#include <fstream>

#include "model/checkpoint.h"
#include "tests/test_support.h"

using ppb::model::Checkpoint;
using ppb::test::TempDir;

namespace {

void write_index(const std::string& dir, const std::string& body) {
  std::ofstream(dir + "/model.safetensors.index.json") << body;
}

}  // namespace

TEST_CASE("a sharded checkpoint loads every tensor from its shard", "[checkpoint]") {
  TempDir dir("ckpt");
  ppb::model::write_safetensors(dir / "model-00001-of-00002.safetensors", {{"a.weight", at::full({2, 2}, 3.0)}},
                                at::kBFloat16);
  ppb::model::write_safetensors(dir / "model-00002-of-00002.safetensors", {{"b.bias", at::full({3}, -1.0)}}, at::kHalf);
  write_index(dir.path(), R"({"metadata":{"total_size":14},"weight_map":{"a.weight":"model-00001-of-00002.safetensors",)"
                          R"("b.bias":"model-00002-of-00002.safetensors"}})");
  Checkpoint c(dir.path());
  CHECK(at::equal(c.get("a.weight", {2, 2}), at::full({2, 2}, 3.0f)));
  CHECK(at::equal(c.get("b.bias", {3}), at::full({3}, -1.0f)));
  CHECK(c.unused().empty());
  CHECK(c.fingerprint().size() == 64);
  CHECK_THROWS_WITH(c.get("a.weight", {4}), Catch::Contains("'a.weight'") && Catch::Contains("expected [4]"));

  // The fingerprint follows the headers: another value of the same shape gives the same header, another shape not.
  const std::string before = c.fingerprint();
  ppb::model::write_safetensors(dir / "model-00002-of-00002.safetensors", {{"b.bias", at::full({4}, -1.0)}}, at::kHalf);
  CHECK(Checkpoint(dir.path()).fingerprint() != before);
}

TEST_CASE("missing tensors are listed together by name and shape", "[checkpoint]") {
  TempDir dir("ckpt");
  ppb::model::write_safetensors(dir / "model.safetensors", {{"present", at::zeros({1})}}, at::kFloat);
  Checkpoint c(dir.path());
  c.get("present", {1});
  c.get("layers.0.q_proj.weight", {8, 8});
  c.get("layers.1.q_proj.weight", {8, 8});
  REQUIRE(c.missing().size() == 2);
  CHECK_THROWS_WITH(c.check_complete(), Catch::Contains("lacks 2 tensor(s)") &&
                                            Catch::Contains("layers.0.q_proj.weight [8,8]") &&
                                            Catch::Contains("layers.1.q_proj.weight [8,8]"));
}

TEST_CASE("an index that disagrees with its shards is an error", "[checkpoint]") {
  TempDir dir("ckpt");
  ppb::model::write_safetensors(dir / "s1.safetensors", {{"x", at::zeros({1})}}, at::kFloat);
  write_index(dir.path(), R"({"weight_map":{"x":"s1.safetensors","y":"s1.safetensors"}})");
  CHECK_THROWS_WITH(Checkpoint(dir.path()), Catch::Contains("'y'") && Catch::Contains("lacks it"));
  CHECK_THROWS_WITH(Checkpoint(dir / "nowhere"), Catch::Contains("no model.safetensors"));
}
