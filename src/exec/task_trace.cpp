#include "exec/task_trace.h"

#include <ctime>

#include "io/filesystem.h"

namespace smallpond {

namespace {

// A CSV field: quoted when it holds a comma, quote or line break.
std::string csv(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

TaskTrace::TaskTrace(const std::string& log_dir) {
  // Named by start time (to the millisecond, so that names sort by time) and this process.
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  std::tm tm{};
  gmtime_r(&now.tv_sec, &tm);
  char stamp[48];
  size_t n = std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", now.tv_nsec / 1000000);
  path_ = log_dir + "/tasks-" + stamp + "-" + unique_suffix() + ".csv";
  try {
    make_dirs(log_dir);
    file_ = std::fopen(path_.c_str(), "w");
  } catch (const std::exception&) {
    file_ = nullptr;
  }
  if (!file_) {
    std::fprintf(stderr, "[smallpond] warning: cannot write the task trace '%s'\n", path_.c_str());
    return;
  }
  std::fputs("step,task,kind,attempt,executor,status,output,rows,bytes,seconds,sent,ended,error\n",
             file_);
  std::fflush(file_);
}

TaskTrace::~TaskTrace() {
  if (file_) std::fclose(file_);
}

void TaskTrace::record(const Entry& e) {
  if (!file_) return;
  auto at = [](double t) {
    char text[32] = "";
    if (t >= 0) std::snprintf(text, sizeof text, "%.4f", t);
    return std::string(text);
  };
  std::fprintf(file_, "%s,%s,%s,%d,%d,%s,%s,%lld,%lld,%.3f,%s,%s,%s\n", csv(e.step).c_str(),
               csv(e.task).c_str(), e.kind, e.attempt, e.executor, e.status, e.output,
               static_cast<long long>(e.rows), static_cast<long long>(e.bytes), e.seconds,
               at(e.sent).c_str(), at(e.ended).c_str(), csv(e.error).c_str());
  std::fflush(file_);  // readable while the job runs, complete if it is killed
}

}  // namespace smallpond
