// Chat templates that wrap a task's user message and answer prefix into the LLM prompt.
#pragma once
#include <string>

namespace ppb::model {

// Vicuna "plain_v1" as PPLLaVA uses it: no system text, "USER: <image>\n{user} ASSISTANT: {prefix}".
std::string vicuna_video_prompt(const std::string& user_message, const std::string& answer_prefix);

}  // namespace ppb::model
