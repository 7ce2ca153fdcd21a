// Tarsier's unified JSONL (caption benchmarks) and DREAM-1K on hand-written fixtures and on the
// synthetic instance: references and events as the lines hold them, videos found by vid, and
// errors that name the file, the line and the id.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "datasets/dataset_catalog.h"
#include "datasets/synthetic_layouts.h"
#include "datasets/tarsier_jsonl_reader.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::put;
using ppb::test::TempDir;
namespace fs = std::filesystem;

namespace {

TarsierJsonlLayout layout(const TempDir& d) { return {d / "ann.jsonl", d / "videos", {".avi", ".mp4"}}; }

// A caption line in Tarsier's form with the given vid and response (raw JSON text).
std::string caption_line(const std::string& vid, const std::string& response) {
  return R"({"idx": 0, "dataset": "MSVD-Caption-test", "text": {"prompt": "<video> Caption it.", "response": )" +
         response + R"(}, "video_file": "<placeholder>", "vid": )" + vid + "}\n";
}

}  // namespace

TEST_CASE("Tarsier caption JSONL: every reference kept, the video found by vid", "[datasets][captions]") {
  TempDir d("tarsier_cap");
  put(d / "ann.jsonl",
      "\xEF\xBB\xBF" + caption_line(R"("abc_1_5")", R"(["A man plays a guitar.", "Someone strums a guitar.", "A guitarist performs."])") +
          "\n" +  // a blank line is skipped
          R"({"idx": 1, "dataset": "MSVD-Caption-test", "text": {"prompt": "p", "response": ["Two cats sleep."], "question": "What happens?"}, "video_file": "clips/zz.avi", "vid": "zz_0_2"})" +
          "\r\n" + caption_line("7", R"("A single reference as a string.")"));
  put(d / "videos/abc_1_5.mp4", "x");
  put(d / "videos/zz_0_2.avi", "x");
  const auto s = read_tarsier_captions(layout(d));
  REQUIRE(s.size() == 3);
  CHECK(s[0].id == "abc_1_5");
  REQUIRE(s[0].references.size() == 3);
  CHECK(s[0].references[1] == "Someone strums a guitar.");
  CHECK(s[0].answer == "A man plays a guitar.");  // the first reference
  CHECK(s[0].question.empty());
  CHECK(s[0].candidates.empty());
  CHECK(s[0].answer_index == -1);
  CHECK(s[0].events.empty());
  CHECK(fs::path(s[0].video).filename() == "abc_1_5.mp4");  // .avi is tried first but missing
  CHECK(s[0].meta.at("dataset") == "MSVD-Caption-test");
  CHECK_FALSE(s[0].meta.count("video_file"));  // the placeholder is not a path
  CHECK(s[1].question == "What happens?");
  CHECK(s[1].meta.at("video_file") == "clips/zz.avi");
  CHECK(s[1].meta.at("idx") == "1");
  CHECK(fs::path(s[1].video).filename() == "zz_0_2.avi");  // found by vid, not video_file
  CHECK(s[2].id == "7");                                   // an integer vid
  CHECK(s[2].references == std::vector<std::string>{"A single reference as a string."});
  CHECK(fs::path(s[2].video).filename() == "7.avi");  // none exists: the first extension
}

