#include "status/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <memory>
#include <mutex>

#include "status/race_morning.h"

namespace p88::metrics {
namespace {

// The process's counters: registered once, counted from every worker thread (prometheus-cpp's
// counters are atomic; Family::Add is locked inside).
struct Counters {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& jobs =
      prometheus::BuildCounter()
          .Name("p88_sync_jobs_total")
          .Help("Sync jobs this process finished, by provider, operation and outcome (completed, retried, "
                "throttled, failed, released)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& calls =
      prometheus::BuildCounter()
          .Name("p88_api_calls_total")
          .Help("Provider API calls this process made, by provider and credential id")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& throttles =
      prometheus::BuildCounter()
          .Name("p88_provider_throttles_total")
          .Help("Times a provider told this process to slow down (HTTP 429 or its own signal), by credential id")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& records =
      prometheus::BuildCounter()
          .Name("p88_records_written_total")
          .Help("Records this process handed to the database, by provider and outcome (inserted, updated, "
                "unchanged, refused)")
          .Register(*registry);
};

Counters& counters() {
  static Counters c;
  return c;
}

}  // namespace

void jobFinished(const std::string& provider, const std::string& operation, const std::string& status) {
  counters().jobs.Add({{"provider", provider}, {"operation", operation}, {"status", status}}).Increment();
}

void apiCalls(const std::string& provider, int64_t credential, int64_t calls) {
  if (calls > 0)
    counters().calls.Add({{"provider", provider}, {"credential", std::to_string(credential)}})
        .Increment(static_cast<double>(calls));
}

void throttled(const std::string& provider, int64_t credential) {
  counters().throttles.Add({{"provider", provider}, {"credential", std::to_string(credential)}}).Increment();
}

void recordsWritten(const std::string& provider, const std::string& outcome, int64_t records) {
  auto& c = counters().records.Add({{"provider", provider}, {"outcome", outcome}});
  if (records > 0) c.Increment(static_cast<double>(records));
}

std::string exposition(const Sample& sample) {
  // The sampled series go into a registry of their own, made afresh at each scrape, so an event
  // that left its window or a credential that was disabled is no longer reported.
  prometheus::Registry sampled;
  prometheus::BuildGauge()
      .Name("p88_build_info")
      .Help("The p88host version and the plugin ABI it speaks")
      .Register(sampled)
      .Add({{"version", sample.version}, {"abi", sample.abi}})
      .Set(1);
  prometheus::BuildCounter()
      .Name("p88_db_reconnects_total")
      .Help("Database sessions this process re-established after losing them")
      .Register(sampled)
      .Add({})
      .Increment(static_cast<double>(sample.db_reconnects));
  prometheus::BuildGauge()
      .Name("p88_database_up")
      .Help("1 when the database answered this scrape's queries")
      .Register(sampled)
      .Add({})
      .Set(sample.view ? 1 : 0);
  if (const status::RaceMorning* view = sample.view) {
    // Every active credential's counters exist from the first scrape (at 0), so rate() and
    // increase() see their first calls and throttles.
    for (const auto& c : view->credentials) {
      const prometheus::Labels labels{{"provider", c.provider}, {"credential", std::to_string(c.id)}};
      counters().calls.Add(labels);
      counters().throttles.Add(labels);
    }
    auto& queue = prometheus::BuildGauge().Name("p88_queue_jobs").Help("Jobs in sync_queue by status").Register(sampled);
    for (const auto& [status, n] : view->queue) queue.Add({{"status", status}}).Set(static_cast<double>(n));
    auto& budget = prometheus::BuildGauge()
                       .Name("p88_rate_budget_remaining")
                       .Help("Calls left of the credential's hourly budget: the budget less the last hour's calls, "
                             "0 while a provider's throttle blocks it")
                       .Register(sampled);
    for (const auto& c : view->credentials)
      budget.Add({{"provider", c.provider}, {"credential", std::to_string(c.id)}})
          .Set(static_cast<double>(c.budgetRemaining()));
    auto& age = prometheus::BuildGauge()
                    .Name("p88_event_data_age_seconds")
                    .Help("Seconds since the last successful participants sync of the event started (events inside "
                          "their sync window; +Inf when never synced)")
                    .Register(sampled);
    auto& next = prometheus::BuildGauge()
                     .Name("p88_event_next_sync_seconds")
                     .Help("Seconds until the event's next queued participants sync (0: due or running)")
                     .Register(sampled);
    auto& stale = prometheus::BuildGauge()
                      .Name("p88_event_stale")
                      .Help("1 when the event's data is older than twice its sync window (or it was never synced)")
                      .Register(sampled);
    auto& window = prometheus::BuildGauge()
                       .Name("p88_event_sync_window_seconds")
                       .Help("The schedule's sync interval for the event now")
                       .Register(sampled);
    auto& starts = prometheus::BuildGauge()
                       .Name("p88_event_starts_in_seconds")
                       .Help("Seconds until the event starts (negative once it has)")
                       .Register(sampled);
    for (const auto& e : view->events) {
      const prometheus::Labels labels{{"provider", e.provider}, {"event", e.event_id}};
      age.Add(labels).Set(e.age_seconds ? static_cast<double>(*e.age_seconds) : std::numeric_limits<double>::infinity());
      if (e.next_sync_seconds) next.Add(labels).Set(static_cast<double>(*e.next_sync_seconds));
      stale.Add(labels).Set(e.stale ? 1 : 0);
      window.Add(labels).Set(static_cast<double>(e.window_seconds));
      starts.Add(labels).Set(static_cast<double>((e.start - view->now).count()));
    }
  }
  std::vector<prometheus::MetricFamily> families = counters().registry->Collect();
  for (auto& f : sampled.Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace p88::metrics
