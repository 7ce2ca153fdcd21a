// The built-in dataset readers: each maps a catalog entry's keys onto one upstream-layout reader.
#include "datasets/builtin_readers.h"

#include <set>
#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/egoschema_reader.h"
#include "datasets/gpt_qa_reader.h"
#include "datasets/longvideobench_reader.h"
#include "datasets/tarsier_jsonl_reader.h"
#include "datasets/vcg_reader.h"
#include "datasets/videomme_reader.h"

namespace ppb::datasets {
namespace {

// The objects of the entry's "tasks" array, each checked against its known and required keys.
std::vector<nlohmann::json> task_rows(const DatasetEntry& e, const std::set<std::string>& required,
                                      const std::set<std::string>& optional) {
  auto it = e.fields.find("tasks");
  if (it == e.fields.end()) throw std::runtime_error(e.where("tasks") + ": missing");
  if (!it->is_array() || it->empty()) throw std::runtime_error(e.where("tasks") + ": should be a non-empty array");
  std::vector<nlohmann::json> rows;
  for (size_t i = 0; i < it->size(); ++i) {
    const auto& row = (*it)[i];
    const std::string at = e.where("tasks") + " item " + std::to_string(i);
    if (!row.is_object()) throw std::runtime_error(at + ": should be an object");
    for (auto f = row.begin(); f != row.end(); ++f)
      if (!required.count(f.key()) && !optional.count(f.key()))
        throw std::runtime_error(at + ": unknown key '" + f.key() + "'");
    for (const auto& key : required)
      if (!row.contains(key)) throw std::runtime_error(at + ": missing key '" + key + "'");
    rows.push_back(row);
  }
  return rows;
}

template <typename T>
T row_value(const nlohmann::json& row, const char* key, const DatasetEntry& e, size_t i) {
  try {
    return row.at(key).get<T>();
  } catch (const std::exception&) {
    throw std::runtime_error(e.where("tasks") + " item " + std::to_string(i) + ": key '" + key +
                             "' has the wrong type");
  }
}

std::vector<Sample> concat(std::vector<Sample> a, std::vector<Sample> b) {
  a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
  return a;
}

}  // namespace

std::vector<MvbenchTask> mvbench_tasks(const DatasetEntry& e) {
  const auto rows = task_rows(e, {"name", "folder", "bounded"}, {"frames_fps"});
  std::vector<MvbenchTask> out;
  IdPositions names("task name");  // a task listed twice would be read, and counted, twice
  for (size_t i = 0; i < rows.size(); ++i) {
    MvbenchTask t;
    t.name = row_value<std::string>(rows[i], "name", e, i);
    t.folder = row_value<std::string>(rows[i], "folder", e, i);
    t.bounded = row_value<bool>(rows[i], "bounded", e, i);
    if (rows[i].contains("frames_fps")) t.frames_fps = row_value<double>(rows[i], "frames_fps", e, i);
    if (t.name.empty() || t.frames_fps < 0)
      throw std::runtime_error(e.where("tasks") + " item " + std::to_string(i) + ": empty name or negative frames_fps");
    if (t.name.find('/') != std::string::npos || t.name.find('\\') != std::string::npos || t.name[0] == '.')
      throw std::runtime_error(e.where("tasks") + " item " + std::to_string(i) + ": name '" + t.name +
                               "' is a json file stem: no slashes, no leading dot");
    names.add(t.name, e.where("tasks") + " item " + std::to_string(i));
    out.push_back(t);
  }
  return out;
}

std::vector<MlvuTask> mlvu_tasks(const DatasetEntry& e) {
  const auto rows = task_rows(e, {"name", "file", "folder"}, {});
  std::vector<MlvuTask> out;
  IdPositions names("task name"), files("task file");  // a task or file listed twice would be counted twice
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back({row_value<std::string>(rows[i], "name", e, i), row_value<std::string>(rows[i], "file", e, i),
                   row_value<std::string>(rows[i], "folder", e, i)});
    const std::string at = e.where("tasks") + " item " + std::to_string(i);
    names.add(out.back().name, at);
    files.add(out.back().file, at);
  }
  return out;
}

