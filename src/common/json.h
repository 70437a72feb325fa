#pragma once
// The JSON type used for manifests, task descriptions and the executor protocol.

#include <nlohmann/json.hpp>

namespace smallpond {
using Json = nlohmann::json;
}  // namespace smallpond
