// Corpus caption metrics of one caption result (task, variant): the coco-caption suite over
// the records' responses and reference captions (metrics/caption_metrics.h).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::reports {

// The protocol's caption metrics as context.json records them (tasks.<task>.protocol_spec.metrics);
// all three (bleu, rouge_l, cider_d) when the context does not say.
std::vector<std::string> caption_metric_keys(const nlohmann::json& context, const std::string& task);

// `records`: the error-free records of one (task, variant), each with `response` and
// `references`. Returns {n_scored, n_without_references, captions}; captions holds tokenizer,
// n_items, the value of each requested metric under its coco name (BLEU-1..4, ROUGE-L,
// CIDEr-D; coco scale), METEOR as "not provided: ..." and the BLEU brevity penalty; it is null
// when no record can be scored. Records are scored in sample-id order, so the figures do not
// depend on the order a run wrote them. Records without references (written before ppbench
// kept them) are left out and counted.
nlohmann::ordered_json caption_scores(const std::vector<const nlohmann::json*>& records,
                                      const std::vector<std::string>& metric_keys);

}  // namespace ppb::reports
