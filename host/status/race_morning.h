// The race-morning view: how fresh each near-start event's data is, read from the database alone
// (so `p88host --status` works with no service running, and against the PostgreSQL of a fleet),
// and shown three ways: the terminal (--status), the status page (GET /) and the metrics.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/schedule.h"

namespace p88::store {
class Store;
}

namespace p88::status {

struct EventFreshness {
  std::string provider, partner, event_id, name;
  int64_t credential_id = 0;
  engine::Instant start{};
  std::string start_local;  // in the race's own time zone, "Sat 05 Dec 07:30 EST" (UTC when unknown)
  int64_t registrations = 0;       // active
  int64_t changes_last_hour = 0;   // registrations inserted or changed in the last hour
  // Seconds since the last successful participants sync started; nullopt when never synced.
  std::optional<int64_t> age_seconds;
  // Seconds until the next sync: the queued job's, else when the schedule makes it due (0: due or
  // running now); nullopt when the event is no longer synced.
  std::optional<int64_t> next_sync_seconds;
  int64_t window_seconds = 0;      // the schedule's interval for the event now
  bool stale = false;              // never synced, or older than twice its window
  bool failing = false;            // its last sync failed, or a retry after a failure is queued
  std::string last_error;          // of the last failed sync or the queued retry ("" if none)
};

struct CredentialUse {
  int64_t id = 0;
  std::string provider, partner;
  int64_t calls_last_hour = 0;  // API calls of the syncs that finished in the last hour
  int64_t budget_per_hour = 0;  // the provider's rate limit (providers.rate_limit_per_hour)
  int64_t throttles = 0;        // the provider's throttles since the credential's first call
  double blocked_seconds = 0;   // a throttle still blocks the credential this long
  // What is left of the hour's budget: 0 while blocked, else budget less the last hour's calls.
  int64_t budgetRemaining() const;
};

struct RaceMorning {
  engine::Instant now{};   // the database's clock
  int64_t horizon_seconds = 24 * 3600;
  std::vector<EventFreshness> events;  // starting within the horizon or in their last sync hour, nearest first
  std::vector<CredentialUse> credentials;
  std::map<std::string, int64_t> queue;  // sync_queue jobs by status
  size_t staleCount() const;
  size_t failingCount() const;
  bool healthy() const { return staleCount() == 0 && failingCount() == 0; }
};

// Reads the view. The schedule gives each event's window (stale: older than twice it).
RaceMorning readRaceMorning(store::Store& store, const engine::ScheduleConfig& schedule,
                            int64_t horizon_seconds = 24 * 3600);

// "45s", "3m 05s", "1h 02m", "2d 04h"; "-" for nullopt.
std::string formatDuration(std::optional<int64_t> seconds);
// The next sync as shown: "now", "2m 05s" or "-".
std::string nextSyncOf(const EventFreshness& e);
// "STALE", "FAILING", "STALE, FAILING" or "ok".
std::string stateOf(const EventFreshness& e);
// "12 stale, 1 failing of 40 events" / "all 40 events fresh".
std::string summaryOf(const RaceMorning& view);

// The status page (GET /): server-rendered HTML that refreshes itself every 15 s.
std::string renderHtml(const RaceMorning& view, const std::string& version);

}  // namespace p88::status
