#include "harness/evaluation_runner.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include "common/json_file.h"
#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/frame_cache.h"
#include "datasets/frame_loader.h"
#include "datasets/frame_prefetcher.h"
#include "harness/choice_judge.h"
#include "harness/progress.h"
#include "harness/run_context.h"
#include "harness/run_store.h"
#include "harness/sample_evaluation.h"
#include "model/tiny_checkpoint.h"
#include "model/budget_solver.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"
#include "tasks/answer_extractors.h"
#include "tasks/prompt_template.h"
#include "tasks/task_registry.h"

namespace fs = std::filesystem;

namespace ppb::harness {
namespace {

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
  register_run_tasks(task_registry, cfg);
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

  // Every method at the one budget: the solver's parameters per task (tasks differ in frames).
  struct TaskPlan {
    const tasks::Task* task;
    const tasks::Protocol* protocol;
    std::string fingerprint;  // the task under its protocol
    std::vector<datasets::Sample> samples;
    std::map<int, std::vector<Variant>> variants;  // the feasible ones, by the frame count asked for
    tasks::ChoiceJudge choice_judge;               // the judge its extractor may ask; empty if none
    // The variants a sample runs: those planned for the frame count its protocol gives it.
    const std::vector<Variant>& variants_for(const datasets::Sample& s, int override_frames) const {
      static const std::vector<Variant> none;
      const auto it = variants.find(tasks::protocol_frames(*protocol, s.meta, override_frames, s.id));
      return it == variants.end() ? none : it->second;
    }
  };
  const model::GridShape grid = llm.grid_for(1);
  std::vector<TaskPlan> plan;
  plan.reserve(run_tasks.size());  // work items below point into it
  nlohmann::json budget_plans = nlohmann::json::object();
  for (const auto* t : run_tasks) {
    TaskPlan tp{t, &run_protocol(*t, cfg), t->fingerprint(run_protocol(*t, cfg).name), {}, {}, {}};
    // One plan per method and frame count the protocol asks for (one count unless it sets frames by a
    // sample field, as PPLLaVA's Video-MME does by duration).
    std::set<int> counts{cfg.frames > 0 ? cfg.frames : tp.protocol->frames};
    if (cfg.frames <= 0)
      for (const auto& [value, n] : tp.protocol->frames_by_value) counts.insert(n);
    for (int frames : counts)
    for (const auto* r : reducers) {
      model::BudgetPlan bp = model::solve_budget(r->name, cfg.budget, frames, grid.rows, grid.cols);
      if (bp.feasible && r->needs_relevance && !llm.has_relevance()) {
        bp.feasible = false;
        bp.reason = "the checkpoint has no relevance encoder";
      }
      budget_plans[t->spec.name][counts.size() > 1 ? r->name + "@" + std::to_string(frames) : r->name] = bp.to_json();
      if (!bp.feasible) {
        std::fprintf(stderr, "ppbench: note: %s is infeasible for %s at budget %lld with %d frames: %s\n",
                     r->name.c_str(), t->spec.name.c_str(), static_cast<long long>(cfg.budget), frames,
                     bp.reason.c_str());
        continue;
      }
      nlohmann::json key{{"method", r->name}, {"budget", cfg.budget}, {"frames", bp.frames},
                         {"checkpoint", llm.fingerprint().substr(0, 16)}};
      tp.variants[frames].push_back({r, std::move(bp), std::move(key)});
    }
    plan.push_back(std::move(tp));
  }
  const char* dtype_name = llm.dtype() == at::kFloat ? "float32" : llm.dtype() == at::kBFloat16 ? "bfloat16" : "float16";
  write_run_context(cfg, argv,
                    {{"fingerprint", llm.fingerprint()},
                     {"dtype", dtype_name},
                     {"device", llm.device().str()},
                     {"llm", llm.llm_family()},
                     {"btadapter", llm.config().btadapter},
                     {"relevance_encoder", llm.has_relevance()},
                     {"clip_positions_extended_at_load", llm.clip_positions_extended_at_load()}},
                    budget_plans, run_tasks);

  RunStore store(cfg.out);
  if (store.recovered_torn_tail())
    std::fprintf(stderr, "ppbench: note: dropped a partial last line of %s/samples.jsonl\n", cfg.out.c_str());

