// The upstream annotation readers on hand-written fixtures: joins by id, id rules, video path
// resolution (extensions, prefixes, frame folders), answers as letters/indices/texts, and
// errors that name the file, the item and the key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "datasets/egoschema_reader.h"
#include "datasets/gpt_qa_reader.h"
#include "datasets/longvideobench_reader.h"
#include "datasets/mlvu_reader.h"
#include "datasets/mvbench_reader.h"
#include "datasets/vcg_reader.h"
#include "datasets/videomme_reader.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::TempDir;
namespace fs = std::filesystem;
using ppb::test::put;

namespace {

GptQaLayout qa_layout(const TempDir& d, const std::string& prefix = "") {
  return {d / "qa/test_q.json", d / "qa/test_a.json", d / "qa/videos", prefix, {".mp4", ".avi", ".mov", ".mkv"}};
}

}  // namespace

TEST_CASE("GPT zero-shot QA joins questions and answers by question_id, not by position", "[datasets]") {
  TempDir d("gptqa");
  put(d / "qa/test_q.json", R"([
    {"video_name": "vidA", "question": "what is the man doing", "question_id": 7},
    {"video_name": "vidB", "question": "what colour is the car", "question_id": 3},
    {"video_name": "vidC", "question": "how many dogs are there", "question_id": 12}])");
  put(d / "qa/test_a.json", R"([
    {"answer": "two", "type": 7, "question_id": 12},
    {"answer": "dance", "type": 0, "question_id": 7},
    {"answer": "red", "type": 4, "question_id": 3}])");
  put(d / "qa/videos/vidA.avi", "x");
  put(d / "qa/videos/vidB.mkv", "x");
  put(d / "qa/videos/vidB.mov", "x");  // .mov comes before .mkv in the order tried
  const auto s = read_gpt_qa(qa_layout(d));
  REQUIRE(s.size() == 3);
  CHECK(s[0].id == "7");  // test_q.json order
  CHECK(s[0].answer == "dance");
  CHECK(s[1].answer == "red");
  CHECK(s[2].answer == "two");
  CHECK(s[2].meta.at("type") == "7");
  CHECK(s[0].candidates.empty());
  CHECK(s[0].answer_index == -1);
  CHECK(fs::path(s[0].video).filename() == "vidA.avi");
  CHECK(fs::path(s[1].video).filename() == "vidB.mov");
  CHECK(fs::path(s[2].video).filename() == "vidC.mp4");  // none exists: the first candidate
  CHECK(fs::path(s[2].video).parent_path() == fs::path(d / "qa/videos"));
}

TEST_CASE("ActivityNet-QA prepends v_ to the video file name", "[datasets]") {
  TempDir d("anet");
  put(d / "qa/test_q.json", R"([{"video_name": "abc", "question": "is it day", "question_id": "v_abc_0"}])");
  put(d / "qa/test_a.json", R"([{"answer": "yes", "type": 3, "question_id": "v_abc_0"}])");
  put(d / "qa/videos/v_abc.webm", "x");
  GptQaLayout l = qa_layout(d, "v_");
  l.extensions = {".mp4", ".webm", ".mkv"};
  const auto s = read_gpt_qa(l);
  REQUIRE(s.size() == 1);
  CHECK(s[0].id == "v_abc_0");
  CHECK(fs::path(s[0].video).filename() == "v_abc.webm");
  CHECK(s[0].meta.at("video_name") == "abc");
}

TEST_CASE("GPT QA errors name the file, the item or id, and the key", "[datasets]") {
  TempDir d("gptqa_err");
  put(d / "qa/test_a.json", R"([{"answer": "a", "question_id": "q1"}, {"answer": "b", "question_id": "q2"}])");
  put(d / "qa/test_q.json", R"([{"video_name": "v", "question": "q?", "question_id": "q1"},
                                {"video_name": "v", "question": "q?"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)),
                    Catch::Contains("test_q.json item 1") && Catch::Contains("missing key 'question_id'"));
  put(d / "qa/test_q.json", R"([{"video_name": "v", "question": "q?", "question_id": "q1"},
                                {"video_name": "v", "question": "q?", "question_id": "q9"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)), Catch::Contains("test_q.json item 1") && Catch::Contains("'q9'") &&
                                                   Catch::Contains("no answer"));
  put(d / "qa/test_q.json", R"([{"video_name": "v", "question": "q?", "question_id": "q1"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)), Catch::Contains("test_a.json item 1") && Catch::Contains("'q2'") &&
                                                   Catch::Contains("no question"));
  put(d / "qa/test_a.json", R"([{"question_id": "q1"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)),
                    Catch::Contains("test_a.json item 0") && Catch::Contains("missing key 'answer'"));
  // A question id given twice cannot be joined to one answer.
  put(d / "qa/test_a.json", R"([{"answer": "a", "question_id": "q1"}])");
  put(d / "qa/test_q.json", R"([{"video_name": "v", "question": "q?", "question_id": "q1"},
                                {"video_name": "w", "question": "r?", "question_id": "q1"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)), Catch::Contains("test_q.json item 1") && Catch::Contains("'q1'"));
  put(d / "qa/test_q.json", R"([{"video_name": "v", "question": "q?", "question_id": "q1"}])");
  put(d / "qa/test_a.json", R"([{"answer": "a", "question_id": "q1"}, {"answer": "b", "question_id": "q1"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)), Catch::Contains("test_a.json item 1") && Catch::Contains("'q1'"));
}

