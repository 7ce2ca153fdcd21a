// Bad annotation input, reader by reader: malformed JSON, missing or mistyped keys, answers without
// questions (and the reverse), repeated ids and keys, answers outside the candidates, text that is
// not UTF-8, and malformed subtitle files. Each case is a broken fixture written here and the
// pieces its error must name: the file, the line (and column) or the item and id, and the key.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/annotation_json.h"
#include "datasets/builtin_readers.h"
#include "datasets/egoschema_reader.h"
#include "datasets/gpt_qa_reader.h"
#include "datasets/longvideobench_reader.h"
#include "datasets/mlvu_reader.h"
#include "datasets/mvbench_reader.h"
#include "datasets/subtitles.h"
#include "datasets/vcg_reader.h"
#include "datasets/videomme_reader.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::put;
using ppb::test::TempDir;

namespace {

using Reader = std::function<void(const TempDir&)>;

struct BadInput {
  const char* what;                                        // the defect
  std::vector<std::pair<std::string, std::string>> files;  // relative path -> contents
  Reader read;                                             // the reader that must refuse it
  std::vector<std::string> expect;                         // every one must appear in the error
};

// The error `read` throws on the fixture, or "" when it reads the fixture without one.
std::string error_of(const BadInput& c) {
  TempDir d("badin");
  for (const auto& [path, text] : c.files) put(d / path, text);
  try {
    c.read(d);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void check_cases(const std::vector<BadInput>& cases) {
  for (const auto& c : cases) {
    const std::string err = error_of(c);
    INFO(c.what << "\n  error: " << (err.empty() ? "(none: the input was accepted)" : err));
    CHECK_FALSE(err.empty());
    for (const auto& piece : c.expect) CHECK_THAT(err, Catch::Contains(piece));
  }
}

const Reader gpt_qa = [](const TempDir& d) {
  read_gpt_qa({d / "qa/test_q.json", d / "qa/test_a.json", d / "qa/videos", "", {".mp4"}});
};
const Reader vcg = [](const TempDir& d) {
  read_vcg_qa({d / "vcg/generic_qa.json", d / "vcg/Test_Videos", {".mp4"}, "generic"});
};
const Reader mvbench = [](const TempDir& d) {
  read_mvbench_json(d / "mv/json", d / "mv/video", {"action_sequence", "star", false, 0});
};
const Reader videomme = [](const TempDir& d) {
  read_videomme({d / "vm/test.json", d / "vm/data", d / "vm/subtitle"});
};
const Reader egoschema = [](const TempDir& d) {
  read_egoschema_subset({d / "ego/questions.json", d / "ego/subset_answers.json", d / "ego/videos", {".mp4"}});
};
const Reader lvb = [](const TempDir& d) {
  read_longvideobench({d / "lvb/lvb_val.json", d / "lvb/videos", d / "lvb/subtitles"});
};
const Reader mlvu = [](const TempDir& d) {
  read_mlvu_task(d / "ml/json", d / "ml/video", {"count", "4_count.json", "4_count"});
};
const Reader srt = [](const TempDir& d) { read_srt(d / "sub.srt"); };
const Reader lvb_cues = [](const TempDir& d) { read_lvb_subtitles(d / "cues.json"); };

// Well-formed items, one per line, so that a defect's line is the item's line + 1.
const std::string q1 = R"({"video_name": "v1", "question": "what is he doing", "question_id": "q1"})";
const std::string q2 = R"({"video_name": "v2", "question": "what colour", "question_id": "q2"})";
const std::string a1 = R"({"answer": "running", "type": 0, "question_id": "q1"})";
const std::string a2 = R"({"answer": "red", "type": 4, "question_id": "q2"})";
const std::string vcg1 = R"({"video_name": "v_1", "Q": "What happens?", "A": "A man runs."})";
const std::string mv1 = R"({"video": "a.mp4", "question": "First?", "candidates": ["sat", "ran"], "answer": "ran"})";
const std::string vm1 =
    R"({"duration": "short", "domain": "d", "sub_category": "s", "videoID": "v", "question_id": "001-1", )"
    R"("task_type": "t", "question": "How many?", "options": ["A. one", "B. two"], "answer": "B"})";
const std::string ego1 = R"({"q_uid": "u1", "question": "Why?", "option 0": "a", "option 1": "b", "option 2": "c", )"
                         R"("option 3": "d", "option 4": "e"})";
const std::string lvb1 = R"({"id": "x_0", "video_path": "x.mp4", "question": "What?", "candidates": ["a", "b", "c"], )"
                         R"("correct_choice": 1, "duration": 12.5})";
const std::string ml1 = R"({"video": "c.mp4", "duration": 30, "question": "How many?", "candidates": ["1", "2"], )"
                        R"("answer": "2", "question_type": "count"})";

// "[\n  <first>,\n  <second>\n]": the second item sits on line 3.
std::string two(const std::string& first, const std::string& second) {
  return "[\n  " + first + ",\n  " + second + "\n]\n";
}
std::string one(const std::string& item) { return "[\n  " + item + "\n]\n"; }
// `item` with `from` replaced by `to` (the one place a fixture differs from the good item).
std::string with(std::string item, const std::string& from, const std::string& to) {
  const size_t at = item.find(from);
  REQUIRE(at != std::string::npos);
  return item.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("malformed JSON is an error naming the file, line and column", "[readers][bad_input]") {
  // Line 3 of each file is `  {"x": 1,}`: the '}' at column 11 is where the parser stops.
  const std::string bad_item = R"({"x": 1,})";
  check_cases({
      {"test_q.json", {{"qa/test_q.json", two(q1, bad_item)}, {"qa/test_a.json", one(a1)}}, gpt_qa,
       {"test_q.json:3:11", "malformed JSON"}},
      {"test_a.json", {{"qa/test_q.json", one(q1)}, {"qa/test_a.json", two(a1, bad_item)}}, gpt_qa,
       {"test_a.json:3:11", "malformed JSON"}},
      {"VCG", {{"vcg/generic_qa.json", two(vcg1, bad_item)}}, vcg, {"generic_qa.json:3:11", "malformed JSON"}},
      {"MVBench", {{"mv/json/action_sequence.json", two(mv1, bad_item)}}, mvbench,
       {"action_sequence.json:3:11", "malformed JSON"}},
      {"Video-MME", {{"vm/test.json", two(vm1, bad_item)}}, videomme, {"test.json:3:11", "malformed JSON"}},
      {"EgoSchema questions", {{"ego/questions.json", two(ego1, bad_item)}, {"ego/subset_answers.json", "{}"}},
       egoschema, {"questions.json:3:11", "malformed JSON"}},
      {"EgoSchema answers", {{"ego/questions.json", one(ego1)}, {"ego/subset_answers.json", "{\n  \"u1\": 2,\n}"}},
       egoschema, {"subset_answers.json:3:1", "malformed JSON"}},
      {"LongVideoBench", {{"lvb/lvb_val.json", two(lvb1, bad_item)}}, lvb, {"lvb_val.json:3:11", "malformed JSON"}},
      {"MLVU", {{"ml/json/4_count.json", two(ml1, bad_item)}}, mlvu, {"4_count.json:3:11", "malformed JSON"}},
      {"LVB subtitle cues", {{"cues.json", "[\n  {\"timestamp\": [1, 2], \"text\": \"a\"},\n  {\"x\": 1,}\n]"}},
       lvb_cues, {"cues.json:3:11", "malformed JSON"}},
      {"an empty file", {{"vm/test.json", ""}}, videomme, {"test.json:1:1", "malformed JSON"}},
      {"a file cut short", {{"vm/test.json", "[\n  " + vm1 + ",\n  {\"duration\": "}}, videomme,
       {"test.json:3:", "malformed JSON"}},
  });
}

TEST_CASE("a missing or mistyped key names the file, the item and its id, and the key", "[readers][bad_input]") {
  check_cases({
      {"question text", {{"qa/test_q.json", two(q1, with(q2, R"("question": "what colour", )", ""))},
                         {"qa/test_a.json", two(a1, a2)}},
       gpt_qa, {"test_q.json item 1 (id 'q2')", "missing key 'question'"}},
      {"question_id", {{"qa/test_q.json", two(q1, with(q2, R"(, "question_id": "q2")", ""))},
                       {"qa/test_a.json", one(a1)}},
       gpt_qa, {"test_q.json item 1", "missing key 'question_id'"}},
      {"a null answer", {{"qa/test_q.json", one(q1)}, {"qa/test_a.json", one(with(a1, "\"running\"", "null"))}},
       gpt_qa, {"test_a.json item 0 (id 'q1')", "key 'answer' should be a string or a number"}},
      {"VCG A", {{"vcg/generic_qa.json", two(vcg1, with(vcg1, R"(, "A": "A man runs.")", ""))}}, vcg,
       {"generic_qa.json item 1 (id 'v_1_1')", "missing key 'A'"}},
      {"MVBench candidates", {{"mv/json/action_sequence.json", one(with(mv1, R"("candidates": ["sat", "ran"], )", ""))}},
       mvbench, {"action_sequence.json item 0 (id 'action_sequence/0000')", "missing key 'candidates'"}},
      {"MVBench candidates not strings",
       {{"mv/json/action_sequence.json", one(with(mv1, R"(["sat", "ran"])", R"(["sat", 2])"))}}, mvbench,
       {"action_sequence.json item 0", "key 'candidates' should be an array of strings"}},
      {"Video-MME options", {{"vm/test.json", one(with(vm1, R"("options": ["A. one", "B. two"], )", ""))}}, videomme,
       {"test.json item 0 (id '001-1')", "missing key 'options'"}},
      {"EgoSchema option 3", {{"ego/questions.json", one(with(ego1, R"("option 3": "d", )", ""))},
                              {"ego/subset_answers.json", R"({"u1": 0})"}},
       egoschema, {"questions.json item 0 (id 'u1')", "missing key 'option 3'"}},
      {"LongVideoBench correct_choice", {{"lvb/lvb_val.json", one(with(lvb1, R"("correct_choice": 1, )", ""))}}, lvb,
       {"lvb_val.json item 0 (id 'x_0')", "missing key 'correct_choice'"}},
      {"LongVideoBench duration as text", {{"lvb/lvb_val.json", one(with(lvb1, "12.5", "\"long\""))}}, lvb,
       {"lvb_val.json item 0 (id 'x_0')", "key 'duration' should be a number"}},
      {"MLVU question", {{"ml/json/4_count.json", two(ml1, with(ml1, R"("question": "How many?", )", ""))}}, mlvu,
       {"4_count.json item 1 (id 'count/0001')", "missing key 'question'"}},
      {"MLVU duration as text", {{"ml/json/4_count.json", one(with(ml1, "30", "\"30s\""))}}, mlvu,
       {"4_count.json item 0", "key 'duration' should be a number"}},
      {"an item that is not an object", {{"vm/test.json", two(vm1, "[1, 2]")}}, videomme,
       {"test.json item 1", "expected a JSON object"}},
  });
}

TEST_CASE("an answer without its question, and a question without its answer, are errors naming the id",
          "[readers][bad_input]") {
  check_cases({
      {"answer without question", {{"qa/test_q.json", one(q1)}, {"qa/test_a.json", two(a1, a2)}}, gpt_qa,
       {"test_a.json item 1 (id 'q2')", "'q2' has no question", "test_q.json"}},
      {"question without answer", {{"qa/test_q.json", two(q1, q2)}, {"qa/test_a.json", one(a1)}}, gpt_qa,
       {"test_q.json item 1 (id 'q2')", "'q2' has no answer", "test_a.json"}},
      {"EgoSchema answer without question", {{"ego/questions.json", one(ego1)},
                                             {"ego/subset_answers.json", R"({"u1": 0, "u9": 3})"}},
       egoschema, {"subset_answers.json item 'u9'", "no question", "questions.json"}},
  });
}

TEST_CASE("repeated ids and repeated keys are errors naming both places", "[readers][bad_input]") {
  check_cases({
      {"question_id twice in test_q.json", {{"qa/test_q.json", "[\n  " + q1 + ",\n  " + q2 + ",\n  " + q1 + "\n]"},
                                            {"qa/test_a.json", two(a1, a2)}},
       gpt_qa, {"test_q.json item 2 (id 'q1')", "question_id 'q1' repeats", "first at", "test_q.json item 0"}},
      {"question_id twice in test_a.json", {{"qa/test_q.json", one(q1)},
                                            {"qa/test_a.json", two(a1, with(a1, "running", "walking"))}},
       gpt_qa, {"test_a.json item 1 (id 'q1')", "question_id 'q1' repeats", "test_a.json item 0"}},
      {"Video-MME question_id", {{"vm/test.json", two(vm1, vm1)}}, videomme,
       {"test.json item 1 (id '001-1')", "question_id '001-1' repeats", "test.json item 0"}},
      {"EgoSchema q_uid", {{"ego/questions.json", two(ego1, ego1)}, {"ego/subset_answers.json", R"({"u1": 0})"}},
       egoschema, {"questions.json item 1 (id 'u1')", "q_uid 'u1' repeats", "questions.json item 0"}},
      {"EgoSchema q_uid outside the subset", {{"ego/questions.json", two(ego1, ego1)},
                                              {"ego/subset_answers.json", R"({})"}},
       egoschema, {"questions.json item 1", "q_uid 'u1' repeats"}},
      {"EgoSchema answer given twice", {{"ego/questions.json", one(ego1)},
                                        {"ego/subset_answers.json", "{\n  \"u1\": 0,\n  \"u1\": 3\n}"}},
       egoschema, {"subset_answers.json", "key 'u1' appears twice"}},
      {"LongVideoBench id", {{"lvb/lvb_val.json", two(lvb1, lvb1)}}, lvb,
       {"lvb_val.json item 1 (id 'x_0')", "id 'x_0' repeats", "lvb_val.json item 0"}},
      {"a key twice in one item", {{"mv/json/action_sequence.json", two(mv1, with(mv1, "}", R"(, "answer": "sat"})"))}},
       mvbench, {"action_sequence.json item 1", "key 'answer' appears twice"}},
      {"a key twice in a nested object", {{"cues.json", R"([{"timestamp": [1, 2], "text": "a"},
                                                          {"timestamp": [2, 3], "text": "b", "text": "c"}])"}},
       lvb_cues, {"cues.json item 1", "key 'text' appears twice"}},
  });
}

TEST_CASE("derived sample ids and task tables must not repeat", "[readers][bad_input]") {
  std::vector<Sample> samples(3);
  samples[0].id = "count/0000";
  samples[1].id = "count/0001";
  samples[2].id = "count/0000";
  samples[2].subtask = "count";
  CHECK_THROWS_WITH(check_unique_sample_ids(samples, "dataset 'mlvu_dev'"),
                    Catch::Contains("dataset 'mlvu_dev'") && Catch::Contains("sample 0") &&
                        Catch::Contains("sample 2 (subtask 'count')") && Catch::Contains("'count/0000'"));
  samples[2].id = "count/0002";
  CHECK_NOTHROW(check_unique_sample_ids(samples, "dataset 'mlvu_dev'"));

  // A task listed twice would be read, and every item counted, twice.
  DatasetEntry mv{"mvbench", "mvbench", "d", nlohmann::json::parse(R"({"tasks": [
      {"name": "action_sequence", "folder": "star", "bounded": true},
      {"name": "object_shuffle", "folder": "p", "bounded": false},
      {"name": "action_sequence", "folder": "star2", "bounded": true}]})"),
                  "catalog.json"};
  CHECK_THROWS_WITH(mvbench_tasks(mv), Catch::Contains("key 'tasks' item 2") &&
                                           Catch::Contains("task name 'action_sequence' repeats") &&
                                           Catch::Contains("key 'tasks' item 0"));
  DatasetEntry ml{"mlvu_dev", "mlvu", "d", nlohmann::json::parse(R"({"tasks": [
      {"name": "plotQA", "file": "1_plotQA.json", "folder": "1_plotQA"},
      {"name": "plot", "file": "1_plotQA.json", "folder": "1_plotQA"}]})"),
                  "catalog.json"};
  CHECK_THROWS_WITH(mlvu_tasks(ml), Catch::Contains("key 'tasks' item 1") &&
                                        Catch::Contains("task file '1_plotQA.json' repeats"));

