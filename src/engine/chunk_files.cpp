#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <string_view>

#include "common/os_error.h"
#include "duckdb/common/serializer/binary_deserializer.hpp"
#include "duckdb/common/serializer/binary_serializer.hpp"
#include "duckdb/common/serializer/memory_stream.hpp"
#include "engine/chunk_files_internal.h"
#include "engine/chunk_scan_internal.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

constexpr char kHeadMagic[] = "SPCHUNK1";
constexpr char kTailMagic[] = "SPCHUNKE";
constexpr size_t kMagicBytes = 8;
constexpr size_t kTailBytes = 8 + 8 + kMagicBytes;  // end marker, row count, magic
constexpr uint8_t kFlat = 0;
constexpr uint8_t kSerialized = 1;
// Rows buffered per bucket before they are written as a block: whole vectors for a few
// buckets, fewer for many, so that the buffers stay near 256K rows in all (at least 128 a
// bucket: 512K rows for 4096 buckets) ...
constexpr duckdb::idx_t kBufferedRows = 256 * 1024;
constexpr duckdb::idx_t kMinBlockRows = 128;
// ... and their values near 64 MiB in all, whatever the rows' width (a block is written early
// when its values pass their share, at least 64 KiB: 256 MiB for 4096 buckets).
constexpr size_t kBufferedBytes = 64 << 20;
constexpr size_t kMinBlockBytes = 64 << 10;

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));  // little-endian hosts only
}

// Fixed-width values, strings and blobs are written as they are; other types are serialised.
bool flat_encodable(const duckdb::LogicalType& type) {
  auto p = type.InternalType();
  return p == duckdb::PhysicalType::VARCHAR || duckdb::TypeIsConstantSize(p);
}

// One column of a block being filled (encoding 0): its validity, lengths (strings and blobs)
// and values, appended to straight from the query's vectors.
struct FlatColumn {
  bool strings = false;
  size_t width = 0;                // of a fixed-width value
  bool nulls = false;              // validity holds a NULL
  std::vector<uint64_t> validity;  // a bit per row, set for a value
  std::vector<uint32_t> lengths;
  std::string values;

  void clear() {
    nulls = false;
    validity.clear();
    lengths.clear();
    values.clear();
  }
  // Appends rows sel[0, count) of a vector in `format`; `rows` were there before.
  void append(const duckdb::UnifiedVectorFormat& format, const duckdb::sel_t* sel,
              duckdb::idx_t count, duckdb::idx_t rows) {
    validity.resize(duckdb::ValidityMask::EntryCount(rows + count), 0);
    if (strings) {
      auto data = duckdb::UnifiedVectorFormat::GetData<duckdb::string_t>(format);
      for (duckdb::idx_t i = 0; i < count; i++) {
        auto idx = format.sel->get_index(sel[i]);
        duckdb::idx_t row = rows + i;
        if (!format.validity.RowIsValid(idx)) {
          nulls = true;
          lengths.push_back(0);
          continue;
        }
        validity[row / 64] |= 1ULL << (row % 64);
        lengths.push_back(static_cast<uint32_t>(data[idx].GetSize()));
        values.append(data[idx].GetData(), data[idx].GetSize());
      }
      return;
    }
    for (duckdb::idx_t i = 0; i < count; i++) {
      auto idx = format.sel->get_index(sel[i]);
      duckdb::idx_t row = rows + i;
      if (format.validity.RowIsValid(idx))
        validity[row / 64] |= 1ULL << (row % 64);
      else
        nulls = true;
      values.append(reinterpret_cast<const char*>(format.data + idx * width), width);
    }
  }
  // The column's part of a block of `rows` rows.
  void encode(duckdb::idx_t rows, std::string& out) const {
    out.push_back(nulls ? 1 : 0);
    if (nulls)
      out.append(reinterpret_cast<const char*>(validity.data()),
                 duckdb::ValidityMask::EntryCount(rows) * 8);
    if (strings) out.append(reinterpret_cast<const char*>(lengths.data()), rows * sizeof(uint32_t));
    out.append(values);
  }
};

