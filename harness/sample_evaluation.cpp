#include "harness/sample_evaluation.h"

#include <chrono>
#include <limits>

#include "datasets/frame_preprocess.h"
#include "datasets/subtitles.h"
#include "tasks/answer_extractors.h"
#include "tasks/choice_scoring.h"
#include "tasks/prompt_template.h"

namespace ppb::harness {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

}  // namespace

SharedStages shared_stages(const SampleContext& ctx, const datasets::LoadedFrames* frames, const std::string& load_error,
                           double waited_ms, bool need_relevance) {
  SharedStages s;
  s.decode_ms = waited_ms;  // the time the model waited for the frames
  if (!frames) {
    s.error = {{"stage", "decode"}, {"message", load_error}};
    return s;
  }
  s.frame_indices = frames->indices;
  s.frames_total = frames->frames_total;
  s.frame_load = {{"cache", frames->cache},
                  {"load_ms", frames->work_ms},
                  {"strategy", frames->decode.strategy},
                  {"seeks", frames->decode.seeks},
                  {"frames_decoded", frames->decode.frames_decoded}};
  if (!frames->cache_error.empty()) s.frame_load["cache_error"] = frames->cache_error;
  std::string stage = "prompt";
  try {
    const tasks::Protocol& p = *ctx.protocol;
    tasks::PromptFields fields;
    fields.question = ctx.sample->question;
    fields.candidates = ctx.sample->candidates;
    if (!p.option_format.empty()) fields.option_format = p.option_format;
    if (p.subtitles && !ctx.sample->subtitles.empty()) {
      // The cues shown are those on screen at the sampled frames (Video-MME's rule).
      std::vector<double> times;
      for (int64_t i : frames->indices) times.push_back(frames->fps > 0 ? static_cast<double>(i) / frames->fps : 0.0);
      const auto cues = datasets::read_subtitles(ctx.sample->subtitles, ctx.sample->subtitle_offset,
                                                 ctx.sample->duration_s > 0 ? ctx.sample->duration_s
                                                                            : std::numeric_limits<double>::infinity());
      for (const auto& line : datasets::cues_at_frames(cues, times))
        fields.subtitles += (fields.subtitles.empty() ? "" : "\n") + line;
    }
    s.user_message = tasks::render_prompt(ctx.task->template_text(p.prompt_template), p.prompt_template, fields);
    if (!ctx.sample->question_2.empty()) {
      fields.question = ctx.sample->question_2;
      s.user_message_2 = tasks::render_prompt(ctx.task->template_text(p.prompt_template), p.prompt_template, fields);
    }
    stage = "preprocess";
    auto t0 = Clock::now();
    const at::Tensor pixels = datasets::normalize_frames(frames->rgb, datasets::clip_normalization());
    s.preprocess_ms = ms_since(t0);
    stage = "vision";
    t0 = Clock::now();
    s.features = ctx.llm->encode_frames(pixels);
    s.vision_ms = ms_since(t0);
    if (need_relevance) {
      // The relevance encoder reads the question as the user sees it, options included, without
      // the chat template (PPLLaVA's evaluation feeds the bare question, and for multiple choice
      // its options).
      stage = "relevance";
      t0 = Clock::now();
      s.relevance_text = s.user_message;
      s.relevance = ctx.llm->relevance(s.features, ctx.llm->prompt_embedding(ctx.llm->relevance_ids(s.relevance_text)));
      s.relevance_ms = ms_since(t0);
    }
  } catch (const std::exception& e) {
    s.error = {{"stage", stage}, {"message", e.what()}};
  }
  return s;
}

