// The COPY options of task outputs: intermediate ones uncompressed unless set otherwise, bad
// settings named.
#include "exec/parquet_output.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "smallpond/error.h"

namespace smallpond {
namespace {

TEST(ParquetOutput, IntermediateOutputsAreUncompressedAndSettingsAreChecked) {
  unsetenv("SMALLPOND_INTERMEDIATE_COMPRESSION");
  unsetenv("SMALLPOND_PARQUET_COMPRESSION");
  unsetenv("SMALLPOND_PARQUET_ROW_GROUP_SIZE");
  EXPECT_EQ(parquet_copy_options(true), "(FORMAT parquet, COMPRESSION uncompressed)");
  EXPECT_EQ(parquet_copy_options(false), "(FORMAT parquet)");
  EXPECT_EQ(parquet_copy_options(false, "PARTITION_BY (b)"), "(FORMAT parquet, PARTITION_BY (b))");
  setenv("SMALLPOND_INTERMEDIATE_COMPRESSION", "lz4", 1);
  setenv("SMALLPOND_PARQUET_COMPRESSION", "zstd", 1);
  setenv("SMALLPOND_PARQUET_ROW_GROUP_SIZE", "50000", 1);
  EXPECT_EQ(parquet_copy_options(true), "(FORMAT parquet, COMPRESSION lz4, ROW_GROUP_SIZE 50000)");
  EXPECT_EQ(parquet_copy_options(false),
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 50000)");
  setenv("SMALLPOND_PARQUET_ROW_GROUP_SIZE", "0", 1);
  EXPECT_THROW(parquet_copy_options(true), InvalidInputError);
  unsetenv("SMALLPOND_PARQUET_ROW_GROUP_SIZE");
  setenv("SMALLPOND_INTERMEDIATE_COMPRESSION", "zip); DROP", 1);
  try {
    parquet_copy_options(true);
    ADD_FAILURE() << "accepted";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("SMALLPOND_INTERMEDIATE_COMPRESSION"), std::string::npos);
  }
  unsetenv("SMALLPOND_INTERMEDIATE_COMPRESSION");
  unsetenv("SMALLPOND_PARQUET_COMPRESSION");
}

}  // namespace
}  // namespace smallpond
