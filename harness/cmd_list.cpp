// ppbench list tasks|methods|protocols.
#include <cstdio>
#include <iostream>

#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/token_reducers.h"
#include "tasks/answer_extractors.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

int cmd_list(const Args& args, const Args&) {
  po::options_description o("list options");
  o.add_options()("what", po::value<std::string>()->required(), "tasks, methods or protocols")(
      "tasks-dir", po::value<std::string>(), "folder of task specs [built-in]")(
      "prompts-dir", po::value<std::string>(), "folder whose templates replace the built-in ones (fingerprints follow)");
  po::positional_options_description pos;
  pos.add("what", 1);
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench list tasks|methods|protocols", "Prints the registries; writes nothing."}, vm,
                     &pos))
    return 0;
  const std::string what = vm["what"].as<std::string>();
  if (what == "methods") {
    std::printf("%-10s %-17s %s\n", "method", "placement", "tokens / budget rule");
    for (const auto& name : model::builtin_reducers().names()) {
      const auto& r = model::builtin_reducers().get(name);
      std::printf("%-10s %-17s %s\n           %s\n", r.name.c_str(), model::placement_name(r.placement),
                  r.budget_rule.c_str(), r.description.c_str());
    }
    return 0;
  }
  tasks::TaskRegistry reg;
  tasks::register_builtin_tasks(reg, vm.count("tasks-dir") ? vm["tasks-dir"].as<std::string>() : tasks::default_tasks_dir(),
                                vm.count("prompts-dir") ? vm["prompts-dir"].as<std::string>() : "");
  if (what == "tasks") {
    for (const auto& name : reg.names()) {
      const auto& s = reg.get(name).spec;
      std::string protocols;
      for (const auto& [p, _] : s.protocols) protocols += (protocols.empty() ? "" : ",") + p;
      std::printf("%-20s v%d  %-18s protocols %s (default %s)\n  %s\n", s.name.c_str(), s.version, s.family.c_str(),
                  protocols.c_str(), s.default_protocol.c_str(), s.description.c_str());
    }
    return 0;
  }
  if (what == "protocols") {
    for (const auto& name : reg.names()) {
      const auto& task = reg.get(name);
      for (const auto& [pname, p] : task.spec.protocols) {
        std::string metrics, breakdowns;
        for (const auto& m : p.metrics) metrics += (metrics.empty() ? "" : ", ") + m;
        for (const auto& b : p.breakdowns) breakdowns += (breakdowns.empty() ? "" : ", ") + b;
        std::printf("%s / %s%s\n  source:          %s\n  prompt template: %s%s\n  answer prefix:   \"%s\"\n"
                    "  frames:          %s, %d\n  max new tokens:  %d\n",
                    task.spec.name.c_str(), pname.c_str(), pname == task.spec.default_protocol ? " (default)" : "",
                    p.source.c_str(), p.prompt_template.c_str(), p.subtitles ? " (with subtitles)" : "",
                    p.answer_prefix.c_str(), p.frame_policy.c_str(), p.frames, p.max_new_tokens);
        if (!p.extractor.empty())
          std::printf("  extractor:       %s (%s)\n  options:         %s\n", p.extractor.c_str(),
                      tasks::builtin_extractors().get(p.extractor).description.c_str(),
                      p.option_format == "paren" ? "(A) text" : "A. text");
        for (const auto& [dimension, file] : p.judge_templates)
          std::printf("  judge:           %s on %s, template %s, parsed as %s, max_tokens %d%s\n",
                      p.judge_model.c_str(), dimension.c_str(), file.c_str(), p.judge_parse.c_str(), p.judge_max_tokens,
                      p.judge_parse_retries > 0 ? (", " + std::to_string(p.judge_parse_retries) + " re-asks").c_str() : "");
        std::printf("  metrics:         %s; denominator %s; %s average over sub-tasks%s%s\n  fingerprint:     %s\n",
                    metrics.c_str(), p.denominator.c_str(), p.aggregation.c_str(),
                    breakdowns.empty() ? "" : "; by ", breakdowns.c_str(), task.fingerprint(pname).substr(0, 16).c_str());
      }
    }
    return 0;
  }
  throw std::runtime_error("list: unknown registry '" + what + "' (known: tasks, methods, protocols)");
}

}  // namespace ppb::harness
