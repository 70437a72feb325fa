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

//! Largest input index used by the query plus one (0 when it uses none).
int count_sql_template_inputs(const std::string& query);

}  // namespace smallpond
