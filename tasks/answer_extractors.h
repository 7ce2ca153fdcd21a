// Answer extractors: named strategies that turn a model response into an option letter.
// "" means the response could not be parsed; reports count those.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/named_registry.h"

namespace ppb::tasks {

struct ExtractorInput {
  std::string response;       // generated text, without the answer prefix
  std::string answer_prefix;  // what the assistant turn was prefilled with
  size_t n_options = 4;       // valid letters are the first n_options of A..Z
};

struct AnswerExtractor {
  std::string name;         // registry key
  std::string description;  // one line for listings
  std::function<std::string(const ExtractorInput&)> extract;
};

struct ExtractorRegistry : NamedRegistry<AnswerExtractor> {
  ExtractorRegistry() : NamedRegistry("extractor") {}
  void add(AnswerExtractor e) {
    const std::string name = e.name;  // read before the move: argument order is unspecified
    NamedRegistry::add(name, std::move(e));
  }
};

// Fills `reg` with the built-in extractors: option_letter.
void register_builtin_extractors(ExtractorRegistry& reg);
const ExtractorRegistry& builtin_extractors();

// option_letter: the prefix's open parenthesis is prepended to the response; then, in order,
// a leading letter ("B", "(B)", "B." ...), the first "(X)" anywhere, the first standalone capital X.
std::string extract_option_letter(const ExtractorInput& in);

}  // namespace ppb::tasks
