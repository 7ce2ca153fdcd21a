// samples.jsonl: appends, resume keys and a torn last line.
#include "tests/catch_aten.h"

#include <fstream>

#include "harness/run_store.h"
#include "tests/test_support.h"

using ppb::harness::RunStore;
using ppb::test::read_lines;
using ppb::test::TempDir;

namespace {
nlohmann::json record(const std::string& id, const std::string& method) {
  return {{"task", "t"}, {"sample_id", id},
          {"variant", {{"method", method}, {"budget", 1024}, {"frames", 8}, {"checkpoint", "abc"}}}};
}
}  // namespace

TEST_CASE("records are keyed by task, sample and variant", "[run_store]") {
  TempDir dir("store");
  {
    RunStore s(dir.path());
    s.append(record("0", "full"));
    s.append(record("0", "avgpool3d"));
    CHECK(s.done(ppb::harness::record_key(record("0", "full"))));
    CHECK_FALSE(s.done(ppb::harness::record_key(record("1", "full"))));
  }
  RunStore again(dir.path());
  CHECK(again.size() == 2);
  CHECK_FALSE(again.recovered_torn_tail());
}

TEST_CASE("a torn last line is dropped and the next append starts clean", "[run_store]") {
  TempDir dir("store");
  {
    RunStore s(dir.path());
    s.append(record("0", "full"));
    s.append(record("1", "full"));
  }
  // A kill in the middle of a write leaves part of a line without its newline.
  std::ofstream(dir / "samples.jsonl", std::ios::app) << R"({"task":"t","sample_id":"2","vari)";
  {
    RunStore s(dir.path());
    CHECK(s.recovered_torn_tail());
    CHECK(s.size() == 2);
    CHECK_FALSE(s.done(ppb::harness::record_key(record("2", "full"))));
    s.append(record("2", "full"));
  }
  const auto lines = read_lines(dir / "samples.jsonl");
  REQUIRE(lines.size() == 3);
  for (const auto& l : lines) CHECK_NOTHROW(nlohmann::json::parse(l));
  CHECK(nlohmann::json::parse(lines[2])["sample_id"] == "2");
}

TEST_CASE("a corrupt line in the middle is an error naming the line", "[run_store]") {
  TempDir dir("store");
  std::ofstream(dir / "samples.jsonl") << record("0", "full").dump() << "\n{broken\n" << record("1", "full").dump() << "\n";
  CHECK_THROWS_WITH(RunStore(dir.path()), Catch::Contains("samples.jsonl line 2"));
}
