// The engine's tick: looks at every active credential whose provider has a loaded plugin and
// every event they discovered, and enqueues what is due: discovery per credential on its cadence,
// participants per event on the seed's windows (a job's scheduled time is the exact due time, the
// previous one plus the interval, so the schedule does not drift with the tick). Enqueueing is
// atomic and idempotent, so a tick can be repeated, or run by a standby after a failover.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "engine/engine_config.h"

namespace p88::store {
class Store;
}

namespace p88::engine {

struct TickResult {
  size_t discovery = 0;      // discovery jobs enqueued
  size_t participants = 0;   // participants jobs enqueued
  size_t events_in_scope = 0;
  std::optional<Instant> next_due;  // the earliest due time still ahead (for the status line)
};

class Scheduler {
 public:
  // `providers`: providers.name of the loaded plugins.
  Scheduler(store::Store& store, EngineConfig config, std::set<std::string> providers);
  TickResult tick();

  static constexpr int kDiscoveryPriority = 120;  // as urgent as an event two hours away

 private:
  store::Store& store_;
  EngineConfig config_;
  std::set<std::string> providers_;
};

// The database's now, UTC.
Instant databaseNow(store::Store& store);
// "2026-05-10 08:00:00[.fff][+00]" (either backend) -> an instant; nullopt for NULL or junk.
std::optional<Instant> instantFromDatabase(const std::optional<std::string>& text);
std::string databaseText(Instant t);  // "2026-05-10 08:00:00"

}  // namespace p88::engine
