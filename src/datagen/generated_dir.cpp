#include "datagen/generated_dir.h"

#include <cstdio>

#include "common/strings.h"
#include "common/system.h"
#include "dataset/split.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "io/publish.h"
#include "smallpond/error.h"

namespace smallpond {

bool generate_dir(const GeneratedDir& spec,
                  const std::function<std::string(int64_t begin, int64_t end)>& rows_sql) {
  const std::string& dir = spec.dir;
  if (path_exists(dir) && !list_files_recursive(dir).empty()) {
    std::string marker = dir + "/" + spec.marker;
    if (!path_exists(marker)) {
      bool only_ours = !spec.old_prefix.empty();  // what versions before the marker wrote
      for (auto& f : list_files_recursive(dir))
        only_ours = only_ours && f.compare(0, spec.old_prefix.size(), spec.old_prefix) == 0;
      if (only_ours) return false;
      throw InvalidInputError("'" + dir +
                              "' exists and holds other files; choose a new or empty directory");
    }
    std::string had = read_file(marker);
    if (had != spec.settings + "\n")
      throw InvalidInputError("'" + dir + "' holds " + spec.dataset +
                              " generated with other settings (" + had.substr(0, had.size() - 1) +
                              "); remove it or choose another");
    return false;  // the same data: nothing to do
  }
  std::string staging = dir + ".generating-" + unique_suffix();
  make_dirs(staging);
  try {
    Engine engine;
    EngineLimits limits;
    limits.threads = cpu_count();
    auto con = engine.connect(limits);
    int64_t begin = 0;
    auto sizes = split_sizes(spec.rows, spec.files);
    for (int f = 0; f < spec.files; f++) {
      char name[32];
      std::snprintf(name, sizeof name, "-%05d.parquet", f);
      int64_t end = begin + sizes[f];
      con->query_int("COPY (" + rows_sql(begin, end) + ") TO " +
                     sql_string(staging + "/" + spec.file_prefix + name) + " (FORMAT parquet)");
      begin = end;
    }
    write_file_atomic(staging + "/" + spec.marker, spec.settings + "\n");
    replace_directory(staging, dir);
  } catch (...) {
    remove_all(staging);
    throw;
  }
  return true;
}

}  // namespace smallpond
