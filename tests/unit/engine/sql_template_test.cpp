#include "engine/sql_template.h"

#include <gtest/gtest.h>

#include "smallpond/error.h"

namespace smallpond {

TEST(SqlTemplate, ExpandsInputsNamesAndEscapes) {
  EXPECT_EQ(expand_sql_template("SELECT * FROM {0} JOIN {1} USING (k)", {"a", "b"}),
            "SELECT * FROM a JOIN b USING (k)");
  EXPECT_EQ(expand_sql_template("SELECT {{'x': 1}} AS s, {p} FROM {0}", {"t"}, {{"p", "7"}}),
            "SELECT {'x': 1} AS s, 7 FROM t");
}

TEST(SqlTemplate, ErrorsNameTheProblem) {
  try {
    expand_sql_template("SELECT * FROM {1}", {"a"});
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("{1}"), std::string::npos);
  }
  EXPECT_THROW(expand_sql_template("SELECT {'a': 1}", {}), InvalidInputError);
  EXPECT_THROW(expand_sql_template("SELECT 1 }", {}), InvalidInputError);
  EXPECT_THROW(expand_sql_template("SELECT {nope}", {}), InvalidInputError);
}

TEST(SqlTemplate, CountsInputs) {
  EXPECT_EQ(count_sql_template_inputs("SELECT 1"), 0);
  EXPECT_EQ(count_sql_template_inputs("SELECT * FROM {0}, {2} {{3}}"), 3);
}

}  // namespace smallpond
