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
      "tasks-dir", po::value<std::string>(), "folder of task specs [built-in]");
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
  tasks::register_builtin_tasks(reg, vm.count("tasks-dir") ? vm["tasks-dir"].as<std::string>() : tasks::default_tasks_dir());
  if (what == "tasks") {
    for (const auto& name : reg.names()) {
      const auto& s = reg.get(name).spec;
      std::printf("%-12s v%d  %-16s %s\n", s.name.c_str(), s.version, s.family.c_str(), s.description.c_str());
    }
    return 0;
  }
  if (what == "protocols") {
    for (const auto& name : reg.names()) {
      const auto& s = reg.get(name).spec;
      std::printf("%s / %s\n  prompt template: %s\n  answer prefix:   \"%s\"\n  frames:          %s, %d\n"
                  "  extractor:       %s (%s)\n  metric:          %s over scored samples; errors counted apart\n",
                  s.name.c_str(), s.protocol.c_str(), s.prompt_template.c_str(), s.answer_prefix.c_str(),
                  s.frame_policy.c_str(), s.frames, s.extractor.c_str(),
                  tasks::builtin_extractors().get(s.extractor).description.c_str(), s.metric.c_str());
    }
    return 0;
  }
  throw std::runtime_error("list: unknown registry '" + what + "' (known: tasks, methods, protocols)");
}

}  // namespace ppb::harness