TEST_CASE("DREAM-1K: subset from dataset, one reference description, events and duration", "[datasets][captions]") {
  TempDir d("dream");
  put(d / "ann.jsonl",
      R"({"idx": 1, "dataset": "DREAM/movie_animation", "text": {"prompt": "<video>\nDescribe.", "response": "A cat jumps and lands."}, "video_file": "<placeholder>", "extra_info": {"duration": 5.09, "n_subjects": 1, "n_shots": 2, "events": ["A cat jumps.", "The cat lands."], "n_events": 2}, "vid": 1}
{"idx": 2, "dataset": "DREAM/stock", "text": {"prompt": "p", "response": "Waves roll in."}, "video_file": "<placeholder>", "extra_info": {"duration": 3, "events": []}, "vid": 2}
)");
  put(d / "videos/1.mp4", "x");
  const auto s = read_dream1k(layout(d));
  REQUIRE(s.size() == 2);
  CHECK(s[0].id == "1");
  CHECK(s[0].subtask == "movie_animation");
  CHECK(s[0].answer == "A cat jumps and lands.");
  CHECK(s[0].references == std::vector<std::string>{"A cat jumps and lands."});
  CHECK(s[0].events == std::vector<std::string>{"A cat jumps.", "The cat lands."});
  CHECK(s[0].duration_s == Approx(5.09));
  CHECK(s[0].meta.at("n_shots") == "2");
  CHECK(s[0].meta.at("n_events") == "2");
  CHECK(fs::path(s[0].video).filename() == "1.mp4");
  CHECK(s[1].subtask == "stock");
  CHECK(s[1].events.empty());  // allowed: Tarsier judges the description itself as one event
}

TEST_CASE("Tarsier JSONL errors name the file, the line and the vid", "[datasets][captions]") {
  TempDir d("tarsier_bad");
  const auto l = layout(d);
  auto caption_error = [&](const std::string& text, const std::string& needle) {
    put(l.annotations, text);
    INFO(text);
    CHECK_THROWS_WITH(read_tarsier_captions(l), Catch::Contains(l.annotations) && Catch::Contains(needle));
  };
  const std::string ok = caption_line(R"("a")", R"(["A dog runs."])");
  caption_error(ok + caption_line(R"("b")", "[]"), "line 2 (vid 'b') text: key 'response' holds no reference captions");
  caption_error(ok + caption_line(R"("a")", R"(["Again."])"), "line 2 (vid 'a'): vid 'a' repeats line 1");
  caption_error(ok + "\n" + caption_line("1", R"(["x"])") + caption_line(R"("1")", R"(["y"])"),
                "line 4 (vid '1'): vid '1' repeats line 3");  // 1 and "1" name the same video
  caption_error(ok + R"({"idx": 1, "text": {"response": ["x"]}})" + "\n", "line 2: missing key 'vid'");
  caption_error(ok + R"({"vid": "c", "idx": 1})" + "\n", "line 2 (vid 'c'): missing key 'text'");
  caption_error(R"({"vid": "c", "text": {"prompt": "p"}})", "line 1 (vid 'c') text: missing key 'response'");
  caption_error(caption_line(R"("c")", R"(["fine", 3])"), "line 1 (vid 'c') text: key 'response' should be an array of strings");
  caption_error(caption_line(R"("c")", R"({"a": 1})"), "key 'response' should be a list of reference captions");
  caption_error(caption_line(R"("c")", R"(["fine", "  "])"), "line 1 (vid 'c') text: reference caption 1 is empty");
  caption_error(ok + caption_line(R"("c")", "[\"caf\xE9 au lait\"]"), "line 2: not UTF-8 text");
  caption_error(ok + caption_line(R"("c")", "[\"\xC0\xAF overlong\"]"), "line 2: not UTF-8 text");
  caption_error(ok + "{\"vid\": \"d\", \"text\": {\"response\": [\"x\"]}\n", "line 2: not a JSON object");
  caption_error(ok + "[1, 2]\n", "line 2: expected a JSON object");
  caption_error("\n\n", "no annotation lines");
  caption_error(caption_line(R"("")", R"(["x"])"), "line 1: key 'vid' is empty");
  caption_error(caption_line(R"("../up")", R"(["x"])"), "line 1 (vid '../up')");  // leaves the video folder
  CHECK_THROWS_WITH(read_tarsier_captions({d / "absent.jsonl", d / "videos", {".mp4"}}),
                    Catch::Contains("absent.jsonl"));
  // Well-formed multi-byte text passes.
  put(l.annotations, caption_line(R"("e")", "[\"Un caf\xC3\xA9 \xE2\x80\x94 tr\xC3\xA8s bien \xF0\x9F\x98\x80.\"]"));
  CHECK(read_tarsier_captions(l).at(0).references.at(0) == "Un caf\xC3\xA9 \xE2\x80\x94 tr\xC3\xA8s bien \xF0\x9F\x98\x80.");

  auto dream_error = [&](const std::string& text, const std::string& needle) {
    put(l.annotations, text);
    INFO(text);
    CHECK_THROWS_WITH(read_dream1k(l), Catch::Contains(l.annotations) && Catch::Contains(needle));
  };
  const std::string good =
      R"({"dataset": "DREAM/shorts", "text": {"response": "A man waves."}, "extra_info": {"events": ["A man waves."]}, "vid": 5})";
  dream_error(good + "\n" + R"({"dataset": "DREAM/shorts", "text": {"response": "x"}, "vid": 6})",
              "line 2 (vid '6'): missing key 'extra_info'");
  dream_error(R"({"dataset": "DREAM/shorts", "text": {"response": "x"}, "extra_info": {"duration": 2}, "vid": 6})",
              "line 1 (vid '6') extra_info: missing key 'events'");
  dream_error(R"({"dataset": "DREAM/shorts", "text": {"response": ["x"]}, "extra_info": {"events": []}, "vid": 6})",
              "line 1 (vid '6') text: key 'response' should be a string");
  dream_error(R"({"dataset": "DREAM/shorts", "text": {"response": ""}, "extra_info": {"events": []}, "vid": 6})",
              "line 1 (vid '6') text: key 'response' is empty");
  dream_error(R"({"dataset": "MSVD", "text": {"response": "x"}, "extra_info": {"events": []}, "vid": 6})",
              "key 'dataset' is 'MSVD', expected 'DREAM/<subset>'");
  dream_error(R"({"text": {"response": "x"}, "extra_info": {"events": []}, "vid": 6})", "missing key 'dataset'");
  dream_error(R"({"dataset": "DREAM/shorts", "text": {"response": "x"}, "extra_info": {"events": ["a", ""]}, "vid": 6})",
              "extra_info: event 1 is empty");
  dream_error(good + "\n" + good, "line 2 (vid '5'): vid '5' repeats line 1");
}

