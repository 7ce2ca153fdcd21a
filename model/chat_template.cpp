#include "model/chat_template.h"

#include <stdexcept>

namespace ppb::model {

std::string vicuna_video_prompt(const std::string& user_message, const std::string& answer_prefix) {
  return "USER: <image>\n" + user_message + " ASSISTANT: " + answer_prefix;
}

std::string chatml_video_prompt(const std::string& user_message, const std::string& answer_prefix) {
  return "<|im_start|>user\n<image>\n" + user_message + "<|im_end|>\n<|im_start|>assistant\n" + answer_prefix;
}

std::string video_prompt(const std::string& llm_family, const std::string& user_message,
                         const std::string& answer_prefix) {
  if (llm_family == "llama") return vicuna_video_prompt(user_message, answer_prefix);
  if (llm_family == "qwen2") return chatml_video_prompt(user_message, answer_prefix);
  throw std::runtime_error("no chat template for LLM family '" + llm_family + "' (known: llama, qwen2)");
}

}  // namespace ppb::model
