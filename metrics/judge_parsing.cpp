// Judge reply parsing per policy, their aggregates, and DREAM-1K AutoDQ (see judge_parsing.h).
#include "metrics/judge_parsing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "metrics/python_literal.h"

namespace ppb::metrics {
namespace {

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

JudgeVerdict failure(std::string reason) {
  JudgeVerdict v;
  v.reason = std::move(reason);
  return v;
}

// Reads `text` as a literal that must be a dict; on failure returns false with the reason.
bool read_dict(const std::string& text, PyValue* dict, std::string* reason) {
  std::string error;
  if (!parse_python_literal(text, dict, &error)) {
    *reason = "not a Python literal (" + error + ")";
    return false;
  }
  if (dict->kind != PyValue::Kind::dict) {
    *reason = std::string("the literal is a ") + py_kind_name(dict->kind) + ", not a dict";
    return false;
  }
  return true;
}

// lmms-eval's QA extraction: from the first '{' to the first '}' (tolerates fences and prose).
bool first_brace_block(const std::string& reply, std::string* block, std::string* reason) {
  const size_t open = reply.find('{');
  const size_t close = reply.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    *reason = "no '{...}' block in the reply";
    return false;
  }
  *block = reply.substr(open, close - open + 1);
  return true;
}

// Video-ChatGPT's substring test: "yes" anywhere wins, then "no" anywhere ("not sure" is no,
// "eyes" is yes: the scripts do exactly this).
JudgePred substring_pred(const std::string& pred) {
  const std::string p = lower_ascii(pred);
  if (p.find("yes") != std::string::npos) return JudgePred::yes;
  if (p.find("no") != std::string::npos) return JudgePred::no;
  return JudgePred::neither;
}

// The int() score every policy but tarsier applies; fails when int() would raise.
bool int_score(const PyValue& dict, const char* key, bool default_zero, JudgeVerdict* v) {
  const PyValue* s = dict.get(key);
  if (!s) {
    if (!default_zero) {
      v->reason = std::string("no '") + key + "' key";
      return false;
    }
    v->score = 0.0;
    v->reason = std::string("no '") + key + "' key: 0 used (dict.get default)";
    return true;
  }
  std::string error;
  if (!python_int(*s, &v->score, &error)) {
    v->reason = "score: " + error;
    return false;
  }
  return true;
}

// Tarsier's validity rule for a score: a number in [0, 5], kept as a float.
bool bounded_score(const PyValue& dict, JudgeVerdict* v) {
  const PyValue* s = dict.get("score");
  if (!s) {
    v->reason = "no 'score' key";
    return false;
  }
  if (!s->is_number()) {
    v->reason = std::string("score is a ") + py_kind_name(s->kind) + ", not a number";
    return false;
  }
  if (s->number < 0.0 || s->number > 5.0) {
    v->reason = "score " + std::to_string(s->number) + " is outside [0, 5]";
    return false;
  }
  v->score = s->number;
  return true;
}

}  // namespace

const char* judge_policy_name(JudgePolicy policy) {
  switch (policy) {
    case JudgePolicy::vcg_original: return "vcg_original";
    case JudgePolicy::lmms: return "lmms";
    case JudgePolicy::tarsier: return "tarsier";
  }
  return "?";
}

std::vector<std::string> judge_policy_names() { return {"vcg_original", "lmms", "tarsier"}; }

JudgePolicy judge_policy_from_name(const std::string& name) {
  for (JudgePolicy p : {JudgePolicy::vcg_original, JudgePolicy::lmms, JudgePolicy::tarsier})
    if (name == judge_policy_name(p)) return p;
  throw std::invalid_argument("unknown judge policy '" + name + "' (valid: vcg_original, lmms, tarsier)");
}

const char* judge_pred_name(JudgePred pred) {
  switch (pred) {
    case JudgePred::yes: return "yes";
    case JudgePred::no: return "no";
    case JudgePred::neither: return "neither";
  }
  return "?";
}

JudgeVerdict parse_qa_judgement(const std::string& reply, JudgePolicy policy) {
  JudgeVerdict v;
  PyValue dict;
  std::string reason;
  switch (policy) {
    case JudgePolicy::vcg_original: {
      if (!read_dict(reply, &dict, &reason)) return failure(reason);
      if (!int_score(dict, "score", false, &v)) return failure(v.reason);
      const PyValue* pred = dict.get("pred");
      if (!pred) return failure("no 'pred' key");
      if (pred->kind != PyValue::Kind::string)
        return failure(std::string("pred is a ") + py_kind_name(pred->kind) + ", not a str");
      v.pred = substring_pred(pred->text);
      v.ok = true;
      return v;
    }
    case JudgePolicy::lmms: {
      std::string block;
      if (!first_brace_block(reply, &block, &reason)) return failure(reason);
      if (!read_dict(block, &dict, &reason)) return failure(reason);
      if (!int_score(dict, "score", true, &v)) return failure(v.reason);
      const PyValue* pred = dict.get("pred");
      if (!pred) {
        v.pred = JudgePred::no;
        v.reason += std::string(v.reason.empty() ? "" : "; ") + "no 'pred' key: \"no\" used";
      } else if (pred->kind != PyValue::Kind::string) {
        return failure(std::string("pred is a ") + py_kind_name(pred->kind) + ", not a str");
      } else {
        // lmms counts everything that is not a yes as a no.
        v.pred = substring_pred(pred->text) == JudgePred::yes ? JudgePred::yes : JudgePred::no;
      }
      v.ok = true;
      return v;
    }
    case JudgePolicy::tarsier: {
      if (!read_dict(reply, &dict, &reason)) return failure(reason);
      const PyValue* pred = dict.get("pred");
      if (!pred) return failure("no 'pred' key");
      if (pred->kind != PyValue::Kind::string || (pred->text != "yes" && pred->text != "no"))
        return failure("pred is not exactly 'yes' or 'no'");
      if (!bounded_score(dict, &v)) return failure(v.reason);
      v.pred = pred->text == "yes" ? JudgePred::yes : JudgePred::no;
      v.ok = true;
      return v;
    }
  }
  return failure("unknown policy");
}

