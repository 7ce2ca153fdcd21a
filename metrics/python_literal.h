// A reader for the Python literals GPT judges are asked to reply with ("Python dictionary
// string"), accepting what Python's ast.literal_eval accepts for such replies: dicts, lists,
// tuples, sets, str (single, double or triple quotes, adjacent literals concatenated, r/u/b
// prefixes), int, float, True/False/None and unary signs on numbers.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ppb::metrics {

struct PyValue {
  enum class Kind { none, boolean, integer, real, string, list, tuple, set, dict };
  Kind kind = Kind::none;
  bool boolean = false;  // kind == boolean
  double number = 0.0;   // integer (exact up to 2^53) or real
  std::string text;      // kind == string (UTF-8)
  std::vector<PyValue> items;                         // list, tuple, set
  std::vector<std::pair<PyValue, PyValue>> entries;   // dict, in source order

  bool is_number() const { return kind == Kind::integer || kind == Kind::real; }
  // The value of a string key, as Python's dict lookup sees it (a later duplicate wins);
  // nullptr when absent or when this is not a dict.
  const PyValue* get(const std::string& key) const;
};

const char* py_kind_name(PyValue::Kind kind);

struct PyParseOptions {
  bool json_keywords = false;  // also accept true / false / null (JSON replies)
};

// Parses the whole text as one literal (leading/trailing whitespace allowed, as
// ast.literal_eval after its lstrip). Returns false and sets *error (position and what was
// expected) when the text is not exactly one literal.
bool parse_python_literal(const std::string& text, PyValue* out, std::string* error, const PyParseOptions& options = {});

// Python's int(x) for the values a judge score can hold: int and bool pass, float truncates
// toward zero, str must be an integer literal (whitespace, sign and '_' allowed: int("4") = 4,
// int("4.8") fails). Returns false with *error naming what was wrong.
bool python_int(const PyValue& v, double* out, std::string* error);

}  // namespace ppb::metrics
