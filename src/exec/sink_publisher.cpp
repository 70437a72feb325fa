#include "exec/sink_publisher.h"

#include <cstdio>
#include <filesystem>

#include "common/strings.h"
#include "io/filesystem.h"

namespace smallpond {

static std::string part_name(size_t partition, size_t index) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "part-%05zu-%03zu.parquet", partition, index);
  return buf;
}

static bool whole_parquet_files(const DataSet& ds) {
  if (ds.format != FileFormat::Parquet || !ds.columns.empty()) return false;
  for (auto& f : ds.files)
    if (!f.whole()) return false;
  return !ds.files.empty();
}

int publish_sink(const SinkPlan& sink, const std::vector<DataSet>& partitions, Engine& engine) {
  std::string target = absolute_path(sink.path);
  std::string parent = std::filesystem::path(target).parent_path().string();
  make_dirs(parent);
  std::string staging = target + ".staging-" + unique_suffix();
  make_dirs(staging);
  int files = 0;
  try {
    std::unique_ptr<EngineConnection> con;
    for (size_t p = 0; p < partitions.size(); p++) {
      const DataSet& ds = partitions[p];
      if (whole_parquet_files(ds)) {
        for (size_t i = 0; i < ds.files.size(); i++)
          link_or_copy(ds.files[i].path, staging + "/" + part_name(p, i));
        files += static_cast<int>(ds.files.size());
        continue;
      }
      if (!con) con = engine.connect();
      con->query_int("COPY (" + ds.sql() + ") TO " + sql_string(staging + "/" + part_name(p, 0)) +
                     " (FORMAT parquet)");
      files++;
    }
    replace_directory(staging, target);
  } catch (const std::exception& e) {
    try {
      remove_all(staging);
    } catch (const std::exception&) {
    }
    throw Error("step '" + sink.step + "': cannot write '" + target + "': " + e.what());
  }
  return files;
}

}  // namespace smallpond
