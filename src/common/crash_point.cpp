#include "common/crash_point.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace smallpond {

namespace {
// Whether the variable names this point and this process is the first to reach it.
bool first_at(const char* variable, const char* point) {
  const char* spec = std::getenv(variable);
  if (spec == nullptr || *spec == '\0') return false;
  const char* colon = std::strchr(spec, ':');
  if (colon == nullptr) return false;
  if (std::string(spec, colon) != point) return false;
  // O_EXCL: of processes reaching the point at once, exactly one is first.
  int fd = ::open(colon + 1, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}
}  // namespace

void crash_point(const char* point) {
  if (first_at("SMALLPOND_CRASH_POINT", point)) ::kill(::getpid(), SIGKILL);
}

bool fault_point(const char* point) { return first_at("SMALLPOND_FAULT_POINT", point); }

}  // namespace smallpond
