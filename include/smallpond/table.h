#pragma once
//! A small, fully materialised result table, as returned by DataFrame::to_table() and take().

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace smallpond {

//! One cell: NULL, a boolean, an integer, a floating-point number, or text. Other SQL types
//! (dates, decimals, lists, ...) are rendered as their SQL text.
class Value {
 public:
  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool v) { return Value(v); }
  static Value Int(int64_t v) { return Value(v); }
  static Value Double(double v) { return Value(v); }
  static Value String(std::string v) { return Value(std::move(v)); }

  // Each C++ type lands in the variant member it means: only `bool` is a boolean (a string
  // literal or a pointer never converts to one), every other integer type is an integer, every
  // floating-point type a double, and anything string-like is text.
  template <typename T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
  Value(T v) : data_(v) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                             !std::is_same_v<T, char>,
                                         int> = 0>
  Value(T v) : data_(static_cast<int64_t>(v)) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (v > static_cast<T>(INT64_MAX)) out_of_range();
    }
  }
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Value(T v) : data_(static_cast<double>(v)) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(std::string_view v) : data_(std::string(v)) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(std::nullptr_t) = delete;  // NULL is Value() or Value::Null()

  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_double() const { return std::holds_alternative<double>(data_); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }

  //! The value as this type; InvalidInputError (naming the column when the value came from a
  //! Row, its type and the accessor that fits) when it holds another type or NULL.
  bool as_bool() const {
    if (!is_bool()) wrong_type("BOOLEAN", "as_bool()");
    return std::get<bool>(data_);
  }
  int64_t as_int() const {
    if (!is_int()) wrong_type("an integer", "as_int()");
    return std::get<int64_t>(data_);
  }
  double as_double() const;  //!< also accepts integers
  const std::string& as_string() const {
    if (!is_string()) wrong_type("text", "as_string()");
    return std::get<std::string>(data_);
  }

  //! The value as text, "NULL" for null.
  std::string to_string() const;

  bool operator==(const Value& other) const { return data_ == other.data_; }
  bool operator!=(const Value& other) const { return !(*this == other); }
  bool operator<(const Value& other) const { return data_ < other.data_; }

 private:
  [[noreturn]] void wrong_type(const char* wanted, const char* accessor) const;
  [[noreturn]] static void out_of_range();
  std::variant<std::monostate, bool, int64_t, double, std::string> data_;
};

//! Rows of values with named, typed columns. Types are DuckDB's type names (BIGINT, VARCHAR, ...).
struct Table {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;
  std::vector<std::vector<Value>> rows;

  size_t num_rows() const { return rows.size(); }
  size_t num_columns() const { return column_names.size(); }
  //! Index of a column by name; throws InvalidInputError when there is none.
  size_t column_index(const std::string& name) const;
  //! The table as aligned text, at most max_rows rows (the rest is summarised).
  std::string to_string(size_t max_rows = 40) const;
};

std::ostream& operator<<(std::ostream& os, const Table& table);

}  // namespace smallpond