  // VCG's "<video_name>_<k>" ids stay apart even for names that look like ids.
  TempDir d("vcgids");
  put(d / "vcg/generic_qa.json", "[" + vcg1 + "," + with(vcg1, "v_1", "v_1_0") + "," + vcg1 + "]");
  const auto g = read_vcg_qa({d / "vcg/generic_qa.json", d / "vcg/Test_Videos", {".mp4"}, "generic"});
  REQUIRE(g.size() == 3);
  CHECK_NOTHROW(check_unique_sample_ids(g, "vcg"));
  CHECK(g[1].id == "v_1_0_0");
  CHECK(g[2].id == "v_1_1");
}

TEST_CASE("an answer outside the candidates is an error naming the item and the key", "[readers][bad_input]") {
  check_cases({
      {"MVBench answer text", {{"mv/json/action_sequence.json", two(mv1, with(mv1, R"("answer": "ran")",
                                                                              R"("answer": "walked")"))}},
       mvbench, {"action_sequence.json item 1 (id 'action_sequence/0001')", "key 'answer'", "'walked'",
                 "not among the candidates"}},
      {"MLVU answer text", {{"ml/json/4_count.json", one(with(ml1, R"("answer": "2")", R"("answer": "3")"))}}, mlvu,
       {"4_count.json item 0 (id 'count/0000')", "key 'answer'", "'3'", "not among the candidates"}},
      {"MLVU answer differing in case", {{"ml/json/4_count.json", one(with(ml1, R"(["1", "2"])", R"(["One", "Two"])"))}},
       mlvu, {"4_count.json item 0", "key 'answer'", "not among the candidates"}},
      {"Video-MME letter past the options", {{"vm/test.json", one(with(vm1, R"("answer": "B")", R"("answer": "C")"))}},
       videomme, {"test.json item 0 (id '001-1')", "key 'answer'", "'C'", "not the letter of an option"}},
      {"Video-MME lower-case letter", {{"vm/test.json", one(with(vm1, R"("answer": "B")", R"("answer": "b")"))}},
       videomme, {"test.json item 0", "key 'answer'", "'b'"}},
      {"EgoSchema answer 5", {{"ego/questions.json", one(ego1)}, {"ego/subset_answers.json", R"({"u1": 5})"}},
       egoschema, {"subset_answers.json item 'u1'", "integer 0..4"}},
      {"EgoSchema answer -1", {{"ego/questions.json", one(ego1)}, {"ego/subset_answers.json", R"({"u1": -1})"}},
       egoschema, {"subset_answers.json item 'u1'", "integer 0..4"}},
      {"EgoSchema answer as text", {{"ego/questions.json", one(ego1)}, {"ego/subset_answers.json", R"({"u1": "2"})"}},
       egoschema, {"subset_answers.json item 'u1'", "integer 0..4"}},
      {"LongVideoBench correct_choice 3 of 3", {{"lvb/lvb_val.json", one(with(lvb1, R"("correct_choice": 1)",
                                                                                   R"("correct_choice": 3)"))}},
       lvb, {"lvb_val.json item 0 (id 'x_0')", "key 'correct_choice'", "3 is not a candidate index"}},
      {"LongVideoBench correct_choice -1", {{"lvb/lvb_val.json", one(with(lvb1, R"("correct_choice": 1)",
                                                                                R"("correct_choice": -1)"))}},
       lvb, {"lvb_val.json item 0", "key 'correct_choice'", "-1 is not a candidate index"}},
      {"LongVideoBench correct_choice 1.0", {{"lvb/lvb_val.json", one(with(lvb1, R"("correct_choice": 1)",
                                                                                R"("correct_choice": 1.0)"))}},
       lvb, {"lvb_val.json item 0", "key 'correct_choice' should be an integer"}},
  });
}

