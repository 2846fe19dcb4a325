// Finds, loads and checks provider plugins. A plugin that fails any check is refused with a
// reason naming the check and both values; the host keeps running. Loaded plugins are never
// unloaded while the process runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "p88/plugin.h"

namespace p88::plugins {

struct PluginStream {
  std::string name;
  uint32_t modes = 0;  // P88_MODE_* bits
  uint32_t scope = 0;  // p88_stream_scope
};

// ABI 1.2: a stream whose incremental syncs of several events may be one run.
struct PluginCoalescing {
  std::string stream;
  uint32_t group = 0;       // P88_COALESCE_*
  uint32_t max_events = 0;  // 0: no limit of the plugin's
  uint32_t modes = P88_MODE_INCREMENTAL;  // P88_MODE_* whose runs may be coalesced
};

struct PluginEntry {
  std::string path;                    // the file as found
  bool ok = false;
  std::string refusal;                 // why it was refused, when !ok
  const p88_plugin_descriptor* descriptor = nullptr;  // when ok: valid for the process lifetime
  // What the descriptor said, copied for listing (also for refused plugins, as far as it was read).
  std::string name, slug, version, build_id, default_base_url;
  uint32_t abi_major = 0, abi_minor = 0, auth_kind = 0, calls_per_hour = 0, capabilities = 0;
  std::vector<PluginStream> streams;
  std::vector<PluginCoalescing> coalescing;
  // The coalescing of `stream`, or nullptr when its syncs run one event at a time.
  const PluginCoalescing* coalescingOf(const std::string& stream) const {
    for (const auto& c : coalescing)
      if (c.stream == stream) return &c;
    return nullptr;
  }
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads every *.so in each directory (in name order, directories in the order given). A
  // missing directory is skipped; a directory writable by other users refuses all of its files.
  void scan(const std::vector<std::string>& directories);
  // Loads one file.
  const PluginEntry& load(const std::string& path);

  const std::vector<PluginEntry>& entries() const { return entries_; }
  const PluginEntry* find(const std::string& provider_name) const;
  bool allLoaded() const;

 private:
  struct Libraries;
  std::unique_ptr<Libraries> libraries_;
  std::vector<PluginEntry> entries_;
};

// The default search path: <exe dir>/plugins (build tree), <exe dir>/../lib/p88/plugins and the
// configured install directory (installed layouts), without duplicates.
std::vector<std::string> defaultPluginDirectories();

// "api-key", "oauth2", "jwt", "none"
const char* authKindName(uint32_t kind);
// "events[full] participants[full,incremental]"
std::string describeStreams(const std::vector<PluginStream>& streams,
                            const std::vector<PluginCoalescing>& coalescing = {});

}  // namespace p88::plugins