TEST_CASE("the synthetic caption and DREAM-1K instances read back through the catalog", "[datasets][captions]") {
  TempDir d("tarsier_synth");
  const auto counts = write_synthetic_layouts(d.path(), {"msvd_caption", "msrvtt_caption", "dream1k"}, {3, ""});
  CHECK(counts.at("msvd_caption") == 3);
  for (const std::string name : {"msvd_caption", "msrvtt_caption"}) {
    INFO(name);
    const auto s = load_dataset(name, d.path());
    REQUIRE(s.size() == 3);
    std::set<std::string> ids;
    for (const auto& x : s) {
      INFO(x.id);
      ids.insert(x.id);
      REQUIRE(fs::exists(x.video));
      CHECK(fs::path(x.video).extension() == (name == "msvd_caption" ? ".avi" : ".mp4"));
      REQUIRE(x.references.size() == 4);
      CHECK(x.answer == x.references[0]);
      // Every reference names the scene's heading and colour, the way captions describe it.
      bool colour = false;
      for (const char* c : {"red", "green", "blue", "yellow"}) colour |= x.answer.find(c) != std::string::npos;
      CHECK(colour);
      CHECK_THAT(x.answer, Catch::Contains("move"));
    }
    CHECK(ids.size() == 3);
  }
  const auto dream = load_dataset("dream1k", d.path());
  REQUIRE(dream.size() == 3);
  CHECK(dream[0].subtask == "stock");
  CHECK(dream[1].subtask == "youtube");
  CHECK(dream[0].events.size() == 3);
  CHECK(dream[2].events.empty());
  CHECK(dream[0].duration_s == Approx(3.0));
  for (const auto& x : dream) CHECK(fs::exists(x.video));
  // The first event says where the shapes enter: the side opposite their heading.
  CHECK_THAT(dream[0].events[0], Catch::Contains("appear"));
}
