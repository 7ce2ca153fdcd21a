// The dataset catalog: the shipped catalog's contents, validation errors that name file,
// dataset and key, and load_dataset through a user-written catalog.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "datasets/builtin_readers.h"
#include "datasets/dataset_catalog.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::TempDir;
namespace fs = std::filesystem;

using ppb::test::put;

TEST_CASE("the shipped catalog names every dataset with its reader", "[catalog]") {
  const auto c = read_catalog(default_catalog_path());
  const std::map<std::string, std::string> expected = {
      {"synth_mcq", "mvbench"},       {"msvd_qa", "gpt_qa"},           {"msrvtt_qa", "gpt_qa"},
      {"tgif_qa", "gpt_qa"},          {"activitynet_qa", "gpt_qa"},    {"vcg_generic", "vcg"},
      {"vcg_temporal", "vcg"},        {"vcg_consistency", "vcg"},      {"mvbench", "mvbench"},
      {"videomme", "videomme"},       {"egoschema_subset", "egoschema_subset"},
      {"longvideobench_val", "longvideobench"}, {"mlvu_dev", "mlvu"},
      {"msvd_caption", "tarsier_caption"}, {"msrvtt_caption", "tarsier_caption"}, {"dream1k", "dream1k"}};
  REQUIRE(c.size() == expected.size());
  for (const auto& [name, reader] : expected) {
    INFO(name);
    REQUIRE(c.count(name));
    CHECK(c.at(name).reader == reader);
  }
  CHECK(c.at("activitynet_qa").text("video_prefix") == "v_");
  CHECK(c.at("vcg_consistency").text("dimension") == "consistency");
  // MVBench's task table, row by row from the official notebook's task list.
  struct Row {
    const char* name;
    const char* folder;
    bool bounded;
    double fps;
  };
  const std::vector<Row> rows = {
      {"action_sequence", "star/Charades_v1_480", true, 0},
      {"action_prediction", "star/Charades_v1_480", true, 0},
      {"action_antonym", "ssv2_video", false, 0},
      {"fine_grained_action", "Moments_in_Time_Raw/videos", false, 0},
      {"unexpected_action", "FunQA_test/test", false, 0},
      {"object_existence", "clevrer/video_validation", false, 0},
      {"object_interaction", "star/Charades_v1_480", true, 0},
      {"object_shuffle", "perception/videos", false, 0},
      {"moving_direction", "clevrer/video_validation", false, 0},
      {"action_localization", "sta/sta_video", true, 0},
      {"scene_transition", "scene_qa/video", false, 0},
      {"action_count", "perception/videos", false, 0},
      {"moving_count", "clevrer/video_validation", false, 0},
      {"moving_attribute", "clevrer/video_validation", false, 0},
      {"state_change", "perception/videos", false, 0},
      {"fine_grained_pose", "nturgbd", false, 0},
      {"character_order", "perception/videos", false, 0},
      {"egocentric_navigation", "vlnqa", false, 0},
      {"episodic_reasoning", "tvqa/frames_fps3_hq", true, 3},
      {"counterfactual_inference", "clevrer/video_validation", false, 0},
  };
  const auto tasks = mvbench_tasks(c.at("mvbench"));
  REQUIRE(tasks.size() == rows.size());
  for (const auto& row : rows) {
    INFO(row.name);
    auto it = std::find_if(tasks.begin(), tasks.end(), [&](const MvbenchTask& t) { return t.name == row.name; });
    REQUIRE(it != tasks.end());
    CHECK(it->folder == row.folder);
    CHECK(it->bounded == row.bounded);
    CHECK(it->frames_fps == row.fps);
  }
  const std::vector<std::string> mlvu_files = {"1_plotQA.json",        "2_needle.json",         "3_ego.json",
                                               "4_count.json",         "5_order.json",          "6_anomaly_reco.json",
                                               "7_topic_reasoning.json"};
  const auto mlvu = mlvu_tasks(c.at("mlvu_dev"));
  REQUIRE(mlvu.size() == mlvu_files.size());
  std::set<std::string> subtasks;
  for (size_t i = 0; i < mlvu.size(); ++i) {
    CHECK(mlvu[i].file == mlvu_files[i]);
    subtasks.insert(mlvu[i].name);
  }
  CHECK(subtasks.size() == 7);  // one subtask per file: M-Avg is their macro mean
}

