// BLEU, ROUGE-L and CIDEr-D following the rules of pycocoevalcap (see caption_metrics.h).
#include "metrics/caption_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace ppb::metrics {
namespace {

// An n-gram is its tokens joined by a byte that never occurs in tokens (they have no spaces).
using NgramCounts = std::unordered_map<std::string, int64_t>;

std::string ngram_key(const Tokens& t, size_t start, size_t n) {
  std::string key = t[start];
  for (size_t k = 1; k < n; ++k) {
    key += '\x1f';
    key += t[start + k];
  }
  return key;
}

// Counts of every n-gram of order n (exactly n) in t.
NgramCounts ngrams_of_order(const Tokens& t, size_t n) {
  NgramCounts counts;
  if (t.size() < n) return counts;
  for (size_t i = 0; i + n <= t.size(); ++i) ++counts[ngram_key(t, i, n)];
  return counts;
}

// Per order 1..max_n, the n-gram counts of t.
std::vector<NgramCounts> ngram_table(const Tokens& t, int max_n) {
  std::vector<NgramCounts> table;
  for (int n = 1; n <= max_n; ++n) table.push_back(ngrams_of_order(t, static_cast<size_t>(n)));
  return table;
}

size_t lcs_length(const Tokens& a, const Tokens& b) {
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// A TF-IDF vector per n-gram order, with its Euclidean norm, for one sentence.
struct TfidfVector {
  std::vector<std::unordered_map<std::string, double>> weights;
  std::vector<double> norms;
  int64_t length = 0;  // see counts_to_tfidf
};

TfidfVector counts_to_tfidf(const std::vector<NgramCounts>& table,
                            const std::unordered_map<std::string, double>& df, double log_items) {
  TfidfVector v;
  v.weights.resize(table.size());
  v.norms.assign(table.size(), 0.0);
  for (size_t order = 0; order < table.size(); ++order) {
    for (const auto& [gram, tf] : table[order]) {
      auto it = df.find(gram);
      const double d = it == df.end() ? 0.0 : it->second;
      const double w = static_cast<double>(tf) * (log_items - std::log(std::max(1.0, d)));
      v.weights[order][gram] = w;
      v.norms[order] += w * w;
      // pycocoevalcap accumulates the "length" inside the bigram branch, so the length used by
      // the penalty is the number of bigrams (tokens - 1), not tokens. Kept: the penalty only
      // sees length differences, which agree except when one side is empty (and with
      // max_n = 1 there is no bigram table, so every length is 0 and there is no penalty).
      if (order == 1) v.length += tf;
    }
  }
  for (double& n : v.norms) n = std::sqrt(n);
  return v;
}

void check_items(const std::vector<TokenizedCaption>& items, const char* metric) {
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].references.empty())
      throw std::invalid_argument(std::string(metric) + ": item " + std::to_string(i) + " has no reference caption");
}

}  // namespace

BleuResult bleu_counts(const TokenizedCaption& item) {
  BleuResult r;
  const int64_t c = static_cast<int64_t>(item.candidate.size());
  // "closest": the reference length nearest to the candidate's; on a tie, the shorter one.
  int64_t best = -1;
  for (const Tokens& ref : item.references) {
    const int64_t l = static_cast<int64_t>(ref.size());
    if (best < 0 || std::llabs(l - c) < std::llabs(best - c) || (std::llabs(l - c) == std::llabs(best - c) && l < best))
      best = l;
  }
  r.candidate_length = c;
  r.reference_length = best;
  for (size_t n = 1; n <= 4; ++n) {
    r.guess[n - 1] = std::max<int64_t>(0, c - static_cast<int64_t>(n) + 1);
    // Clip each candidate n-gram count by its largest count in any single reference.
    std::unordered_map<std::string, int64_t> max_ref;
    for (const Tokens& ref : item.references)
      for (const auto& [gram, count] : ngrams_of_order(ref, n)) max_ref[gram] = std::max(max_ref[gram], count);
    for (const auto& [gram, count] : ngrams_of_order(item.candidate, n)) {
      auto it = max_ref.find(gram);
      if (it != max_ref.end()) r.correct[n - 1] += std::min(count, it->second);
    }
  }
  return r;
}

