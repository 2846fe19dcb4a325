// p88host --manual-sync "PARTNER:PROVIDER[:EVENT]": event discovery, then the participants of the
// event (or of every current event of the partner at that provider), through the queue at the top
// priority. Each request is a new job, or the stream's pending job moved to the front; a job
// already running is waited for and then asked for again. Unless --enqueue-only, this process
// runs its requests itself as a worker (rate-limited like any other) unless a running service's
// worker claims them first, waits for each, and prints its sync_history row.
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

namespace p88::engine {

struct ManualSyncSpec {
  int64_t timing_partner_id = 0;
  std::string provider;              // providers.name (or slug)
  std::optional<std::string> event;  // provider_event_id (RunSignUp: a race id also works)
};

// Parses "1:RunSignUp", "1:\"Let's Do This\":evt_4200", "1:Race Roster:123000"; nullopt and `why`
// naming what is wrong otherwise.
std::optional<ManualSyncSpec> parseManualSyncSpec(const std::string& spec, std::string& why);

struct ManualSyncOptions {
  bool enqueue_only = false;  // queue the jobs, print their ids, and return
  bool reconcile = false;     // participants read in full, marking what vanished (sync_mode reconcile)
};

// Returns the process exit code: 0 when every part succeeded (or was queued), 1 otherwise.
// The store is migrated and the plugins' providers registered; `box` opens sealed credential
// secrets (nullptr when no key is configured).
int runManualSync(const ManualSyncSpec& spec, const ManualSyncOptions& options, const config::Settings& settings,
                  store::Store& store, const plugins::PluginRegistry& registry, const crypto::SecretBox* box,
                  std::ostream& out, std::ostream& err);

}  // namespace p88::engine
