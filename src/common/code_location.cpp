#include "common/code_location.h"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>

#include "common/strings.h"
#include "common/system.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

constexpr size_t kFingerprintBytes = 16;

struct Search {
  uintptr_t address = 0;
  std::string name;  // in: for resolve; out: for locate
  uintptr_t base = 0;
  std::string build;  // out: the object's build id
  bool found = false;
  int index = 0;
};

// The GNU build id in the object's PT_NOTE segments (as loaded), as hex; "" when it has none.
std::string build_id_of(struct dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const auto* end = at + ph.p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(at);
      const unsigned char* name = at + sizeof(ElfW(Nhdr));
      const unsigned char* desc = name + ((note->n_namesz + 3) & ~3u);
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && desc + note->n_descsz <= end) {
        std::string hex;
        char buf[3];
        for (size_t b = 0; b < note->n_descsz; b++) {
          std::snprintf(buf, sizeof buf, "%02x", desc[b]);
          hex += buf;
        }
        return hex;
      }
      at = desc + ((note->n_descsz + 3) & ~3u);
    }
  }
  return "";
}

// The object's identity: its build id, or a hash of its file. Computed once per object.
std::string build_of(struct dl_phdr_info* info, const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::string> known;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = known.find(name);
  if (it != known.end()) return it->second;
  std::string id = build_id_of(info);
  if (id.empty()) {
    std::ifstream in(name.empty() ? "/proc/self/exe" : name, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    id = "file:" + stable_hash(bytes);
  }
  return known[name] = id;
}

// The loaded object whose PT_LOAD segments contain search->address. The first object listed
// is the program itself; it is named "" (its path differs between processes, e.g. /proc/self/exe).
int find_containing(struct dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<Search*>(data);
  int index = s->index++;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    if (s->address >= begin && s->address < begin + ph.p_memsz) {
      s->name = index == 0 ? "" : info->dlpi_name;
      s->base = info->dlpi_addr;
      s->build = build_of(info, s->name);
      s->found = true;
      return 1;
    }
  }
  return 0;
}

int find_named(struct dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<Search*>(data);
  int index = s->index++;
  std::string name = index == 0 ? "" : info->dlpi_name;
  if (name != s->name) return 0;
  s->base = info->dlpi_addr;
  s->build = build_of(info, name);
  s->found = true;
  return 1;
}

std::string fingerprint(const void* code) {
  const auto* bytes = static_cast<const unsigned char*>(code);
  std::string hex;
  char buf[3];
  for (size_t i = 0; i < kFingerprintBytes; i++) {
    std::snprintf(buf, sizeof buf, "%02x", bytes[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace

Json locate_code(const void* fn) {
  Search s;
  s.address = reinterpret_cast<uintptr_t>(fn);
  dl_iterate_phdr(find_containing, &s);
  if (!s.found)
    throw InvalidInputError("a plan function is not code of this program or a loaded library");
  std::string args;
  auto argv = own_command_line();
  for (size_t i = 1; i < argv.size(); i++) args += argv[i] + '\0';
  return {{"module", s.name},
          {"offset", s.address - s.base},
          {"code", fingerprint(fn)},
          {"build", s.build},
          {"args", stable_hash(args)}};
}

const void* resolve_code(const Json& location) {
  Search s;
  s.name = location.at("module").get<std::string>();
  dl_iterate_phdr(find_named, &s);
  if (!s.found)
    throw ExecutionError("this process has not loaded '" + s.name +
                         "', which holds a function of the plan");
  const void* fn = reinterpret_cast<const void*>(s.base + location.at("offset").get<uintptr_t>());
  if (s.build != location.value("build", s.build) ||
      fingerprint(fn) != location.at("code").get<std::string>())
    throw ExecutionError(
        "a function of the plan is not at the same place here: executors must run the same build "
        "of the program as the driver");
  return fn;
}

}  // namespace smallpond
