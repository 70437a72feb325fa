#include "driver/sink_publisher.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "common/crash_point.h"
#include "common/os_error.h"
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

namespace {

// One sink on its way: its target, and the new output built beside it.
struct SinkPublish {
  const SinkPlan& sink;
  const std::vector<const DataSet*>& partitions;
  std::string target;
  ReplaceCheck refusal;  // none with overwrite
  std::string staging;   // built, not yet swapped in ("" before and after)

  InvalidInputError refused(const std::string& why, const std::string& already) const {
    return InvalidInputError("step '" + sink.step + "': refusing to replace '" + target +
                             "': " + why + "; " + already + " (overwrite: true replaces it)");
  }
  Error failed(const std::string& why, const std::string& already) const {
    return Error("step '" + sink.step + "': cannot write '" + target + "': " + why +
                 (already == kNothingChanged ? "" : "; " + already));
  }
  static constexpr const char* kNothingChanged = "nothing was changed";

  // Source files placed or read as they are must be what was planned.
  void check_sources() const {
    try {
      check_unchanged(partitions);
    } catch (const InvalidInputError& e) {
      throw InvalidInputError("step '" + sink.step + "': " + e.what(), e.code());
    }
  }

  void throw_if_refused(const std::string& already) const {
    if (!refusal) return;
    std::string why = refusal(target);
    if (!why.empty()) throw refused(why, already);
  }

  // The partitions' files placed (or written) into a new directory beside the target, with
  // the manifest that lists them.
  void build(Engine& engine) {
    staging = staging_path_for(target);
    make_dirs(staging);
    if (fault_point(("sink.build." + sink.step).c_str()))  // testing: a full disk
      throw_os_error("cannot write '" + staging + "'", ENOSPC);
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
        continue;
      }
      // Row ranges, projections, in-memory data and empty partitions: written out as Parquet.
      if (!con) con = engine.connect();
      con->query_int("COPY (" + ds.sql() + ") TO " + sql_string(staging + "/" + part_name(p, 0)) +
                     " (FORMAT parquet)");
      listed.push_back(target + "/" + part_name(p, 0));
    }
    crash_point("sink.before_manifest");
    write_file_atomic(staging + "/" + kSinkManifest, [&](const FileWriter& write) {
      for (auto& path : listed) {
        write(path);
        write("\n");
      }
    });
  }

  void discard_staging() {
    if (staging.empty()) return;
    remove_all_if_possible(staging);  // a leftover: the next publish to the target removes it
    staging.clear();
  }
};

// "nothing was changed", or which outputs were already replaced.
std::string already_replaced(const std::vector<SinkPublish>& publishes, size_t done) {
  if (done == 0) return SinkPublish::kNothingChanged;
  std::string steps;
  for (size_t i = 0; i < done; i++)
    steps += (i ? ", '" : "'") + publishes[i].sink.step + "' (" + publishes[i].target + ")";
  return "the output" + std::string(done > 1 ? "s" : "") + " of " + steps +
         (done > 1 ? " were" : " was") + " already replaced";
}

}  // namespace

void publish_sinks(const std::vector<SinkPlan>& sinks,
                   const std::vector<std::vector<const DataSet*>>& partitions, Engine& engine) {
  if (partitions.size() != sinks.size())
    throw InternalError("publish_sinks: partitions do not match the sinks");
  std::vector<SinkPublish> publishes;
  publishes.reserve(sinks.size());
  std::vector<std::pair<std::string, std::string>> parents;  // parent directory, a target in it
  for (size_t i = 0; i < sinks.size(); i++) {
    const SinkPlan& sink = sinks[i];
    if (sink.type != "link_or_copy" && sink.type != "copy" && sink.type != "link" &&
        sink.type != "manifest")
      throw InvalidInputError("step '" + sink.step + "': unknown sink type '" + sink.type +
                              "' (link_or_copy, copy, link, manifest)");
    SinkPublish p{sink, partitions[i], absolute_path(sink.path), {}, ""};
    // Checked before the job, and again now and just before each swap: something may have
    // appeared since (the publish lock keeps out other publishes, not the user's own tools).
    if (!sink.overwrite) p.refusal = replace_refusal;
    parents.emplace_back(parent_dir(p.target), p.target);
    publishes.push_back(std::move(p));
  }
  // One publish at a time per parent directory, the locks taken in one order (two jobs that
  // publish into the same two directories cannot wait for each other), each once (a second
  // lock of one directory by this process would wait for the first).
  std::sort(parents.begin(), parents.end());
  std::vector<std::unique_ptr<PublishLock>> locks;
  for (size_t i = 0; i < parents.size(); i++) {
    if (i > 0 && parents[i].first == parents[i - 1].first) continue;
    make_dirs_durable(parents[i].first);
    locks.push_back(std::make_unique<PublishLock>(parents[i].second));
  }
  // Leftovers of a crashed publish are finished (an old output moved aside goes back) and
  // removed; then every output is checked before any is built.
  for (auto& p : publishes) {
    recover_publish(p.target);
    p.throw_if_refused(SinkPublish::kNothingChanged);
    p.check_sources();
  }
  // Every new output is built and flushed before any replaces its target: a failure there (a
  // full disk, a file that cannot be linked) changes no output.
  const size_t n = publishes.size();
  size_t at = 0, done = 0;  // the sink being worked on; how many were swapped in
  try {
    for (at = 0; at < n; at++) publishes[at].build(engine);
    for (at = 0; at < n; at++) sync_tree(publishes[at].staging);
    // Checked again once read (copied, converted): a source file that changed while it was
    // read must not be published. (A manifest lists them where they are: checked above.)
    for (at = 0; at < n; at++)
      if (publishes[at].sink.type != "manifest") publishes[at].check_sources();
    // All checked again before the first swap (each swap checks its own target once more), so
    // that what appeared in a later target does not stop the job half-way.
    if (n > 1)
      for (at = 0; at < n; at++) publishes[at].throw_if_refused(SinkPublish::kNothingChanged);
    for (at = 0; at < n; at++, done++) {
      SinkPublish& p = publishes[at];
      swap_in(p.staging, p.target, p.refusal);  // checks once more, swaps; see io/publish.h
      p.staging.clear();
    }
  } catch (const std::exception& e) {
    for (auto& p : publishes) p.discard_staging();
    if (at >= n) throw;
    const SinkPublish& p = publishes[at];
    std::string already = already_replaced(publishes, done);
    if (dynamic_cast<const ReplaceRefused*>(&e)) throw p.refused(e.what(), already);
    if (dynamic_cast<const InvalidInputError*>(&e)) throw;  // names its step and path
    throw p.failed(e.what(), already);
  }
}

}  // namespace smallpond
