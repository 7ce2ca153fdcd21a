#include "reports/caption_scores.h"

#include <algorithm>
#include <cstdint>

#include "metrics/caption_metrics.h"
#include "metrics/confidence.h"
#include "reports/estimate_json.h"

namespace ppb::reports {
namespace {

nlohmann::ordered_json caption_uncertainty(const metrics::CaptionReport& report,
                                           const std::vector<const nlohmann::json*>& records, bool bleu, bool rouge,
                                           bool cider, uint64_t seed) {
  metrics::BootstrapOptions opts;
  opts.seed = seed;
  std::vector<std::string> videos;
  for (const auto* r : records) videos.push_back(r->value("video", (*r)["sample_id"].get<std::string>()));
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (bleu) {
    const size_t n_items = report.bleu_items.size();
    std::vector<std::vector<size_t>> everything(1);
    for (size_t i = 0; i < n_items; ++i) everything[0].push_back(i);
    for (size_t n = 0; n < 4; ++n) {
      // The corpus BLEU-n of a resample: its items' counts summed, each as often as drawn.
      auto corpus_bleu = [&](const std::vector<uint32_t>& draws) {
        return metrics::corpus_bleu_of_counts(report.bleu_items, draws).bleu[n];
      };
      out["BLEU-" + std::to_string(n + 1)] = estimate_json(metrics::statistic_estimate(
          report.bleu.bleu[n], static_cast<int64_t>(n_items),
          metrics::bootstrap_statistic(everything, n_items, corpus_bleu, opts), opts));
    }
  }
  if (rouge) out["ROUGE-L"] = estimate_json(metrics::estimate(report.rouge_l, opts, videos));
  if (cider) out["CIDEr-D"] = estimate_json(metrics::estimate(report.cider_d, opts, videos));
  return out;
}

}  // namespace

std::vector<std::string> caption_metric_keys(const nlohmann::json& context, const std::string& task) {
  std::vector<std::string> keys = {"bleu", "rouge_l", "cider_d"};
  if (context.contains("tasks") && context["tasks"].contains(task)) {
    const auto& t = context["tasks"][task];
    if (t.contains("protocol_spec") && t["protocol_spec"].contains("metrics"))
      keys = t["protocol_spec"]["metrics"].get<std::vector<std::string>>();
  }
  return keys;
}

nlohmann::ordered_json caption_scores(const std::vector<const nlohmann::json*>& records,
                                      const std::vector<std::string>& metric_keys, uint64_t seed) {
  std::vector<const nlohmann::json*> usable;
  int64_t without_references = 0;
  for (const auto* r : records) {
    const auto it = r->find("references");
    if (it == r->end() || !it->is_array() || it->empty() || !(*r)["response"].is_string()) {
      ++without_references;
      continue;
    }
    usable.push_back(r);
  }
  std::stable_sort(usable.begin(), usable.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
    return (*a)["sample_id"].get<std::string>() < (*b)["sample_id"].get<std::string>();
  });
  nlohmann::ordered_json out;
  out["n_scored"] = static_cast<int64_t>(usable.size());
  out["n_without_references"] = without_references;
  if (usable.empty()) {
    out["captions"] = nullptr;
    return out;
  }
  std::vector<metrics::CaptionItem> items;
  items.reserve(usable.size());
  for (const auto* r : usable)
    items.push_back({(*r)["sample_id"].get<std::string>(), (*r)["response"].get<std::string>(),
                     (*r)["references"].get<std::vector<std::string>>()});
  const metrics::CaptionReport report = metrics::score_captions(items);
  auto wanted = [&](const std::string& key) {
    return std::find(metric_keys.begin(), metric_keys.end(), key) != metric_keys.end();
  };
  nlohmann::ordered_json c;
  c["tokenizer"] = report.tokenizer;
  c["n_items"] = report.n_items;
  for (const metrics::CaptionMetricValue& m : report.metrics) {
    if (!m.provided) {
      c[m.name] = m.note;
      continue;
    }
    const bool bleu = m.name.rfind("BLEU-", 0) == 0;
    if ((bleu && wanted("bleu")) || (m.name == "ROUGE-L" && wanted("rouge_l")) || (m.name == "CIDEr-D" && wanted("cider_d")))
      c[m.name] = m.value;
  }
  if (wanted("bleu")) c["bleu_brevity_penalty"] = report.bleu.brevity_penalty;
  c["uncertainty"] = caption_uncertainty(report, usable, wanted("bleu"), wanted("rouge_l"), wanted("cider_d"), seed);
  c["scale"] = "coco: BLEU and ROUGE-L in [0, 1], CIDEr-D in [0, 10] (papers print x100)";
  out["captions"] = c;
  return out;
}

}  // namespace ppb::reports
