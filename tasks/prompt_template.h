// Prompt templates are text files with {question} and {options} placeholders.
#pragma once
#include <string>
#include <vector>

namespace ppb::tasks {

// "(A) first\n(B) second..." in candidate order.
std::string format_options(const std::vector<std::string>& candidates);
// The option letter of candidate i: A, B, C, ...
std::string option_letter(size_t i);
// Replaces {question} and {options}; any other {name} is an error naming the template.
std::string render_prompt(const std::string& tmpl, const std::string& template_name, const std::string& question,
                          const std::vector<std::string>& candidates);
// Reads a template file; one trailing newline is dropped.
std::string read_prompt_template(const std::string& path);

}  // namespace ppb::tasks