TEST_CASE("text that is not UTF-8 names the file, line, column, item and key", "[readers][bad_input]") {
  // Line 3 is `  {"video": "a.mp4", "question": "Fi\xFFrst?", ...`: the bad byte is column 37.
  const std::string bad_question = with(mv1, "First?", "Fi\xFFrst?");
  check_cases({
      {"MVBench question", {{"mv/json/action_sequence.json", two(mv1, bad_question)}}, mvbench,
       {"action_sequence.json:3:37", "item 1, key 'question'", "not valid UTF-8", "0xFF"}},
      {"MVBench candidate", {{"mv/json/action_sequence.json", one(with(mv1, "\"ran\"]", "\"r\xC3n\"]"))}}, mvbench,
       {"action_sequence.json:2:", "item 0, key 'candidates[1]'", "not valid UTF-8", "0xC3"}},
      {"a surrogate in UTF-8 form", {{"vm/test.json", two(vm1, with(vm1, "How many?", "How \xED\xA0\x80many?"))}},
       videomme, {"test.json:3:", "item 1, key 'question'", "not valid UTF-8", "0xED"}},
      {"an overlong '/'", {{"qa/test_q.json", one(with(q1, "what is", "what\xC0\xAFis"))},
                           {"qa/test_a.json", one(a1)}},
       gpt_qa, {"test_q.json:2:", "item 0, key 'question'", "not valid UTF-8", "0xC0"}},
      {"a reference answer", {{"qa/test_q.json", one(q1)}, {"qa/test_a.json", one(with(a1, "running", "runn\x80ing"))}},
       gpt_qa, {"test_a.json:2:", "item 0, key 'answer'", "not valid UTF-8", "0x80"}},
      {"VCG answer", {{"vcg/generic_qa.json", one(with(vcg1, "A man", "A m\xE9n"))}}, vcg,
       {"generic_qa.json:2:", "item 0, key 'A'", "not valid UTF-8"}},
      {"EgoSchema answers key", {{"ego/questions.json", one(ego1)}, {"ego/subset_answers.json", "{\"u\xFE\": 1}"}},
       egoschema, {"subset_answers.json:1:4", "a key name", "not valid UTF-8"}},
      {"LongVideoBench candidate", {{"lvb/lvb_val.json", one(with(lvb1, "\"c\"]", "\"\xF8\"]"))}}, lvb,
       {"lvb_val.json:2:", "item 0, key 'candidates[2]'", "not valid UTF-8", "0xF8"}},
      {"MLVU question_type", {{"ml/json/4_count.json", one(with(ml1, "\"count\"", "\"co\xFFunt\""))}}, mlvu,
       {"4_count.json:2:", "item 0, key 'question_type'", "not valid UTF-8"}},
      {"LVB cue text", {{"cues.json", "[{\"timestamp\": [1, 2], \"text\": \"caf\xE9\"}]"}}, lvb_cues,
       {"cues.json:1:", "item 0, key 'text'", "not valid UTF-8"}},
      {"SRT cue text", {{"sub.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04,000\ncaf\xE9\n"}},
       srt, {"sub.srt line 7, column 4", "not valid UTF-8"}},
  });
  // Strings that reach the field helpers another way than through the file parser are checked there too.
  nlohmann::json item = {{"question", std::string("Fi\xFFrst?")}, {"candidates", {"a", std::string("b\xC3")}}};
  CHECK_THROWS_WITH(string_field(item, "question", "f.json item 4"),
                    Catch::Contains("f.json item 4: key 'question': text is not valid UTF-8 (byte 0xFF at offset 2)"));
  CHECK_THROWS_WITH(string_list_field(item, "candidates", "f.json item 4"),
                    Catch::Contains("key 'candidates' [1]") && Catch::Contains("not valid UTF-8"));
  // Well-formed multi-byte text (2, 3 and 4 bytes) and a byte-order mark are accepted.
  CHECK(invalid_utf8_offset("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xA5") == std::string::npos);
  CHECK(invalid_utf8_offset("ab\xF4\x90\x80\x80") == 2);  // above U+10FFFF
  CHECK(invalid_utf8_offset("ab\xE2\x82") == 2);          // cut short
  CHECK(parse_annotation_text("\xEF\xBB\xBF[{\"q\": \"caf\xC3\xA9\"}]", "bom.json")[0]["q"] == "caf\xC3\xA9");
}

