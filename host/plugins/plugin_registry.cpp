#include "plugins/plugin_registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "logging/logging.h"
#include "plugins/descriptor_checks.h"

#ifndef P88_PLUGIN_INSTALL_FULL_DIR
#define P88_PLUGIN_INSTALL_FULL_DIR "/usr/lib/p88/plugins"
#endif

namespace fs = std::filesystem;

namespace p88::plugins {

// Every library ever loaded, held in storage that is never destroyed: a plugin is never
// unloaded while the process runs, whatever happens to the registry that loaded it (a descriptor
// or a string it handed out stays valid).
struct PluginRegistry::Libraries {
  void keep(boost::dll::shared_library&& lib) {
    static auto* forever = new std::vector<boost::dll::shared_library>();
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    forever->push_back(std::move(lib));
  }
};

namespace {

std::string octal(unsigned mode) {
  std::ostringstream s;
  s << '0' << std::oct << (mode & 07777);
  return s.str();
}

// "writable by other users" for the file or the directory holding it.
std::optional<std::string> checkPermissions(const fs::path& file) {
  struct stat st {};
  for (const fs::path& p : {file.parent_path().empty() ? fs::path(".") : file.parent_path(), file}) {
    if (::stat(p.c_str(), &st) != 0)
      return "cannot stat " + p.string() + ": " + std::strerror(errno);
    if (st.st_mode & S_IWOTH)
      return std::string(S_ISDIR(st.st_mode) ? "plugin directory " : "plugin file ") + p.string() +
             " is writable by other users (mode " + octal(st.st_mode) +
             ", must not have o+w; fix with chmod o-w)";
  }
  return std::nullopt;
}

std::optional<std::string> checkElf(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot open " + file.string() + ": " + std::strerror(errno);
  unsigned char magic[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(magic), 4);
  if (in.gcount() == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F')
    return std::nullopt;
  char got[32];
  std::snprintf(got, sizeof got, "%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]);
  return "not an ELF shared object: the file starts with bytes " + std::string(got) +
         ", an ELF file with 7f 45 4c 46";
}

// Boost.DLL wraps dlerror() in "...(dlerror system message: <text>): <stale errno text>".
std::string dlerrorText(const std::string& what) {
  const std::string marker = "dlerror system message: ";
  size_t start = what.find(marker);
  if (start == std::string::npos) return what;
  start += marker.size();
  size_t end = what.rfind(')');
  return what.substr(start, end == std::string::npos || end < start ? std::string::npos : end - start);
}

// Copies what can safely be read of a descriptor for the listing.
void copyDescriptor(const p88_plugin_descriptor* d, PluginEntry& e) {
  if (d == nullptr || d->struct_size < offsetof(p88_plugin_descriptor, abi_minor) + 4) return;
  e.abi_major = d->abi_major;
  e.abi_minor = d->abi_minor;
  if (d->abi_major != P88_ABI_MAJOR || d->struct_size < P88_DESCRIPTOR_MIN_SIZE) return;
  auto str = [](const char* s) { return s ? std::string(s) : std::string(); };
  e.name = str(d->name);
  e.slug = str(d->slug);
  e.version = str(d->version);
  e.build_id = str(d->build_id);
  e.default_base_url = str(d->default_base_url);
  e.auth_kind = d->auth_kind;
  e.calls_per_hour = d->default_calls_per_hour;
  e.capabilities = d->capabilities;
  if (d->streams != nullptr && d->stream_count < 64)
    for (uint32_t i = 0; i < d->stream_count; ++i)
      e.streams.push_back({str(d->streams[i].name), d->streams[i].modes, d->streams[i].scope});
  if (d->struct_size >= offsetof(p88_plugin_descriptor, coalescing_count) + sizeof(uint32_t) && d->coalescing &&
      d->coalescing_count < 64)
    for (uint32_t i = 0; i < d->coalescing_count; ++i)
      if (const p88_coalescing* c = d->coalescing[i]; c && c->struct_size >= P88_COALESCING_MIN_SIZE)
        e.coalescing.push_back({str(c->stream), c->group, c->max_events, coalescingModes(*c)});
}

}  // namespace

PluginRegistry::PluginRegistry() : libraries_(std::make_unique<Libraries>()) {}
PluginRegistry::~PluginRegistry() = default;

void PluginRegistry::scan(const std::vector<std::string>& directories) {
  std::vector<fs::path> seen;
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      logging::debug(logging::Component::main, "plugin directory not found, skipped dir=" + dir);
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      fs::path canonical = fs::weakly_canonical(f, ec);
      if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
      seen.push_back(canonical);
      load(f.string());
    }
  }
}

const PluginEntry& PluginRegistry::load(const std::string& path) {
  PluginEntry e;
  e.path = path;
  auto refuse = [&](const std::string& why) -> const PluginEntry& {
    e.ok = false;
    e.refusal = why;
    logging::warning(logging::Component::main, "plugin refused file=" + path + " reason=" + why);
    entries_.push_back(std::move(e));
    return entries_.back();
  };

  if (auto why = checkPermissions(path)) return refuse(*why);
  if (auto why = checkElf(path)) return refuse(*why);

  boost::dll::shared_library lib;
  try {
    lib.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& ex) {
    std::string text = dlerrorText(ex.what());
    if (text.find("undefined symbol") != std::string::npos)
      return refuse("unresolved symbol (dlopen RTLD_NOW): " + text);
    return refuse("cannot load: " + text);
  }
  if (!lib.has(P88_PLUGIN_ENTRY_SYMBOL)) {
    libraries_->keep(std::move(lib));
    return refuse(std::string("missing entry point: the file exports no ") +
                  P88_PLUGIN_ENTRY_SYMBOL + " (not a p88 plugin, or built without P88_PLUGIN)");
  }
  auto entry = lib.get<const p88_plugin_descriptor*()>(P88_PLUGIN_ENTRY_SYMBOL);
  libraries_->keep(std::move(lib));
  const p88_plugin_descriptor* d = entry();
  copyDescriptor(d, e);
  if (auto why = checkDescriptor(d)) return refuse(*why);
  if (const PluginEntry* other = find(d->name))
    return refuse("duplicate provider name '" + std::string(d->name) + "': already provided by " +
                  other->path);
  for (const auto& other : entries_)
    if (other.ok && other.slug == e.slug)
      return refuse("duplicate provider slug '" + e.slug + "': already used by " + other.path +
                    " (" + other.name + ")");
  e.ok = true;
  e.descriptor = d;
  logging::info(logging::Component::main, "plugin loaded file=" + path + " provider=" + e.name +
                                              " version=" + e.version);
  entries_.push_back(std::move(e));
  return entries_.back();
}

const PluginEntry* PluginRegistry::find(const std::string& provider_name) const {
  for (const auto& e : entries_)
    if (e.ok && e.name == provider_name) return &e;
  return nullptr;
}

bool PluginRegistry::allLoaded() const {
  return std::all_of(entries_.begin(), entries_.end(), [](const PluginEntry& e) { return e.ok; });
}

std::vector<std::string> defaultPluginDirectories() {
  std::vector<std::string> dirs;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    std::string s = fs::weakly_canonical(p, ec).string();
    if (s.empty()) s = p.string();
    if (std::find(dirs.begin(), dirs.end(), s) == dirs.end()) dirs.push_back(s);
  };
  fs::path exe_dir = boost::dll::program_location().parent_path();
  add(exe_dir / "plugins");
  add(exe_dir.parent_path() / "lib" / "p88" / "plugins");
  add(P88_PLUGIN_INSTALL_FULL_DIR);
  return dirs;
}

const char* authKindName(uint32_t kind) {
  switch (kind) {
    case P88_AUTH_API_KEY: return "api-key";
    case P88_AUTH_OAUTH2: return "oauth2";
    case P88_AUTH_JWT: return "jwt";
    case P88_AUTH_NONE: return "none";
    default: return "unknown";
  }
}

std::string describeStreams(const std::vector<PluginStream>& streams, const std::vector<PluginCoalescing>& coalescing) {
  std::string out;
  for (const auto& s : streams) {
    if (!out.empty()) out += ' ';
    out += s.name.empty() ? "?" : s.name;
    out += '[';
    if (s.modes & P88_MODE_FULL) out += "full";
    if (s.modes & P88_MODE_INCREMENTAL) out += (s.modes & P88_MODE_FULL) ? ",incremental" : "incremental";
    for (const auto& c : coalescing)
      if (c.stream == s.name) {
        out += std::string(",coalesced per ") + (c.group == P88_COALESCE_RACE ? "race" : "account");
        if (c.max_events) out += " up to " + std::to_string(c.max_events);
        if (c.modes & P88_MODE_FULL) out += ", full reads too";
      }
    out += ']';
  }
  return out;
}

}  // namespace p88::plugins