JudgeVerdict parse_score_judgement(const std::string& reply, JudgePolicy policy) {
  JudgeVerdict v;
  PyValue dict;
  std::string reason;
  // lmms-eval's videochatgpt task reads the whole reply, like the original scripts.
  if (!read_dict(reply, &dict, &reason)) return failure(reason);
  switch (policy) {
    case JudgePolicy::vcg_original:
      if (!int_score(dict, "score", false, &v)) return failure(v.reason);
      break;
    case JudgePolicy::lmms:
      if (!int_score(dict, "score", true, &v)) return failure(v.reason);
      break;
    case JudgePolicy::tarsier:
      if (!bounded_score(dict, &v)) return failure(v.reason);
      break;
  }
  v.ok = true;
  return v;
}

JudgeContribution judge_contribution(const JudgeVerdict& verdict, JudgePolicy policy) {
  JudgeContribution c;
  if (!verdict.ok) {
    if (policy == JudgePolicy::lmms) {  // ("no", 0), kept in both denominators
      c.in_accuracy = true;
      c.in_score = true;
    }
    return c;
  }
  c.in_score = true;
  c.score = verdict.score;
  c.in_accuracy = verdict.pred != JudgePred::neither;
  c.yes = verdict.pred == JudgePred::yes ? 1.0 : 0.0;
  return c;
}

QaJudgeSummary summarize_qa_judgements(const std::vector<JudgeVerdict>& verdicts, JudgePolicy policy) {
  QaJudgeSummary s;
  s.policy = judge_policy_name(policy);
  double score_sum = 0.0;
  for (const JudgeVerdict& v : verdicts) {
    ++s.n_items;
    if (!v.ok) ++s.n_failed;
    const JudgeContribution c = judge_contribution(v, policy);
    if (c.in_accuracy) (c.yes > 0.5 ? s.n_yes : s.n_no) += 1;
    if (v.ok && !c.in_accuracy) ++s.n_neither;
    if (c.in_score) {
      ++s.n_in_score;
      score_sum += c.score;
    }
  }
  if (s.n_yes + s.n_no > 0) s.accuracy = static_cast<double>(s.n_yes) / static_cast<double>(s.n_yes + s.n_no);
  if (s.n_in_score > 0) s.mean_score = score_sum / static_cast<double>(s.n_in_score);
  return s;
}

const char* vcg_dimension_name(VcgDimension dim) {
  switch (dim) {
    case VcgDimension::correctness: return "correctness";
    case VcgDimension::detail_orientation: return "detail_orientation";
    case VcgDimension::contextual_understanding: return "contextual_understanding";
    case VcgDimension::temporal_understanding: return "temporal_understanding";
    case VcgDimension::consistency: return "consistency";
  }
  return "?";
}

VcgSummary summarize_vcg(const std::array<std::vector<JudgeVerdict>, 5>& verdicts, JudgePolicy policy) {
  VcgSummary s;
  s.policy = judge_policy_name(policy);
  s.complete = true;
  double sum_of_means = 0.0;
  for (size_t d = 0; d < 5; ++d) {
    VcgDimensionSummary& dim = s.dimensions[d];
    dim.dimension = vcg_dimension_name(static_cast<VcgDimension>(d));
    double sum = 0.0;
    for (const JudgeVerdict& v : verdicts[d]) {
      ++dim.n_items;
      if (!v.ok) ++dim.n_failed;
      const JudgeContribution c = judge_contribution(v, policy);
      if (c.in_score) {
        ++dim.n_in_score;
        sum += c.score;
      }
    }
    if (dim.n_in_score > 0) dim.mean_score = sum / static_cast<double>(dim.n_in_score);
    else s.complete = false;
    sum_of_means += dim.mean_score;
  }
  if (s.complete) s.mean_of_five = sum_of_means / 5.0;
  return s;
}

// ---- DREAM-1K ----

