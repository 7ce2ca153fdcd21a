// Reading fields of upstream annotation items with errors that say where: the annotation file,
// the item (index or id) and the key, e.g. "msvd/test_q.json item 12: missing key 'question_id'".
// The checks every reader shares live here once: malformed JSON (file:line:column), text that is
// not UTF-8, keys given twice in one object, missing or mistyped keys and repeated ids.
#pragma once
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/sample.h"

namespace ppb::datasets {

// Byte offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or npos.
size_t invalid_utf8_offset(const std::string& text);
// An error "<where>: text is not valid UTF-8 (byte 0xNN at offset K)" unless `text` is UTF-8.
void require_utf8(const std::string& text, const std::string& where);

// 1-based line and column of byte `offset` (0-based) in `text`; lines end at '\n'.
struct TextPosition {
  size_t line = 1;    // 1-based
  size_t column = 1;  // 1-based, in bytes
};
TextPosition text_position(const std::string& text, size_t offset);

// Parses the text of annotation file `file`. Errors name the file and, where a position is known,
// the line and column: "<file>:<line>:<col>: malformed JSON: ...", "<file>:<line>:<col>: item 3, key
// 'question': text is not valid UTF-8 ...". A key given twice in one object (which JSON parsers
// otherwise resolve by silently keeping one value) is an error naming the item and the key.
nlohmann::json parse_annotation_text(const std::string& text, const std::string& file);
// Reads and parses `path` as above; any top-level value.
nlohmann::json read_annotation_json(const std::string& path);
// Reads `path` and checks that it holds a JSON array of objects.
nlohmann::json read_annotation_array(const std::string& path);
// Reads `path` and checks that it holds a JSON object.
nlohmann::json read_annotation_object(const std::string& path);

// "<file> item <index>", the prefix of every error about one item.
std::string item_where(const std::string& file, size_t index);
// "<file> item <index> (id '<id>')": the prefix once the item's id is known.
std::string item_where(const std::string& file, size_t index, const std::string& id);

// The ids met so far in one file or task, each with the place that first had it: a second item
// with the same id is an error naming both, "<where>: <what> '<id>' repeats; first at <first>".
class IdPositions {
 public:
  explicit IdPositions(std::string what) : what_(std::move(what)) {}
  void add(const std::string& id, const std::string& where);
  bool contains(const std::string& id) const { return first_.count(id) != 0; }

 private:
  std::string what_;                         // what the ids are, e.g. "question_id"
  std::map<std::string, std::string> first_;  // id -> where it was first seen
};

// Sample ids must be unique within a dataset (results are keyed by them): a repeat is an error
// "<what>: sample <i> and sample <j> (subtask '<s>') have the same id '<id>'".
void check_unique_sample_ids(const std::vector<Sample>& samples, const std::string& what);

// The value under `key`, or an error "<where>: missing key '<key>'".
const nlohmann::json& require_key(const nlohmann::json& item, const char* key, const std::string& where);
// A string field; another type, or text that is not UTF-8, is an error naming the key.
std::string string_field(const nlohmann::json& item, const char* key, const std::string& where);
// An identifier given as a string or an integer, returned as text.
std::string id_field(const nlohmann::json& item, const char* key, const std::string& where);
// A number field (integers accepted).
double number_field(const nlohmann::json& item, const char* key, const std::string& where);
// An id field that must not repeat within the file: `seen` collects the ids so far.
std::string unique_id_field(const nlohmann::json& item, const char* key, const std::string& where,
                            std::set<std::string>& seen);
// The same, naming the item that first had the id when it repeats.
std::string unique_id_field(const nlohmann::json& item, const char* key, const std::string& where, IdPositions& seen);
// A string or a number (as JSON writes it) as text: open-ended reference answers. null, a
// boolean, an array or an object is an error naming the key.
std::string scalar_field(const nlohmann::json& item, const char* key, const std::string& where);
// A number field that may be left out or null: `fallback` then; another type is an error.
double optional_number_field(const nlohmann::json& item, const char* key, const std::string& where, double fallback);
// "<task>/<NNNN>": the id of item `index` in a per-task annotation file (just "NNNN" without a task).
std::string indexed_id(const std::string& task, size_t index);
// An integer field.
long long integer_field(const nlohmann::json& item, const char* key, const std::string& where);
// An array of strings.
std::vector<std::string> string_list_field(const nlohmann::json& item, const char* key, const std::string& where);

// A scalar as text for Sample::meta: strings as they are, numbers and booleans as JSON writes them,
// null as "".
std::string scalar_text(const nlohmann::json& value);

// Position of `answer` in `candidates`; an error naming `where` and the key 'answer' when absent.
int answer_position(const std::vector<std::string>& candidates, const std::string& answer, const std::string& where);

// The fields of a multiple-choice item whose answer is the correct candidate's text (MVBench,
// MLVU): `video` (confined below `video_dir`), `question`, `candidates` (at least two) and
// `answer`, which sets answer_index. Errors name `where` and the key.
void read_text_answer_item(const nlohmann::json& item, const std::string& video_dir, const std::string& where,
                           Sample& s);

}  // namespace ppb::datasets
