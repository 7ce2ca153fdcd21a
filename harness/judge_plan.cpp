#include "harness/judge_plan.h"

#include <map>

#include "metrics/judge_parsing.h"
#include "reports/sample_records.h"

namespace ppb::harness {
namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The placeholders a QA or VCG judge template may use, from one record.
std::map<std::string, std::string> answer_fields(const nlohmann::json& rec) {
  return {{"question", text_of(rec, "question")},   {"answer", text_of(rec, "target")},
          {"prediction", text_of(rec, "response")}, {"question_1", text_of(rec, "question")},
          {"question_2", text_of(rec, "question_2")}, {"prediction_1", text_of(rec, "response")},
          {"prediction_2", text_of(rec, "response_2")}};
}

// An event list as the entailment template shows it: a JSON array, ", " between items.
std::string event_list_text(const std::vector<std::string>& events) {
  std::string out = "[";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? ", " : "") + nlohmann::json(events[i]).dump();
  return out + "]";
}

std::vector<tasks::JudgeMessageText> render(const tasks::Task& task, const tasks::Protocol& p, const std::string& step,
                                            const std::map<std::string, std::string>& fields) {
  const std::string& file = p.judge_templates.at(step);
  return tasks::render_judge_template(task.template_text(file), file, fields);
}

// Asks for `dimension` when absent; re-asks when its reply is ok but `problem` says it is not
// usable and re-asks are left. `problem` maps a reply's content to "" (usable) or the reason.
template <typename Problem>
void ask_or_reask(const nlohmann::json& judged, const std::string& dimension, int max_retries,
                  std::vector<tasks::JudgeMessageText> messages, const Problem& problem, std::vector<JudgeAsk>* out) {
  if (!judged.contains(dimension)) {
    out->push_back({dimension, std::move(messages), 0, ""});
    return;
  }
  const nlohmann::json& j = judged[dimension];
  if (j.value("outcome", "") != "ok") return;  // the client's retries are spent; the report counts it
  const int retry = j.value("retry", 0);
  if (retry >= max_retries) return;
  const std::string why = problem(j.value("content", ""));
  if (!why.empty()) out->push_back({dimension, std::move(messages), retry + 1, why});
}

std::vector<JudgeAsk> dream_asks(const nlohmann::json& rec, const tasks::Task& task, const tasks::Protocol& p) {
  static const nlohmann::json kNone = nlohmann::json::object();
  const nlohmann::json& judged = rec.contains("judgements") ? rec["judgements"] : kNone;
  const std::string description = text_of(rec, "response");
  std::vector<JudgeAsk> out;
  ask_or_reask(judged, kDreamExtract, p.judge_parse_retries,
               render(task, p, "extract_events", {{"description", description}}),
               [](const std::string& c) { return metrics::parse_event_list_reply(c).reason; }, &out);
  const std::vector<std::string> reference_events = reports::dream_reference_events(rec);
  ask_or_reask(judged, kDreamRecall, p.judge_parse_retries,
               render(task, p, "entailment", {{"description", description}, {"events", event_list_text(reference_events)}}),
               [&](const std::string& c) { return metrics::parse_entailment_reply(c, reference_events.size()).reason; },
               &out);
  // Precision needs the extracted events: asked once the extraction's reply is usable, never
  // when it lists no events (an empty list scores 1.0 without a call).
  if (!judged.contains(kDreamExtract) || judged[kDreamExtract].value("outcome", "") != "ok") return out;
  const metrics::EventListParse extracted = metrics::parse_event_list_reply(judged[kDreamExtract].value("content", ""));
  if (!extracted.ok || extracted.events.empty()) return out;
  const std::vector<std::string> references = rec.value("references", std::vector<std::string>{});
  ask_or_reask(judged, kDreamPrecision, p.judge_parse_retries,
               render(task, p, "entailment",
                      {{"description", references.empty() ? "" : references.front()},
                       {"events", event_list_text(extracted.events)}}),
               [&](const std::string& c) { return metrics::parse_entailment_reply(c, extracted.events.size()).reason; },
               &out);
  return out;
}

}  // namespace

std::vector<JudgeAsk> next_judge_asks(const nlohmann::json& rec, const tasks::Task& task,
                                      const tasks::Protocol& protocol) {
  if (task.spec.family == "dream_judged") return dream_asks(rec, task, protocol);
  std::vector<JudgeAsk> out;
  const bool any = rec.contains("judgements");
  for (const auto& [dimension, file] : protocol.judge_templates)
    if (!any || !rec["judgements"].contains(dimension))
      out.push_back({dimension, tasks::render_judge_template(task.template_text(file), file, answer_fields(rec)), 0, ""});
  return out;
}

}  // namespace ppb::harness