TEST_CASE("catalog errors name the file, the dataset and the key", "[catalog]") {
  TempDir d("catalog");
  const std::string ok = R"({"mine": {"reader": "vcg", "description": "d", "annotations": "a.json",
                              "videos": "v", "extensions": [".mp4"], "dimension": "generic"}})";
  put(d / "ok.json", ok);
  CHECK(read_catalog(d / "ok.json").at("mine").text("annotations") == "a.json");
  put(d / "extra.json", R"({"mine": {"reader": "vcg", "description": "d", "annotations": "a.json", "videos": "v",
                             "extensions": [".mp4"], "dimension": "generic", "video_dir": "x"}})");
  CHECK_THROWS_WITH(read_catalog(d / "extra.json"), Catch::Contains("extra.json") && Catch::Contains("'mine'") &&
                                                        Catch::Contains("'video_dir'") && Catch::Contains("unknown"));
  put(d / "missing.json", R"({"mine": {"reader": "vcg", "description": "d", "annotations": "a.json",
                               "extensions": [".mp4"], "dimension": "generic"}})");
  CHECK_THROWS_WITH(read_catalog(d / "missing.json"), Catch::Contains("missing.json") && Catch::Contains("'mine'") &&
                                                          Catch::Contains("'videos'") && Catch::Contains("missing"));
  put(d / "reader.json", R"({"mine": {"reader": "vcgg", "description": "d"}})");
  CHECK_THROWS_WITH(read_catalog(d / "reader.json"), Catch::Contains("'reader'") && Catch::Contains("gpt_qa"));
  put(d / "table.json", R"({"mv": {"reader": "mvbench", "description": "d", "annotations": "j", "videos": "v",
                             "tasks": [{"name": "a", "folder": "f", "bounded": false, "fps": 3}]}})");
  CHECK_THROWS_WITH(read_catalog(d / "table.json"), Catch::Contains("'mv'") && Catch::Contains("'tasks'") &&
                                                        Catch::Contains("item 0") && Catch::Contains("'fps'"));
  put(d / "escape.json", R"({"mine": {"reader": "vcg", "description": "d", "annotations": "../a.json",
                              "videos": "v", "extensions": [".mp4"], "dimension": "generic"}})");
  CHECK_THROWS_WITH(load_dataset("mine", d / "root", d / "escape.json"),
                    Catch::Contains("'annotations'") && Catch::Contains("../a.json"));
  CHECK_THROWS_WITH(load_dataset("yours", d / "root", d / "ok.json"),
                    Catch::Contains("unknown dataset 'yours'") && Catch::Contains("mine"));
}

TEST_CASE("load_dataset reads a dataset where a user catalog says it is", "[catalog]") {
  TempDir d("catalog_load");
  put(d / "cat.json", R"({"my_msvd": {"reader": "gpt_qa", "description": "MSVD elsewhere",
    "questions": "msvd/q.json", "answers": "msvd/a.json", "videos": "msvd/clips", "extensions": [".avi"]}})");
  put(d / "root/msvd/q.json", R"([{"video_name": "c1", "question": "who", "question_id": 5}])");
  put(d / "root/msvd/a.json", R"([{"answer": "a man", "question_id": 5}])");
  const auto s = load_dataset("my_msvd", d / "root", d / "cat.json");
  REQUIRE(s.size() == 1);
  CHECK(s[0].answer == "a man");
  CHECK(s[0].video == d / "root/msvd/clips/c1.avi");
}
