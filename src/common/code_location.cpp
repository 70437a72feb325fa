#include "common/code_location.h"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "smallpond/error.h"

namespace smallpond {

namespace {

constexpr size_t kFingerprintBytes = 16;

struct Search {
  uintptr_t address = 0;
  std::string name;  // in: for resolve; out: for locate
  uintptr_t base = 0;
  bool found = false;
  int index = 0;
};

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
  return {{"module", s.name}, {"offset", s.address - s.base}, {"code", fingerprint(fn)}};
}

const void* resolve_code(const Json& location) {
  Search s;
  s.name = location.at("module").get<std::string>();
  dl_iterate_phdr(find_named, &s);
  if (!s.found)
    throw ExecutionError("this process has not loaded '" + s.name +
                         "', which holds a function of the plan");
  const void* fn = reinterpret_cast<const void*>(s.base + location.at("offset").get<uintptr_t>());
  if (fingerprint(fn) != location.at("code").get<std::string>())
    throw ExecutionError(
        "a function of the plan is not at the same place here: executors must run the same build "
        "of the program as the driver");
  return fn;
}

}  // namespace smallpond
