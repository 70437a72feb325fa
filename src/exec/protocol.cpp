#include "exec/protocol.h"

#include "smallpond/error.h"

namespace smallpond {

static Json datasets_to_json(const std::vector<DataSet>& sets) {
  Json j = Json::array();
  for (auto& d : sets) j.push_back(d.to_json());
  return j;
}

static std::vector<DataSet> datasets_from_json(const Json& j) {
  std::vector<DataSet> out;
  for (auto& d : j) out.push_back(DataSet::from_json(d));
  return out;
}

Json TaskAssignment::to_json() const {
  return {{"job", job},
          {"task_id", task_id},
          {"attempt", attempt},
          {"kind", task_kind_name(kind)},
          {"label", label},
          {"key", key},
          {"params", params},
          {"inputs", datasets_to_json(inputs)},
          {"staging_dir", staging_dir},
          {"final_dir", final_dir},
          {"checkpoint_dir", checkpoint_dir},
          {"delivered", delivered},
          {"threads", limits.threads},
          {"memory_limit", limits.memory_limit},
          {"temp_directory", limits.temp_directory},
          {"sandbox", limits.sandbox},
          {"fault_probability", fault_probability},
          {"memory_output_bytes", memory_output_bytes},
          {"intermediate", intermediate},
          {"flush_output", flush_output},
          {"attachments", attachments}};
}

TaskAssignment TaskAssignment::from_json(const Json& j) {
  TaskAssignment a;
  a.job = j.at("job");
  a.task_id = j.at("task_id");
  a.attempt = j.at("attempt");
  a.kind = task_kind_from_name(j.at("kind"));
  a.label = j.at("label");
  a.key = j.at("key");
  a.params = j.at("params");
  a.inputs = datasets_from_json(j.at("inputs"));
  a.staging_dir = j.at("staging_dir");
  a.final_dir = j.at("final_dir");
  a.checkpoint_dir = j.value("checkpoint_dir", "");
  a.delivered = j.value("delivered", std::vector<std::string>{});
  a.limits.threads = j.at("threads");
  a.limits.memory_limit = j.at("memory_limit");
  a.limits.temp_directory = j.at("temp_directory");
  a.limits.sandbox = j.value("sandbox", false);
  a.fault_probability = j.value("fault_probability", 0.0);
  a.memory_output_bytes = j.value("memory_output_bytes", int64_t(0));
  a.intermediate = j.value("intermediate", false);
  a.flush_output = j.value("flush_output", false);
  a.attachments = j.value("attachments", Json::object());
  return a;
}

Json TaskOutcome::to_json() const {
  return {{"job", job},
          {"task_id", task_id},
          {"attempt", attempt},
          {"ok", ok},
          {"outputs", datasets_to_json(outputs)},
          {"rows", rows},
          {"seconds", seconds},
          {"error", error},
          {"code", error_code_name(code)},
          {"memory_bytes", memory_bytes}};
}

TaskOutcome TaskOutcome::from_json(const Json& j) {
  TaskOutcome o;
  o.job = j.at("job");
  o.task_id = j.at("task_id");
  o.attempt = j.at("attempt");
  o.ok = j.at("ok");
  o.outputs = datasets_from_json(j.at("outputs"));
  o.rows = j.at("rows");
  o.seconds = j.at("seconds");
  o.error = j.at("error");
  o.code = error_code_from_name(j.at("code"));
  o.memory_bytes = j.value("memory_bytes", int64_t(0));
  return o;
}

namespace {

// A message is framed as an 8-byte little-endian length, a JSON text header, then the raw bytes
// of its binary values, each replaced in the header by
// {"__smallpond_bytes__": [offset, size]}.
const char* const kBytesKey = "__smallpond_bytes__";

Json split_binary(const Json& j, std::vector<const Json::binary_t*>& blobs, uint64_t& offset) {
  if (j.is_binary()) {
    blobs.push_back(&j.get_binary());
    Json ref = {{kBytesKey, {offset, j.get_binary().size()}}};
    offset += j.get_binary().size();
    return ref;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (auto& [k, v] : j.items()) out[k] = split_binary(v, blobs, offset);
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (auto& v : j) out.push_back(split_binary(v, blobs, offset));
    return out;
  }
  return j;
}

void join_binary(Json& j, const char* data, uint64_t size) {
  if (j.is_object() && j.size() == 1 && j.contains(kBytesKey)) {
    uint64_t off = j[kBytesKey].at(0), len = j[kBytesKey].at(1);
    if (off > size || len > size - off)
      throw InternalError("malformed message: bytes out of range");
    j = Json::binary(Json::binary_t::container_type(data + off, data + off + len));
    return;
  }
  if (j.is_structured())
    for (auto& v : j) join_binary(v, data, size);
}

}  // namespace

std::string encode_message(const Json& message) {
  std::vector<const Json::binary_t*> blobs;
  uint64_t total = 0;
  std::string header = split_binary(message, blobs, total).dump();
  std::string out;
  out.reserve(8 + header.size() + total);
  for (int i = 0; i < 8; i++) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  out += header;
  for (auto* b : blobs) out.append(reinterpret_cast<const char*>(b->data()), b->size());
  return out;
}

Json decode_message(const std::string& bytes) {
  if (bytes.size() < 8) throw InternalError("malformed message: too short");
  uint64_t len = 0;
  for (int i = 0; i < 8; i++) len |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (len > bytes.size() - 8) throw InternalError("malformed message: header out of range");
  Json j = Json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(len));
  join_binary(j, bytes.data() + 8 + len, bytes.size() - 8 - len);
  return j;
}

Json binary_value(const std::string& bytes) {
  return Json::binary(Json::binary_t::container_type(bytes.begin(), bytes.end()));
}

std::string binary_bytes(const Json& value) {
  const auto& b = value.get_binary();
  return std::string(b.begin(), b.end());
}

Json reference_attachment(Json reference) { return {{"object_reference", std::move(reference)}}; }

bool is_reference_attachment(const Json& attachment) {
  return attachment.is_object() && attachment.contains("object_reference");
}

std::string attachment_reference(const Json& attachment) {
  return binary_bytes(attachment.at("object_reference"));
}

}  // namespace smallpond
