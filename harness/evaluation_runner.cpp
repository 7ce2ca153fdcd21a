#include "harness/evaluation_runner.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "common/json_file.h"
#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/frame_cache.h"
#include "datasets/frame_loader.h"
#include "datasets/frame_prefetcher.h"
#include "harness/progress.h"
#include "harness/run_context.h"
#include "harness/run_store.h"
#include "model/tiny_checkpoint.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"
#include "tasks/answer_extractors.h"
#include "tasks/prompt_template.h"
#include "tasks/task_registry.h"

namespace fs = std::filesystem;

namespace ppb::harness {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// The part of a sample's work that every variant shares: frames and vision features.
struct SharedStages {
  std::vector<int64_t> frame_indices;
  int64_t frames_total = 0;
  nlohmann::json frame_load = nlohmann::json::object();  // cache use and decoder statistics
  at::Tensor features;  // [T, h, w, D_vision]
  double decode_ms = 0, preprocess_ms = 0, vision_ms = 0;
};

std::string resolve_model(RunConfig& cfg) {
  if (cfg.model != "tiny") return cfg.model;
  const std::string dir = (fs::path(cfg.out) / "tiny_model").string();
  if (!fs::exists(fs::path(dir) / "config.json")) {
    model::TinyCheckpointOptions o;
    o.seed = cfg.seed;
    model::write_tiny_checkpoint(dir, o);
  }
  return dir;
}

void check_resumable(const fs::path& config_path, const RunConfig& cfg) {
  if (!fs::exists(config_path)) return;
  const nlohmann::json old = read_json_file(config_path.string(), "run configuration");
  RunConfig prev;
  apply_json(prev, old, config_path.string());
  const nlohmann::json a = plan_fields(prev), b = plan_fields(cfg);
  for (auto it = a.begin(); it != a.end(); ++it)
    if (b[it.key()] != it.value())
      throw std::runtime_error("run folder " + cfg.out + " was made with " + it.key() + " = " + it.value().dump() +
                               ", this invocation has " + b[it.key()].dump() + "; use a new --out");
}

}  // namespace