void bleu_from_counts(BleuResult* r) {
  // coco's smoothing constants: a zero-match order gives a tiny (not zero) precision and an
  // empty corpus does not divide by zero.
  const double tiny = 1e-15, small = 1e-9;
  const double ratio = (static_cast<double>(r->candidate_length) + tiny) / (static_cast<double>(r->reference_length) + small);
  r->brevity_penalty = ratio < 1.0 ? std::exp(1.0 - 1.0 / ratio) : 1.0;
  double product = 1.0;
  for (int n = 1; n <= 4; ++n) {
    product *= (static_cast<double>(r->correct[n - 1]) + tiny) / (static_cast<double>(r->guess[n - 1]) + small);
    r->bleu[n - 1] = std::pow(product, 1.0 / n) * r->brevity_penalty;
  }
}

BleuResult corpus_bleu_of_counts(const std::vector<BleuResult>& per_item, const std::vector<uint32_t>& times) {
  BleuResult r;
  for (size_t i = 0; i < per_item.size(); ++i) {
    const BleuResult& b = per_item[i];
    const int64_t w = times.empty() ? 1 : times.at(i);
    r.candidate_length += w * b.candidate_length;
    r.reference_length += w * b.reference_length;
    for (size_t n = 0; n < 4; ++n) {
      r.correct[n] += w * b.correct[n];
      r.guess[n] += w * b.guess[n];
    }
  }
  bleu_from_counts(&r);
  return r;
}

BleuResult coco_bleu(const std::vector<TokenizedCaption>& items) {
  check_items(items, "BLEU");
  std::vector<BleuResult> per_item;
  per_item.reserve(items.size());
  for (const TokenizedCaption& item : items) per_item.push_back(bleu_counts(item));
  return corpus_bleu_of_counts(per_item);
}

double rouge_l_item(const TokenizedCaption& item, double beta) {
  if (item.references.empty()) throw std::invalid_argument("ROUGE-L: item has no reference caption");
  double p_max = 0.0, r_max = 0.0;
  for (const Tokens& ref : item.references) {
    const double lcs = static_cast<double>(lcs_length(ref, item.candidate));
    // coco splits "" into one empty token, so an empty side gives 0 here instead of 0/0.
    if (!item.candidate.empty()) p_max = std::max(p_max, lcs / static_cast<double>(item.candidate.size()));
    if (!ref.empty()) r_max = std::max(r_max, lcs / static_cast<double>(ref.size()));
  }
  if (p_max == 0.0 || r_max == 0.0) return 0.0;
  const double b2 = beta * beta;
  return (1.0 + b2) * p_max * r_max / (r_max + b2 * p_max);
}

std::vector<double> rouge_l_items(const std::vector<TokenizedCaption>& items, double beta) {
  check_items(items, "ROUGE-L");
  std::vector<double> out;
  out.reserve(items.size());
  for (const TokenizedCaption& item : items) out.push_back(rouge_l_item(item, beta));
  return out;
}

