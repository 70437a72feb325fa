#pragma once
// Operations: the plan builder every front end shares (the C++ DataFrame, pipeline files, and
// the Python front end to come). An operation is a name, its parameters (a JSON object with
// the same names in every front end, checked here once: unknown, missing and mistyped ones are
// errors naming the operation) and how it turns input nodes into nodes (its SQL template lives
// here, once).
//
// Adding one (docs/architecture.md, "Adding an operation"): register it in operations.cpp; give
// DataFrame a typed method that calls build_operation (include/smallpond/dataframe.h,
// src/api/dataframe.cpp). Pipeline files know it at once: `NAME: {input: STEP, PARAM: ...}`.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "logical/node.h"

namespace smallpond {

enum class ParamType { String, Strings, Integer, Boolean };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::String;
  bool required = false;
  std::string help;  //!< one phrase, for errors and docs
};

//! What an operation may ask of the front end that builds with it.
struct BuildContext {
  //! A new node of this kind; `role` names what it is for ("filter", "drop_duplicates_shuffle"):
  //! the front end makes a step name of it (the last node made is the operation's result, and
  //! pipeline files give that one the step's name).
  std::function<std::shared_ptr<Node>(NodeKind kind, const std::string& role)> new_node;
  int executors = 1;  //!< executors of the session (a default for partition counts)
};

struct OperationSpec {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  //! inputs: one node (every registered operation reads one input); params: checked already.
  std::function<NodePtr(const NodePtr& input, const Json& params, const BuildContext& context)>
      build;
};

//! The registered operation of this name, or nullptr.
const OperationSpec* find_operation(const std::string& name);
//! Names of the registered operations, sorted.
std::vector<std::string> operation_names();
//! Checks params against the operation's (InvalidInputError "NAME: ...") and builds it.
NodePtr build_operation(const std::string& name, const NodePtr& input, const Json& params,
                        const BuildContext& context);

//! Shared checks of the front ends.
void check_generated_columns(const std::vector<std::string>& columns, const std::string& where);
void check_sink_type(const std::string& type, const std::string& where);

}  // namespace smallpond