[[noreturn]] void damaged(const std::string& path, const std::string& why) {
  throw duckdb::IOException("chunk file '" + path + "' is damaged: " + why +
                            " (a task output of this job; its task runs again on the next run)");
}

// Reads a block's body into chunk (initialised with the file's types; reset here).
void decode_block(const std::string& path, const char* p, const char* end,
                  duckdb::DataChunk& chunk) {
  auto need = [&](size_t n) {
    if (static_cast<size_t>(end - p) < n) damaged(path, "a block ends early");
  };
  need(5);
  uint32_t rows = 0;
  std::memcpy(&rows, p, 4);
  uint8_t encoding = static_cast<uint8_t>(p[4]);
  p += 5;
  if (rows == 0 || rows > STANDARD_VECTOR_SIZE) damaged(path, "a block has a bad row count");
  chunk.Reset();
  if (encoding == kSerialized) {
    duckdb::MemoryStream stream(reinterpret_cast<duckdb::data_ptr_t>(const_cast<char*>(p)),
                                static_cast<duckdb::idx_t>(end - p));
    duckdb::BinaryDeserializer in(stream);
    duckdb::DataChunk read;
    in.Begin();
    read.Deserialize(in);
    in.End();
    if (read.size() != rows || read.ColumnCount() != chunk.ColumnCount())
      damaged(path, "a block does not match its header");
    chunk.Reference(read);
    return;
  }
  if (encoding != kFlat) damaged(path, "a block has an unknown encoding");
  for (auto& vector : chunk.data) {
    need(1);
    bool nulls = *p++ != 0;
    auto& validity = duckdb::FlatVector::Validity(vector);
    if (nulls) {
      size_t bytes = duckdb::ValidityMask::EntryCount(rows) * 8;
      need(bytes);
      validity.Initialize(STANDARD_VECTOR_SIZE);
      std::memcpy(validity.GetData(), p, bytes);
      p += bytes;
    }
    auto physical = vector.GetType().InternalType();
    if (physical == duckdb::PhysicalType::VARCHAR) {
      need(rows * sizeof(uint32_t));
      const char* lengths = p;
      p += rows * sizeof(uint32_t);
      // All the block's values of the column go into the vector's string heap at once, and
      // each string points into them (one copy, not an allocation per value); values of more
      // than 4 GiB in all (past a string's length) are added one by one.
      uint64_t total = 0;
      for (uint32_t i = 0; i < rows; i++) {
        uint32_t length = 0;
        std::memcpy(&length, lengths + i * sizeof(uint32_t), sizeof(uint32_t));
        total += length;
      }
      need(total);
      const char* values = p;
      const bool one_copy =
          total > duckdb::string_t::INLINE_LENGTH && total <= std::numeric_limits<uint32_t>::max();
      if (one_copy) {
        auto heap = duckdb::StringVector::EmptyString(vector, total);
        std::memcpy(heap.GetDataWriteable(), p, total);
        values = heap.GetData();
      }
      auto strings = duckdb::FlatVector::GetData<duckdb::string_t>(vector);
      for (uint32_t i = 0; i < rows; i++) {
        uint32_t length = 0;
        std::memcpy(&length, lengths + i * sizeof(uint32_t), sizeof(uint32_t));
        if (!nulls || validity.RowIsValid(i))
          strings[i] = one_copy ? duckdb::string_t(values, length)
                                : duckdb::StringVector::AddStringOrBlob(vector, values, length);
        values += length;
      }
      p += total;
    } else {
      size_t bytes = rows * duckdb::GetTypeIdSize(physical);
      need(bytes);
      std::memcpy(duckdb::FlatVector::GetData(vector), p, bytes);
      p += bytes;
    }
  }
  if (p != end) damaged(path, "a block is longer than its columns");
  chunk.SetCardinality(rows);
}

}  // namespace

