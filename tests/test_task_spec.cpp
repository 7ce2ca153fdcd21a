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
nlohmann::json valid_protocol() {
  return {{"source", "s"}, {"prompt_template", "prompts/x.txt"}, {"answer_prefix", "("}, {"option_format", "paren"},
          {"frame_policy", "segment_midpoint"}, {"frames", 8}, {"max_new_tokens", 4}, {"extractor", "option_letter"},
          {"denominator", "all"}, {"aggregation", "micro"}, {"metrics", {"accuracy"}}};
}
nlohmann::json valid_spec() {
  return {{"name", "t"},           {"version", 1},       {"family", "multiple_choice"}, {"description", "d"},
          {"dataset", "synth_mcq"}, {"default_protocol", "p"}, {"protocols", {{"p", valid_protocol()}}}};
}
void write(const std::string& path, const nlohmann::json& j) { std::ofstream(path) << j.dump(); }
}  // namespace

TEST_CASE("a spec with an unknown or missing key is rejected, naming file, protocol and key", "[tasks]") {
  TempDir dir("spec");
  auto j = valid_spec();
  write(dir / "ok.json", j);
  CHECK(read_task_spec(dir / "ok.json").protocol("p").frames == 8);
  j["frame_count"] = 4;
  write(dir / "extra.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "extra.json"), Catch::Contains("extra.json") && Catch::Contains("'frame_count'"));
  j = valid_spec();
  j["protocols"]["p"].erase("extractor");
  write(dir / "missing.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "missing.json"),
                    Catch::Contains("protocol 'p'") && Catch::Contains("missing key 'extractor'"));
  j = valid_spec();
  j["protocols"]["p"]["frames"] = "many";
  write(dir / "type.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "type.json"), Catch::Contains("'frames' has the wrong type"));
  j = valid_spec();
  j["protocols"]["p"]["denominator"] = "answered";
  write(dir / "choice.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "choice.json"),
                    Catch::Contains("'denominator' is 'answered'") && Catch::Contains("all, parsed, nonempty"));
  j = valid_spec();
  j["protocols"]["p"]["metrics"] = {"cider_d"};
  write(dir / "metric.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "metric.json"), Catch::Contains("'metrics' is 'cider_d'"));
  j = valid_spec();
  j["protocols"]["p"]["extractor"] = "first_letter_anywhere_typo";
  write(dir / "extractor.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "extractor.json"), Catch::Contains("extractor") && Catch::Contains("option_letter"));
  j = valid_spec();
  j["default_protocol"] = "lmms";
  write(dir / "default.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "default.json"), Catch::Contains("default_protocol 'lmms'"));
  j = valid_spec();
  j["family"] = "open_ended_judged";
  j["protocols"]["p"]["metrics"] = {"judge_accuracy"};
  write(dir / "family.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "family.json"), Catch::Contains("is for multiple-choice tasks only"));
  // The reader and its paths live in the dataset catalog; the old keys are unknown here.
  j = valid_spec();
  j["reader"] = "mvbench_json";
  write(dir / "old.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "old.json"), Catch::Contains("unknown key 'reader'"));
  j = valid_spec();
  j.erase("dataset");
  write(dir / "nodata.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "nodata.json"), Catch::Contains("missing key 'dataset'"));
}

TEST_CASE("judged protocols: judge call limits, and DREAM-1K's two templates", "[tasks]") {
  TempDir dir("spec_judge");
  nlohmann::json p = {{"source", "s"},     {"prompt_template", "prompts/x.txt"}, {"answer_prefix", ""},
                      {"frame_policy", "segment_midpoint"}, {"frames", 8}, {"max_new_tokens", 4},
                      {"denominator", "all"}, {"aggregation", "macro"}, {"metrics", {"precision", "recall", "f1"}},
                      {"judge_templates", {{"extract_events", "judges/e.txt"}, {"entailment", "judges/n.txt"}}},
                      {"judge_parse", "tarsier"}, {"judge_model", "m-0125"}};
  nlohmann::json j = valid_spec();
  j["family"] = "dream_judged";
  j["protocols"]["p"] = p;
  write(dir / "dream.json", j);
  const Protocol defaults = read_task_spec(dir / "dream.json").protocol("p");
  CHECK(defaults.judge_max_tokens == 64);
  CHECK(defaults.judge_parse_retries == 0);
  j["protocols"]["p"]["judge_max_tokens"] = 1024;
  j["protocols"]["p"]["judge_parse_retries"] = 10;
  write(dir / "dream.json", j);
  const Protocol set = read_task_spec(dir / "dream.json").protocol("p");
  CHECK(set.judge_max_tokens == 1024);
  CHECK(set.judge_parse_retries == 10);
  j["protocols"]["p"]["judge_parse_retries"] = -1;
  write(dir / "negative.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "negative.json"), Catch::Contains("judge_parse_retries"));
  j["protocols"]["p"]["judge_parse_retries"] = 10;
  j["protocols"]["p"]["judge_templates"].erase("entailment");
  write(dir / "one_step.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "one_step.json"),
                    Catch::Contains("one_step.json") && Catch::Contains("needs a template 'entailment'"));
  // Judge settings on a task without a judge are an error.
  j = valid_spec();
  j["protocols"]["p"]["judge_max_tokens"] = 10;
  write(dir / "mcq.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "mcq.json"), Catch::Contains("'judge_max_tokens' is for judged tasks only"));
}

TEST_CASE("the built-in registry reads synth_mcq from the tasks folder", "[tasks]") {
  TaskRegistry reg;
  register_builtin_tasks(reg, default_tasks_dir());
  const Task& t = reg.get("synth_mcq");
  CHECK(t.spec.default_protocol == "ppllava");
  CHECK(t.spec.dataset == "synth_mcq");
  const Protocol& p = t.spec.protocol("ppllava");
  CHECK(p.answer_prefix == "Best option:(");
  CHECK(t.template_text(p.prompt_template).find("{options}") != std::string::npos);
  CHECK(t.fingerprint("ppllava").size() == 64);
  CHECK_THROWS_WITH(t.spec.protocol("lmms"), Catch::Contains("has no protocol 'lmms'") && Catch::Contains("ppllava"));
  CHECK_THROWS_WITH(reg.get("mvbench_typo"), Catch::Contains("synth_mcq"));
}

TEST_CASE("prompt rendering fills question and lettered options", "[tasks]") {
  PromptFields f;
  f.question = "What colour?";
  f.candidates = {"red", "blue", "green"};
  const std::string out = render_prompt("Question: {question}\nOptions:\n{options}\nOnly give the best option.", "t", f);
  CHECK(out == "Question: What colour?\nOptions:\n(A) red\n(B) blue\n(C) green\nOnly give the best option.");
  f.option_format = "dot";
  f.question = "what is the man doing";
  f.subtitles = "hello\nthere";
  CHECK(render_prompt("{subtitles}|{question_sentence}|{options}", "t", f) ==
        "hello\nthere|What is the man doing?|A. red\nB. blue\nC. green");
  CHECK_THROWS_WITH(render_prompt("{answer}", "tmpl.txt", f), Catch::Contains("tmpl.txt") && Catch::Contains("{answer}"));
}

TEST_CASE("a protocol may set the frame count by a sample field", "[tasks]") {
  TaskRegistry reg;
  register_builtin_tasks(reg, default_tasks_dir());
  // PPLLaVA's Video-MME: 32 frames for short videos, 64 for medium and long.
  const Protocol& p = reg.get("videomme_subs").spec.protocol("ppllava");
  CHECK(protocol_frames(p, {{"duration", "short"}}, 0, "001-1") == 32);
  CHECK(protocol_frames(p, {{"duration", "long"}}, 0, "601-1") == 64);
  CHECK(protocol_frames(p, {{"duration", "long"}}, 8, "601-1") == 8);  // --frames wins
  CHECK_THROWS_WITH(protocol_frames(p, {{"duration", "epic"}}, 0, "9-1"),
                    Catch::Contains("sample 9-1") && Catch::Contains("duration is 'epic'"));
  CHECK(protocol_frames(reg.get("videomme_subs").spec.protocol("lmms"), {{"duration", "long"}}, 0, "x") == 32);

  TempDir dir("frames_by");
  auto j = valid_spec();
  j["protocols"]["p"]["frames_by"] = {{"key", "duration"}, {"frames", {{"short", 0}}}};
  write(dir / "zero.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "zero.json"), Catch::Contains("frames_by: short has 0 frames"));
  j["protocols"]["p"]["frames_by"] = {{"field", "duration"}};
  write(dir / "field.json", j);
  CHECK_THROWS_WITH(read_task_spec(dir / "field.json"), Catch::Contains("frames_by: unknown key 'field'"));
}
