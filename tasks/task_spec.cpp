#include "tasks/task_spec.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "common/json_file.h"
#include "datasets/frame_sampling.h"
#include "tasks/answer_extractors.h"

namespace ppb::tasks {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Reads keys of one JSON object with errors that say where: "task spec F: protocol P: key K ...".
class Fields {
 public:
  Fields(const nlohmann::json& j, std::string where, std::set<std::string> known) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw std::runtime_error(where_ + " is not a JSON object");
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!known.count(it.key())) throw std::runtime_error(where_ + ": unknown key '" + it.key() + "'");
  }
  template <typename T>
  void get(const char* key, T& out) const {
    if (!j_.contains(key)) throw std::runtime_error(where_ + ": missing key '" + key + "'");
    read(key, out);
  }
  template <typename T>
  void get_optional(const char* key, T& out) const {
    if (j_.contains(key)) read(key, out);
  }
  void choice(const std::string& key, const std::string& value, const std::vector<std::string>& valid) const {
    if (std::find(valid.begin(), valid.end(), value) == valid.end())
      throw std::runtime_error(where_ + ": key '" + key + "' is '" + value + "' (valid: " + joined(valid) + ")");
  }
  const std::string& where() const { return where_; }

 private:
  template <typename T>
  void read(const char* key, T& out) const {
    try {
      out = j_[key].get<T>();
    } catch (const std::exception&) {
      throw std::runtime_error(where_ + ": key '" + key + "' has the wrong type");
    }
  }
  const nlohmann::json& j_;
  std::string where_;
};

Protocol read_protocol(const std::string& name, const nlohmann::json& j, const std::string& family,
                       const std::string& where) {
  const Fields f(j, where, {"source", "prompt_template", "answer_prefix", "option_format", "frame_policy", "frames",
                            "max_new_tokens", "frames_by", "extractor", "denominator", "aggregation", "breakdowns", "subtitles",
                            "metrics", "judge_templates", "judge_parse", "judge_model", "judge_max_tokens",
                            "judge_parse_retries"});
  Protocol p;
  p.name = name;
  f.get("source", p.source);
  f.get("prompt_template", p.prompt_template);
  f.get("answer_prefix", p.answer_prefix);
  f.get("frame_policy", p.frame_policy);
  f.get("frames", p.frames);
  f.get("max_new_tokens", p.max_new_tokens);
  f.get("denominator", p.denominator);
  f.get("aggregation", p.aggregation);
  f.get("metrics", p.metrics);
  f.get_optional("breakdowns", p.breakdowns);
  f.get_optional("subtitles", p.subtitles);
  if (j.contains("frames_by")) {
    const Fields fb(j["frames_by"], where + ": frames_by", {"key", "frames"});
    fb.get("key", p.frames_by_key);
    fb.get("frames", p.frames_by_value);
    if (p.frames_by_value.empty()) throw std::runtime_error(where + ": frames_by: key 'frames' is empty");
    for (const auto& [value, n] : p.frames_by_value)
      if (n < 1) throw std::runtime_error(where + ": frames_by: " + value + " has " + std::to_string(n) + " frames");
  }
  try {
    datasets::builtin_sampling_policies().get(p.frame_policy);
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": frame_policy: " + e.what());
  }
  if (p.frames < 1 || p.max_new_tokens < 1)
    throw std::runtime_error(where + ": frames and max_new_tokens must be positive");
  f.choice("denominator", p.denominator, {"all", "parsed", "nonempty"});
  f.choice("aggregation", p.aggregation, {"micro", "macro"});
  if (p.metrics.empty()) throw std::runtime_error(where + ": key 'metrics' is empty");
  for (const auto& m : p.metrics) f.choice("metrics", m, metrics_of_family(family));
  if (family == "multiple_choice") {
    f.get("option_format", p.option_format);
    f.choice("option_format", p.option_format, {"paren", "dot"});
    f.get("extractor", p.extractor);
    bool needs_judge = false;
    try {
      needs_judge = builtin_extractors().get(p.extractor).needs_judge;
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": extractor: " + e.what());
    }
    // An extractor that may ask a judge names its template and model here, so that the template
    // is read like any other (--prompts-dir), hashed into the fingerprint and recorded.
    if (needs_judge) {
      f.get("judge_templates", p.judge_templates);
      f.get("judge_model", p.judge_model);
      if (p.judge_templates.size() != 1 || !p.judge_templates.count("choice_extraction"))
        throw std::runtime_error(where + ": judge_templates: extractor '" + p.extractor +
                                 "' asks a judge and needs exactly {\"choice_extraction\": FILE}");
      for (const char* key : {"judge_parse", "judge_max_tokens", "judge_parse_retries"})
        if (j.contains(key)) throw std::runtime_error(where + ": key '" + key + "' is for judged tasks only");
    } else {
      for (const char* key : {"judge_templates", "judge_model", "judge_parse", "judge_max_tokens", "judge_parse_retries"})
        if (j.contains(key))
          throw std::runtime_error(where + ": key '" + key +
                                   "' is for judged tasks only (and extractors that ask a judge: judge_templates, judge_model)");
    }
  } else {
    for (const char* key : {"option_format", "extractor"})
      if (j.contains(key)) throw std::runtime_error(where + ": key '" + key + "' is for multiple-choice tasks only");
    if (p.denominator == "parsed")
      throw std::runtime_error(where + ": denominator 'parsed' needs an answer extractor (multiple choice)");
  }
  const bool judged = family != "multiple_choice" && family != "caption";
  if (family == "multiple_choice") {
    // Judge keys were read with the extractor above.
  } else if (judged) {
    f.get("judge_templates", p.judge_templates);
    if (p.judge_templates.empty()) throw std::runtime_error(where + ": key 'judge_templates' is empty");
    f.get("judge_parse", p.judge_parse);
    f.get("judge_model", p.judge_model);
    f.choice("judge_parse", p.judge_parse, {"vcg_original", "lmms", "tarsier"});
    f.get_optional("judge_max_tokens", p.judge_max_tokens);
    f.get_optional("judge_parse_retries", p.judge_parse_retries);
    if (p.judge_max_tokens < 1 || p.judge_parse_retries < 0)
      throw std::runtime_error(where + ": judge_max_tokens must be positive and judge_parse_retries not negative");
    if (family == "dream_judged")
      for (const char* step : {"extract_events", "entailment"})
        if (!p.judge_templates.count(step))
          throw std::runtime_error(where + ": judge_templates: DREAM-1K's two-step judge needs a template '" +
                                   std::string(step) + "'");
  } else {
    for (const char* key : {"judge_templates", "judge_parse", "judge_model", "judge_max_tokens", "judge_parse_retries"})
      if (j.contains(key)) throw std::runtime_error(where + ": key '" + key + "' is for judged tasks only");
  }
  p.canonical = j;
  return p;
}

}  // namespace

