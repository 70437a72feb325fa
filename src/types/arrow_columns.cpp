#include "smallpond/arrow_columns.h"

#include "smallpond/error.h"

namespace smallpond {

// One column's buffers, in the layout the Arrow specification gives its type.
struct ArrowColumns::Column {
  std::string name;
  const char* format = "";  // "l" int64, "g" float64, "u" utf8
  int64_t length = 0;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<int32_t> offsets;  // utf8: length + 1 offsets into chars
  std::string chars;
  const void* buffers[3] = {nullptr, nullptr, nullptr};  // validity (none), values / offsets, data
};

namespace {

// What the exported struct array owns: the columns and the structs that point into them.
struct Exported {
  std::vector<std::unique_ptr<ArrowColumns::Column>> columns;
  std::vector<ArrowArray> child_arrays;
  std::vector<ArrowArray*> child_array_ptrs;
  std::vector<ArrowSchema> child_schemas;
  std::vector<ArrowSchema*> child_schema_ptrs;
  const void* parent_buffers[1] = {nullptr};
};

// Children are released with their parent; their own release only marks them released.
void release_child_array(ArrowArray* a) { a->release = nullptr; }
void release_child_schema(ArrowSchema* s) { s->release = nullptr; }

void release_array(ArrowArray* a) {
  delete static_cast<Exported*>(a->private_data);
  a->release = nullptr;
}

// The schema shares the names and formats owned by the array's holder; it owns nothing itself
// beyond the vector of child pointers.
struct SchemaHolder {
  std::vector<ArrowSchema> children;
  std::vector<ArrowSchema*> pointers;
  std::vector<std::string> names;
};

void release_schema(ArrowSchema* s) {
  delete static_cast<SchemaHolder*>(s->private_data);
  s->release = nullptr;
}

}  // namespace

ArrowColumns::ArrowColumns() = default;
ArrowColumns::~ArrowColumns() = default;

size_t ArrowColumns::num_rows() const {
  return columns_.empty() ? 0 : static_cast<size_t>(columns_.front()->length);
}
size_t ArrowColumns::num_columns() const { return columns_.size(); }

void ArrowColumns::add_column(std::unique_ptr<Column> column) {
  if (!columns_.empty() && column->length != columns_.front()->length)
    throw InvalidInputError("ArrowColumns: column '" + column->name + "' has " +
                            std::to_string(column->length) + " values, the others " +
                            std::to_string(columns_.front()->length));
  columns_.push_back(std::move(column));
}

ArrowColumns& ArrowColumns::add(const std::string& name, std::vector<int64_t> values) {
  auto c = std::make_unique<Column>();
  c->name = name;
  c->format = "l";
  c->length = static_cast<int64_t>(values.size());
  c->ints = std::move(values);
  c->buffers[1] = c->ints.data();
  add_column(std::move(c));
  return *this;
}

ArrowColumns& ArrowColumns::add(const std::string& name, std::vector<double> values) {
  auto c = std::make_unique<Column>();
  c->name = name;
  c->format = "g";
  c->length = static_cast<int64_t>(values.size());
  c->doubles = std::move(values);
  c->buffers[1] = c->doubles.data();
  add_column(std::move(c));
  return *this;
}

ArrowColumns& ArrowColumns::add(const std::string& name, const std::vector<std::string>& values) {
  auto c = std::make_unique<Column>();
  c->name = name;
  c->format = "u";
  c->length = static_cast<int64_t>(values.size());
  c->offsets.reserve(values.size() + 1);
  c->offsets.push_back(0);
  for (auto& v : values) {
    c->chars += v;
    if (c->chars.size() > static_cast<size_t>(INT32_MAX))
      throw InvalidInputError("ArrowColumns: column '" + name + "' holds more than 2 GiB of text");
    c->offsets.push_back(static_cast<int32_t>(c->chars.size()));
  }
  c->buffers[1] = c->offsets.data();
  c->buffers[2] = c->chars.data();
  add_column(std::move(c));
  return *this;
}

void ArrowColumns::export_arrow(ArrowSchema* schema, ArrowArray* array) {
  int64_t length = static_cast<int64_t>(num_rows());
  size_t n = columns_.size();
  auto data = std::make_unique<Exported>();
  auto names = std::make_unique<SchemaHolder>();
  data->columns = std::move(columns_);
  columns_.clear();
  data->child_arrays.resize(n);
  data->child_schemas.resize(n);
  names->children.resize(n);
  for (size_t i = 0; i < n; i++) {
    Column& c = *data->columns[i];
    int64_t n_buffers = c.format[0] == 'u' ? 3 : 2;
    data->child_arrays[i] = {c.length,  0,       0,       n_buffers,           0,
                             c.buffers, nullptr, nullptr, release_child_array, nullptr};
    names->names.push_back(c.name);
  }
  for (size_t i = 0; i < n; i++) {
    names->children[i] = {data->columns[i]->format,
                          names->names[i].c_str(),
                          nullptr,
                          ARROW_FLAG_NULLABLE,
                          0,
                          nullptr,
                          nullptr,
                          release_child_schema,
                          nullptr};
    data->child_array_ptrs.push_back(&data->child_arrays[i]);
    names->pointers.push_back(&names->children[i]);
  }
  // The formats are string literals, so the schema does not depend on the array's lifetime.
  *array = {length,
            0,
            0,
            1,
            static_cast<int64_t>(n),
            data->parent_buffers,
            n ? data->child_array_ptrs.data() : nullptr,
            nullptr,
            release_array,
            data.get()};
  *schema = {"+s",
             "",
             nullptr,
             0,
             static_cast<int64_t>(n),
             n ? names->pointers.data() : nullptr,
             nullptr,
             release_schema,
             names.get()};
  static_cast<void>(data.release());   // owned by the array now, freed by its release
  static_cast<void>(names.release());  // ... and by the schema's
}

}  // namespace smallpond