TEST_CASE("a malformed subtitle file names the file and the line", "[readers][bad_input]") {
  const std::string ok = "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n";
  check_cases({
      {"a timing line without an arrow", {{"sub.srt", ok + "2\n00:00:03,000 to 00:00:04,000\nsecond\n"}}, srt,
       {"sub.srt line 6", "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"}},
      {"letters in a time", {{"sub.srt", ok + "2\n00:0a:03,000 --> 00:00:04,000\nsecond\n"}}, srt,
       {"sub.srt line 6", "00:0a:03,000"}},
      {"75 minutes", {{"sub.srt", ok + "2\n00:75:03,000 --> 00:76:04,000\nsecond\n"}}, srt, {"sub.srt line 6"}},
      {"61 seconds", {{"sub.srt", ok + "2\n00:00:61,000 --> 00:01:04,000\nsecond\n"}}, srt, {"sub.srt line 6"}},
      {"a cue that ends before it starts", {{"sub.srt", ok + "2\n00:00:09,000 --> 00:00:04,000\nsecond\n"}}, srt,
       {"sub.srt line 6", "ends before it starts"}},
      {"a cue number and nothing after it", {{"sub.srt", ok + "2\n"}}, srt,
       {"sub.srt line 5", "cue number without a timing line"}},
      {"text where a timing line belongs", {{"sub.srt", ok + "2\nhello there\n"}}, srt,
       {"sub.srt line 6", "'hello there'"}},
      {"CRLF line ends count lines the same", {{"sub.srt", "1\r\n00:00:01,000 --> 00:00:02,000\r\na\r\n\r\n"
                                                           "2\r\n00:00:03,000 -> 00:00:04,000\r\nb\r\n"}},
       srt, {"sub.srt line 6"}},
      {"an LVB cue without a time", {{"cues.json", R"([{"timestamp": [1, 2], "text": "a"}, {"text": "b"}])"}},
       lvb_cues, {"cues.json cue 1", "missing key 'timestamp'"}},
      {"an LVB clock that is not one", {{"cues.json", R"([{"start": "00:01:7x.00", "end": null, "line": "b"}])"}},
       lvb_cues, {"cues.json cue 0", "key 'start'"}},
  });
  // The good part alone reads, and the line count survives a byte-order mark.
  TempDir d("srtok");
  put(d / "sub.srt", "\xEF\xBB\xBF" + ok);
  CHECK(read_srt(d / "sub.srt").size() == 1);
  put(d / "sub.srt", "\xEF\xBB\xBF" + ok + "2\n00:00:03,000 -> 00:00:04,000\nb\n");
  CHECK_THROWS_WITH(read_srt(d / "sub.srt"), Catch::Contains("sub.srt line 6"));
}

