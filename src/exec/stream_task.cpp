// Streaming tasks: a batch function over a partition, saving its progress as it goes so that a
// retried attempt (or a rerun of the job) resumes instead of starting over.
//
// The checkpoint directory (job_dir/checkpoints/<task>-<key>) holds the output so far as chunk
// files and checkpoint.json: the chunks, in order, and how many input rows they cover. A chunk
// is renamed into place before checkpoint.json names it, so the state never names a file that
// is not complete. Resuming skips the consumed rows; the input is read in a fixed order for
// that. An attempt that cannot lock the directory (a speculative twin holds it) runs without
// checkpoints rather than mixing its chunks with the other's.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>

#include "common/code_location.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/system.h"
#include "exec/function_tasks.h"
#include "exec/row_writer.h"
#include "io/filesystem.h"
#include "smallpond/batch.h"

namespace smallpond {

namespace {

struct StreamState {
  int64_t consumed = 0;             //!< input rows whose output is in the chunks
  std::vector<std::string> chunks;  //!< file names in the checkpoint directory, in order
};

class CheckpointDir {
 public:
  explicit CheckpointDir(std::string dir) : dir_(std::move(dir)) {
    make_dirs(dir_);
    fd_ = ::open((dir_ + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    locked_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~CheckpointDir() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool locked() const { return locked_; }
  const std::string& path() const { return dir_; }

  StreamState load() const {
    StreamState s;
    std::string file = dir_ + "/checkpoint.json";
    if (!path_exists(file)) return s;
    Json j = Json::parse(read_file(file));
    s.consumed = j.at("consumed");
    s.chunks = j.at("chunks").get<std::vector<std::string>>();
    for (auto& c : s.chunks)
      if (!path_exists(dir_ + "/" + c))
        throw Error("checkpoint '" + dir_ + "' names a missing chunk " + c);
    return s;
  }
  void save(const StreamState& s) const {
    Json j = {{"consumed", s.consumed}, {"chunks", s.chunks}};
    write_file_atomic(dir_ + "/checkpoint.json", j.dump());
  }
  void remove() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    remove_all(dir_);
  }

 private:
  std::string dir_;
  int fd_ = -1;
  bool locked_ = false;
};

std::string chunk_name(size_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "chunk-%05zu.parquet", index);
  return buf;
}

// Resuming needs the rows in the same order every time; executors otherwise let DuckDB
// reorder rows for speed. Restored when the task ends.
class OrderedReads {
 public:
  explicit OrderedReads(EngineConnection& con) : con_(con) {
    con_.execute("SET preserve_insertion_order = true");
  }
  ~OrderedReads() {
    try {
      con_.execute("SET preserve_insertion_order = false");
    } catch (const std::exception&) {
    }
  }

 private:
  EngineConnection& con_;
};

}  // namespace

int64_t run_stream(FunctionTask t) {
  auto fn = reinterpret_cast<BatchFunction>(resolve_code(t.params.function));
  const DataSet& input = t.task.inputs.at(0);
  const double interval = t.params.checkpoint_seconds;
  CheckpointDir checkpoints(t.task.checkpoint_dir);
  StreamState state;
  if (checkpoints.locked()) state = checkpoints.load();

  OrderedReads ordered(t.con);
  RowWriter writer(t.con);
  int64_t since = 0;  // input rows consumed since the last checkpoint
  double last = monotonic_seconds();
  auto checkpoint = [&] {
    if (!checkpoints.locked() || since == 0) return;
    std::string name = chunk_name(state.chunks.size());
    if (writer.has_columns()) {
      std::string staging = checkpoints.path() + "/.writing-" + name;
      if (writer.write(staging) > 0) {
        rename_file(staging, checkpoints.path() + "/" + name);
        state.chunks.push_back(name);
      } else {
        remove_all(staging);
      }
    }
    state.consumed += since;
    since = 0;
    checkpoints.save(state);
    last = monotonic_seconds();
  };

  bool known_columns = input.schema_known();
  if (known_columns) {
    std::string sql = input.sql();
    if (state.consumed > 0)
      sql = "SELECT * FROM (" + sql + ") OFFSET " + std::to_string(state.consumed);
    t.con.scan_batches(sql, static_cast<size_t>(t.params.batch_size), [&](const Batch& batch) {
      writer.add(fn(batch));
      since += static_cast<int64_t>(batch.num_rows());
      if (monotonic_seconds() - last >= interval) checkpoint();
    });
  }

  // The output: the checkpointed chunks (linked, not copied), then the rows since.
  std::vector<std::string> files;
  for (auto& chunk : state.chunks) {
    std::string file = t.task.staging_dir + "/" + chunk;
    link_or_copy(checkpoints.path() + "/" + chunk, file);
    files.push_back(file);
  }
  int64_t rows = 0;
  for (auto& f : files)
    rows += t.con.query_int("SELECT count(*) FROM read_parquet(" + sql_string(f) + ")");
  if (writer.has_columns()) {
    std::string file = t.task.staging_dir + "/" + chunk_name(state.chunks.size());
    int64_t tail = writer.write(file);
    if (tail > 0 || files.empty()) {
      files.push_back(file);
      rows += tail;
    } else {
      remove_all(file);
    }
  }
  t.outputs.push_back(DataSet::parquet_files(files, files.empty() ? "" : files.front()));
  // The staging directory now holds everything; it is published next.
  if (checkpoints.locked()) checkpoints.remove();
  return rows;
}

}  // namespace smallpond
