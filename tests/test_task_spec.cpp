// Task specs are data: validation of the files, the built-in registry and prompt rendering.
#include "tests/catch_aten.h"

#include <fstream>

#include "tasks/prompt_template.h"
#include "tasks/task_registry.h"
#include "tasks/task_spec.h"
#include "tests/test_support.h"

using namespace ppb::tasks;
using ppb::test::TempDir;

namespace {
nlohmann::json valid_spec() {
  return {{"name", "t"}, {"version", 1}, {"family", "multiple_choice"}, {"description", "d"},
          {"dataset", "synth_mcq"}, {"protocol", "p"}, {"prompt_template", "prompts/x.txt"}, {"answer_prefix", "("},
          {"frame_policy", "segment_midpoint"}, {"frames", 8}, {"extractor", "option_letter"},
          {"metric", "accuracy"}, {"max_new_tokens", 4}};
}
}  // namespace

TEST_CASE("a spec with an unknown or missing key is rejected, naming file and key", "[tasks]") {
  TempDir dir("spec");
  auto j = valid_spec();
  std::ofstream(dir / "ok.json") << j.dump();
  CHECK(read_task_spec(dir / "ok.json").frames == 8);
  j["frame_count"] = 4;
  std::ofstream(dir / "extra.json") << j.dump();
  CHECK_THROWS_WITH(read_task_spec(dir / "extra.json"), Catch::Contains("extra.json") && Catch::Contains("'frame_count'"));
  j = valid_spec();
  j.erase("extractor");
  std::ofstream(dir / "missing.json") << j.dump();
  CHECK_THROWS_WITH(read_task_spec(dir / "missing.json"), Catch::Contains("missing key 'extractor'"));
  j = valid_spec();
  j["frames"] = "many";
  std::ofstream(dir / "type.json") << j.dump();
  CHECK_THROWS_WITH(read_task_spec(dir / "type.json"), Catch::Contains("'frames' has the wrong type"));
  // The reader and its paths now live in the dataset catalog; the old keys are unknown here.
  j = valid_spec();
  j["reader"] = "mvbench_json";
  std::ofstream(dir / "old.json") << j.dump();
  CHECK_THROWS_WITH(read_task_spec(dir / "old.json"), Catch::Contains("unknown key 'reader'"));
  j = valid_spec();
  j.erase("dataset");
  std::ofstream(dir / "nodata.json") << j.dump();
  CHECK_THROWS_WITH(read_task_spec(dir / "nodata.json"), Catch::Contains("missing key 'dataset'"));
}

TEST_CASE("the built-in registry reads synth_mcq from the tasks folder", "[tasks]") {
  TaskRegistry reg;
  register_builtin_tasks(reg, default_tasks_dir());
  const Task& t = reg.get("synth_mcq");
  CHECK(t.spec.protocol == "ppllava");
  CHECK(t.spec.dataset == "synth_mcq");
  CHECK(t.spec.answer_prefix == "Best option:(");
  CHECK(t.prompt_template.find("{options}") != std::string::npos);
  CHECK_THROWS_WITH(reg.get("mvbench_typo"), Catch::Contains("synth_mcq"));
}

TEST_CASE("prompt rendering fills question and lettered options", "[tasks]") {
  const std::string out = render_prompt("Question: {question}\nOptions:\n{options}\nOnly give the best option.", "t",
                                        "What colour?", {"red", "blue", "green"});
  CHECK(out == "Question: What colour?\nOptions:\n(A) red\n(B) blue\n(C) green\nOnly give the best option.");
  CHECK_THROWS_WITH(render_prompt("{subtitles}", "tmpl.txt", "q", {"a"}), Catch::Contains("tmpl.txt") &&
                                                                            Catch::Contains("{subtitles}"));
}
