// Recursive-descent reader of Python literals (see python_literal.h).
#include "metrics/python_literal.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace ppb::metrics {
namespace {

class Reader {
 public:
  Reader(const std::string& s, const PyParseOptions& o) : s_(s), opt_(o) {}

  bool parse(PyValue* out, std::string* error) {
    skip_space();
    if (!value(out)) return fail_out(error);
    skip_space();
    if (pos_ != s_.size()) {
      err_ = "unexpected text after the literal";
      return fail_out(error);
    }
    return true;
  }

 private:
  bool fail_out(std::string* error) {
    if (error) *error = err_ + " at offset " + std::to_string(pos_);
    return false;
  }
  bool fail(const std::string& what) {
    if (err_.empty()) err_ = what;
    return false;
  }
  static constexpr int kMaxDepth = 200;
  int depth_ = 0;  // value() calls in progress
  bool at_end() const { return pos_ >= s_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

  // Whitespace, newlines and comments; Python allows newlines inside brackets, and a reply
  // with a newline between top-level tokens is rare enough to accept too.
  void skip_space() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  bool value(PyValue* out) {
    // Python's own parser stops at 200 nested brackets; a bound also keeps a hostile reply from
    // exhausting the stack (the randomized test feeds 200,000).
    struct Depth {
      int& d;
      explicit Depth(int& depth) : d(++depth) {}
      ~Depth() { --d; }
    } guard(depth_);
    if (depth_ > kMaxDepth) return fail("literal nested deeper than " + std::to_string(kMaxDepth) + " levels");
    skip_space();
    if (at_end()) return fail("expected a literal, found the end of the text");
    const char c = peek();
    if (c == '{') return braces(out);
    if (c == '[') return sequence(out, ']', PyValue::Kind::list);
    if (c == '(') return parens(out);
    if (c == '+' || c == '-') {
      const bool negative = c == '-';
      ++pos_;
      skip_space();
      if (!value(out)) return false;
      if (!(out->is_number() || out->kind == PyValue::Kind::boolean))
        return fail("a sign must precede a number");
      if (out->kind == PyValue::Kind::boolean) {  // -True is -1 in Python
        out->number = out->boolean ? 1.0 : 0.0;
        out->kind = PyValue::Kind::integer;
      }
      if (negative) out->number = -out->number;
      return true;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
      return number(out);
    if (c == '\'' || c == '"') return strings(out);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return name(out);
    return fail(std::string("unexpected character '") + c + "'");
  }

  bool name(PyValue* out) {
    const size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) ++pos_;
    const std::string word = s_.substr(start, pos_ - start);
    // String prefixes: r, u, b and their combinations directly followed by a quote.
    if (word.size() <= 2 && (peek() == '\'' || peek() == '"')) {
      bool prefix = true;
      for (char ch : word) prefix = prefix && (ch == 'r' || ch == 'R' || ch == 'u' || ch == 'U' || ch == 'b' || ch == 'B');
      if (prefix) {
        pos_ = start;
        return strings(out);
      }
    }
    if (word == "True" || (opt_.json_keywords && word == "true")) {
      out->kind = PyValue::Kind::boolean;
      out->boolean = true;
    } else if (word == "False" || (opt_.json_keywords && word == "false")) {
      out->kind = PyValue::Kind::boolean;
      out->boolean = false;
    } else if (word == "None" || (opt_.json_keywords && word == "null")) {
      out->kind = PyValue::Kind::none;
    } else {
      pos_ = start;
      return fail("'" + word + "' is a name, not a literal");
    }
    return true;
  }

  bool number(PyValue* out) {
    std::string digits;
    bool real = false;
    auto take_digits = [&]() {
      while (!at_end() && (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '_')) {
        if (peek() != '_') digits += peek();
        ++pos_;
      }
    };
    take_digits();
    if (peek() == '.') {
      real = true;
      digits += '.';
      ++pos_;
      take_digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      real = true;
      digits += 'e';
      ++pos_;
      if (peek() == '+' || peek() == '-') digits += s_[pos_++];
      const size_t before = digits.size();
      take_digits();
      if (digits.size() == before) return fail("malformed exponent");
    }
    if (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_') return fail("malformed number");
    out->kind = real ? PyValue::Kind::real : PyValue::Kind::integer;
    out->number = std::strtod(digits.c_str(), nullptr);
    return true;
  }

  // One or more adjacent string literals, concatenated as Python does ('a' 'b' == 'ab').
  bool strings(PyValue* out) {
    out->kind = PyValue::Kind::string;
    out->text.clear();
    for (;;) {
      bool raw = false;
      while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) {
        if (peek() == 'r' || peek() == 'R') raw = true;
        ++pos_;
      }
      if (!one_string(&out->text, raw)) return false;
      const size_t save = pos_;
      skip_space();
      size_t p = pos_;
      while (p < s_.size() && p < pos_ + 2 && std::isalpha(static_cast<unsigned char>(s_[p]))) ++p;
      if (p < s_.size() && (s_[p] == '\'' || s_[p] == '"') && (p == pos_ || is_prefix(pos_, p))) continue;
      pos_ = save;
      return true;
    }
  }
  bool is_prefix(size_t from, size_t to) const {
    for (size_t i = from; i < to; ++i) {
      const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[i])));
      if (ch != 'r' && ch != 'u' && ch != 'b') return false;
    }
    return true;
  }

  bool one_string(std::string* text, bool raw) {
    const char q = peek();
    const bool triple = peek(1) == q && peek(2) == q;
    pos_ += triple ? 3 : 1;
    for (;;) {
      if (at_end()) return fail("unterminated string");
      const char c = peek();
      if (c == q && (!triple || (peek(1) == q && peek(2) == q))) {
        pos_ += triple ? 3 : 1;
        return true;
      }
      if (c == '\n' && !triple) return fail("newline inside a single-quoted string");
      if (c == '\\' && pos_ + 1 < s_.size()) {
        const char e = peek(1);
        pos_ += 2;
        if (raw) {
          *text += '\\';
          *text += e;
          continue;
        }
        switch (e) {
          case 'n': *text += '\n'; break;
          case 't': *text += '\t'; break;
          case 'r': *text += '\r'; break;
          case '0': *text += '\0'; break;
          case '\n': break;  // line continuation
          case '\\': case '\'': case '"': *text += e; break;
          default: *text += '\\'; *text += e;  // unknown escapes stay as written, as in Python
        }
        continue;
      }
      *text += c;
      ++pos_;
    }
  }

  // Comma-separated values up to `close`, trailing comma allowed.
  bool sequence(PyValue* out, char close, PyValue::Kind kind) {
    ++pos_;
    out->kind = kind;
    out->items.clear();
    for (;;) {
      skip_space();
      if (peek() == close) {
        ++pos_;
        return true;
      }
      PyValue item;
      if (!value(&item)) return false;
      out->items.push_back(std::move(item));
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != close) {
        return fail(std::string("expected ',' or '") + close + "'");
      }
    }
  }

  bool parens(PyValue* out) {
    ++pos_;
    skip_space();
    if (peek() == ')') {
      ++pos_;
      out->kind = PyValue::Kind::tuple;
      return true;
    }
    PyValue first;
    if (!value(&first)) return false;
    skip_space();
    if (peek() == ')') {  // (x) is x
      ++pos_;
      *out = std::move(first);
      return true;
    }
    if (peek() != ',') return fail("expected ',' or ')'");
    PyValue rest;  // sequence() steps over the comma as if it were the opening bracket
    if (!sequence(&rest, ')', PyValue::Kind::tuple)) return false;
    out->kind = PyValue::Kind::tuple;
    out->items.clear();
    out->items.push_back(std::move(first));
    for (auto& item : rest.items) out->items.push_back(std::move(item));
    return true;
  }

  bool braces(PyValue* out) {
    ++pos_;
    skip_space();
    out->kind = PyValue::Kind::dict;
    out->entries.clear();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    PyValue key;
    if (!value(&key)) return false;
    skip_space();
    if (peek() != ':') {  // {a, b} is a set
      if (peek() != ',' && peek() != '}') return fail("expected ':', ',' or '}' after the first item");
      PyValue rest;
      if (peek() == '}') ++pos_;
      else if (!sequence(&rest, '}', PyValue::Kind::set)) return false;  // steps over the comma
      out->kind = PyValue::Kind::set;
      out->items.clear();
      out->items.push_back(std::move(key));
      for (auto& item : rest.items) out->items.push_back(std::move(item));
      return true;
    }
    for (;;) {
      ++pos_;  // the ':'
      PyValue val;
      if (!value(&val)) return false;
      out->entries.emplace_back(std::move(key), std::move(val));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        return fail("expected ',' or '}' in a dict");
      }
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      key = PyValue{};
      if (!value(&key)) return false;
      skip_space();
      if (peek() != ':') return fail("expected ':' after a dict key");
    }
  }

  const std::string& s_;
  PyParseOptions opt_;
  size_t pos_ = 0;
  std::string err_;
};

}  // namespace

