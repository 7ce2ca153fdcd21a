#include "tasks/judge_template.h"

#include <stdexcept>

namespace ppb::tasks {
namespace {

bool placeholder_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::string fill(const std::string& text, const std::string& name, const std::map<std::string, std::string>& fields) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t j = i + 1;
      while (j < text.size() && placeholder_char(text[j])) ++j;
      if (j > i + 1 && j < text.size() && text[j] == '}') {
        const std::string key = text.substr(i + 1, j - i - 1);
        const auto it = fields.find(key);
        if (it == fields.end()) throw std::runtime_error("judge template " + name + ": no value for {" + key + "}");
        out += it->second;
        i = j + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

std::vector<JudgeMessageText> render_judge_template(const std::string& text, const std::string& name,
                                                    const std::map<std::string, std::string>& fields) {
  const size_t sys = text.find("[system]\n"), user = text.find("[user]\n");
  if (sys != 0 || user == std::string::npos)
    throw std::runtime_error("judge template " + name + ": must start with a [system] line and hold a [user] line");
  std::string system = text.substr(9, user - 9);
  if (!system.empty() && system.back() == '\n') system.pop_back();
  std::vector<JudgeMessageText> out;
  if (!system.empty()) out.push_back({"system", fill(system, name, fields)});
  out.push_back({"user", fill(text.substr(user + 7), name, fields)});
  return out;
}

}  // namespace ppb::tasks