int protocol_frames(const Protocol& p, const std::map<std::string, std::string>& meta, int override_frames,
                    const std::string& sample_id) {
  if (override_frames > 0) return override_frames;
  if (p.frames_by_key.empty()) return p.frames;
  const auto m = meta.find(p.frames_by_key);
  const auto f = m == meta.end() ? p.frames_by_value.end() : p.frames_by_value.find(m->second);
  if (f == p.frames_by_value.end())
    throw std::runtime_error("sample " + sample_id + ": protocol " + p.name + " sets frames by " + p.frames_by_key +
                             ", but the sample's " + p.frames_by_key + " is '" +
                             (m == meta.end() ? std::string("(none)") : m->second) + "', which has no entry");
  return f->second;
}

const Protocol& TaskSpec::protocol(const std::string& name) const {
  const auto it = protocols.find(name);
  if (it != protocols.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [n, _] : protocols) names.push_back(n);
  throw std::runtime_error("task " + this->name + " has no protocol '" + name + "' (it has: " + joined(names) + ")");
}

const std::vector<std::string>& task_families() {
  static const std::vector<std::string> f = {"multiple_choice", "open_ended_judged", "vcg_judged", "caption",
                                             "dream_judged"};
  return f;
}

const std::vector<std::string>& metrics_of_family(const std::string& family) {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"multiple_choice", {"accuracy"}},
      {"open_ended_judged", {"judge_accuracy", "judge_score"}},
      {"vcg_judged", {"judge_score"}},
      {"caption", {"bleu", "rouge_l", "cider_d"}},
      {"dream_judged", {"precision", "recall", "f1"}}};
  const auto it = m.find(family);
  if (it == m.end()) throw std::runtime_error("unknown task family '" + family + "' (valid: " + joined(task_families()) + ")");
  return it->second;
}

TaskSpec read_task_spec(const std::string& path) {
  const nlohmann::json j = read_json_file(path, "task spec");
  const Fields f(j, "task spec " + path,
                 {"name", "version", "family", "description", "dataset", "default_protocol", "protocols"});
  TaskSpec s;
  f.get("name", s.name);
  f.get("version", s.version);
  f.get("family", s.family);
  f.get("description", s.description);
  f.get("dataset", s.dataset);
  f.get("default_protocol", s.default_protocol);
  f.choice("family", s.family, task_families());
  if (s.dataset.empty()) throw std::runtime_error("task spec " + path + ": key 'dataset' is empty");
  if (!j.contains("protocols")) throw std::runtime_error("task spec " + path + ": missing key 'protocols'");
  if (!j["protocols"].is_object() || j["protocols"].empty())
    throw std::runtime_error("task spec " + path + ": key 'protocols' must be an object with at least one protocol");
  for (const auto& [name, pj] : j["protocols"].items())
    s.protocols.emplace(name, read_protocol(name, pj, s.family, "task spec " + path + ": protocol '" + name + "'"));
  if (!s.protocols.count(s.default_protocol))
    throw std::runtime_error("task spec " + path + ": default_protocol '" + s.default_protocol +
                             "' is not among its protocols");
  s.source_file = path;
  s.canonical = j;
  return s;
}

}  // namespace ppb::tasks