TEST_CASE("annotation paths stay inside the data folder", "[datasets]") {
  TempDir d("escape");
  put(d / "qa/test_q.json", R"([{"video_name": "../../secret", "question": "q", "question_id": "q1"}])");
  put(d / "qa/test_a.json", R"([{"answer": "a", "question_id": "q1"}])");
  CHECK_THROWS_WITH(read_gpt_qa(qa_layout(d)), Catch::Contains("test_q.json item 0") &&
                                                   Catch::Contains("../../secret") && Catch::Contains("leaves"));
  put(d / "mv/json/t.json", R"([{"video": "ok.mp4", "question": "q", "candidates": ["a", "b"], "answer": "a"},
                                {"video": "/etc/passwd", "question": "q", "candidates": ["a", "b"], "answer": "a"}])");
  CHECK_THROWS_WITH(read_mvbench_json(d / "mv/json", d / "mv/video", {"t", "f", false, 0}),
                    Catch::Contains("t.json item 1") && Catch::Contains("/etc/passwd") && Catch::Contains("absolute"));
  // An empty or "." video names the folder itself, not a video in it.
  for (const char* bad : {"", "."}) {
    put(d / "mv/json/e.json", std::string(R"([{"video": ")") + bad +
                                  R"(", "question": "q", "candidates": ["a", "b"], "answer": "a"}])");
    CHECK_THROWS_WITH(read_mvbench_json(d / "mv/json", d / "mv/video", {"e", "f", false, 0}),
                      Catch::Contains("e.json item 0") && Catch::Contains("names no file"));
  }
  // ".." that stays inside after normalisation is fine.
  put(d / "mv/json/u.json", R"([{"video": "x/../ok.mp4", "question": "q", "candidates": ["a", "b"], "answer": "b"}])");
  const auto ok = read_mvbench_json(d / "mv/json", d / "mv/video", {"u", "f", false, 0});
  CHECK(ok.at(0).video == (fs::path(d / "mv/video/f/ok.mp4")).string());
}

TEST_CASE("VCG-Bench ids follow the eval script's per-video occurrence rule", "[datasets]") {
  TempDir d("vcg");
  put(d / "vcg/generic_qa.json", R"([
    {"video_name": "v_1", "Q": "What happens?", "A": "A man runs."},
    {"video_name": "v_2", "Q": "Where is it?", "A": "A park."},
    {"video_name": "v_1", "Q": "Who is there?", "A": "A man."},
    {"video_name": "v_1", "Q": "Why?", "A": "Sport."}])");
  put(d / "vcg/Test_Videos/v_2.MP4", "x");
  const auto g = read_vcg_qa({d / "vcg/generic_qa.json", d / "vcg/Test_Videos", {".mp4", ".MP4", ".mkv"}, "generic"});
  REQUIRE(g.size() == 4);
  CHECK(g[0].id == "v_1_0");
  CHECK(g[1].id == "v_2_0");
  CHECK(g[2].id == "v_1_1");
  CHECK(g[3].id == "v_1_2");
  CHECK(g[2].question == "Who is there?");
  CHECK(g[2].answer == "A man.");
  CHECK(g[0].subtask == "generic");
  CHECK(fs::path(g[1].video).filename() == "v_2.MP4");
  put(d / "vcg/consistency_qa.json", R"([{"video_name": "v_3", "Q1": "What colour?", "Q2": "Which hue?", "A": "Red."}])");
  const auto c =
      read_vcg_qa({d / "vcg/consistency_qa.json", d / "vcg/Test_Videos", {".mp4"}, "consistency"});
  REQUIRE(c.size() == 1);
  CHECK(c[0].question == "What colour?");
  CHECK(c[0].question_2 == "Which hue?");
  // Consistency pairs get occurrence ids too, so two pairs on one video stay apart.
  put(d / "vcg/consistency_qa.json", R"([{"video_name": "v_3", "Q1": "What colour?", "Q2": "Which hue?", "A": "Red."},
                                           {"video_name": "v_3", "Q1": "How many?", "Q2": "What count?", "A": "Two."}])");
  const auto c2 = read_vcg_qa({d / "vcg/consistency_qa.json", d / "vcg/Test_Videos", {".mp4"}, "consistency"});
  REQUIRE(c2.size() == 2);
  CHECK(c2[0].id == "v_3_0");
  CHECK(c2[1].id == "v_3_1");
  CHECK(c2[1].question_2 == "What count?");
  CHECK_THROWS_WITH(read_vcg_qa({d / "vcg/generic_qa.json", d / "vcg/Test_Videos", {".mp4"}, "detail"}),
                    Catch::Contains("detail"));
  put(d / "vcg/bad.json", R"([{"video_name": "v_3", "Q1": "What colour?", "A": "Red."}])");
  CHECK_THROWS_WITH(read_vcg_qa({d / "vcg/bad.json", d / "vcg/Test_Videos", {".mp4"}, "consistency"}),
                    Catch::Contains("bad.json item 0") && Catch::Contains("missing key 'Q2'"));
}

