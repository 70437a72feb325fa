// Arrow in and out of a session through the Arrow C stream interface: DataFrame::to_arrow hands
// the result's partitions, in order, as one stream of record batches that DuckDB converts as
// the consumer pulls them; Session::from_arrow stores a stream as a Parquet source.
#include <cerrno>
#include <cstdio>

#include "api/session_state.h"
#include "engine/engine.h"
#include "io/file_fingerprint.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "logical/node.h"
#include "smallpond/session.h"

namespace smallpond {

namespace {

// Rows per record batch: large enough that per-batch costs vanish, small enough to stream.
constexpr size_t kArrowBatchRows = 1 << 20;

// One stream over several queries (the partitions), one after another: each query's own
// DuckDB stream is opened when the previous one ends. It keeps the session (its engine) and
// the connection alive until it is released.
struct PartitionStream {
  std::shared_ptr<SessionState> session;
  std::unique_ptr<EngineConnection> con;
  std::vector<std::string> queries;  // one per partition with rows or columns
  std::string schema_query;          // the columns, no rows
  size_t next = 0;
  ArrowArrayStream current{};  // the open partition's stream (release == nullptr: none)
  std::string error;

  ~PartitionStream() { close_current(); }

  void close_current() {
    if (current.release) current.release(&current);
    current.release = nullptr;
  }

  // Runs fn; an exception becomes an errno-style code with its message kept for
  // get_last_error (nothing may escape through a C callback).
  template <class F>
  int guarded(F&& fn) {
    try {
      return fn();
    } catch (const std::exception& e) {
      error = e.what();
      return EIO;
    }
  }

  int take_error(ArrowArrayStream& s, int rc) {
    if (rc == 0) return 0;
    const char* message = s.get_last_error ? s.get_last_error(&s) : nullptr;
    error = message ? message : "reading the result failed";
    return rc;
  }

  int get_schema(ArrowSchema* out) {
    return guarded([&] {
      ArrowArrayStream s{};
      con->export_arrow_stream(schema_query, kArrowBatchRows, &s);
      int rc = take_error(s, s.get_schema(&s, out));
      s.release(&s);
      return rc;
    });
  }

  int get_next(ArrowArray* out) {
    return guarded([&] {
      while (true) {
        if (!current.release) {
          if (next == queries.size()) {
            out->release = nullptr;  // the end
            return 0;
          }
          con->export_arrow_stream(queries[next++], kArrowBatchRows, &current);
        }
        int rc = take_error(current, current.get_next(&current, out));
        if (rc != 0) return rc;
        if (out->release) return 0;
        close_current();  // this partition is done: on to the next
      }
    });
  }
};

PartitionStream& stream_of(ArrowArrayStream* s) {
  return *static_cast<PartitionStream*>(s->private_data);
}

int stream_get_schema(ArrowArrayStream* s, ArrowSchema* out) {
  return stream_of(s).get_schema(out);
}
int stream_get_next(ArrowArrayStream* s, ArrowArray* out) { return stream_of(s).get_next(out); }
const char* stream_last_error(ArrowArrayStream* s) {
  auto& error = stream_of(s).error;
  return error.empty() ? nullptr : error.c_str();
}
void stream_release(ArrowArrayStream* s) {
  delete static_cast<PartitionStream*>(s->private_data);
  s->release = nullptr;
}

}  // namespace

void DataFrame::to_arrow(ArrowArrayStream* out) const {
  if (out == nullptr) throw InvalidInputError("to_arrow: no stream to fill");
  auto result = session_->run({node_});
  auto stream = std::make_unique<PartitionStream>();
  for (const DataSet* p : result.partitions()) {
    const DataSet& part = *p;
    if (!part.schema_known()) continue;
    if (stream->schema_query.empty())
      stream->schema_query = "SELECT * FROM (" + part.sql() + ") LIMIT 0";
    if (!part.empty()) stream->queries.push_back(part.sql());
  }
  if (stream->schema_query.empty())
    throw InvalidInputError("to_arrow: the result has no partition with known columns");
  stream->session = session_;
  stream->con = session_->runner.local_engine().connect();
  out->get_schema = stream_get_schema;
  out->get_next = stream_get_next;
  out->get_last_error = stream_last_error;
  out->release = stream_release;
  out->private_data = stream.release();
}

DataFrame Session::from_arrow(ArrowArrayStream* stream) const {
  if (stream == nullptr || stream->release == nullptr)
    throw InvalidInputError("from_arrow: the Arrow stream is missing or already released");
  // Ours from here: released whatever happens.
  struct Owned {
    ArrowArrayStream* s;
    ~Owned() {
      if (s->release) s->release(s);
    }
  } owned{stream};
  auto fail = [&](int rc, const char* what) {
    const char* message = stream->get_last_error ? stream->get_last_error(stream) : nullptr;
    throw InvalidInputError(std::string("from_arrow: ") + what + " failed (" +
                            (message ? message : "error " + std::to_string(rc)) + ")");
  };
  JobDir::prepare(state_->options.job_dir);
  std::string dir = state_->options.job_dir + "/sources";
  make_dirs(dir);
  std::string staging = dir + "/.arrow-" + unique_suffix() + ".parquet";
  std::string path;
  try {
    auto con = state_->runner.local_engine().connect();
    auto sink = con->create_arrow_sink();
    while (true) {
      ArrowArray array{};
      if (int rc = stream->get_next(stream, &array)) fail(rc, "reading the next batch");
      if (!array.release) break;
      ArrowSchema schema{};  // the sink takes a schema with every array
      if (int rc = stream->get_schema(stream, &schema)) {
        array.release(&array);
        fail(rc, "reading the schema");
      }
      sink->append(&schema, &array);
    }
    if (!sink->has_columns()) {
      // No batch at all: the columns come from the schema, as one empty batch.
      ArrowSchema schema{};
      if (int rc = stream->get_schema(stream, &schema)) fail(rc, "reading the schema");
      sink->append(&schema, nullptr);
    }
    sink->write_parquet(staging);
    // Named by its content (the footer's hash), so the same data gives the same source.
    FileFingerprint fp = file_fingerprint(staging);
    path = dir + "/arrow-" + std::to_string(fp.size) + "-" + fp.hash + ".parquet";
    rename_file(staging, path);
  } catch (...) {
    remove_all(staging);
    throw;
  }
  auto node = state_->new_node(NodeKind::DataSource, "from_arrow");
  node->patterns = {path};
  node->source_options.format = FileFormat::Parquet;
  return DataFrame(state_, node);
}

}  // namespace smallpond
