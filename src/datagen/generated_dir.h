#pragma once
// A directory of generated data that appears complete or not at all, with a marker file that
// names the settings it was generated with, so that generating again with the same settings
// is a no-op and with other settings is refused (never a mix of both).

#include <functional>
#include <string>

namespace smallpond {

struct GeneratedDir {
  std::string dir;
  std::string dataset;     //!< "prices", for messages
  std::string marker;      //!< the marker's file name in dir, e.g. ".prices-spec"
  std::string settings;    //!< the marker's content: the settings, one line
  std::string old_prefix;  //!< files of this prefix without a marker count as this data set
};

//! Fills `spec.dir` by calling write(staging) on a fresh staging directory, then renaming it
//! into place (an empty directory is replaced). Returns false, writing nothing, when the
//! directory holds this data set with the same settings already; throws InvalidInputError when
//! it holds anything else. The staging directory is removed when write throws.
bool generate_dir(const GeneratedDir& spec, const std::function<void(const std::string&)>& write);

}  // namespace smallpond
