#include "datasets/mvbench_reader.h"

#include "common/json_file.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ppb::datasets {

std::vector<Sample> read_mvbench_json(const std::string& json_path, const std::string& video_root,
                                      const std::string& subtask) {
  const nlohmann::json j = read_json_file(json_path, "annotation file");
  if (!j.is_array()) throw std::runtime_error(json_path + ": expected a JSON array of items");
  std::vector<Sample> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    const std::string where = json_path + " item " + std::to_string(i);
    for (const char* key : {"video", "question", "candidates", "answer"})
      if (!e.contains(key)) throw std::runtime_error(where + ": missing key '" + key + "'");
    Sample s;
    char num[24];
    std::snprintf(num, sizeof num, "%04zu", i);
    s.id = subtask.empty() ? std::string(num) : subtask + "/" + num;
    s.subtask = subtask;
    s.video = (std::filesystem::path(video_root) / e["video"].get<std::string>()).string();
    s.question = e["question"].get<std::string>();
    s.candidates = e["candidates"].get<std::vector<std::string>>();
    s.answer = e["answer"].get<std::string>();
    if (s.candidates.size() < 2) throw std::runtime_error(where + ": fewer than two candidates");
    if (std::find(s.candidates.begin(), s.candidates.end(), s.answer) == s.candidates.end())
      throw std::runtime_error(where + ": answer '" + s.answer + "' is not among the candidates");
    if (e.contains("start") && e.contains("end"))
      s.bounds = TimeBounds{e["start"].get<double>(), e["end"].get<double>()};
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
