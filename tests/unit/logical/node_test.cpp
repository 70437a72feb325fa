#include "logical/node.h"

#include <gtest/gtest.h>

#include "smallpond/error.h"

namespace smallpond {
namespace {

// A value unlike the given one, for every type a node parameter has.
bool different(bool v) { return !v; }
int different(int v) { return v + 7; }
int64_t different(int64_t v) { return v + 7; }
double different(double v) { return v + 0.5; }
std::string different(const std::string& v) { return v + "x"; }
std::vector<std::string> different(std::vector<std::string> v) {
  v.push_back("x");
  return v;
}
Json different(const Json&) { return Json{{"x", 1}}; }
DataSet different(DataSet v) {
  v.columns.push_back("x");
  return v;
}

// Every parameter in node.h's definition list changes a node's definition (so its task keys),
// and survives to_json/from_json: the list is walked here exactly as the node's code walks it.
TEST(Node, EveryDefinitionParameterChangesTheDefinition) {
  const Node plain;
  int fields = 0;
#define CHECK_FIELD(type, field, default_value)                                                 \
  {                                                                                             \
    Node changed;                                                                               \
    changed.field = different(plain.field);                                                     \
    EXPECT_NE(changed.definition(), plain.definition()) << #field;                              \
    EXPECT_EQ(Node::from_json(changed.to_json()).definition(), changed.definition()) << #field; \
    ++fields;                                                                                   \
  }
  SMALLPOND_NODE_DEFINITION(CHECK_FIELD)
#undef CHECK_FIELD
  EXPECT_GE(fields, 20);
}

// Settings are carried by to_json but never change the definition: a stream's checkpoint
// period, a sink's overwrite flag and the names of fused steps do not change the output.
TEST(Node, SettingsAreCarriedButNotInTheDefinition) {
  const Node plain;
#define CHECK_SETTING(type, field, default_value)                                         \
  {                                                                                       \
    Node changed;                                                                         \
    changed.field = different(plain.field);                                               \
    EXPECT_EQ(changed.definition(), plain.definition()) << #field;                        \
    EXPECT_NE(changed.to_json(), plain.to_json()) << #field;                              \
    EXPECT_EQ(Node::from_json(changed.to_json()).to_json(), changed.to_json()) << #field; \
  }
  SMALLPOND_NODE_SETTINGS(CHECK_SETTING)
#undef CHECK_SETTING
}

// The definition names the kind and only what differs from the defaults; the step name is not in
// it (renaming a step does not recompute it).
TEST(Node, TheDefinitionHoldsTheKindAndWhatDiffersFromTheDefaults) {
  Node n;
  n.kind = NodeKind::HashPartition;
  n.name = "shuffle";
  n.npartitions = 8;
  n.hash_columns = {"k"};
  EXPECT_EQ(n.definition(),
            (Json{{"kind", "hash_partition"}, {"npartitions", 8}, {"hash_columns", {"k"}}}));
  Node renamed = n;
  renamed.name = "other";
  EXPECT_EQ(renamed.definition(), n.definition());
  EXPECT_EQ(Node::from_json(n.to_json()).name, "shuffle");
  EXPECT_EQ(Node::from_json(n.to_json()).kind, NodeKind::HashPartition);
  EXPECT_THROW(Node::from_json({{"kind", "sql"}, {"qeury", "x"}}), InvalidInputError);
  EXPECT_THROW(Node::from_json({{"kind", "nonsense"}}), InvalidInputError);
}

}  // namespace
}  // namespace smallpond