const PyValue* PyValue::get(const std::string& key) const {
  if (kind != Kind::dict) return nullptr;
  const PyValue* found = nullptr;
  for (const auto& [k, v] : entries)
    if (k.kind == Kind::string && k.text == key) found = &v;
  return found;
}

const char* py_kind_name(PyValue::Kind kind) {
  switch (kind) {
    case PyValue::Kind::none: return "None";
    case PyValue::Kind::boolean: return "bool";
    case PyValue::Kind::integer: return "int";
    case PyValue::Kind::real: return "float";
    case PyValue::Kind::string: return "str";
    case PyValue::Kind::list: return "list";
    case PyValue::Kind::tuple: return "tuple";
    case PyValue::Kind::set: return "set";
    case PyValue::Kind::dict: return "dict";
  }
  return "?";
}

bool parse_python_literal(const std::string& text, PyValue* out, std::string* error, const PyParseOptions& options) {
  Reader reader(text, options);
  PyValue v;
  if (!reader.parse(&v, error)) return false;
  *out = std::move(v);
  return true;
}

bool python_int(const PyValue& v, double* out, std::string* error) {
  switch (v.kind) {
    case PyValue::Kind::boolean: *out = v.boolean ? 1.0 : 0.0; return true;
    case PyValue::Kind::integer: *out = v.number; return true;
    case PyValue::Kind::real:
      if (!std::isfinite(v.number)) {  // Python: int(inf) raises OverflowError, int(nan) ValueError
        if (error) *error = "int() of a float that is not finite fails";
        return false;
      }
      *out = std::trunc(v.number);
      return true;
    case PyValue::Kind::string: {
      std::string t = v.text;
      const auto not_space = [](char c) { return !std::isspace(static_cast<unsigned char>(c)); };
      size_t b = 0, e = t.size();
      while (b < e && !not_space(t[b])) ++b;
      while (e > b && !not_space(t[e - 1])) --e;
      t = t.substr(b, e - b);
      size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
      std::string digits;
      bool ok = i < t.size();
      for (; ok && i < t.size(); ++i) {
        const char c = t[i];
        if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
        else if (c == '_' && !digits.empty() && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1]))) continue;
        else ok = false;
      }
      if (!ok || digits.empty()) {
        if (error) *error = "int() of the string '" + v.text + "' fails";
        return false;
      }
      *out = std::strtod(digits.c_str(), nullptr) * (t[0] == '-' ? -1.0 : 1.0);
      return true;
    }
    default:
      if (error) *error = std::string("int() of a ") + py_kind_name(v.kind) + " fails";
      return false;
  }
}

}  // namespace ppb::metrics
