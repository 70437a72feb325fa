#pragma once
// Placeholders in user SQL: {0}, {1}, ... name the inputs; {name} a named value (such as the
// partition index); {{ and }} are literal braces.

#include <map>
#include <string>
#include <vector>

namespace smallpond {

//! Fills the placeholders of `query`. Throws InvalidInputError naming the placeholder when the
//! query uses an input or name it does not have, or has an unescaped brace.
std::string expand_sql_template(const std::string& query, const std::vector<std::string>& inputs,
                                const std::map<std::string, std::string>& names = {});

//! The template with every {index} replaced by replacement (itself template text); escapes
//! and other placeholders stay as they are.
std::string substitute_sql_input(const std::string& query, int index,
                                 const std::string& replacement);

//! Text as template text that expands to itself: braces doubled.
std::string escape_sql_template(const std::string& text);

//! True when the query is one statement (a trailing ';' allowed): ';' inside quotes, quoted
//! identifiers and comments do not count.
bool is_single_sql_statement(const std::string& query);

//! Largest input index used by the query plus one (0 when it uses none).
int count_sql_template_inputs(const std::string& query);

//! How many times the query reads input `index` ({index} placeholders).
int count_sql_input_uses(const std::string& query, int index);

}  // namespace smallpond
