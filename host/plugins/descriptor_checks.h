// The checks a plugin's descriptor must pass before the host uses it. Pure: unit-tested with
// hand-made descriptors, and end to end with real broken .so files.
#pragma once

#include <optional>
#include <string>

#include "p88/plugin.h"

namespace p88::plugins {

// Why the descriptor is refused (naming the field and both values), or nullopt.
std::optional<std::string> checkDescriptor(const p88_plugin_descriptor* d);

}  // namespace p88::plugins
