#include "model/chat_template.h"

namespace ppb::model {

std::string vicuna_video_prompt(const std::string& user_message, const std::string& answer_prefix) {
  return "USER: <image>\n" + user_message + " ASSISTANT: " + answer_prefix;
}

}  // namespace ppb::model