TEST_CASE("MVBench: bounded tasks, frame folders and answers", "[datasets]") {
  TempDir d("mvbench");
  put(d / "MVBench/json/action_sequence.json", R"([
    {"video": "A1.mp4", "question": "What did the person do first?", "candidates": ["sat", "ran", "ate"],
     "answer": "ran", "start": 3.5, "end": 12.25}])");
  put(d / "MVBench/json/object_shuffle.json", R"([
    {"video": "p.mp4", "question": "Where is the ball?", "candidates": ["left", "right"], "answer": "right",
     "start": 1, "end": 2}])");
  put(d / "MVBench/json/episodic_reasoning.json", R"([
    {"video": "castle_s01e01_seg02_clip_00", "question": "Why?", "candidates": ["x", "y", "z"], "answer": "z",
     "start": 2.0, "end": 9.0}])");
  const std::string json_dir = d / "MVBench/json", root = d / "MVBench/video";
  const auto seq = read_mvbench_json(json_dir, root, {"action_sequence", "star/Charades_v1_480", true, 0});
  REQUIRE(seq.size() == 1);
  CHECK(seq[0].id == "action_sequence/0000");
  CHECK(seq[0].subtask == "action_sequence");
  CHECK(seq[0].video == d / "MVBench/video/star/Charades_v1_480/A1.mp4");
  CHECK(seq[0].answer_index == 1);
  REQUIRE(seq[0].bounds);
  CHECK(seq[0].bounds->start == 3.5);
  CHECK(seq[0].bounds->end == 12.25);
  CHECK(seq[0].folder_fps == 0);
  const auto shuffle = read_mvbench_json(json_dir, root, {"object_shuffle", "perception/videos", false, 0});
  CHECK_FALSE(shuffle.at(0).bounds);  // an unbounded task ignores start/end, as the official reader does
  const auto ep = read_mvbench_json(json_dir, root, {"episodic_reasoning", "tvqa/frames_fps3_hq", true, 3});
  CHECK(ep.at(0).folder_fps == 3);
  CHECK(ep.at(0).video == d / "MVBench/video/tvqa/frames_fps3_hq/castle_s01e01_seg02_clip_00");
  CHECK(ep.at(0).answer_index == 2);
  // A bounded task needs the bounds; an answer must be a candidate.
  const auto bounded = read_mvbench_json(json_dir, root, {"object_shuffle", "p", true, 0});
  REQUIRE(bounded.at(0).bounds);  // integer seconds are accepted
  CHECK(bounded.at(0).bounds->end == 2.0);
  put(d / "MVBench/json/action_prediction.json", R"([
    {"video": "B.mp4", "question": "Next?", "candidates": ["a", "b"], "answer": "a", "start": 1.0}])");
  CHECK_THROWS_WITH(read_mvbench_json(json_dir, root, {"action_prediction", "star", true, 0}),
                    Catch::Contains("action_prediction.json item 0") && Catch::Contains("missing key 'end'"));
  // Bounds that end before they start are kept as given (sampling clamps them), not a failed task.
  put(d / "MVBench/json/action_localization.json", R"([
    {"video": "D.mp4", "question": "When?", "candidates": ["a", "b"], "answer": "a", "start": 5.0, "end": 4.0}])");
  const auto odd = read_mvbench_json(json_dir, root, {"action_localization", "sta/sta_video", true, 0});
  REQUIRE(odd.at(0).bounds);
  CHECK(odd.at(0).bounds->start == 5.0);
  CHECK(odd.at(0).bounds->end == 4.0);
  put(d / "MVBench/json/state_change.json", R"([
    {"video": "C.mp4", "question": "Q", "candidates": ["a", "b"], "answer": "c"}])");
  CHECK_THROWS_WITH(read_mvbench_json(json_dir, root, {"state_change", "perception/videos", false, 0}),
                    Catch::Contains("state_change.json item 0") && Catch::Contains("'answer'"));
}