void register_builtin_readers(ReaderRegistry& reg) {
  reg.add("gpt_qa",
          {"GPT zero-shot QA packaging (MSVD/MSRVTT/TGIF/ActivityNet-QA): test_q.json + test_a.json joined by "
           "question_id",
           {"questions", "answers", "videos", "extensions"},
           {"video_prefix"},
           [](const DatasetEntry& e) { e.text_list("extensions"); },
           [](const DatasetEntry& e, const std::string& root) {
             return read_gpt_qa({e.path(root, "questions"), e.path(root, "answers"), e.path(root, "videos"),
                                 e.text_or("video_prefix", ""), e.text_list("extensions")});
           }});
  reg.add("vcg",
          {"VCG-Bench: generic_qa.json / temporal_qa.json {video_name, Q, A}, consistency_qa.json {video_name, Q1, "
           "Q2, A}",
           {"annotations", "videos", "extensions", "dimension"},
           {},
           [](const DatasetEntry& e) {
             const std::string d = e.text("dimension");
             if (d != "generic" && d != "temporal" && d != "consistency")
               throw std::runtime_error(e.where("dimension") + ": '" + d + "' (known: generic, temporal, consistency)");
           },
           [](const DatasetEntry& e, const std::string& root) {
             return read_vcg_qa({e.path(root, "annotations"), e.path(root, "videos"), e.text_list("extensions"),
                                 e.text("dimension")});
           }});
  reg.add("mvbench",
          {"MVBench: <annotations>/<task>.json {video, question, candidates, answer[, start, end]}, videos per task "
           "folder",
           {"annotations", "videos", "tasks"},
           {},
           [](const DatasetEntry& e) { mvbench_tasks(e); },
           [](const DatasetEntry& e, const std::string& root) {
             std::vector<Sample> out;
             const std::string json_dir = e.path(root, "annotations"), video_root = e.path(root, "videos");
             for (const auto& t : mvbench_tasks(e)) out = concat(std::move(out), read_mvbench_json(json_dir, video_root, t));
             return out;
           }});
  reg.add("videomme",
          {"Video-MME JSON export {videoID, duration, domain, sub_category, question_id, task_type, question, "
           "options, answer}",
           {"annotations", "videos", "subtitles"},
           {},
           nullptr,
           [](const DatasetEntry& e, const std::string& root) {
             return read_videomme({e.path(root, "annotations"), e.path(root, "videos"), e.path(root, "subtitles")});
           }});
  reg.add("egoschema_subset",
          {"EgoSchema: questions.json {q_uid, question, option 0..4} + subset_answers.json {q_uid: 0..4}",
           {"questions", "answers", "videos", "extensions"},
           {},
           [](const DatasetEntry& e) { e.text_list("extensions"); },
           [](const DatasetEntry& e, const std::string& root) {
             return read_egoschema_subset({e.path(root, "questions"), e.path(root, "answers"), e.path(root, "videos"),
                                           e.text_list("extensions")});
           }});
  reg.add("longvideobench",
          {"LongVideoBench lvb_val.json {id, video_path, subtitle_path, correct_choice, question, candidates, ...}",
           {"annotations", "videos", "subtitles"},
           {},
           nullptr,
           [](const DatasetEntry& e, const std::string& root) {
             return read_longvideobench({e.path(root, "annotations"), e.path(root, "videos"), e.path(root, "subtitles")});
           }});
  reg.add("mlvu",
          {"MLVU dev: <annotations>/<N_task>.json {video, duration, question, candidates, answer, question_type}",
           {"annotations", "videos", "tasks"},
           {},
           [](const DatasetEntry& e) { mlvu_tasks(e); },
           [](const DatasetEntry& e, const std::string& root) {
             std::vector<Sample> out;
             const std::string json_dir = e.path(root, "annotations"), video_root = e.path(root, "videos");
             for (const auto& t : mlvu_tasks(e)) out = concat(std::move(out), read_mlvu_task(json_dir, video_root, t));
             return out;
           }});
  reg.add("tarsier_caption",
          {"Tarsier unified JSONL, captions: {idx, dataset, text:{prompt, response:[references]}, video_file, vid} per "
           "line; videos <vid><ext>",
           {"annotations", "videos", "extensions"},
           {},
           [](const DatasetEntry& e) { e.text_list("extensions"); },
           [](const DatasetEntry& e, const std::string& root) {
             return read_tarsier_captions({e.path(root, "annotations"), e.path(root, "videos"), e.text_list("extensions")});
           }});
  reg.add("dream1k",
          {"DREAM-1K (Tarsier JSONL): {idx, dataset:'DREAM/<subset>', text:{prompt, response}, vid, extra_info:{duration, "
           "events, ...}} per line; videos <vid><ext>",
           {"annotations", "videos", "extensions"},
           {},
           [](const DatasetEntry& e) { e.text_list("extensions"); },
           [](const DatasetEntry& e, const std::string& root) {
             return read_dream1k({e.path(root, "annotations"), e.path(root, "videos"), e.text_list("extensions")});
           }});
}

}  // namespace ppb::datasets
