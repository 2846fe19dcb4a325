// The engine's tick: looks at every active credential whose provider has a loaded plugin and
// every event they discovered, and enqueues what is due: discovery per credential on its cadence,
// participants per event on the seed's windows (a job's scheduled time is the exact due time, the
// previous one plus the interval, so the schedule does not drift with the tick). Enqueueing is
// atomic and idempotent, so a tick can be repeated, or run by a standby after a failover.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "engine/budget_plan.h"
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
  // When the plans were made again this tick: a line per credential whose plan changed (for the
  // log), and the plans of the credentials over budget (for the status line; empty: none is).
  bool replanned = false;
  std::vector<std::string> plan_changes;
  std::vector<std::string> over_budget;
};

// What the engine knows of a loaded plugin's provider before any history says more.
struct ProviderFacts {
  double calls_per_sync = 1;     // one per event-scoped stream
  double calls_per_hour = 1000;  // the plugin's default budget (providers.rate_limit_per_hour overrides)
  // The plugin coalesces a race's events into one request (ABI 1.2, P88_COALESCE_RACE): the
  // plan prices and paces a race as one unit, and its events fall due together.
  bool per_race = false;
  // plan.start_lists_first names the provider: its in-window events without a start list go
  // before every scheduled sync (schedule.h, priorityFor).
  bool start_list_first = false;
};

// A credential's plan (engine/budget_plan.h), as the engine made it last.
struct CredentialPlan {
  int64_t credential_id = 0;
  int64_t provider_id = 0;
  std::string provider;
  BudgetPlan plan;
  std::map<std::string, Seconds> every;  // by provider_event_id
  Seconds bound{0};  // the longest an event in its last 4 h should wait between syncs
  // The pace of the first reads still to make of events inside the tightest window beyond
  // plan.near_start (0: none, or not paced), and what one of them is expected to cost.
  double first_reads_per_hour = 0;
  double first_read_cost = 0;
  size_t first_reads_pending = 0;  // plan units (events, or races read as one)
  std::string describe() const;  // "credential 1 RunSignUp: 30 events want ..."
  // Calls an hour the plan leaves unspent of the usable share (registration details take them).
  double spareCallsPerHour() const;
};

class Scheduler {
 public:
  // `providers`: by providers.name, the loaded plugins'.
  Scheduler(store::Store& store, EngineConfig config, std::map<std::string, ProviderFacts> providers);
  TickResult tick();
  const std::map<int64_t, CredentialPlan>& plans() const { return plans_; }

  static constexpr int kDiscoveryPriority = 120;  // as urgent as an event two hours away

 private:
  void replan(Instant now, TickResult& out);
  store::Store& store_;
  EngineConfig config_;
  std::map<std::string, ProviderFacts> providers_;
  std::map<int64_t, CredentialPlan> plans_;
  std::optional<Instant> planned_at_;
  std::map<int64_t, Instant> first_read_next_;  // by credential: when the next paced first read may go
  std::map<int64_t, Instant> first_reads_since_;  // by credential: since when first reads have been waiting
  std::set<std::string> planned_once_;  // "credential|event": seen by a plan, or by a tick that replanned for it
};

// The database's now, UTC.
Instant databaseNow(store::Store& store);
// "2026-05-10 08:00:00[.fff][+00]" (either backend) -> an instant; nullopt for NULL or junk.
std::optional<Instant> instantFromDatabase(const std::optional<std::string>& text);
std::string databaseText(Instant t);  // "2026-05-10 08:00:00"

}  // namespace p88::engine