TEST_CASE("Video-MME: option letters, answer index and subtitles where an .srt exists", "[datasets]") {
  TempDir d("videomme");
  put(d / "vm/test.json", R"([
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
     "url": "https://www.youtube.com/watch?v=fFjv93ACGo8", "videoID": "fFjv93ACGo8", "question_id": "001-1",
     "task_type": "Counting Problem", "question": "How many people?",
     "options": ["A. One.", "B. Two.", "C. Three.", "D. Four."], "answer": "C"},
    {"video_id": "002", "duration": "long", "domain": "Sports", "sub_category": "Football",
     "videoID": "zzz", "question_id": "002-3", "task_type": "Action Recognition", "question": "What?",
     "options": ["A. Kick", "B. Run", "C. Jump", "D. Sit"], "answer": "A"}])");
  put(d / "vm/subtitle/fFjv93ACGo8.srt", "1\n00:00:00,000 --> 00:00:01,000\nhi\n");
  const auto s = read_videomme({d / "vm/test.json", d / "vm/data", d / "vm/subtitle"});
  REQUIRE(s.size() == 2);
  CHECK(s[0].id == "001-1");
  CHECK(s[0].candidates == std::vector<std::string>{"One.", "Two.", "Three.", "Four."});
  CHECK(s[0].answer_index == 2);
  CHECK(s[0].answer == "Three.");
  CHECK(s[0].subtask == "short");
  CHECK(s[0].meta.at("task_type") == "Counting Problem");
  CHECK(s[0].meta.at("domain") == "Knowledge");
  CHECK(s[0].meta.at("sub_category") == "Humanity & History");
  CHECK(s[0].video == d / "vm/data/fFjv93ACGo8.mp4");
  CHECK(s[0].subtitles == d / "vm/subtitle/fFjv93ACGo8.srt");
  CHECK(s[1].subtitles.empty());
  CHECK(s[1].answer == "Kick");
  CHECK(s[1].subtask == "long");
  put(d / "vm/bad.json", R"([{"duration": "short", "domain": "d", "sub_category": "s", "videoID": "v",
    "question_id": "9-1", "task_type": "t", "question": "q", "options": ["A. x", "B. y"], "answer": "E"}])");
  CHECK_THROWS_WITH(read_videomme({d / "vm/bad.json", d / "vm/data", d / "vm/subtitle"}),
                    Catch::Contains("bad.json item 0") && Catch::Contains("'answer'"));
  put(d / "vm/bad2.json", R"([{"duration": "short", "domain": "d", "sub_category": "s", "videoID": "v",
    "question_id": "9-1", "question": "q", "options": ["A. x", "B. y"], "answer": "A"}])");
  CHECK_THROWS_WITH(read_videomme({d / "vm/bad2.json", d / "vm/data", d / "vm/subtitle"}),
                    Catch::Contains("bad2.json item 0") && Catch::Contains("missing key 'task_type'"));
}

