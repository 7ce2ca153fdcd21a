// Chat templates that wrap a task's user message and answer prefix into the LLM prompt, as
// PPLLaVA's conversation templates write them (ppllava.md section 4).
#pragma once
#include <string>

namespace ppb::model {

// Vicuna "plain_v1": no system text, "USER: <image>\n{user} ASSISTANT: {prefix}" (BOS comes from
// the tokenizer).
std::string vicuna_video_prompt(const std::string& user_message, const std::string& answer_prefix);
// Qwen "plain_qwen" (ChatML): "<|im_start|>user\n<image>\n{user}<|im_end|>\n<|im_start|>assistant\n{prefix}",
// no system turn and no BOS.
std::string chatml_video_prompt(const std::string& user_message, const std::string& answer_prefix);
// The template of an LLM family ("llama" or "qwen2").
std::string video_prompt(const std::string& llm_family, const std::string& user_message,
                         const std::string& answer_prefix);

}  // namespace ppb::model
