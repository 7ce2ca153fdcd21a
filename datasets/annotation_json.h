// Reading fields of upstream annotation items with errors that say where: the annotation file,
// the item (index or id) and the key, e.g. "msvd/test_q.json item 12: missing key 'question_id'".
#pragma once
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/sample.h"

namespace ppb::datasets {

// Reads `path` and checks that it holds a JSON array of objects.
nlohmann::json read_annotation_array(const std::string& path);
// Reads `path` and checks that it holds a JSON object.
nlohmann::json read_annotation_object(const std::string& path);

// "<file> item <index>", the prefix of every error about one item.
std::string item_where(const std::string& file, size_t index);

// The value under `key`, or an error "<where>: missing key '<key>'".
const nlohmann::json& require_key(const nlohmann::json& item, const char* key, const std::string& where);
// A string field; another type is an error naming the key.
std::string string_field(const nlohmann::json& item, const char* key, const std::string& where);
// An identifier given as a string or an integer, returned as text.
std::string id_field(const nlohmann::json& item, const char* key, const std::string& where);
// A number field (integers accepted).
double number_field(const nlohmann::json& item, const char* key, const std::string& where);
// An id field that must not repeat within the file: `seen` collects the ids so far.
std::string unique_id_field(const nlohmann::json& item, const char* key, const std::string& where,
                            std::set<std::string>& seen);
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