RunSummary run_evaluation(RunConfig cfg, const std::vector<std::string>& argv) {
  if (cfg.out.empty()) throw std::runtime_error("run: --out RUN is required");
  if (cfg.data_root.empty()) throw std::runtime_error("run: --data-root DIR is required");
  if (cfg.tasks_dir.empty()) cfg.tasks_dir = tasks::default_tasks_dir();
  fs::create_directories(cfg.out);
  const fs::path config_path = fs::path(cfg.out) / "config.json";
  check_resumable(config_path, cfg);

  tasks::TaskRegistry task_registry;
  tasks::register_builtin_tasks(task_registry, cfg.tasks_dir);
  std::vector<const tasks::Task*> run_tasks;
  for (const auto& name : cfg.tasks) run_tasks.push_back(&task_registry.get(name));
  std::vector<const model::TokenReducer*> reducers;
  for (const auto& name : cfg.methods) reducers.push_back(&model::builtin_reducers().get(name));

  const std::string model_dir = resolve_model(cfg);
  model::ModelLoadOptions load;
  load.device = cfg.device;
  load.dtype = cfg.dtype;
  load.clip_tokenizer = cfg.clip_tokenizer;
  model::VideoLlm llm(model_dir, load);
  std::ofstream(config_path) << to_json(cfg).dump(2) << "\n";
  const char* dtype_name = llm.dtype() == at::kFloat ? "float32" : llm.dtype() == at::kBFloat16 ? "bfloat16" : "float16";
  write_run_context(cfg, argv,
                    {{"fingerprint", llm.fingerprint()},
                     {"dtype", dtype_name},
                     {"device", llm.device().str()},
                     {"llm", llm.llm_family()},
                     {"btadapter", llm.config().btadapter},
                     {"relevance_encoder", llm.has_relevance()},
                     {"clip_positions_extended_at_load", llm.clip_positions_extended_at_load()}},
                    run_tasks);

  RunStore store(cfg.out);
  if (store.recovered_torn_tail())
    std::fprintf(stderr, "ppbench: note: dropped a partial last line of %s/samples.jsonl\n", cfg.out.c_str());

  // Plan first so that progress knows the total.
  struct TaskPlan {
    const tasks::Task* task;
    std::vector<datasets::Sample> samples;
    int frames;
  };
  std::vector<TaskPlan> plan;
  plan.reserve(run_tasks.size());  // work items below point into it
  RunSummary summary;
  for (const auto* t : run_tasks) {
    TaskPlan p{t, t->load_samples(cfg.data_root), cfg.frames > 0 ? cfg.frames : t->spec.frames};
    if (cfg.limit > 0 && static_cast<int64_t>(p.samples.size()) > cfg.limit) p.samples.resize(cfg.limit);
    summary.planned += static_cast<int64_t>(p.samples.size() * reducers.size());
    plan.push_back(std::move(p));
  }

  auto variant_of = [&](const model::TokenReducer& r, int frames) {
    return nlohmann::json{{"method", r.name}, {"budget", cfg.budget}, {"frames", frames},
                          {"checkpoint", llm.fingerprint().substr(0, 16)}};
  };

  // Work items: the samples with a variant still to record, each with the frames it needs. The
  // prefetcher decodes the next ones while the model works on the current one.
  struct WorkItem {
    const TaskPlan* plan;
    const datasets::Sample* sample;
    std::vector<const model::TokenReducer*> pending;
  };
  const auto& norm = datasets::clip_normalization();
  const datasets::FrameGeometry geometry = datasets::make_geometry(cfg.preprocess, llm.input_size(), norm);
  const std::string preprocess_name = datasets::geometry_name(geometry) + "+" + norm.name;
  std::vector<WorkItem> work;
  std::vector<datasets::FrameRequest> requests;
  for (const auto& tp : plan)
    for (const auto& sample : tp.samples) {
      WorkItem item{&tp, &sample, {}};
      for (const auto* r : reducers) {
        nlohmann::json probe{{"task", tp.task->spec.name}, {"sample_id", sample.id}, {"variant", variant_of(*r, tp.frames)}};
        if (store.done(record_key(probe)))
          ++summary.skipped;
        else
          item.pending.push_back(r);
      }
      if (item.pending.empty()) continue;
      datasets::FrameRequest req;
      req.video = sample.video;
      req.policy = tp.task->spec.frame_policy;
      req.count = tp.frames;
      req.bounds = sample.bounds;
      req.seed = datasets::derive_seed(cfg.seed, tp.task->spec.name + "/" + sample.id);
      req.geometry = geometry;
      req.decode.threads = cfg.decode_threads;
      if (sample.folder_fps > 0) req.decode.folder_fps = sample.folder_fps;
      work.push_back(std::move(item));
      requests.push_back(std::move(req));
    }
  std::unique_ptr<datasets::FrameCache> cache;
  if (cfg.frame_cache != "none")
    cache = std::make_unique<datasets::FrameCache>(datasets::FrameCacheOptions{
        cfg.frame_cache.empty() ? datasets::default_frame_cache_dir() : cfg.frame_cache,
        static_cast<int64_t>(cfg.frame_cache_max_gb * (1 << 30))});
  datasets::FramePrefetcher frames(std::move(requests), cfg.prefetch, cache.get());

  Progress progress("run", summary.planned);
  progress.advance(summary.skipped);
  for (size_t w = 0; w < work.size(); ++w) {
    const TaskPlan& tp = *work[w].plan;
    const datasets::Sample& sample = *work[w].sample;
    const auto& pending = work[w].pending;
    const tasks::TaskSpec& spec = tp.task->spec;
    const auto& extractor = tasks::builtin_extractors().get(spec.extractor);
    const int max_new = cfg.max_new_tokens > 0 ? cfg.max_new_tokens : spec.max_new_tokens;
    const std::string user = tasks::render_prompt(tp.task->prompt_template, tp.task->template_path, sample.question,
                                                  sample.candidates);
    const std::string target =
        sample.answer_index >= 0 ? tasks::option_letter(static_cast<size_t>(sample.answer_index)) : "";

    SharedStages shared;
    std::optional<nlohmann::json> shared_error;
    std::string stage = "decode";
    try {
      datasets::LoadedFrames loaded = frames.take(w, shared.decode_ms);  // decode = the time the model waited
      shared.frame_indices = loaded.indices;
      shared.frames_total = loaded.frames_total;
      shared.frame_load = {{"cache", loaded.cache},
                           {"load_ms", loaded.work_ms},
                           {"strategy", loaded.decode.strategy},
                           {"seeks", loaded.decode.seeks},
                           {"frames_decoded", loaded.decode.frames_decoded}};
      if (!loaded.cache_error.empty()) shared.frame_load["cache_error"] = loaded.cache_error;
      stage = "preprocess";
      auto t0 = Clock::now();
      at::Tensor pixels = datasets::normalize_frames(loaded.rgb, norm);
      shared.preprocess_ms = ms_since(t0);
      stage = "vision";
      t0 = Clock::now();
      shared.features = llm.encode_frames(pixels);
      shared.vision_ms = ms_since(t0);
    } catch (const std::exception& e) {
      shared_error = nlohmann::json{{"stage", stage}, {"message", e.what()}};
    }

    for (const auto* r : pending) {
      nlohmann::json rec;
      rec["task"] = spec.name;
      rec["protocol"] = spec.protocol;
      rec["sample_id"] = sample.id;
      rec["subtask"] = sample.subtask;
      rec["variant"] = variant_of(*r, tp.frames);
      rec["video"] = sample.video;
      rec["frame_policy"] = spec.frame_policy;
      rec["frame_indices"] = shared.frame_indices;
      rec["frames_total"] = shared.frames_total;
      rec["frame_load"] = shared.frame_load;
      rec["preprocess"] = preprocess_name;
      rec["prompt"] = llm.prompt_text(user, spec.answer_prefix);
      rec["target"] = target;
      rec["response"] = nullptr;
      rec["parsed"] = nullptr;
      rec["correct"] = nullptr;
      nlohmann::json times{{"decode", shared.decode_ms}, {"preprocess", shared.preprocess_ms},
                           {"vision", shared.vision_ms}, {"reduce", 0.0}, {"prefill", 0.0}, {"generate", 0.0}};
      nlohmann::json tokens{{"visual_raw", 0}, {"visual", 0}, {"prompt", 0}, {"generated", 0}, {"context", 0}};
      nlohmann::json error = shared_error ? *shared_error : nlohmann::json(nullptr);
      nlohmann::json params = r->default_params;
      rec["method_params"] = params;
      if (!shared_error) {
        std::string vstage = "reduce";
        try {
          const at::Tensor& f = shared.features;
          tokens["visual_raw"] = f.size(0) * f.size(1) * f.size(2);
          auto t0 = Clock::now();
          at::Tensor visual = llm.visual_tokens(f, *r, params);
          times["reduce"] = ms_since(t0);
          tokens["visual"] = visual.size(0);
          vstage = "generate";
          const std::vector<int> ids = llm.prompt_ids(user, spec.answer_prefix);
          model::GenerationOptions go;
          go.max_new_tokens = max_new;
          model::GenerationResult g = llm.generate(ids, visual, go);
          times["prefill"] = g.prefill_ms;
          times["generate"] = g.generate_ms;
          tokens["prompt"] = g.prompt_tokens;
          tokens["generated"] = static_cast<int64_t>(g.tokens.size());
          tokens["context"] = g.context_tokens;
          rec["response"] = g.text;
          rec["finish_reason"] = g.finish_reason;
          vstage = "score";
          const std::string parsed = extractor.extract({g.text, spec.answer_prefix, sample.candidates.size()});
          rec["parsed"] = parsed;
          rec["correct"] = !parsed.empty() && parsed == target;
        } catch (const std::exception& e) {
          error = nlohmann::json{{"stage", vstage}, {"message", e.what()}};
        }
      }
      double total = 0;
      for (auto it = times.begin(); it != times.end(); ++it) total += it.value().get<double>();
      times["total"] = total;
      rec["times_ms"] = times;
      rec["tokens"] = tokens;
      rec["error"] = error;
      store.append(rec);
      ++summary.written;
      if (!error.is_null()) ++summary.errors;
      progress.advance();
    }
  }
  progress.finish();
  return summary;
}

}  // namespace ppb::harness
