#include "tasks/prompt_template.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "datasets/annotation_json.h"

namespace ppb::tasks {

std::string option_letter(size_t i) {
  if (i >= 26) throw std::runtime_error("more than 26 options");
  return std::string(1, static_cast<char>('A' + i));
}

std::string format_options(const std::vector<std::string>& candidates, const std::string& format) {
  if (format != "paren" && format != "dot")
    throw std::runtime_error("option format '" + format + "' is unknown (valid: paren, dot)");
  std::string out;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i) out += "\n";
    out += format == "paren" ? "(" + option_letter(i) + ") " + candidates[i] : option_letter(i) + ". " + candidates[i];
  }
  return out;
}

namespace {

std::string as_sentence(std::string q) {
  if (!q.empty() && q[0] >= 'a' && q[0] <= 'z') q[0] = static_cast<char>(q[0] - 'a' + 'A');
  if (q.empty() || q.back() != '?') q += "?";
  return q;
}

}  // namespace

std::string render_prompt(const std::string& tmpl, const std::string& template_name, const PromptFields& fields) {
  std::string out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find('{', pos);
    if (open == std::string::npos) {
      out += tmpl.substr(pos);
      break;
    }
    out += tmpl.substr(pos, open - pos);
    size_t close = tmpl.find('}', open);
    if (close == std::string::npos) throw std::runtime_error("prompt template " + template_name + ": unclosed '{'");
    const std::string key = tmpl.substr(open + 1, close - open - 1);
    if (key == "question")
      out += fields.question;
    else if (key == "question_sentence")
      out += as_sentence(fields.question);
    else if (key == "options")
      out += format_options(fields.candidates, fields.option_format);
    else if (key == "subtitles")
      out += fields.subtitles;
    else
      throw std::runtime_error("prompt template " + template_name + ": unknown placeholder {" + key + "}");
    pos = close + 1;
  }
  return out;
}

std::string read_prompt_template(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open prompt template " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  datasets::require_utf8(s, "prompt template " + path);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace ppb::tasks