nlohmann::json evaluate_variant(const SampleContext& ctx, const SharedStages& shared, const Variant& v) {
  const tasks::TaskSpec& spec = ctx.task->spec;
  const tasks::Protocol& protocol = *ctx.protocol;
  const datasets::Sample& sample = *ctx.sample;
  const bool multiple_choice = spec.family == "multiple_choice";
  // Multiple choice is scored against the option letter; the other families against the
  // reference text, by a judge (`ppbench score`) or by corpus caption metrics (the report).
  const std::string target = !multiple_choice                ? sample.answer
                             : sample.answer_index >= 0 ? tasks::option_letter(static_cast<size_t>(sample.answer_index))
                                                        : "";
  nlohmann::json rec;
  rec["task"] = spec.name;
  rec["protocol"] = protocol.name;
  rec["task_fingerprint"] = ctx.task_fingerprint;
  rec["sample_id"] = sample.id;
  rec["subtask"] = sample.subtask;
  rec["variant"] = v.key;
  rec["method_params"] = v.plan.params;
  rec["budget_plan"] = {{"tokens", v.plan.tokens}, {"under_filled", v.plan.under_filled}};
  rec["video"] = sample.video;
  rec["frame_policy"] = protocol.frame_policy;
  rec["frame_indices"] = shared.frame_indices;
  rec["frames_total"] = shared.frames_total;
  rec["frame_load"] = shared.frame_load;
  rec["preprocess"] = ctx.preprocess;
  if (v.reducer->needs_relevance) rec["relevance_text"] = shared.relevance_text;
  rec["prompt"] = shared.user_message.empty() ? nlohmann::json(nullptr)
                                              : nlohmann::json(ctx.llm->prompt_text(shared.user_message, protocol.answer_prefix));
  rec["question"] = sample.question;
  if (!sample.question_2.empty()) rec["question_2"] = sample.question_2;
  rec["candidates"] = sample.candidates;
  rec["meta"] = sample.meta;
  rec["target"] = target;
  // Captions are scored against every reference (corpus metrics); DREAM-1K's judge needs the
  // reference description and its events.
  if (spec.family == "caption" || spec.family == "dream_judged") rec["references"] = sample.references;
  if (spec.family == "dream_judged") rec["events"] = sample.events;
  rec["response"] = nullptr;
  rec["parsed"] = nullptr;
  rec["correct"] = nullptr;
  // Shared stages are measured once per sample; relevance counts only for methods that use it.
  nlohmann::json times{{"decode", shared.decode_ms},
                       {"preprocess", shared.preprocess_ms},
                       {"vision", shared.vision_ms},
                       {"relevance", v.reducer->needs_relevance ? shared.relevance_ms : 0.0},
                       {"reduce", 0.0},
                       {"prefill", 0.0},
                       {"generate", 0.0}};
  nlohmann::json tokens{{"visual_raw", 0}, {"visual", 0}, {"prompt", 0}, {"generated", 0}, {"context", 0}};
  nlohmann::json error = shared.error;
  if (error.is_null()) {
    std::string stage = "reduce";
    try {
      const at::Tensor& f = shared.features;
      tokens["visual_raw"] = f.size(0) * f.size(1) * f.size(2);
      auto t0 = Clock::now();
      const at::Tensor visual = ctx.llm->visual_tokens(f, *v.reducer, v.plan.params, shared.relevance);
      times["reduce"] = ms_since(t0);
      tokens["visual"] = visual.size(0);
      stage = "generate";
      const std::vector<int> ids = ctx.llm->prompt_ids(shared.user_message, protocol.answer_prefix);
      model::GenerationOptions go;
      go.max_new_tokens = ctx.max_new_tokens;
      const model::GenerationResult g = ctx.llm->generate(ids, visual, go);
      times["prefill"] = g.prefill_ms;
      times["generate"] = g.generate_ms;
      tokens["prompt"] = g.prompt_tokens;
      tokens["generated"] = static_cast<int64_t>(g.tokens.size());
      tokens["context"] = g.context_tokens;
      rec["response"] = g.text;
      rec["finish_reason"] = g.finish_reason;
      if (!shared.user_message_2.empty()) {
        // VCG consistency: the same video asked the second phrasing; the judge compares both answers.
        const model::GenerationResult g2 =
            ctx.llm->generate(ctx.llm->prompt_ids(shared.user_message_2, protocol.answer_prefix), visual, go);
        times["prefill"] = g.prefill_ms + g2.prefill_ms;
        times["generate"] = g.generate_ms + g2.generate_ms;
        tokens["generated"] = static_cast<int64_t>(g.tokens.size() + g2.tokens.size());
        rec["response_2"] = g2.text;
      }
      if (!multiple_choice) {
        // Captions are scored by the report (corpus metrics); judged families by `ppbench score`.
        rec["scoring"] = spec.family == "caption" ? "corpus" : "judge";
      } else {
        stage = "score";
        // No judge is bound yet: an extractor that needs one fails the sample with an error saying so.
        tasks::write_choice_score(rec, tasks::score_choice(protocol, tasks::choice_item_of_record(rec), ctx.seed, ctx.choice_judge));
      }
    } catch (const std::exception& e) {
      error = {{"stage", stage}, {"message", e.what()}};
    }
  }
  double total = 0;
  for (auto it = times.begin(); it != times.end(); ++it) total += it.value().get<double>();
  times["total"] = total;
  rec["times_ms"] = times;
  rec["tokens"] = tokens;
  rec["error"] = error;
  return rec;
}

}  // namespace ppb::harness
