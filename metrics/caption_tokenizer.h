// Caption tokenizers for the classic caption metrics (BLEU, ROUGE-L, CIDEr-D).
//
// coco-caption tokenizes every candidate and reference with Stanford CoreNLP 3.4.1's
// PTBTokenizer (-preserveLines -lowerCase) and then drops a fixed list of punctuation tokens.
// `ptb_like` re-implements that pipeline in C++ without Java; docs/metrics.md lists the cases
// where it can split differently from the Java tokenizer.
#pragma once
#include <string>
#include <vector>

namespace ppb::metrics {

using Tokens = std::vector<std::string>;

// PTB-style tokens of one caption, lower-cased, before the punctuation filter. Brackets come
// out as -LRB- / -RRB- / -LSB- / -RSB- / -LCB- / -RCB-, double quotes as `` and '', an opening
// single quote as `, and clitics split off ("don't" -> "do" "n't", "man's" -> "man" "'s").
Tokens ptb_like_raw_tokens(const std::string& text);

// True for the tokens the coco-caption pipeline removes after PTB tokenization:
// '' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;
bool is_coco_punctuation(const std::string& token);

// ptb_like_raw_tokens followed by the coco punctuation filter; -LSB-/-RSB- (square brackets,
// not in coco's list) are dropped too. Whether Java's -lowerCase turns -LRB- into "-lrb-",
// which coco's case-sensitive filter would keep, was not verified: docs/metrics.md.
Tokens ptb_like_tokens(const std::string& text);

// Tokenizers by name: "ptb_like" (above) and "whitespace" (split on runs of spaces; for text
// that is already tokenized). An unknown name throws std::invalid_argument listing the valid ones.
Tokens tokenize_caption(const std::string& text, const std::string& tokenizer);
std::vector<std::string> caption_tokenizer_names();

}  // namespace ppb::metrics
