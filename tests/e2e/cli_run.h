#pragma once
// Running the `smallpond` command line from the end-to-end tests (SMALLPOND_CLI is its path).

#include <string>

#include "support/test_env.h"

namespace smallpond::testing {

struct CliRun {
  int status;
  std::string output;  //!< stdout and stderr
};

//! Runs `smallpond ARGS`, with `env` (VAR=value ...) before it.
inline CliRun smallpond_cli(const std::string& args, const std::string& env = "") {
  CliRun r;
  r.status = run_command(env + " " + SMALLPOND_CLI + " " + args, &r.output);
  return r;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace smallpond::testing
