#pragma once
// Structs whose fields are declared once, in a list, and serialised from that same list: a field
// cannot be left out of the JSON form (and so out of a task's wire form or key) by accident.
//
//   #define MY_FIELDS(FIELD) FIELD(std::string, sql, "") FIELD(int, n, 1)
//   struct MyParams { SMALLPOND_JSON_FIELDS(MyParams, MY_FIELDS) };     // in the header
//   SMALLPOND_JSON_FIELDS_IMPL(MyParams, MY_FIELDS)                      // in one .cpp
//
// to_json() writes the fields that differ from their defaults; from_json() takes what to_json
// wrote (missing fields keep their defaults) and throws InternalError for an unknown field.
// A field's type converts with nlohmann's to_json/from_json (found by argument lookup).

#include <string>

#include "common/json.h"

namespace smallpond {
[[noreturn]] void throw_unknown_json_field(const char* struct_name, const std::string& field);
}  // namespace smallpond

#define SMALLPOND_JSON_MEMBER(type, field, default_value) type field = default_value;

#define SMALLPOND_JSON_FIELDS(Name, LIST) \
  LIST(SMALLPOND_JSON_MEMBER)             \
  ::smallpond::Json to_json() const;      \
  static Name from_json(const ::smallpond::Json& json);

#define SMALLPOND_JSON_ENCODE_FIELD(type, field, default_value)                   \
  {                                                                               \
    ::smallpond::Json value(field); /* once: a data set may be large */           \
    if (value != ::smallpond::Json(defaults.field)) j[#field] = std::move(value); \
  }

#define SMALLPOND_JSON_DECODE_FIELD(type, field, default_value) \
  if (key == #field) {                                          \
    out.field = value.get<type>();                              \
    continue;                                                   \
  }

#define SMALLPOND_JSON_FIELDS_IMPL(Name, LIST)           \
  ::smallpond::Json Name::to_json() const {              \
    static const Name defaults;                          \
    ::smallpond::Json j = ::smallpond::Json::object();   \
    LIST(SMALLPOND_JSON_ENCODE_FIELD)                    \
    return j;                                            \
  }                                                      \
  Name Name::from_json(const ::smallpond::Json& json) {  \
    Name out;                                            \
    for (auto& [key, value] : json.items()) {            \
      LIST(SMALLPOND_JSON_DECODE_FIELD)                  \
      ::smallpond::throw_unknown_json_field(#Name, key); \
    }                                                    \
    return out;                                          \
  }
