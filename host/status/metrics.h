// p88host's Prometheus metrics (prometheus-cpp, kept out of this header). The counters live in
// the process and are counted where things happen (workers: jobs, calls, throttles, records);
// the gauges are sampled from the database at each scrape (the race-morning view, the queue,
// the budgets). Names and labels are listed in docs/operations.md; credential labels are ids.
#pragma once

#include <cstdint>
#include <string>

namespace p88::status {
struct RaceMorning;
}

namespace p88::metrics {

// p88_sync_jobs_total{provider,operation,status}: status completed, retried, throttled, failed,
// released.
void jobFinished(const std::string& provider, const std::string& operation, const std::string& status);
// p88_api_calls_total{provider,credential}
void apiCalls(const std::string& provider, int64_t credential, int64_t calls);
// p88_provider_throttles_total{provider,credential}
void throttled(const std::string& provider, int64_t credential);
// p88_records_written_total{provider,outcome}: inserted, updated, unchanged, refused.
void recordsWritten(const std::string& provider, const std::string& outcome, int64_t records);

struct Sample {
  // Events (every one still synced), credentials, queue (nullptr: the database did not answer;
  // only counters then).
  const status::RaceMorning* view = nullptr;
  int64_t db_reconnects = 0;
  std::string version, abi;
};

// The text exposition (version 0.0.4) of the counters and of the gauges in `sample`.
std::string exposition(const Sample& sample);

}  // namespace p88::metrics
