// p88host --manual-sync "PARTNER:PROVIDER[:EVENT]": discovery, then participants of the event (or
// of every current event of the partner at that provider), right now, printing progress and a
// summary.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace p88::config {
struct Settings;
}
namespace p88::store {
class Store;
}
namespace p88::plugins {
class PluginRegistry;
}
namespace p88::crypto {
class SecretBox;
}

namespace p88::sync {

struct ManualSyncSpec {
  int64_t timing_partner_id = 0;
  std::string provider;              // providers.name (or slug)
  std::optional<std::string> event;  // provider_event_id (RunSignUp: a race id also works)
};

// Parses "1:RunSignUp", "1:\"Let's Do This\":evt_4200", "1:Race Roster:123000"; nullopt and `why`
// naming what is wrong otherwise.
std::optional<ManualSyncSpec> parseManualSyncSpec(const std::string& spec, std::string& why);

// Returns the process exit code: 0 when every part succeeded, 1 otherwise.
// The store is migrated and the plugins' providers registered; `box` opens sealed credential
// secrets (nullptr when no key is configured).
int runManualSync(const ManualSyncSpec& spec, const config::Settings& settings, store::Store& store,
                  const plugins::PluginRegistry& registry, const crypto::SecretBox* box, std::ostream& out,
                  std::ostream& err);

}  // namespace p88::sync
