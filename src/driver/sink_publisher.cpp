#include "driver/sink_publisher.h"

#include <cstdio>

#include "common/crash_point.h"
#include "common/strings.h"
#include "driver/output_guard.h"
#include "exec/input_check.h"
#include "io/durable.h"
#include "io/filesystem.h"
#include "io/publish.h"
#include "smallpond/error.h"

namespace smallpond {

static std::string part_name(size_t partition, size_t index) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "part-%05zu-%03zu.parquet", partition, index);
  return buf;
}

static bool whole_parquet_files(const DataSet& ds) {
  // A projection, generated columns or columns united by name are not in the files as they are.
  if (ds.format != FileFormat::Parquet || !ds.columns.empty() || !ds.generated_columns.empty() ||
      ds.union_by_name)
    return false;
  for (auto& f : ds.files)
    if (f.in_memory() || !f.whole()) return false;
  return !ds.files.empty();
}

// Puts one whole file into the sink as the sink's type says; returns the path to list. Task
// outputs are not flushed when their task ends: the publish flushes what it publishes (the
// staged directory, with its hard links and copies), and here the task outputs a sink lists
// where they are or may reach by a symbolic link (a source file is the user's, as it was).
static std::string place_file(const std::string& type, const FileSlice& file,
                              const std::string& dst) {
  const std::string& src = file.path;
  bool task_output = file.fingerprint.empty();
  if (task_output && (type == "manifest" || type == "link")) sync_file(src);
  if (type == "manifest") return src;  // listed where it is
  if (type == "copy")
    copy_file(src, dst);
  else if (type == "link")
    link_file(src, dst);
  else
    link_or_copy(src, dst);
  return dst;
}

int publish_sink(const SinkPlan& sink, const std::vector<const DataSet*>& partitions,
                 Engine& engine) {
  if (sink.type != "link_or_copy" && sink.type != "copy" && sink.type != "link" &&
      sink.type != "manifest")
    throw InvalidInputError("step '" + sink.step + "': unknown sink type '" + sink.type +
                            "' (link_or_copy, copy, link, manifest)");
  std::string target = absolute_path(sink.path);
  make_dirs(parent_dir(target));
  // One publish at a time per parent directory: leftovers of a crashed publish are finished
  // (an old output moved aside goes back) and removed before this one starts.
  PublishLock lock(target);
  recover_publish(target);
  auto refused = [&](const std::string& why) {
    return InvalidInputError("step '" + sink.step + "': refusing to replace '" + target +
                             "': " + why + "; nothing was changed (overwrite: true replaces it)");
  };
  // Checked before the job, and again now and just before the swap: something may have
  // appeared since (the publish lock keeps out other publishes, not the user's own tools).
  ReplaceCheck refusal;
  if (!sink.overwrite) refusal = replace_refusal;
  if (refusal) {
    std::string why = refusal(target);
    if (!why.empty()) throw refused(why);
  }
  check_unchanged(partitions);  // source files placed as they are must be what was planned
  std::string staging = staging_path_for(target);
  make_dirs(staging);
  int files = 0;
  try {
    std::unique_ptr<EngineConnection> con;
    std::vector<std::string> listed;  // absolute paths once published
    // A partition whose columns are unknown (a C++ function produced no rows) is written with
    // the columns of another partition; when none has any, nothing is written for it.
    const DataSet* with_columns = nullptr;
    for (auto* ds : partitions)
      if (!with_columns && ds->schema_known()) with_columns = ds;
    for (size_t p = 0; p < partitions.size(); p++) {
      DataSet schema_only;
      if (!partitions[p]->schema_known()) {
        if (!with_columns) continue;
        schema_only = partitions[p]->empty_with_schema_of(*with_columns);
      }
      const DataSet& ds = partitions[p]->schema_known() ? *partitions[p] : schema_only;
      if (whole_parquet_files(ds)) {
        for (size_t i = 0; i < ds.files.size(); i++) {
          std::string name = part_name(p, i);
          std::string placed = place_file(sink.type, ds.files[i], staging + "/" + name);
          listed.push_back(placed == ds.files[i].path ? placed : target + "/" + name);
        }
        files += static_cast<int>(ds.files.size());
        continue;
      }
      // Row ranges, projections, in-memory data and empty partitions: written out as Parquet.
      if (!con) con = engine.connect();
      con->query_int("COPY (" + ds.sql() + ") TO " + sql_string(staging + "/" + part_name(p, 0)) +
                     " (FORMAT parquet)");
      listed.push_back(target + "/" + part_name(p, 0));
      files++;
    }
    crash_point("sink.before_manifest");
    write_file_atomic(staging + "/" + kSinkManifest, [&](const FileWriter& write) {
      for (auto& path : listed) {
        write(path);
        write("\n");
      }
    });
    replace_directory(staging, target, refusal);  // flushes, checks, swaps; see io/publish.h
  } catch (const std::exception& e) {
    try {
      remove_all(staging);
    } catch (const std::exception&) {
    }
    if (dynamic_cast<const ReplaceRefused*>(&e)) throw refused(e.what());
    throw Error("step '" + sink.step + "': cannot write '" + target + "': " + e.what());
  }
  return files;
}

}  // namespace smallpond
