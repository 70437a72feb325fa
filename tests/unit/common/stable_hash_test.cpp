// Task keys are stable hashes of texts made in pieces; the pieces must hash as the whole text.
#include "common/stable_hash.h"

#include <gtest/gtest.h>

namespace smallpond {
namespace {

TEST(StableHash, PiecesHashAsTheWholeText) {
  std::string whole = "source\n{\"name\":\"items\"}\n0\n";
  StableHasher pieces;
  pieces << "source" << '\n' << std::string("{\"name\":\"items\"}") << '\n' << "0" << '\n';
  EXPECT_EQ(pieces.hex(), stable_hash(whole));
  EXPECT_EQ(StableHasher().hex(), stable_hash(""));
  EXPECT_EQ(stable_hash(whole).size(), 32u);
  EXPECT_NE(stable_hash(whole), stable_hash(whole + " "));
}

TEST(StableHash, JsonHashesAsItsDump) {
  Json j = {{"files", Json::array()}, {"name", "caf\xc3\xa9 \"quoted\" \\ tab\t line\n"},
            {"n", -12345678901234LL}, {"x", 0.1},
            {"big", 1e300},           {"flag", true},
            {"none", nullptr},        {"nested", {{"a", Json::array({1, "two", Json::object()})}}}};
  for (int i = 0; i < 20000; i++)  // past any internal buffer of the serialiser
    j["files"].push_back(Json::array({"/data/part-" + std::to_string(i) + ".parquet", "810:ab"}));
  StableHasher streamed;
  streamed << "before";
  streamed.add_json(j) << "after";
  EXPECT_EQ(streamed.hex(), stable_hash("before" + j.dump() + "after"));
}

}  // namespace
}  // namespace smallpond