  RunSummary summary;
  for (auto& tp : plan) {
    tp.samples = tp.task->load_samples(cfg.data_root);
    if (cfg.limit > 0 && static_cast<int64_t>(tp.samples.size()) > cfg.limit) tp.samples.resize(cfg.limit);
    for (const auto& sample : tp.samples)
      summary.planned += static_cast<int64_t>(
          tp.variants_for(sample, cfg.frames).size());
  }

  // Work items: a sample at one frame count with its variants still to record (methods that
  // sample fewer frames get their own item). The prefetcher decodes the next items while the
  // model works on the current one.
  struct WorkItem {
    const TaskPlan* plan;
    const datasets::Sample* sample;
    std::vector<const Variant*> pending;
  };
  const auto& norm = datasets::clip_normalization();
  const datasets::FrameGeometry geometry = datasets::make_geometry(cfg.preprocess, llm.input_size(), norm);
  const std::string preprocess_name = datasets::geometry_name(geometry) + "+" + norm.name;
  std::vector<WorkItem> work;
  std::vector<datasets::FrameRequest> requests;
  for (const auto& tp : plan)
    for (const auto& sample : tp.samples) {
      std::map<int64_t, WorkItem> by_frames;
      for (const auto& v : tp.variants_for(sample, cfg.frames)) {
        nlohmann::json probe{{"task", tp.task->spec.name}, {"sample_id", sample.id}, {"variant", v.key}};
        if (store.done(record_key(probe))) {
          ++summary.skipped;
          continue;
        }
        auto [it, fresh] = by_frames.try_emplace(v.plan.frames, WorkItem{&tp, &sample, {}});
        it->second.pending.push_back(&v);
      }
      for (auto& [frames, item] : by_frames) {
        datasets::FrameRequest req;
        req.video = sample.video;
        req.policy = tp.protocol->frame_policy;
        req.count = static_cast<int>(frames);
        req.bounds = sample.bounds;
        req.seed = datasets::derive_seed(cfg.seed, tp.task->spec.name + "/" + sample.id);
        req.geometry = geometry;
        req.decode.threads = cfg.decode_threads;
        if (sample.folder_fps > 0) req.decode.folder_fps = sample.folder_fps;
        work.push_back(std::move(item));
        requests.push_back(std::move(req));
      }
    }
  std::unique_ptr<datasets::FrameCache> cache;
  if (cfg.frame_cache != "none")
    cache = std::make_unique<datasets::FrameCache>(datasets::FrameCacheOptions{
        cfg.frame_cache.empty() ? datasets::default_frame_cache_dir() : cfg.frame_cache,
        static_cast<int64_t>(cfg.frame_cache_max_gb * (1 << 30))});
  datasets::FramePrefetcher frames(std::move(requests), cfg.prefetch, cache.get());

  for (auto& tp : plan) tp.choice_judge = choice_judge_for(cfg, *tp.task, *tp.protocol);

  Progress progress("run", summary.planned);
  progress.advance(summary.skipped);
  for (size_t w = 0; w < work.size(); ++w) {
    const TaskPlan& tp = *work[w].plan;
    const datasets::Sample& sample = *work[w].sample;
    SampleContext ctx;
    ctx.llm = &llm;
    ctx.task = tp.task;
    ctx.protocol = tp.protocol;
    ctx.task_fingerprint = tp.fingerprint;
    ctx.sample = &sample;
    ctx.max_new_tokens = cfg.max_new_tokens > 0 ? cfg.max_new_tokens : tp.protocol->max_new_tokens;
    ctx.preprocess = preprocess_name;
    ctx.seed = cfg.seed;
    ctx.choice_judge = tp.choice_judge;
    bool need_relevance = false;
    for (const auto* v : work[w].pending) need_relevance = need_relevance || v->reducer->needs_relevance;
    double waited = 0;
    std::optional<datasets::LoadedFrames> loaded;
    std::string load_error;
    try {
      loaded = frames.take(w, waited);
    } catch (const std::exception& e) {
      load_error = e.what();
    }
    const SharedStages shared = shared_stages(ctx, loaded ? &*loaded : nullptr, load_error, waited, need_relevance);
    for (const auto* v : work[w].pending) {
      const nlohmann::json rec = evaluate_variant(ctx, shared, *v);
      store.append(rec);
      ++summary.written;
      if (!rec["error"].is_null()) ++summary.errors;
      progress.advance();
    }
  }
  progress.finish();
  return summary;
}

}  // namespace ppb::harness