TEST_CASE("EgoSchema subset: the questions that have an answer, in question order", "[datasets]") {
  TempDir d("ego");
  put(d / "ego/questions.json", R"([
    {"q_uid": "u1", "google_drive_id": "g", "question": "What is c doing?", "option 0": "cooking",
     "option 1": "reading", "option 2": "cleaning", "option 3": "sleeping", "option 4": "painting"},
    {"q_uid": "u2", "question": "Where?", "option 0": "a", "option 1": "b", "option 2": "c", "option 3": "d",
     "option 4": "e"},
    {"q_uid": "u3", "question": "Why?", "option 0": "a", "option 1": "b", "option 2": "c", "option 3": "d",
     "option 4": "e"}])");
  put(d / "ego/subset_answers.json", R"({"u3": 4, "u1": 2})");
  const auto s = read_egoschema_subset({d / "ego/questions.json", d / "ego/subset_answers.json", d / "ego/v", {".mp4"}});
  REQUIRE(s.size() == 2);
  CHECK(s[0].id == "u1");
  CHECK(s[0].answer_index == 2);
  CHECK(s[0].answer == "cleaning");
  CHECK(s[0].candidates.size() == 5);
  CHECK(s[1].id == "u3");
  CHECK(s[1].answer == "e");
  CHECK(s[1].video == d / "ego/v/u3.mp4");
  put(d / "ego/subset_answers.json", R"({"u1": 5})");
  CHECK_THROWS_WITH(read_egoschema_subset({d / "ego/questions.json", d / "ego/subset_answers.json", d / "ego/v", {".mp4"}}),
                    Catch::Contains("subset_answers.json") && Catch::Contains("'u1'"));
  put(d / "ego/subset_answers.json", R"({"u1": 2, "u7": 0})");
  CHECK_THROWS_WITH(read_egoschema_subset({d / "ego/questions.json", d / "ego/subset_answers.json", d / "ego/v", {".mp4"}}),
                    Catch::Contains("subset_answers.json") && Catch::Contains("'u7'"));
}

TEST_CASE("LongVideoBench: correct_choice, subtitle path and offset", "[datasets]") {
  TempDir d("lvb");
  put(d / "lvb/lvb_val.json", R"([
    {"video_id": "86CxyhFV9MI", "id": "86CxyhFV9MI_0", "video_path": "86CxyhFV9MI.mp4",
     "subtitle_path": "86CxyhFV9MI_en.json", "correct_choice": 3, "question": "What is on the table?",
     "candidates": ["a cup", "a book", "a phone", "a lamp", "a plate"], "duration": 412.5,
     "duration_group": 600, "question_category": "S2O", "starting_timestamp_for_subtitles": 12.5}])");
  const auto s = read_longvideobench({d / "lvb/lvb_val.json", d / "lvb/videos", d / "lvb/subtitles"});
  REQUIRE(s.size() == 1);
  CHECK(s[0].id == "86CxyhFV9MI_0");
  CHECK(s[0].answer_index == 3);
  CHECK(s[0].answer == "a lamp");
  CHECK(s[0].video == d / "lvb/videos/86CxyhFV9MI.mp4");
  CHECK(s[0].subtitles == d / "lvb/subtitles/86CxyhFV9MI_en.json");
  CHECK(s[0].subtitle_offset == 12.5);
  CHECK(s[0].subtask == "600");
  CHECK(s[0].meta.at("question_category") == "S2O");
  put(d / "lvb/bad.json", R"([{"id": "x", "video_path": "x.mp4", "correct_choice": 5, "question": "q",
                               "candidates": ["a", "b"]}])");
  CHECK_THROWS_WITH(read_longvideobench({d / "lvb/bad.json", d / "lvb/videos", d / "lvb/subtitles"}),
                    Catch::Contains("bad.json item 0") && Catch::Contains("'correct_choice'"));
}

TEST_CASE("MLVU: one subtask per task file, answers by text", "[datasets]") {
  TempDir d("mlvu");
  put(d / "MLVU/json/1_plotQA.json", R"([
    {"video": "movie101_66.mp4", "duration": 246, "question": "What colour is the bag?",
     "candidates": ["Black", "Red", "White", "Blue"], "answer": "White", "question_type": "plotQA"}])");
  put(d / "MLVU/json/4_count.json", R"([
    {"video": "count_1.mp4", "duration": 30, "question": "How many?", "candidates": ["1", "2", "3", "4"],
     "answer": "4", "question_type": "count"},
    {"video": "count_2.mp4", "duration": 31, "question": "How many?", "candidates": ["1", "2", "3", "4"],
     "answer": "1", "question_type": "count"}])");
  const auto p = read_mlvu_task(d / "MLVU/json", d / "MLVU/video", {"plotQA", "1_plotQA.json", "1_plotQA"});
  const auto c = read_mlvu_task(d / "MLVU/json", d / "MLVU/video", {"count", "4_count.json", "4_count"});
  REQUIRE(p.size() == 1);
  REQUIRE(c.size() == 2);
  CHECK(p[0].subtask == "plotQA");
  CHECK(p[0].answer_index == 2);
  CHECK(p[0].video == d / "MLVU/video/1_plotQA/movie101_66.mp4");
  CHECK(p[0].meta.at("duration") == "246");
  CHECK(c[1].id == "count/0001");
  CHECK(c[1].answer_index == 0);
  CHECK(c[1].subtask == "count");
}