TEST_CASE("a missing video is not a reader error: every item is read and the path kept", "[readers][bad_input]") {
  TempDir d("novideo");
  put(d / "mv/json/action_sequence.json", two(mv1, with(mv1, "a.mp4", "b.mp4")));
  put(d / "lvb/lvb_val.json", one(lvb1));
  put(d / "vm/test.json", one(vm1));
  put(d / "qa/test_q.json", two(q1, q2));
  put(d / "qa/test_a.json", two(a2, a1));
  const auto mv = read_mvbench_json(d / "mv/json", d / "mv/video", {"action_sequence", "star", false, 0});
  REQUIRE(mv.size() == 2);
  CHECK(mv[1].video == d / "mv/video/star/b.mp4");
  CHECK(read_longvideobench({d / "lvb/lvb_val.json", d / "lvb/videos", d / "lvb/subtitles"}).size() == 1);
  CHECK(read_videomme({d / "vm/test.json", d / "vm/data", d / "vm/subtitle"}).at(0).video == d / "vm/data/v.mp4");
  const auto qa = read_gpt_qa({d / "qa/test_q.json", d / "qa/test_a.json", d / "qa/videos", "", {".mp4"}});
  REQUIRE(qa.size() == 2);
  CHECK(qa[1].answer == "red");
}