namespace {
// The 'events' list of a DREAM reply: the first '{' to the last '}' read as a Python or JSON
// literal. Returns nullptr with *reason set when there is none; `root` owns the result.
const PyValue* events_list(const std::string& reply, const char* what, PyValue* root, std::string* reason) {
  const size_t open = reply.find('{');
  const size_t close = reply.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    *reason = std::string("no '{...}' block in the ") + what + " reply";
    return nullptr;
  }
  std::string error;
  PyParseOptions json_too;
  json_too.json_keywords = true;
  if (!parse_python_literal(reply.substr(open, close - open + 1), root, &error, json_too)) {
    *reason = std::string(what) + " reply does not parse (" + error + ")";
    return nullptr;
  }
  const PyValue* events = root->get("events");
  if (!events || events->kind != PyValue::Kind::list) {
    *reason = std::string(what) + " reply has no 'events' list";
    return nullptr;
  }
  return events;
}
}  // namespace

EventListParse parse_event_list_reply(const std::string& reply) {
  EventListParse r;
  PyValue root;
  const PyValue* events = events_list(reply, "event extraction", &root, &r.reason);
  if (!events) return r;
  for (size_t i = 0; i < events->items.size(); ++i) {
    if (events->items[i].kind != PyValue::Kind::string) {
      r.reason = "event " + std::to_string(i) + " is a " + py_kind_name(events->items[i].kind) + ", not a string";
      r.events.clear();
      return r;
    }
    r.events.push_back(events->items[i].text);
  }
  r.ok = true;
  return r;
}

EntailmentParse parse_entailment_reply(const std::string& reply, size_t expected_events) {
  EntailmentParse r;
  PyValue root;
  const PyValue* events = events_list(reply, "entailment", &root, &r.reason);
  if (!events) return r;
  for (size_t i = 0; i < events->items.size(); ++i) {
    const PyValue* rel = events->items[i].get("relationship");
    if (!rel || rel->kind != PyValue::Kind::string) {
      r.reason = "event " + std::to_string(i) + " has no 'relationship' string";
      return r;
    }
    std::string label = lower_ascii(rel->text);
    label.erase(0, label.find_first_not_of(" \t\n"));
    label.erase(label.find_last_not_of(" \t\n") + 1);
    if (label == "entailment") r.labels.push_back(Entailment::entailment);
    else if (label == "neutral") r.labels.push_back(Entailment::neutral);
    else if (label == "contradiction") r.labels.push_back(Entailment::contradiction);
    else {
      r.reason = "event " + std::to_string(i) + " has relationship '" + rel->text +
                 "' (expected entailment, neutral or contradiction)";
      r.labels.clear();
      return r;
    }
  }
  if (r.labels.size() != expected_events) {
    r.reason = "entailment reply judges " + std::to_string(r.labels.size()) + " events, expected " +
               std::to_string(expected_events);
    r.labels.clear();
    return r;
  }
  r.ok = true;
  return r;
}

namespace {
double entailed_fraction(const std::vector<Entailment>& labels) {
  if (labels.empty()) return 1.0;  // AutoDQ: nothing to check counts as fully supported
  const auto hits = std::count(labels.begin(), labels.end(), Entailment::entailment);
  return static_cast<double>(hits) / static_cast<double>(labels.size());
}
double f1_of(double p, double r) { return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0; }
}  // namespace

DreamScores dream_video_scores(const DreamVideoJudgement& video) {
  DreamScores s;
  s.recall = entailed_fraction(video.reference_events);
  s.precision = entailed_fraction(video.predicted_events);
  s.f1 = f1_of(s.precision, s.recall);
  return s;
}

DreamSummary summarize_dream(const std::vector<DreamVideoJudgement>& videos) {
  DreamSummary out;
  std::map<std::string, std::pair<DreamScores, int64_t>> sums;  // P and R sums per subset
  double p_all = 0.0, r_all = 0.0;
  for (const DreamVideoJudgement& v : videos) {
    const DreamScores s = dream_video_scores(v);
    auto& slot = sums[v.subset];
    slot.first.precision += s.precision;
    slot.first.recall += s.recall;
    slot.second += 1;
    p_all += s.precision;
    r_all += s.recall;
  }
  out.n_videos = static_cast<int64_t>(videos.size());
  if (videos.empty()) return out;
  double p_macro = 0.0, r_macro = 0.0;
  for (const auto& [name, slot] : sums) {
    DreamSubsetSummary sub;
    sub.subset = name;
    sub.n_videos = slot.second;
    sub.mean.precision = slot.first.precision / static_cast<double>(slot.second);
    sub.mean.recall = slot.first.recall / static_cast<double>(slot.second);
    sub.mean.f1 = f1_of(sub.mean.precision, sub.mean.recall);
    p_macro += sub.mean.precision;
    r_macro += sub.mean.recall;
    out.subsets.push_back(sub);
  }
  const auto k = static_cast<double>(sums.size());
  out.macro.precision = p_macro / k;
  out.macro.recall = r_macro / k;
  out.macro.f1 = f1_of(out.macro.precision, out.macro.recall);
  const auto n = static_cast<double>(videos.size());
  out.micro.precision = p_all / n;
  out.micro.recall = r_all / n;
  out.micro.f1 = f1_of(out.micro.precision, out.micro.recall);
  return out;
}

}  // namespace ppb::metrics
