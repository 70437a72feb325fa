#include "common/json_fields.h"

#include "smallpond/error.h"

namespace smallpond {

void throw_unknown_json_field(const char* struct_name, const std::string& field) {
  throw InternalError(std::string(struct_name) + ": unknown field '" + field + "'");
}

}  // namespace smallpond
