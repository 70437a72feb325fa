// Value: each C++ type becomes the cell type it means.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "smallpond/error.h"
#include "smallpond/table.h"

namespace smallpond {
namespace {

TEST(Value, StringLiteralsAreTextNotBooleans) {
  EXPECT_TRUE(Value("abc").is_string());
  EXPECT_EQ(Value("abc").as_string(), "abc");
  std::string_view view = "view";
  EXPECT_EQ(Value(view).as_string(), "view");
  EXPECT_EQ(Value(std::string("s")).as_string(), "s");
  EXPECT_TRUE(Value(true).is_bool());
  EXPECT_FALSE(Value(false).as_bool());
}

TEST(Value, EveryIntegerTypeIsAnInteger) {
  EXPECT_EQ(Value(3).as_int(), 3);
  EXPECT_EQ(Value(-3L).as_int(), -3);
  EXPECT_EQ(Value(int16_t{7}).as_int(), 7);
  EXPECT_EQ(Value(uint8_t{200}).as_int(), 200);
  EXPECT_EQ(Value(3u).as_int(), 3);
  EXPECT_EQ(Value(size_t{12}).as_int(), 12);
  EXPECT_EQ(Value(INT64_MIN).as_int(), INT64_MIN);
  EXPECT_THROW(Value(uint64_t{1} << 63), InvalidInputError);  // beyond BIGINT
}

TEST(Value, FloatingPointIsDouble) {
  EXPECT_TRUE(Value(2.5f).is_double());
  EXPECT_DOUBLE_EQ(Value(2.5).as_double(), 2.5);
}

TEST(Value, FactoriesSayTheType) {
  EXPECT_EQ(Value::Int(5), Value(int64_t{5}));
  EXPECT_EQ(Value::String("x"), Value("x"));
  EXPECT_EQ(Value::Bool(true), Value(true));
  EXPECT_EQ(Value::Double(1), Value(1.0));
  EXPECT_TRUE(Value::Null().is_null());
  EXPECT_NE(Value::Int(1), Value::Bool(true));
}

}  // namespace
}  // namespace smallpond
