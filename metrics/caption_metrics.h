// Classic caption metrics as the coco-caption toolkit (pycocoevalcap) computes them:
// corpus BLEU-1..4, ROUGE-L and CIDEr-D. METEOR is listed but not provided (it needs the
// METEOR 1.5 Java jar and its paraphrase tables); the report says so rather than omitting it.
#pragma once
#include <array>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

#include "metrics/caption_tokenizer.h"

namespace ppb::metrics {

// One evaluated item (a video): the model's caption and the reference captions, as raw text.
struct CaptionItem {
  std::string id;                       // video / sample id, for error messages
  std::string candidate;                // the model's caption
  std::vector<std::string> references;  // at least one reference caption
};

// The same item after tokenization.
struct TokenizedCaption {
  Tokens candidate;
  std::vector<Tokens> references;
};

struct BleuResult {
  std::array<double, 4> bleu{};     // BLEU-1..4, brevity penalty applied
  std::array<int64_t, 4> correct{};  // clipped n-gram matches summed over the corpus
  std::array<int64_t, 4> guess{};    // candidate n-grams summed over the corpus
  int64_t candidate_length = 0;      // total candidate tokens
  int64_t reference_length = 0;      // total "closest" reference lengths
  double brevity_penalty = 1.0;      // exp(1 - r/c) when c < r, else 1
};

// Corpus BLEU with coco's rules: per item, candidate n-gram counts are clipped by the maximum
// count of that n-gram in any one reference; the reference length is the one closest to the
// candidate's (ties: the shorter); counts and lengths are summed over the corpus; each
// precision is (correct + 1e-15) / (guess + 1e-9); BLEU-n is the geometric mean of
// precisions 1..n times the brevity penalty.
BleuResult coco_bleu(const std::vector<TokenizedCaption>& items);
// The counts one item adds to the corpus sums (correct, guess, both lengths); bleu and
// brevity_penalty are left unset. Summing these and calling bleu_from_counts gives coco_bleu.
BleuResult bleu_counts(const TokenizedCaption& item);
// Sets bleu[] and brevity_penalty of `totals` from its summed counts, with coco's smoothing.
void bleu_from_counts(BleuResult* totals);
// Corpus BLEU from per-item counts (bleu_counts): item i counted times[i] times (a bootstrap
// resample), or once each when `times` is empty.
BleuResult corpus_bleu_of_counts(const std::vector<BleuResult>& per_item, const std::vector<uint32_t>& times = {});

// ROUGE-L per item as coco computes it: LCS precision and recall against every reference,
// then F_beta (beta = 1.2) of the MAXIMUM precision and the MAXIMUM recall (which may come
// from different references), 0 when either is 0.
double rouge_l_item(const TokenizedCaption& item, double beta = 1.2);
std::vector<double> rouge_l_items(const std::vector<TokenizedCaption>& items, double beta = 1.2);

struct CiderOptions {
  int max_n = 4;        // n-gram orders 1..max_n
  double sigma = 6.0;   // width of the Gaussian length penalty
};

// CIDEr-D per item, as pycocoevalcap's "CIDEr" (which is CIDEr-D): TF-IDF n-gram vectors with
// document frequencies counted over the references of THIS corpus (an n-gram counts once per
// item whose references contain it), idf = log(#items) - log(max(1, df)); per order n the
// candidate weights are clipped by the reference's, the cosine is multiplied by
// exp(-delta^2 / (2 sigma^2)); averaged over orders and references, times 10.
// The corpus CIDEr-D is the mean of these. A corpus of one item scores 0 (idf is log 1 = 0).
std::vector<double> cider_d_items(const std::vector<TokenizedCaption>& items, const CiderOptions& options = {});

// One row of the caption report. provided=false rows carry no value, only the note.
struct CaptionMetricValue {
  std::string name;      // "BLEU-1" .. "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D"
  bool provided = true;  // false: ppbench does not compute this metric
  double value = 0.0;    // coco scale: BLEU and ROUGE-L in [0,1], CIDEr-D in [0,10]
  std::string note;      // why a metric is missing, or how it differs from the Python one
};

struct CaptionReport {
  std::string tokenizer;                    // tokenizer name used for candidates and references
  int64_t n_items = 0;                      // items scored
  std::vector<CaptionMetricValue> metrics;  // in the order BLEU-1..4, METEOR, ROUGE-L, CIDEr-D
  BleuResult bleu;                          // BLEU details (counts, lengths, brevity penalty)
  std::vector<BleuResult> bleu_items;       // per item, same order as the input: bleu_counts (for resampling)
  std::vector<double> rouge_l;              // per item, same order as the input
  std::vector<double> cider_d;              // per item, same order as the input
};

// Names of every classic caption metric, provided or not, in report order.
std::vector<std::string> caption_metric_names();

// Tokenizes candidates and references with the named tokenizer and computes every provided
// metric. Throws std::invalid_argument naming the item when an item has no reference, and
// when the corpus is empty.
CaptionReport score_captions(const std::vector<CaptionItem>& items, const std::string& tokenizer = "ptb_like");

// The value of a named metric in a report; throws std::out_of_range for an unknown or
// not-provided metric (the message says which).
double caption_metric(const CaptionReport& report, const std::string& name);

}  // namespace ppb::metrics
