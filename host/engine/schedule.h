// The sync engine's pure decisions, with the clock passed in: when an event's participants are
// next due (the seed's windows, as configuration), which priority a job gets, which mode a run
// uses (full, incremental, or a reconciling full read), and how long a failed job waits.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace p88::engine {

using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;
using Seconds = std::chrono::seconds;

// Within `within` of the start, sync every `every`. The seed: 24 h -> 15 min, 4 h -> 1 min.
struct Window {
  Seconds within;
  Seconds every;
};

struct ScheduleConfig {
  Seconds default_every{3600};             // further than every window: hourly
  std::vector<Window> windows{{Seconds(24 * 3600), Seconds(15 * 60)}, {Seconds(4 * 3600), Seconds(60)}};
  Seconds until_after_start{3600};         // stop one hour after the start
  Seconds discovery_every{3600};           // event discovery per credential
  Seconds reconcile_every{24 * 3600};      // a full read that catches unreported deletions
  Seconds no_reconcile_within{4 * 3600};   // ... never this close to the start
};

// "24h:15m,4h:1m" (the windows property); throws std::invalid_argument naming the bad part.
std::vector<Window> parseWindows(const std::string& text);
// "90s", "15m", "24h", "2d" or plain seconds; throws std::invalid_argument.
Seconds parseDuration(const std::string& text);

// How often an event starting at `start` is synced at `now`; nullopt once it is past
// until_after_start. An event without a usable start time may be starting now: it gets the
// tightest window's interval (the seed: every minute) until it has one.
std::optional<Seconds> intervalAt(const ScheduleConfig& c, std::optional<Instant> start, Instant now);

// When the event's participants are next due: now when never synced; else the last run plus the
// interval that applies at now (so an event entering a tighter window is due at once if its last
// run is older than the new interval); nullopt when no longer synced.
std::optional<Instant> nextDue(const ScheduleConfig& c, std::optional<Instant> start,
                               std::optional<Instant> last_run, Instant now);

// Smaller runs first. Manual syncs get 0; scheduled jobs 1 + minutes to the start, clamped to
// [1, 1'000'000] (an event that started is 1). One without a start time comes right after every
// event within the tightest window (2 + its minutes), so it never delays a known near start.
constexpr int kManualPriority = 0;
int priorityFor(const ScheduleConfig& c, std::optional<Instant> start, Instant now);
// The same, for an event that may have no start list yet: never synced and inside the tightest
// window (the seed's last 4 h), it gets 1, before every scheduled sync of an event whose list is
// in: a start list missing on race morning is worse than one a minute old.
int priorityFor(const ScheduleConfig& c, std::optional<Instant> start, Instant now, bool has_start_list);

// Whether a first read of an event starting at `start` is paced (plan.first_reads_share): inside
// the tightest window (the seed's last 4 h) but further than `near_start` from its start. Nearer
// ones, and those without a start time, are read at once.
bool pacedFirstRead(const ScheduleConfig& c, Seconds near_start, std::optional<Instant> start, Instant now);

enum class Mode { full, incremental, reconcile };
const char* modeName(Mode m);
// Full without a cursor; a reconciling full read when the last full read is older than
// reconcile_every and the start is not within no_reconcile_within; else incremental.
Mode chooseMode(const ScheduleConfig& c, bool has_cursor, std::optional<Instant> last_full,
                std::optional<Instant> start, Instant now);

struct RetryConfig {
  int max_retries = 3;
  Seconds base{120};     // 2, 4, 8 minutes
  double jitter = 0.2;   // +- 20 %
};
// The wait before retry `attempt` (1-based): base * 2^(attempt-1), times (1 + jitter * u) for u
// uniform in [-1, 1) from `uniform`; nullopt once attempt exceeds max_retries.
std::optional<Seconds> retryDelay(const RetryConfig& c, int attempt, const std::function<double()>& uniform);

// GCRA (generic cell rate algorithm), one theoretical arrival time (TAT) per limiter. The store
// runs the same arithmetic in SQL on the database clock; this is its reference, in seconds.
struct GcraResult {
  bool allowed = false;
  double tat = 0;          // the new TAT when allowed, the old one otherwise
  double retry_after = 0;  // seconds until a call is allowed, when refused
};
// `calls_per_hour` sets the emission interval T = 3600 / calls; `burst` calls may go at once.
GcraResult gcra(double tat, double now, double calls_per_hour, double burst);

}  // namespace p88::engine