// ---- writing ----

struct ChunkBucketWriter::Bucket {
  bool created = false;
  int64_t rows = 0;  // written to the file
  // Rows not written yet: as flat columns (encoding 0), or as a chunk (encoding 1).
  duckdb::idx_t buffered_rows = 0;
  std::vector<FlatColumn> columns;
  duckdb::DataChunk buffered;
};

ChunkBucketWriter::ChunkBucketWriter(std::string dir, int n, duckdb::vector<std::string> names,
                                     duckdb::vector<duckdb::LogicalType> types)
    : dir_(std::move(dir)), names_(std::move(names)), types_(std::move(types)), buckets_(n) {
  for (auto& t : types_) flat_ = flat_ && flat_encodable(t);
  header_.assign(kHeadMagic, kMagicBytes);
  put_serialized(header_, [&](duckdb::Serializer& s) {
    s.WriteProperty(100, "names", names_);
    s.WriteProperty(101, "types", types_);
  });
}

ChunkBucketWriter::~ChunkBucketWriter() = default;

std::string ChunkBucketWriter::bucket_path(const std::string& dir, int k) {
  return dir + "/" + std::to_string(k) + ".chunks";
}

std::string ChunkBucketWriter::schema_path(const std::string& dir) {
  return dir + "/schema.chunks";
}

