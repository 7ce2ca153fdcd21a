// Prompt templates are text files with placeholders: {question}, {question_sentence} (first
// letter capitalised, "?" appended unless present: lmms-eval's open-ended QA), {options} (one
// line per candidate in the protocol's option format) and {subtitles} (the cues at the sampled
// frames). Anything else in braces is an error naming the template.
#pragma once
#include <string>
#include <vector>

namespace ppb::tasks {

// What a template may draw on.
struct PromptFields {
  std::string question;                 // the annotation's question
  std::vector<std::string> candidates;  // answer options; empty for open-ended tasks
  std::string option_format = "paren";  // "paren": "(A) text"; "dot": "A. text"
  std::string subtitles;                // subtitle lines, one per line; empty when none
};

// The candidates one per line in `format` ("paren" or "dot").
std::string format_options(const std::vector<std::string>& candidates, const std::string& format = "paren");
// The option letter of candidate i: A, B, C, ...
std::string option_letter(size_t i);
// Fills the placeholders of `tmpl`; `template_name` names it in errors.
std::string render_prompt(const std::string& tmpl, const std::string& template_name, const PromptFields& fields);
// Reads a template file; one trailing newline is dropped. Text that is not UTF-8 is an error
// naming the file and the offset.
std::string read_prompt_template(const std::string& path);

}  // namespace ppb::tasks
