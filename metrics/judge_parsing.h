// Parsing and aggregation of GPT-judge replies, under the policy of each reference
// implementation (reference/benchmarks.md section 1.5), and DREAM-1K's AutoDQ scores (9.2).
//
//   vcg_original  Video-ChatGPT / Video-LLaVA scripts: literal_eval of the whole reply;
//                 score = int() (truncation); failed items are left out of every count (the
//                 scripts retry them forever); accuracy = yes / (yes + no) where pred is "yes"
//                 if it contains "yes", else "no" if it contains "no", else neither.
//   lmms          lmms-eval: QA replies are read from the first '{' to the first '}'; VCG
//                 replies as a whole; score = int(); a failure counts as ("no", 0) and stays
//                 in both denominators.
//   tarsier       Tarsier: literal_eval of the whole reply; valid only if pred is exactly
//                 'yes' or 'no' and 0 <= score <= 5 (kept as a float); invalid items are left
//                 out of both metrics.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ppb::metrics {

enum class JudgePolicy { vcg_original, lmms, tarsier };

// "vcg_original", "lmms", "tarsier"; from_name throws std::invalid_argument listing them.
const char* judge_policy_name(JudgePolicy policy);
JudgePolicy judge_policy_from_name(const std::string& name);
std::vector<std::string> judge_policy_names();

enum class JudgePred { yes, no, neither };
const char* judge_pred_name(JudgePred pred);

// One judge reply read under a policy.
struct JudgeVerdict {
  bool ok = false;                      // the reply parsed under the policy's rules
  JudgePred pred = JudgePred::neither;  // QA replies only (score-only replies leave neither)
  double score = 0.0;                   // after the policy's conversion (int() or float)
  std::string reason;                   // why it failed, or a default the policy applied; "" if clean
};

// An open-ended QA judgement: a dict with 'pred' and 'score' (section 1.2).
JudgeVerdict parse_qa_judgement(const std::string& reply, JudgePolicy policy);
// A VCG-Bench dimension judgement: a dict with 'score' only (section 1.3).
JudgeVerdict parse_score_judgement(const std::string& reply, JudgePolicy policy);

// What one verdict adds to the aggregates under a policy. Per-item values for confidence.h
// are `yes` over the items with in_accuracy and `score` over those with in_score.
struct JudgeContribution {
  bool in_accuracy = false;  // counted in yes / (yes + no)
  double yes = 0.0;          // 1 for yes, 0 for no
  bool in_score = false;     // counted in the mean score
  double score = 0.0;
};
JudgeContribution judge_contribution(const JudgeVerdict& verdict, JudgePolicy policy);

struct QaJudgeSummary {
  std::string policy;         // policy name
  int64_t n_items = 0;        // replies given
  int64_t n_failed = 0;       // replies that did not parse under the policy
  int64_t n_yes = 0;          // counted as yes
  int64_t n_no = 0;           // counted as no (lmms: failures included)
  int64_t n_neither = 0;      // vcg_original: parsed, pred has neither "yes" nor "no"
  int64_t n_in_score = 0;     // denominator of mean_score
  double accuracy = 0.0;      // n_yes / (n_yes + n_no), 0..1 (x100 for the paper tables)
  double mean_score = 0.0;    // 0..5
};
QaJudgeSummary summarize_qa_judgements(const std::vector<JudgeVerdict>& verdicts, JudgePolicy policy);

// VCG-Bench's five dimensions (Video-ChatGPT's evaluate_benchmark_1..5).
enum class VcgDimension { correctness, detail_orientation, contextual_understanding, temporal_understanding, consistency };
const char* vcg_dimension_name(VcgDimension dim);  // snake_case names as written above

struct VcgDimensionSummary {
  std::string dimension;   // vcg_dimension_name
  int64_t n_items = 0;     // replies given
  int64_t n_failed = 0;    // replies that did not parse
  int64_t n_in_score = 0;  // denominator of mean_score under the policy
  double mean_score = 0.0;
};
struct VcgSummary {
  std::string policy;
  std::array<VcgDimensionSummary, 5> dimensions;  // in VcgDimension order
  // Mean of the five means: not in Video-ChatGPT's scripts, added by some papers. Only
  // meaningful when every dimension has items (complete).
  double mean_of_five = 0.0;
  bool complete = false;
};
// verdicts[d] are the parse_score_judgement results of dimension d.
VcgSummary summarize_vcg(const std::array<std::vector<JudgeVerdict>, 5>& verdicts, JudgePolicy policy);

// ---- DREAM-1K (AutoDQ) ----

enum class Entailment { entailment, neutral, contradiction };

// Reads an entailment reply {"events": [{"event", "relationship", "reason"}, ...]} (JSON or a
// Python dict, optionally inside a code fence or prose: the text from the first '{' to the
// last '}' is read). Fails, with the reason, when it does not parse, when a relationship is
// not one of the three labels (case and surrounding spaces ignored), or when the number of
// events differs from `expected_events` (Tarsier retries such replies).
struct EntailmentParse {
  bool ok = false;
  std::vector<Entailment> labels;  // one per event, in reply order
  std::string reason;              // why it failed; "" when ok
};
EntailmentParse parse_entailment_reply(const std::string& reply, size_t expected_events);

// Reads an event-extraction reply {"events": ["event", ...]} (a Python dict or JSON, optionally
// inside a code fence or prose: the text from the first '{' to the last '}' is read). Fails,
// with the reason, when it does not parse, has no 'events' list, or an event is not a string.
// Blank events are kept: they are what the judge said, and the entailment step judges them.
struct EventListParse {
  bool ok = false;
  std::vector<std::string> events;  // in reply order
  std::string reason;               // why it failed; "" when ok
};
EventListParse parse_event_list_reply(const std::string& reply);

// One video's judgements. recall side: the reference's events judged against the model's
// description; precision side: the events extracted from the model's description judged
// against the reference.
struct DreamVideoJudgement {
  std::string video;                      // id, for reports
  std::string subset;                     // movie_animation, movie_live_action, shorts, stock, youtube
  std::vector<Entailment> reference_events;
  std::vector<Entailment> predicted_events;
};

struct DreamScores {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;  // 2PR / (P + R), 0 when both are 0
};
// recall = entailed reference events / reference events; precision = entailed predicted
// events / predicted events; an empty event list scores 1.0 on its side.
DreamScores dream_video_scores(const DreamVideoJudgement& video);

struct DreamSubsetSummary {
  std::string subset;
  int64_t n_videos = 0;
  DreamScores mean;  // mean P and R over the subset's videos; F1 of those means
};
struct DreamSummary {
  std::vector<DreamSubsetSummary> subsets;  // sorted by name
  DreamScores macro;  // Tarsier: mean over subsets of the subset means; F1 of the averaged P, R
  DreamScores micro;  // VLMEvalKit-style: mean P and R over all videos; F1 of those means
  int64_t n_videos = 0;
};
DreamSummary summarize_dream(const std::vector<DreamVideoJudgement>& videos);

}  // namespace ppb::metrics
