#include "datagen/generated_dir.h"

#include "common/system.h"
#include "io/filesystem.h"
#include "io/publish.h"
#include "smallpond/error.h"

namespace smallpond {

bool generate_dir(const GeneratedDir& spec, const std::function<void(const std::string&)>& write) {
  const std::string& dir = spec.dir;
  if (path_exists(dir) && !list_files_recursive(dir).empty()) {
    std::string marker = dir + "/" + spec.marker;
    if (!path_exists(marker)) {
      bool only_ours = !spec.old_prefix.empty();  // what versions before the marker wrote
      for (auto& f : list_files_recursive(dir))
        only_ours = only_ours && f.compare(0, spec.old_prefix.size(), spec.old_prefix) == 0;
      if (only_ours) return false;
      throw InvalidInputError("'" + dir +
                              "' exists and holds other files; choose a new or empty directory");
    }
    std::string had = read_file(marker);
    if (had != spec.settings + "\n")
      throw InvalidInputError("'" + dir + "' holds " + spec.dataset +
                              " generated with other settings (" + had.substr(0, had.size() - 1) +
                              "); remove it or choose another");
    return false;  // the same data: nothing to do
  }
  std::string staging = dir + ".generating-" + unique_suffix();
  make_dirs(staging);
  try {
    write(staging);
    write_file_atomic(staging + "/" + spec.marker, spec.settings + "\n");
    replace_directory(staging, dir);
  } catch (...) {
    remove_all(staging);
    throw;
  }
  return true;
}

}  // namespace smallpond
