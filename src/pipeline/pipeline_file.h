#pragma once
// Pipeline files (YAML), as run by `smallpond run`. The format is documented in
// docs/pipeline-format.md; a short example:
//
//   steps:
//     - name: prices
//       read_parquet: "data/prices/*.parquet"
//     - name: by_ticker
//       repartition: {input: prices, npartitions: 3, hash_by: ticker}
//     - name: stats
//       sql: "SELECT ticker, min(price) AS lo FROM {0} GROUP BY ticker"
//       inputs: [by_ticker]
//     - name: save
//       write_parquet: {input: stats, path: "out/stats"}

#include <string>
#include <vector>

#include "logical/node.h"

namespace smallpond {

struct Pipeline {
  std::vector<NodePtr> steps;    //!< in file order
  std::vector<NodePtr> targets;  //!< steps no other step uses: what running the file computes
};

//! Parses a pipeline file. Relative data paths resolve against the file's directory;
//! executors: of the session that will run it (operations default partition counts to it).
//! Throws InvalidInputError "FILE:LINE: step 'NAME': what is wrong".
Pipeline load_pipeline(const std::string& path, int executors = 1);
//! The same for YAML text; base_dir resolves relative paths, origin names it in errors.
Pipeline parse_pipeline(const std::string& yaml, const std::string& base_dir,
                        const std::string& origin, int executors = 1);

}  // namespace smallpond