std::vector<double> cider_d_items(const std::vector<TokenizedCaption>& items, const CiderOptions& options) {
  check_items(items, "CIDEr-D");
  if (options.max_n < 1) throw std::invalid_argument("CIDEr-D: max_n must be at least 1");
  // Document frequency: the number of items whose references (any of them) contain the n-gram.
  std::vector<std::vector<std::vector<NgramCounts>>> ref_tables(items.size());
  std::unordered_map<std::string, double> df;
  for (size_t i = 0; i < items.size(); ++i) {
    std::unordered_map<std::string, bool> seen;
    for (const Tokens& ref : items[i].references) {
      ref_tables[i].push_back(ngram_table(ref, options.max_n));
      for (const NgramCounts& order : ref_tables[i].back())
        for (const auto& entry : order) seen[entry.first] = true;
    }
    for (const auto& entry : seen) df[entry.first] += 1.0;
  }
  const double log_items = std::log(static_cast<double>(items.size()));
  const double two_sigma2 = 2.0 * options.sigma * options.sigma;
  std::vector<double> scores;
  scores.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const TfidfVector cand = counts_to_tfidf(ngram_table(items[i].candidate, options.max_n), df, log_items);
    double sum = 0.0;  // summed over references and orders
    for (const auto& table : ref_tables[i]) {
      const TfidfVector ref = counts_to_tfidf(table, df, log_items);
      const double delta = static_cast<double>(cand.length - ref.length);
      const double penalty = std::exp(-(delta * delta) / two_sigma2);
      for (size_t order = 0; order < cand.weights.size(); ++order) {
        double dot = 0.0;
        for (const auto& [gram, w] : cand.weights[order]) {
          auto it = ref.weights[order].find(gram);
          if (it != ref.weights[order].end()) dot += std::min(w, it->second) * it->second;  // clipped
        }
        // A zero norm (no n-grams of this order, or all idf 0) contributes 0 rather than NaN.
        if (cand.norms[order] != 0.0 && ref.norms[order] != 0.0) dot /= cand.norms[order] * ref.norms[order];
        else dot = 0.0;
        sum += dot * penalty;
      }
    }
    const double mean_over_orders = sum / static_cast<double>(options.max_n);
    scores.push_back(mean_over_orders / static_cast<double>(ref_tables[i].size()) * 10.0);
  }
  return scores;
}

std::vector<std::string> caption_metric_names() {
  return {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D"};
}

CaptionReport score_captions(const std::vector<CaptionItem>& items, const std::string& tokenizer) {
  if (items.empty()) throw std::invalid_argument("caption metrics: no items to score");
  std::vector<TokenizedCaption> tok;
  tok.reserve(items.size());
  for (const CaptionItem& item : items) {
    if (item.references.empty())
      throw std::invalid_argument("caption metrics: item '" + item.id + "' has no reference caption");
    TokenizedCaption t;
    t.candidate = tokenize_caption(item.candidate, tokenizer);
    for (const std::string& ref : item.references) t.references.push_back(tokenize_caption(ref, tokenizer));
    tok.push_back(std::move(t));
  }
  CaptionReport report;
  report.tokenizer = tokenizer;
  report.n_items = static_cast<int64_t>(items.size());
  check_items(tok, "BLEU");
  for (const TokenizedCaption& item : tok) report.bleu_items.push_back(bleu_counts(item));
  report.bleu = corpus_bleu_of_counts(report.bleu_items);
  report.rouge_l = rouge_l_items(tok);
  report.cider_d = cider_d_items(tok);
  auto mean = [](const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  for (int n = 0; n < 4; ++n)
    report.metrics.push_back({"BLEU-" + std::to_string(n + 1), true, report.bleu.bleu[static_cast<size_t>(n)],
                              "corpus-level, closest reference length"});
  report.metrics.push_back({"METEOR", false, 0.0,
                            "not provided: METEOR 1.5 needs its Java jar and paraphrase tables"});
  report.metrics.push_back({"ROUGE-L", true, mean(report.rouge_l), "mean over items, beta 1.2"});
  report.metrics.push_back({"CIDEr-D", true, mean(report.cider_d),
                            "mean over items, idf from this corpus' references, sigma 6, x10"});
  return report;
}

double caption_metric(const CaptionReport& report, const std::string& name) {
  for (const CaptionMetricValue& m : report.metrics) {
    if (m.name != name) continue;
    if (!m.provided) throw std::out_of_range("caption metric '" + name + "' is not provided (" + m.note + ")");
    return m.value;
  }
  throw std::out_of_range("unknown caption metric '" + name + "'");
}

}  // namespace ppb::metrics
