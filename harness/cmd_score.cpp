// ppbench score: re-parse and re-score the recorded responses of a run under its protocol (or
// another protocol of the same task) without running the model, then rewrite the report.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "harness/choice_judge.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "harness/run_config.h"
#include "harness/run_context.h"
#include "reports/run_report.h"
#include "reports/sample_records.h"
#include "tasks/choice_scoring.h"
#include "tasks/task_registry.h"

namespace fs = std::filesystem;

namespace ppb::harness {
namespace {

// --protocol values: "P" (every task that has a protocol P; the others keep theirs) or
// "TASK=P[,TASK2=Q]" (those tasks only). Returns task -> protocol, "*" for the plain form.
std::map<std::string, std::string> protocol_choices(const std::string& text) {
  std::map<std::string, std::string> out;
  if (text.find('=') == std::string::npos) {
    out["*"] = text;
    return out;
  }
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw std::runtime_error("score: --protocol '" + text + "': expected P or TASK=P[,TASK=P]");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace

int cmd_score(const Args& args, const Args&) {
  po::options_description o("score options");
  o.add_options()("run", po::value<std::string>()->required(), "run folder")(
      "protocol", po::value<std::string>(),
      "P: every task that has protocol P; TASK=P[,TASK=P]: those tasks (ppbench list protocols) [the protocol the run used]");
  add_choice_judge_flags(o, true);
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench score RUN [--protocol P | --protocol TASK=P[,TASK=P]] [--judge-url URL ...]",
                      "Re-parses every recorded multiple-choice response with the protocol's extractor,\n"
                      "seeded guesses and denominator rule, rewrites RUN/samples.jsonl (records gain\n"
                      "`scored_protocol`), writes RUN/scoring.json (the protocol each task was scored under)\n"
                      "and rewrites RUN/report.json and RUN/report.md. Another protocol of the same task\n"
                      "changes how answers are read and counted, not the prompts the model saw: records keep\n"
                      "`protocol`, the one they were generated under. Judged tasks: the report re-reads the judge\n"
                      "replies `ppbench judge` recorded under the protocol's parse policy (vcg_original, lmms,\n"
                      "tarsier); records not judged yet wait for `ppbench judge`. An extractor that asks a judge\n"
                      "(vlmeval_judge) uses the run's --judge-url unless one is given here."},
                     vm, &pos))
    return 0;
  const fs::path run = vm["run"].as<std::string>();
  for (const char* f : {"samples.jsonl", "context.json", "config.json"})
    if (!fs::exists(run / f)) throw std::runtime_error("score: no " + std::string(f) + " in " + run.string());
  RunConfig cfg = read_run_config(run.string());
  apply_choice_judge_flags(vm, cfg);
  tasks::TaskRegistry registry;
  register_run_tasks(registry, cfg);
  const std::map<std::string, std::string> chosen =
      vm.count("protocol") ? protocol_choices(vm["protocol"].as<std::string>()) : std::map<std::string, std::string>{};

  const reports::LoadedRecords loaded = reports::load_records((run / "samples.jsonl").string());
  std::map<std::string, const tasks::Protocol*> protocol_of;  // by task
  std::map<std::string, tasks::ChoiceJudge> judge_of;            // by task
  nlohmann::json scoring = nlohmann::json::object();
  std::map<std::string, int64_t> rescored, awaiting, failed, rejudged;
  std::string out;
  for (nlohmann::json rec : loaded.records) {
    const std::string task = rec.at("task").get<std::string>();
    const tasks::Task& t = registry.get(task);
    auto it = protocol_of.find(task);
    if (it == protocol_of.end()) {
      std::string name = rec.at("protocol").get<std::string>();
      if (const auto c = chosen.find(task); c != chosen.end()) {
        name = c->second;  // named for this task: must exist
      } else if (const auto all = chosen.find("*"); all != chosen.end()) {
        if (t.spec.protocols.count(all->second)) name = all->second;
        else std::printf("%s has no protocol '%s': scored under %s, the one it ran with\n", task.c_str(),
                         all->second.c_str(), name.c_str());
      }
      it = protocol_of.emplace(task, &t.spec.protocol(name)).first;
      judge_of[task] = choice_judge_for(cfg, t, *it->second);
      scoring[task] = {{"protocol", name},
                       {"protocol_spec", it->second->canonical},
                       {"fingerprint", t.fingerprint(name)},
                       {"generated_under", rec.at("protocol")}};
    }
    const tasks::Protocol& p = *it->second;
    if (t.spec.family == "caption") {
      // Corpus metrics come from the records alone: the report computes them.
    } else if (t.spec.family != "multiple_choice") {
      // Judged: the report re-reads the recorded replies under this protocol's parse policy.
      if (rec["error"].is_null()) ++(rec.contains("judgements") ? rejudged[task] : awaiting[task]);
    } else if (rec["error"].is_null() || rec["error"].value("stage", "") == "score") {
      if (!rec.contains("candidates") || !rec.contains("question"))
        throw std::runtime_error("score: " + (run / "samples.jsonl").string() + ": record " + task + "/" +
                                 rec.value("sample_id", "?") +
                                 " has no candidates or question (written before re-scoring was possible); rerun it");
      try {
        tasks::write_choice_score(rec, tasks::score_choice(p, tasks::choice_item_of_record(rec), cfg.seed, judge_of[task]));
        rec["error"] = nullptr;
        ++rescored[task];
      } catch (const std::exception& e) {
        rec["error"] = {{"stage", "score"}, {"message", e.what()}};
        rec["correct"] = nullptr;
        ++failed[task];
      }
    }
    rec["scored_protocol"] = p.name;  // every record: `ppbench judge` and the report read it
    out += rec.dump() + "\n";
  }
  for (const auto& [task, name] : chosen)
    if (task != "*" && !protocol_of.count(task)) {
      std::string have;
      for (const auto& [t, p] : protocol_of) have += (have.empty() ? "" : ", ") + t;
      throw std::runtime_error("score: --protocol names task '" + task + "', which " + run.string() +
                               " does not have (its tasks: " + have + ")");
    }
  if (const auto all = chosen.find("*"); all != chosen.end()) {
    bool used = false;
    for (const auto& [task, protocol] : protocol_of) used = used || protocol->name == all->second;
    if (!used) throw std::runtime_error("score: no task of " + run.string() + " has a protocol '" + all->second + "'");
  }
  ppb::replace_file((run / "samples.jsonl").string(), out);
  ppb::replace_file((run / "scoring.json").string(), scoring.dump(2) + "\n");
  reports::write_reports(run.string());
  for (const auto& [task, s] : scoring.items()) {
    std::printf("%s: scored under %s: %lld records re-scored", task.c_str(), s["protocol"].get<std::string>().c_str(),
                static_cast<long long>(rescored[task]));
    if (failed[task]) std::printf(", %lld failed (recorded with the error)", static_cast<long long>(failed[task]));
    if (rejudged[task])
      std::printf(", %lld judge replies re-read under %s's policy", static_cast<long long>(rejudged[task]),
                  s["protocol"].get<std::string>().c_str());
    if (awaiting[task]) std::printf(", %lld await `ppbench judge`", static_cast<long long>(awaiting[task]));
    std::printf("\n");
  }
  std::cout << (run / "report.json").string() << "\n" << (run / "report.md").string() << "\n";
  return 0;
}

}  // namespace ppb::harness
