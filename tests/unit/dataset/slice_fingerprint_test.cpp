// A data set's fingerprints are held as numbers and read back as the text they came from.
#include "dataset/slice_fingerprint.h"

#include <gtest/gtest.h>

#include "dataset/dataset.h"
#include "io/file_fingerprint.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

// Every form io/file_fingerprint.h writes: a Parquet file's (footer hash and modification
// time), a small other file's (its bytes) and a large one's (edges and time).
TEST(SliceFingerprint, HoldsEveryFingerprintAsItsText) {
  testing::TempDir dir;
  testing::write_text(dir / "small.csv", "a,b\n1,2\n");
  std::string large(kWholeHashBytes + 10, 'x');
  testing::write_text(dir / "large.csv", large);
  testing::duckdb_query("COPY (SELECT 1 AS a) TO '" + (dir / "one.parquet") + "' (FORMAT parquet)");
  for (const char* name : {"small.csv", "large.csv", "one.parquet"}) {
    std::string text = to_string(input_fingerprint(dir / name));
    SliceFingerprint fp(text);
    EXPECT_FALSE(fp.empty());
    EXPECT_EQ(fp.str(), text) << name;
    EXPECT_EQ(SliceFingerprint(fp.str()), fp);
  }
  EXPECT_NE(to_string(input_fingerprint(dir / "one.parquet")).find('@'), std::string::npos);
  EXPECT_EQ(to_string(input_fingerprint(dir / "small.csv")).find('@'), std::string::npos);
}

TEST(SliceFingerprint, NoneIsEmptyText) {
  EXPECT_TRUE(SliceFingerprint().empty());
  EXPECT_TRUE(SliceFingerprint("").empty());
  EXPECT_EQ(SliceFingerprint().str(), "");
  EXPECT_EQ(SliceFingerprint(), SliceFingerprint(""));
  EXPECT_NE(SliceFingerprint(), SliceFingerprint("0:0000000000000000"));
}

TEST(SliceFingerprint, DiffersWhenAnyPartDoes) {
  SliceFingerprint fp("120:00ff00ff00ff00ff@1700000000000000001");
  EXPECT_NE(fp, SliceFingerprint("121:00ff00ff00ff00ff@1700000000000000001"));
  EXPECT_NE(fp, SliceFingerprint("120:00ff00ff00ff00fe@1700000000000000001"));
  EXPECT_NE(fp, SliceFingerprint("120:00ff00ff00ff00ff@1700000000000000002"));
  EXPECT_NE(fp, SliceFingerprint("120:00ff00ff00ff00ff"));
  EXPECT_EQ(fp, SliceFingerprint("120:00ff00ff00ff00ff@1700000000000000001"));
}

// Text that would not read back the same is refused, not changed: a fingerprint is compared
// as its text by the tasks that check their inputs.
TEST(SliceFingerprint, RefusesTextThatIsNotAFingerprint) {
  for (const char* text :
       {"x", "12", "12:", "12:abc", "12:00FF00FF00FF00FF", "012:00ff00ff00ff00ff",
        "-1:00ff00ff00ff00ff", "12:00ff00ff00ff00ff@", "12:00ff00ff00ff00ff@01",
        "12:00ff00ff00ff00ff@1@2", "12:00ff00ff00ff00ff0", " 12:00ff00ff00ff00ff"})
    EXPECT_THROW(SliceFingerprint{text}, InternalError) << text;
}

// The wire form of a data set is unchanged: [path, "<size>:<hash>"].
TEST(SliceFingerprint, DataSetsCarryTheText) {
  DataSet ds;
  ds.files = {{"/data/a.parquet", 0, -1, "7:0123456789abcdef@42"},
              {"/data/b.parquet", 3, 9, "8:fedcba9876543210"}};
  Json j = ds.to_json();
  EXPECT_EQ(j["files"][0], Json::array({"/data/a.parquet", "7:0123456789abcdef@42"}));
  EXPECT_EQ(j["files"][1]["fingerprint"], "8:fedcba9876543210");
  DataSet back = DataSet::from_json(j);
  EXPECT_EQ(back.files[0].fingerprint, ds.files[0].fingerprint);
  EXPECT_EQ(back.files[1].fingerprint.str(), "8:fedcba9876543210");
}

}  // namespace
}  // namespace smallpond
