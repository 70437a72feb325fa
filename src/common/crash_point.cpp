#include "common/crash_point.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace smallpond {

void crash_point(const char* point) {
  static const char* spec = std::getenv("SMALLPOND_CRASH_POINT");
  if (spec == nullptr || *spec == '\0') return;
  const char* colon = std::strchr(spec, ':');
  if (colon == nullptr) return;
  if (std::string(spec, colon) != point) return;
  // O_EXCL: of processes reaching the point at once, exactly one dies.
  int fd = ::open(colon + 1, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return;
  ::close(fd);
  ::kill(::getpid(), SIGKILL);
}

}  // namespace smallpond
