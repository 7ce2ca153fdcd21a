// Judge templates (tasks/judges/*.txt): a [system] and a [user] section whose placeholders are
// filled from a sample record. A placeholder is {name} with lower-case letters, digits and
// underscores; other braces (the Python-dict examples the judge is shown) stay as written.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace ppb::tasks {

struct JudgeMessageText {
  std::string role;     // "system" or "user"
  std::string content;  // rendered text
};

// Renders `text` (read from `name`) with `fields`; a placeholder without a field is an error
// naming the template and the placeholder. An empty [system] section sends no system message.
std::vector<JudgeMessageText> render_judge_template(const std::string& text, const std::string& name,
                                                    const std::map<std::string, std::string>& fields);

}  // namespace ppb::tasks
