// Corpus caption metrics of one caption result (task, variant): the coco-caption suite over
// the records' responses and reference captions (metrics/caption_metrics.h).
#pragma once
#include <cstdint>
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
// kept them) are left out and counted. captions.uncertainty holds, per metric, n, stderr,
// ci_low, ci_high and stderr_clustered (one video per item, so it equals stderr): BLEU from a
// bootstrap over videos that recomputes the corpus score (stderr: the replicates' standard
// deviation); ROUGE-L and CIDEr-D as means of per-video scores (CIDEr-D with the corpus's
// document frequencies held fixed). `seed` seeds the bootstraps.
nlohmann::ordered_json caption_scores(const std::vector<const nlohmann::json*>& records,
                                      const std::vector<std::string>& metric_keys, uint64_t seed);

}  // namespace ppb::reports
