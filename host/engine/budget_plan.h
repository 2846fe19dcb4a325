// Planning a credential's syncs against its rate budget: a pure function, the clock passed in.
//
// The seed's windows say how often each event is synced (hourly; every 15 minutes in its last
// 24 hours; every minute in its last 4). What that costs is the calls one sync of each event
// takes (sync_history) times its syncs an hour; when the credential's budget cannot pay for it,
// the plan stretches intervals from the farthest events inwards, band by band, each at most to
// the cadence of the band beyond it, so an event nearer its start is never synced less often
// than one further out:
//   1. beyond the widest window (hourly)       up to far_every_max (6 h)
//   2. each window band, farthest first        up to the seed cadence of the band beyond it
//      (4-24 h: 15 min -> 1 h; 1-4 h: 1 min -> 15 min)
//   3. the events within near_start (1 h) of their start, and those without a start time,
//      last, up to the cadence of the band beyond them
//   4. if even that is too much, every band by the same factor: degraded, never starved.
// Within budget, every event keeps the seed's cadence.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/schedule.h"

namespace p88::engine {

struct PlannedEvent {
  std::optional<Instant> start;  // nullopt: no usable start time (treated as starting now)
  double calls_per_sync = 1;     // what one sync of the event's streams costs
  size_t events = 1;             // the events it stands for (a race synced as one request: its events)
};

struct BudgetInput {
  double calls_per_hour = 1000;      // the credential's budget
  double usable_share = 0.85;        // the share the plan may spend (the rest: retries, first full reads)
  double fixed_calls_per_hour = 0;   // spent whatever the plan says (discovery)
  // First reads being loaded at this pace (the scheduler enqueues them so): paid from the share
  // the plan leaves unspent first, beyond it from the plan's, stretching the cadences as any
  // fixed cost does.
  double first_reads_per_hour = 0;
  Seconds near_start{3600};          // these events keep the seed's cadence longest
  Seconds far_every_max{6 * 3600};   // the farthest band stretches no further than this
  std::vector<PlannedEvent> events;
};

struct PlanBand {
  Seconds from{0}, to{0};     // seconds to the start: (from, to]; the nearest band's from is -until_after_start
  bool far = false;           // beyond the widest window (to is meaningless)
  Seconds seed_every{0};      // the seed's cadence here
  Seconds every{0};           // the planned one
  size_t events = 0;
  double calls_per_sync = 0;  // summed over its events
  double callsPerHour(Seconds interval) const;
};

struct BudgetPlan {
  double budget_per_hour = 0, usable_per_hour = 0;
  double demand_per_hour = 0;   // at the seed's cadence, fixed calls included
  double planned_per_hour = 0;  // at the planned cadence, fixed calls included
  double first_reads_per_hour = 0;  // the first reads' pace (BudgetInput), part of both above
  bool over_budget = false;     // demand_per_hour > usable_per_hour
  std::vector<PlanBand> bands;  // nearest first
  std::vector<Seconds> every;   // per input event (same order); 0 for an event no longer synced
  // The longest planned interval of an event inside the tightest window's reach (the seed: its
  // last 4 hours); 0 when there is none.
  Seconds longest_near_interval{0};
  Seconds near_reach{0};  // that reach (the seed: 4 h)
  // "30 events want 3.6k calls/h, budget 1k; near-start cadence 2 min, 1-4 h cadence 6 min, ..."
  std::string describe() const;
};

BudgetPlan planBudget(const ScheduleConfig& schedule, const BudgetInput& input, Instant now);

// "45 s", "6 min", "1.5 h".
std::string humanDuration(Seconds s);

}  // namespace p88::engine
