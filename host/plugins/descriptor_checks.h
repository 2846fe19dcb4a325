// The checks a plugin's descriptor must pass before the host uses it. Pure: unit-tested with
// hand-made descriptors, and end to end with real broken .so files.
#pragma once

#include <optional>
#include <string>

#include "p88/plugin.h"

namespace p88::plugins {

// Why the descriptor is refused (naming the field and both values), or nullopt.
std::optional<std::string> checkDescriptor(const p88_plugin_descriptor* d);

// The modes whose runs a coalescing allows: its `modes` when the plugin's struct has the field
// and sets it, P88_MODE_INCREMENTAL otherwise.
inline uint32_t coalescingModes(const p88_coalescing& c) {
  return c.struct_size >= offsetof(p88_coalescing, modes) + sizeof(uint32_t) && c.modes != 0 ? c.modes
                                                                                              : P88_MODE_INCREMENTAL;
}

}  // namespace p88::plugins