// Opened for each block and closed again: a partition into thousands of buckets must not
// hold a descriptor per bucket. `create`: a new file (it must not exist), else appended to.
void ChunkBucketWriter::write_to(const std::string& path, bool create,
                                 std::initializer_list<std::string_view> parts) {
  int fd = create ? ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)
                  : ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw_os_error("cannot open '" + path + "'", errno);
  for (std::string_view part : parts) {
    const char* data = part.data();
    size_t size = part.size();
    while (size > 0) {
      ssize_t n = ::write(fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        throw_os_error("cannot write '" + path + "'", err);
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
  }
  if (::close(fd) != 0) throw_os_error("cannot write '" + path + "'", errno);
}

void ChunkBucketWriter::flush(Bucket& bucket, int k) {
  const duckdb::idx_t rows = bucket.buffered_rows;
  if (rows == 0) return;
  block_.clear();
  put<uint64_t>(block_, 0);  // the length, known below
  put<uint32_t>(block_, static_cast<uint32_t>(rows));
  if (flat_) {
    block_.push_back(static_cast<char>(kFlat));
    for (auto& column : bucket.columns) {
      column.encode(rows, block_);
      column.clear();
    }
  } else {
    block_.push_back(static_cast<char>(kSerialized));
    duckdb::MemoryStream stream;
    duckdb::BinarySerializer serializer(stream);
    serializer.Begin();
    bucket.buffered.Serialize(serializer);
    serializer.End();
    block_.append(reinterpret_cast<const char*>(stream.GetData()), stream.GetPosition());
    bucket.buffered.Reset();
  }
  uint64_t length = block_.size() - 8;
  std::memcpy(&block_[0], &length, 8);
  if (!bucket.created)
    write_to(bucket_path(k), true, {header_, block_});
  else
    write_to(bucket_path(k), false, {block_});
  bucket.created = true;
  bucket.rows += static_cast<int64_t>(rows);
  bucket.buffered_rows = 0;
}

void ChunkBucketWriter::append(duckdb::DataChunk& chunk, duckdb::idx_t bucket_column) {
  const duckdb::idx_t count = chunk.size();
  if (count == 0) return;
  const int n = static_cast<int>(buckets_.size());
  rows_by_bucket_.group(chunk, bucket_column, n);
  duckdb::SelectionVector& order = rows_by_bucket_.order;
  // The written columns: all but the bucket.
  duckdb::DataChunk columns;
  columns.InitializeEmpty(types_);
  for (duckdb::idx_t c = 0, out = 0; c < chunk.ColumnCount(); c++)
    if (c != bucket_column) columns.data[out++].Reference(chunk.data[c]);
  columns.SetCardinality(count);
  std::vector<duckdb::UnifiedVectorFormat> formats(flat_ ? types_.size() : 0);
  for (size_t c = 0; c < formats.size(); c++) columns.data[c].ToUnifiedFormat(count, formats[c]);
  const duckdb::idx_t capacity = std::min<duckdb::idx_t>(
      STANDARD_VECTOR_SIZE, std::max<duckdb::idx_t>(kMinBlockRows, kBufferedRows / n));
  const size_t max_bytes = std::max<size_t>(kMinBlockBytes, kBufferedBytes / n);
  rows_by_bucket_.for_each_run(count, [&](int b, duckdb::idx_t start, duckdb::idx_t end) {
    Bucket& bucket = buckets_[b];
    if (flat_ && bucket.columns.empty()) {
      bucket.columns.resize(types_.size());
      for (size_t c = 0; c < types_.size(); c++) {
        auto physical = types_[c].InternalType();
        bucket.columns[c].strings = physical == duckdb::PhysicalType::VARCHAR;
        if (!bucket.columns[c].strings) bucket.columns[c].width = duckdb::GetTypeIdSize(physical);
      }
    } else if (!flat_ && bucket.buffered.ColumnCount() == 0) {
      bucket.buffered.Initialize(duckdb::Allocator::DefaultAllocator(), types_, capacity);
    }
    while (start < end) {
      duckdb::idx_t take = std::min(end - start, capacity - bucket.buffered_rows);
      if (flat_) {
        for (size_t c = 0; c < formats.size(); c++)
          bucket.columns[c].append(formats[c], order.data() + start, take, bucket.buffered_rows);
      } else {
        duckdb::SelectionVector part(order.data() + start);
        bucket.buffered.Append(columns, false, &part, take);
      }
      bucket.buffered_rows += take;
      start += take;
      size_t bytes = 0;
      for (auto& column : bucket.columns) bytes += column.values.size();
      if (bucket.buffered_rows == capacity || bytes >= max_bytes) flush(bucket, b);
    }
  });
  rows_ += static_cast<int64_t>(count);
}

int64_t ChunkBucketWriter::finish() {
  auto end = [](int64_t rows) {
    std::string out;
    put<uint64_t>(out, 0);
    put<uint64_t>(out, static_cast<uint64_t>(rows));
    return out.append(kTailMagic, kMagicBytes);
  };
  bool any = false;
  for (int k = 0; k < static_cast<int>(buckets_.size()); k++) {
    Bucket& bucket = buckets_[k];
    flush(bucket, k);
    if (!bucket.created) continue;
    any = true;
    write_to(bucket_path(k), false, {end(bucket.rows)});
  }
  if (!any) write_to(schema_path(), true, {header_, end(0)});
  return rows_;
}

// ---- reading ----

namespace {

struct ChunkFile {
  std::string path;
  duckdb::vector<duckdb::LogicalType> types;
  uint64_t data_at = 0;  // offset of the first block's length
  uint64_t size = 0;
  int64_t rows = 0;
};

// Reads [offset, offset + n) of the file into out.
void read_at(duckdb::FileSystem& fs, duckdb::FileHandle& handle, uint64_t offset, size_t n,
             std::string& out) {
  out.resize(n);
  fs.Read(handle, &out[0], static_cast<int64_t>(n), offset);
}

ChunkFile open_chunk_file(duckdb::FileSystem& fs, const std::string& path,
                          duckdb::vector<std::string>* names) {
  ChunkFile file;
  file.path = path;
  auto handle = fs.OpenFile(path, duckdb::FileFlags::FILE_FLAGS_READ);
  file.size = static_cast<uint64_t>(fs.GetFileSize(*handle));
  if (file.size < kMagicBytes + 8 + kTailBytes) damaged(path, "it is too short");
  std::string bytes;
  read_at(fs, *handle, 0, kMagicBytes + 8, bytes);
  if (bytes.compare(0, kMagicBytes, kHeadMagic, kMagicBytes) != 0)
    throw duckdb::InvalidInputException("'" + path + "' is not a chunk file");
  uint64_t header = 0;
  std::memcpy(&header, &bytes[kMagicBytes], 8);
  if (header > file.size - kMagicBytes - 8 - kTailBytes) damaged(path, "its header ends early");
  read_at(fs, *handle, kMagicBytes + 8, header, bytes);
  duckdb::MemoryStream stream(reinterpret_cast<duckdb::data_ptr_t>(&bytes[0]), header);
  duckdb::BinaryDeserializer in(stream);
  in.Begin();
  auto read_names = in.ReadProperty<duckdb::vector<std::string>>(100, "names");
  file.types = in.ReadProperty<duckdb::vector<duckdb::LogicalType>>(101, "types");
  in.End();
  if (names) *names = std::move(read_names);
  file.data_at = kMagicBytes + 8 + header;
  read_at(fs, *handle, file.size - kTailBytes, kTailBytes, bytes);
  uint64_t marker = 0, rows = 0;
  std::memcpy(&marker, &bytes[0], 8);
  std::memcpy(&rows, &bytes[8], 8);
  if (marker != 0 || bytes.compare(16, kMagicBytes, kTailMagic, kMagicBytes) != 0)
    damaged(path, "it has no end (it was not written to the end)");
  file.rows = static_cast<int64_t>(rows);
  return file;
}

struct ChunkScanData : duckdb::TableFunctionData {
  std::vector<ChunkFile> files;
  duckdb::vector<duckdb::LogicalType> types;  // of the relation: every file's values fit
  int64_t rows = 0;
};

struct ChunkScanGlobal : duckdb::GlobalTableFunctionState {
  std::mutex mutex;
  size_t next = 0;
  duckdb::idx_t threads = 1;
  duckdb::idx_t MaxThreads() const override { return threads; }
};

struct ChunkScanLocal : duckdb::LocalTableFunctionState {
  const ChunkFile* file = nullptr;
  duckdb::unique_ptr<duckdb::FileHandle> handle;
  int64_t rows = 0;          // read from the file so far
  uint64_t offset = 0;       // of the next block's body
  uint64_t next_length = 0;  // of the next block; 0 at the end
  std::string bytes;
  duckdb::DataChunk chunk;  // in the file's types
  const duckdb::vector<duckdb::LogicalType>* chunk_types = nullptr;
};

duckdb::unique_ptr<duckdb::FunctionData> bind_chunks(duckdb::ClientContext& context,
                                                     duckdb::TableFunctionBindInput& input,
                                                     duckdb::vector<duckdb::LogicalType>& types,
                                                     duckdb::vector<std::string>& names) {
  auto data = duckdb::make_uniq<ChunkScanData>();
  auto& fs = duckdb::FileSystem::GetFileSystem(context);
  for (auto& v : duckdb::ListValue::GetChildren(input.inputs[0])) {
    std::string path = v.GetValue<std::string>();
    ChunkFile file = open_chunk_file(fs, path, data->files.empty() ? &names : nullptr);
    if (data->files.empty()) {
      data->types = file.types;
    } else if (!widen_types(data->types, file.types)) {
      throw duckdb::BinderException("chunk files '" + data->files[0].path + "' and '" + path +
                                    "' differ in their number of columns");
    }
    data->rows += file.rows;
    data->files.push_back(std::move(file));
  }
  if (data->files.empty()) throw duckdb::BinderException("no chunk file named");
  types = data->types;
  return std::move(data);
}

duckdb::unique_ptr<duckdb::GlobalTableFunctionState> init_chunks_global(
    duckdb::ClientContext&, duckdb::TableFunctionInitInput& input) {
  auto state = duckdb::make_uniq<ChunkScanGlobal>();
  state->threads = std::max<size_t>(1, input.bind_data->Cast<ChunkScanData>().files.size());
  return std::move(state);
}

duckdb::unique_ptr<duckdb::LocalTableFunctionState> init_chunks_local(
    duckdb::ExecutionContext&, duckdb::TableFunctionInitInput&, duckdb::GlobalTableFunctionState*) {
  return duckdb::make_uniq<ChunkScanLocal>();
}

duckdb::unique_ptr<duckdb::NodeStatistics> chunks_cardinality(duckdb::ClientContext&,
                                                              const duckdb::FunctionData* bind) {
  auto rows = static_cast<duckdb::idx_t>(bind->Cast<ChunkScanData>().rows);
  return duckdb::make_uniq<duckdb::NodeStatistics>(rows, rows);
}

void scan_chunks(duckdb::ClientContext& context, duckdb::TableFunctionInput& input,
                 duckdb::DataChunk& output) {
  auto& data = input.bind_data->Cast<ChunkScanData>();
  auto& global = input.global_state->Cast<ChunkScanGlobal>();
  auto& local = input.local_state->Cast<ChunkScanLocal>();
  auto& fs = duckdb::FileSystem::GetFileSystem(context);
  while (true) {
    if (!local.file) {
      {
        std::lock_guard<std::mutex> lock(global.mutex);
        if (global.next >= data.files.size()) {
          output.SetCardinality(0);
          return;
        }
        local.file = &data.files[global.next++];
      }
      local.handle = fs.OpenFile(local.file->path, duckdb::FileFlags::FILE_FLAGS_READ);
      if (static_cast<uint64_t>(fs.GetFileSize(*local.handle)) != local.file->size)
        damaged(local.file->path, "its size changed while it was read");
      read_at(fs, *local.handle, local.file->data_at, 8, local.bytes);
      std::memcpy(&local.next_length, local.bytes.data(), 8);
      local.offset = local.file->data_at + 8;
      if (local.chunk_types != &local.file->types) {
        local.chunk.Destroy();
        local.chunk.Initialize(context, local.file->types);
        local.chunk_types = &local.file->types;
      }
    }
    if (local.next_length == 0) {  // the end marker: where the file says, after all its rows
      if (local.offset - 8 != local.file->size - kTailBytes || local.rows != local.file->rows)
        damaged(local.file->path, "it ends early (" + std::to_string(local.rows) + " of " +
                                      std::to_string(local.file->rows) + " rows)");
      local.handle.reset();
      local.file = nullptr;
      local.rows = 0;
      continue;
    }
    const ChunkFile& file = *local.file;
    // The block, and the length of the one after it (the end marker follows the last block).
    // The end marker starts kTailBytes before the end: the block and the length after it must
    // end where it ends.
    const uint64_t limit = file.size - (kTailBytes - 8);
    if (local.offset + 8 > limit || local.next_length > limit - 8 - local.offset)
      damaged(file.path, "a block runs past the end");
    size_t length = static_cast<size_t>(local.next_length);
    read_at(fs, *local.handle, local.offset, length + 8, local.bytes);
    decode_block(file.path, local.bytes.data(), local.bytes.data() + length, local.chunk);
    std::memcpy(&local.next_length, local.bytes.data() + length, 8);
    local.offset += length + 8;
    local.rows += static_cast<int64_t>(local.chunk.size());
    emit_chunk(context, local.chunk, file.types, output);  // local.chunk lives until the next call
    return;
  }
}

}  // namespace

void register_chunk_file_scan(duckdb::DuckDB& db) {
  duckdb::TableFunction fn("__smallpond_chunks",
                           {duckdb::LogicalType::LIST(duckdb::LogicalType::VARCHAR)}, scan_chunks,
                           bind_chunks, init_chunks_global, init_chunks_local);
  fn.cardinality = chunks_cardinality;
  register_table_function(db, fn);
}

}  // namespace smallpond
