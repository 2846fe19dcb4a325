// The engine's and workers' settings, read from the merged configuration (properties file,
// environment, -D flags). Every key is optional; a bad value is a ConfigError naming the key.
//   schedule.windows           "24h:15m,4h:1m"  within WITHIN of the start, sync every EVERY
//   schedule.default_every     1h               further out
//   schedule.until_after_start 1h               stop this long after the start
//   schedule.discovery_every   1h               event discovery per credential
//   schedule.reconcile_every   24h              a full read catching unreported deletions
//   schedule.no_reconcile_within 4h             ... never this close to the start
//   reconcile.max_vanished_share 0.2            a full read marks at most this share of an event's
//                                               registrations vanished (more: none, and says so)
//   engine.tick                5s               how often the engine looks for due work
//   worker.lease               60s              a claimed job's lease (heartbeats extend it)
//   worker.poll                1s               an idle worker's wait between claims
//   worker.max_rescues         3                lapsed leases before a job is failed
//   retry.max                  3   retry.base 2m   retry.jitter 0.2
//   retry.database             5s               a job the database failed (connection lost,
//                                               deadlock, timeout) is retried this soon, without
//                                               using an attempt
//   ratelimit.burst            3                calls a credential may make at once
//   http.call_deadline         5m               one HTTP call, every attempt included: abandoned after
//   worker.job_deadline        12h              one job: no call starts after it, one in flight is
//                                               abandoned; the job is retried, naming the deadline
//   sync.max_pages             10000            requests one stream run may make before it is stopped
//   shutdown.grace             30s              time running jobs get after SIGTERM (at four fifths
//                                               of it they are cancelled; at its end p88host exits)
//   plan.budget_share          0.85             the share of a credential's rate budget its schedule
//                                               may plan to spend (the rest: retries, first reads)
//   plan.near_start            1h               events this near their start keep the seed's
//                                               cadence longest when the budget is short
//   plan.far_every_max         6h               the farthest events are stretched no further
//   plan.every                 60s              how often the plans are made again
//   plan.slack                 30s              added to the plan's longest near-start interval
//                                               (with two ticks) for the bound it reports
//   plan.start_lists_first     haku             providers (slugs, comma-separated; "" for none) whose
//                                               events in the tightest window without a start
//                                               list go before every scheduled sync (Haku: its
//                                               summary pass makes a list cheap, its budget is half)
//   plan.first_reads_share     0.6              while events in the tightest window (beyond
//                                               plan.near_start) have no first read, up to this
//                                               share of the usable budget is set aside for them
//                                               (taken from the plan's headroom first) and their
//                                               first reads are enqueued at that pace, so the
//                                               near-start syncs go on between them (0: no pacing)
//   plan.first_reads_within    4m               ... what they would take to spend in this long
//   coalesce.window            30s              a coalesced run (ABI 1.2) takes along the jobs due
//                                               this soon
//   coalesce.max               20               events in one coalesced run at most (1: never coalesce)
//   coalesce.full_reads        true             full reads coalesce too where the plugin allows it
//                                               (p88_coalescing.modes; RunSignUp: a race's events)
//   details.floor_share        0.05             registration details (summary-first providers) get
//                                               what the plan leaves of the budget plus this share
//                                               of it (from the plan's headroom), never less
//   details.max_per_run        (2 min of budget) details one sync run fetches at most (the service:
//                                               the calls the credential's budget allows in two
//                                               minutes, at least 100; --manual-sync: unlimited)
//   status.every               60s              the status line
//   status.horizon             24h              the race-morning view (--status, the status page,
//                                               the event metrics) shows events starting this soon
//   queue.keep_finished        7d               completed and failed jobs are purged after this
//                                               (each stream's newest stays: it is scheduled from)
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "engine/schedule.h"

namespace p88::engine {

// How the engine plans each credential's syncs against its budget (engine/budget_plan.h).
struct PlanConfig {
  double budget_share = 0.85;
  Seconds near_start{3600};
  Seconds far_every_max{6 * 3600};
  Seconds every{60};
  Seconds slack{30};
  std::set<std::string> start_lists_first{"haku"};
  double first_reads_share = 0.6;
  Seconds first_reads_within{240};
};

struct EngineConfig {
  ScheduleConfig schedule;
  PlanConfig plan;
  Seconds coalesce_window{30};
  int coalesce_max = 20;
  bool coalesce_full_reads = true;
  double details_floor_share = 0.05;
  std::optional<size_t> details_max_per_run;  // unset: 2 min of the budget (>= 100) in the service, all in --manual-sync
  RetryConfig retry;
  Seconds database_retry{5};
  Seconds tick{5};
  Seconds lease{60};
  double poll_seconds = 1.0;
  int max_rescues = 3;
  double burst = 3;
  Seconds grace{30};
  Seconds call_deadline{300};
  Seconds job_deadline{12 * 3600};
  size_t max_pages = 10000;
  double max_vanished_share = 0.2;
  Seconds status_every{60};
  Seconds status_horizon{24 * 3600};
  Seconds keep_finished{7 * 24 * 3600};
};

// Throws config::ConfigError.
EngineConfig engineConfig(const std::map<std::string, std::string>& merged);

}  // namespace p88::engine
