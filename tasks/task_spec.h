// A task is data: one JSON spec file per task under tasks/specs/. A task names its dataset and
// one or more protocols: the same benchmark scored the way its authors' script, lmms-eval or
// PPLLaVA's release does it (docs/protocols.md). This is the parsed form.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::tasks {

// Every choice that moves a benchmark's number, named and recorded with each result.
struct Protocol {
  std::string name;                   // "ppllava", "lmms", "official" ...
  std::string source;                 // where the choices come from, in words
  std::string prompt_template;        // template file, relative to the tasks folder
  std::string answer_prefix;          // text the assistant turn starts with
  std::string option_format;          // multiple choice: "paren" -> "(A) text", "dot" -> "A. text"
  std::string frame_policy;           // frame sampling policy (datasets/frame_sampling.h)
  int frames = 32;                    // default frame count (the run's --frames overrides)
  // Frame counts by a sample metadata value (PPLLaVA's Video-MME: 32 for short videos, 64 for
  // medium and long); empty = `frames` for every sample. The run's --frames overrides these too.
  std::string frames_by_key;
  std::map<std::string, int> frames_by_value;
  int max_new_tokens = 200;           // generation limit
  std::string extractor;              // answer extractor (multiple choice); empty otherwise
  std::string denominator;            // "all", "parsed" (unparsed answers drop out) or "nonempty" (empty responses drop out)
  std::string aggregation;            // overall score over sub-tasks: "micro" (pooled) or "macro" (mean of sub-task scores)
  std::vector<std::string> breakdowns;  // sample meta keys reported separately (duration, domain ...)
  bool subtitles = false;             // the template's {subtitles} gets the cues at the sampled frames
  std::vector<std::string> metrics;   // what the report computes (docs/protocols.md lists them)
  // Judge prompt template file per judged dimension (e.g. "correctness"), or {"choice_extraction":
  // FILE} for an extractor that asks a judge; empty when no judge is used.
  std::map<std::string, std::string> judge_templates;
  std::string judge_parse;            // how the judge's reply is parsed: vcg_original, lmms, tarsier
  std::string judge_model;            // the judge model id the protocol was published with
  int judge_max_tokens = 64;          // max_tokens of each judge call (`ppbench judge --judge-max-tokens` overrides)
  // Re-asks of a judge reply that does not parse (DREAM-1K: Tarsier re-asks up to 10 times);
  // each re-ask sends seed = its number, so it is a distinct, cacheable request.
  int judge_parse_retries = 0;
  nlohmann::json canonical;           // the protocol object as read, for fingerprints
};

struct TaskSpec {
  std::string name;                   // registry key, e.g. "mvbench"
  int version = 1;                    // bumped when the task's data or scoring changes
  std::string family;                 // multiple_choice, open_ended_judged, vcg_judged, caption, dream_judged
  std::string description;            // one line for `ppbench list tasks`
  std::string dataset;                // dataset catalog key (datasets/catalog.json): reader and file layout
  std::string default_protocol;       // the protocol a run uses unless told otherwise
  std::map<std::string, Protocol> protocols;  // by name
  std::string source_file;            // where the spec was read from
  nlohmann::json canonical;           // the spec as read, for fingerprints

  // The named protocol; throws listing the task's protocols.
  const Protocol& protocol(const std::string& name) const;
};

// The frame count protocol `p` gives a sample with metadata `meta` (when `override_frames` > 0,
// that); throws naming the sample when its `frames_by` value has no entry.
int protocol_frames(const Protocol& p, const std::map<std::string, std::string>& meta, int override_frames,
                    const std::string& sample_id);

// The task families and the metrics each may ask for.
const std::vector<std::string>& task_families();
const std::vector<std::string>& metrics_of_family(const std::string& family);

// Parses and validates a spec file: an unknown key, a missing key, a wrong type or a value
// outside its choices is an error naming the file, the protocol and the key.
TaskSpec read_task_spec(const std::string& path);

}  // namespace ppb::tasks
