#include "engine/manual_sync.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ostream>
#include <thread>

#include "config/settings.h"
#include "crypto/secret_box.h"
#include "engine/scheduler.h"
#include "engine/worker.h"
#include "http/http_session.h"
#include "logging/logging.h"
#include "plugins/plugin_registry.h"
#include "queue/job_queue.h"
#include "queue/rate_limiter.h"
#include "store/store.h"
#include "sync/sync_catalog.h"
#include "sync/sync_operation.h"
#include "sync/token_cache.h"

namespace p88::engine {
namespace {

using Clock = std::chrono::steady_clock;
using sync::StreamResult;

// A credential the provider blocked for longer than this is reported, not waited for: its job
// stays queued for the service.
constexpr double kReportBlockedAfterSeconds = 30;

std::string unquote(std::string s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    return s.substr(1, s.size() - 2);
  return s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string counts(const StreamResult& r) {
  std::string s = std::to_string(r.inserted) + " inserted, " + std::to_string(r.updated) +
                  " updated, " + std::to_string(r.unchanged) + " unchanged";
  if (r.status_changes) s += ", " + std::to_string(r.status_changes) + " cancelled/removed/transferred";
  if (r.rejected) s += ", " + std::to_string(r.rejected) + " refused";
  if (r.vanished) s += ", " + std::to_string(r.vanished) + " vanished (marked removed)";
  if (r.skipped) s += ", " + std::to_string(r.skipped) + " record errors";
  return s + "; " + std::to_string(r.api_calls) + " API call" + (r.api_calls == 1 ? "" : "s");
}


}  // namespace

std::optional<ManualSyncSpec> parseManualSyncSpec(const std::string& spec, std::string& why) {
  size_t first = spec.find(':');
  if (first == std::string::npos || first == 0) {
    why = "expected PARTNER:PROVIDER[:EVENT], got '" + spec + "'";
    return std::nullopt;
  }
  std::string partner = spec.substr(0, first);
  if (partner.find_first_not_of("0123456789") != std::string::npos || partner.size() > 12) {
    why = "the timing partner id '" + partner + "' is not a number";
    return std::nullopt;
  }
  std::string rest = spec.substr(first + 1);
  std::optional<std::string> event;
  // A quoted provider name may not contain a colon either, but skip over the quotes anyway.
  size_t search_from = 0;
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
    size_t close = rest.find(rest[0], 1);
    if (close != std::string::npos) search_from = close;
  }
  size_t second = rest.find(':', search_from);
  if (second != std::string::npos) {
    event = unquote(rest.substr(second + 1));
    rest = rest.substr(0, second);
    if (event->empty()) {
      why = "the event id after the second ':' is empty in '" + spec + "'";
      return std::nullopt;
    }
  }
  rest = unquote(rest);
  if (rest.empty()) {
    why = "no provider name in '" + spec + "'";
    return std::nullopt;
  }
  return ManualSyncSpec{std::stoll(partner), rest, event};
}

namespace {

// SIGINT and SIGTERM while a manual sync runs: the running job is cancelled and handed back to the
// queue without using an attempt, and nothing new is started. The flag is the workers'
// cancel_running (a lock-free atomic, safe to set from a signal handler).
std::atomic<bool>* g_interrupted = nullptr;
volatile std::sig_atomic_t g_signal = 0;

extern "C" void onInterrupt(int sig) {
  g_signal = sig;
  if (g_interrupted != nullptr) g_interrupted->store(true);
}

class InterruptGuard {
 public:
  explicit InterruptGuard(std::atomic<bool>& flag) {
    g_interrupted = &flag;
    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_interrupted = nullptr;
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// One request of this manual sync: a job, and the newest sync_history row before it was asked
// for (its result is the first row after).
struct Ticket {
  int64_t job = 0;
  int64_t history_mark = 0;
  bool running_elsewhere = false;  // --enqueue-only: the stream's job runs already
};

struct Outcome {
  sync::OperationResult result;
  bool ran_here = false;
};

class ManualRun {
 public:
  ManualRun(store::Store& store, Worker& worker, const std::atomic<bool>& interrupted, std::ostream& out)
      : store_(store), queue_(store), limiter_(store), worker_(worker), interrupted_(interrupted), out_(out) {}

  // Queues the job at the top priority. When the stream's job is running, waits for it to end
  // and asks again (a run that started before this request may have missed what it is for),
  // unless `wait_for_running` is false.
  Ticket request(const queue::NewJob& job, bool wait_for_running = true) {
    while (true) {
      const int64_t mark = sync::lastHistoryId(store_);
      const auto r = queue_.expedite(job);
      if (!r.running) return {r.id, mark, false};
      if (!wait_for_running) return {r.id, mark, true};
      out_ << "    ... job " << r.id << " of this stream is running; waiting for it to end\n" << std::flush;
      while (auto st = queue_.state(r.id)) {
        if (st->status != "running" || interrupted_) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      if (interrupted_) return {r.id, mark, true};
    }
  }

  // Runs the job here unless another worker has it, and waits for its result.
  Outcome await(const Ticket& t, const sync::ProviderRow& provider, int64_t credential_id,
                const std::string& what) {
    Outcome o;
    auto last_print = Clock::now();
    auto last_wait_note = Clock::now();
    const Worker::Progress progress = [&](const StreamResult& r) {
      if (Clock::now() - last_print < std::chrono::seconds(2)) return;
      last_print = Clock::now();
      out_ << "    ... " << what << ": " << r.emitted << " records so far (" << counts(r) << ")\n" << std::flush;
    };
    while (true) {
      auto st = queue_.state(t.job);
      if (!st) return failed(o, P88_ERR_INTERNAL, "job " + std::to_string(t.job) + " is gone from sync_queue");
      if (st->status != "running")
        if (auto r = sync::jobResult(store_, t.job, t.history_mark)) {
          o.result = *r;
          return o;
        }
      if (interrupted_)
        return failed(o, P88_ERR_CANCELLED, "interrupted; job " + std::to_string(t.job) + " stays queued");
      if (st->status == "pending") {
        const double blocked = limiter_.blockedFor(provider.id, credential_id);
        if (blocked > kReportBlockedAfterSeconds) {
          failed(o, P88_ERR_THROTTLED,
                 "the provider throttled credential " + std::to_string(credential_id) + "; no calls for " +
                     std::to_string(static_cast<int64_t>(blocked)) + " s more (job " + std::to_string(t.job) +
                     " stays queued)");
          o.result.total.retry_after_seconds = static_cast<int64_t>(blocked);
          return o;
        }
        if (worker_.runJob(t.job, progress)) {
          o.ran_here = true;
          continue;
        }
      } else if (st->status != "running") {  // finished, but its row is missing
        return failed(o, P88_ERR_INTERNAL,
                      "job " + std::to_string(t.job) + " ended " + st->status + " without a sync_history row" +
                          (st->last_error ? ": " + *st->last_error : std::string()));
      } else if (Clock::now() - last_wait_note > std::chrono::seconds(30)) {
        last_wait_note = Clock::now();
        out_ << "    ... " << what << ": job " << t.job << " is running on " << st->lease_owner.value_or("?")
             << "\n" << std::flush;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

 private:
  static Outcome& failed(Outcome& o, int32_t status, const std::string& why) {
    o.result.mode = "-";
    o.result.total.status = status;
    o.result.total.error = why;
    return o;
  }

  store::Store& store_;
  queue::JobQueue queue_;
  queue::RateLimiter limiter_;
  Worker& worker_;
  const std::atomic<bool>& interrupted_;
  std::ostream& out_;
};

std::string jobNote(const Ticket& t, const Outcome& o) {
  return " [job " + std::to_string(t.job) + (o.ran_here ? "" : ", run by another worker") + "]";
}

}  // namespace

int runManualSync(const ManualSyncSpec& spec, const ManualSyncOptions& options, const config::Settings& given,
                  store::Store& store, const plugins::PluginRegistry& registry, const crypto::SecretBox* box,
                  std::ostream& out, std::ostream& err) {
  const std::string partner = std::to_string(spec.timing_partner_id);
  if (!sync::timingPartnerExists(store, spec.timing_partner_id)) {
    err << "p88host: --manual-sync: timing partner " << partner << " does not exist (table timing_partners)\n";
    return 1;
  }
  auto provider = sync::findProvider(store, spec.provider);
  if (!provider) {
    err << "p88host: --manual-sync: no provider named '" << spec.provider
        << "' (table providers; names are e.g. RunSignUp, Race Roster, Haku, Let's Do This)\n";
    return 1;
  }
  const plugins::PluginEntry* plugin = registry.find(provider->name);
  if (plugin == nullptr || !plugin->ok) {
    err << "p88host: --manual-sync: no loaded plugin serves provider '" << provider->name
        << "' (see p88host --list-plugins)\n";
    return 1;
  }
  std::vector<sync::Credential> credentials;
  try {
    credentials = sync::activeCredentials(store, spec.timing_partner_id, provider->id, box);
  } catch (const crypto::CryptoError& e) {
    err << "p88host: --manual-sync: " << e.what() << "\n";
    return 1;
  }
  if (credentials.empty()) {
    err << "p88host: --manual-sync: timing partner " << partner << " has no active credential for "
        << provider->name << " (table partner_provider_credentials)\n";
    return 1;
  }
  const EngineConfig config = engineConfig(given.merged);
  config::Settings settings = given;
  settings.database.postgres.application_name = "p88host/" + std::to_string(::getpid()) + " manual-sync";
  const std::string base_url = sync::providerBaseUrl(settings, *provider, *plugin);

  out << "manual sync: timing partner " << partner << ", " << provider->name << " (plugin "
      << plugin->path << " " << plugin->version << "), " << http::describeUrl(base_url)
      << (options.enqueue_only ? "; queueing only" : "") << "\n";
  logging::info(logging::Component::main, "manual sync started partner=" + partner + " provider=" +
                                              provider->name + " base_url=" + http::describeUrl(base_url));

  if (const std::string plain = sync::plaintextWarning(sync::plaintextCredentialIds(store)); !plain.empty())
    err << "p88host: warning: " << plain << "\n";
  sync::TokenCache tokens;
  WorkerShared shared;
  shared.settings = &settings;
  shared.registry = &registry;
  shared.secrets = box;
  shared.tokens = &tokens;
  shared.config = config;
  Worker worker("manual-" + std::to_string(::getpid()), shared, store::openStore(settings.database));
  InterruptGuard interrupt_guard(shared.cancel_running);
  ManualRun run(store, worker, shared.cancel_running, out);
  auto interrupted = [&] {
    if (!shared.cancel_running) return false;
    out << "interrupted: the running job went back to the queue without using an attempt; the jobs not run "
           "stay queued at priority "
        << kManualPriority << " for the service\n";
    logging::warning(logging::Component::main, "manual sync interrupted partner=" + partner + " provider=" + provider->name);
    return true;
  };

  auto newJob = [&](const sync::Credential& c, const char* operation, const std::optional<std::string>& event) {
    queue::NewJob j;
    j.timing_partner_id = c.timing_partner_id;
    j.provider_id = c.provider_id;
    j.credential_id = c.id;
    j.operation = operation;
    j.event_id = event;
    j.sync_mode = "full";
    if (event && !store.query("SELECT 1 FROM sync_cursors WHERE partner_provider_credential_id = $1 AND "
                              "provider_event_id = $2",
                              {std::to_string(c.id), *event})
                      .empty())
      j.sync_mode = "incremental";
    if (options.reconcile && event) j.sync_mode = "reconcile";
    j.priority = kManualPriority;
    j.max_retries = config.retry.max_retries;
    return j;
  };
  // The named event, or the events starting after `not_before` (UTC, the database's clock).
  auto findEvents = [&](const sync::Credential& c, const std::string& not_before) {
    return spec.event ? sync::eventsById(store, c, *spec.event) : sync::currentEvents(store, c, not_before);
  };

  const auto started = Clock::now();
  StreamResult events_total, participants_total;
  size_t event_count = 0, failures = 0, queued = 0;
  for (const sync::Credential& credential : credentials) {
    const std::string who = "credential " + std::to_string(credential.id);
    const std::string not_before = databaseText(databaseNow(store) - config.schedule.until_after_start);

    if (options.enqueue_only) {
      auto note = [&](const Ticket& t, const std::string& what) {
        out << (t.running_elsewhere ? "running: job " : "queued: job ") << t.job << ", " << what << "\n";
        queued += t.running_elsewhere ? 0 : 1;
      };
      note(run.request(newJob(credential, "events", std::nullopt), false), who + " event discovery");
      auto events = findEvents(credential, not_before);
      if (spec.event && events.empty()) {
        ++failures;
        out << who << ": event " << *spec.event << " is not known yet; the discovery job looks for it "
            << "(queue the participants again once it has run)\n";
      }
      for (const sync::EventRef& e : events)
        note(run.request(newJob(credential, "participants", e.provider_event_id), false),
             "participants of event " + e.provider_event_id + " \"" + e.name.value_or("") + "\"");
      continue;
    }

    Ticket d = run.request(newJob(credential, "events", std::nullopt));
    Outcome discovery = run.await(d, *provider, credential.id, "events");
    const sync::OperationResult& dr = discovery.result;
    out << who << ": events (" << dr.mode << "): " << dr.total.emitted << " events, " << counts(dr.total) << ", "
        << seconds(dr.seconds) << jobNote(d, discovery) << "\n";
    if (!dr.total.ok()) {
      ++failures;
      out << who << ": events FAILED (" << sync::statusName(dr.total.status) << "): " << dr.total.error << "\n";
    }
    for (const auto& p : dr.total.problems) out << "    " << p << "\n";
    sync::accumulate(events_total, dr.total);
    if (interrupted()) return 128 + g_signal;
    if (dr.total.status == P88_ERR_AUTH || dr.total.status == P88_ERR_THROTTLED) {
      out << who << ": participants not synced: "
          << (dr.total.status == P88_ERR_AUTH ? "the provider refused the credential"
                                              : "the provider asks to wait " +
                                                    std::to_string(dr.total.retry_after_seconds) + " s")
          << "\n";
      continue;
    }

    const std::vector<sync::EventRef> events = findEvents(credential, not_before);
    if (spec.event && events.empty()) {
      ++failures;
      out << who << ": event " << *spec.event << " is not among the events of timing partner " << partner << " at "
          << provider->name << "\n";
      continue;
    }
    if (!spec.event)
      out << who << ": " << events.size() << " current event" << (events.size() == 1 ? "" : "s")
          << " (starting after " << not_before << " UTC)\n";
    // Every event is queued first, so the workers of a running service can share them.
    std::vector<Ticket> tickets;
    for (const sync::EventRef& e : events)
      tickets.push_back(run.request(newJob(credential, "participants", e.provider_event_id)));
    for (size_t i = 0; i < events.size(); ++i) {
      const sync::EventRef& e = events[i];
      Outcome o = run.await(tickets[i], *provider, credential.id, "event " + e.provider_event_id);
      const sync::OperationResult& r = o.result;
      ++event_count;
      out << "  event " << e.provider_event_id << " \"" << e.name.value_or("") << "\""
          << (e.start_time ? " starts " + sync::isoFromDatabase(e.start_time) : std::string()) << ": participants "
          << r.mode << ", " << r.total.emitted << (r.total.emitted == 1 ? " record (" : " records (")
          << counts(r.total) << "), " << seconds(r.seconds) << jobNote(tickets[i], o) << "\n";
      if (!r.total.ok()) {
        ++failures;
        out << "  event " << e.provider_event_id << " FAILED (" << sync::statusName(r.total.status)
            << "): " << r.total.error << "\n";
      }
      for (const auto& p : r.total.problems) out << "    " << p << "\n";
      sync::accumulate(participants_total, r.total);
      if (interrupted()) return 128 + g_signal;
    }
  }
  if (options.enqueue_only) {
    out << "summary: " << queued << " job" << (queued == 1 ? "" : "s") << " queued at priority " << kManualPriority
        << " (ahead of scheduled work); a running p88host takes them next; " << failures << " failed\n";
    logging::info(logging::Component::main, "manual sync queued partner=" + partner + " provider=" + provider->name +
                                                " jobs=" + std::to_string(queued));
    return failures == 0 ? 0 : 1;
  }
  const double total_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  out << "summary: " << provider->name << ", timing partner " << partner << ": "
      << events_total.emitted << " events discovered (" << events_total.inserted << " new); "
      << event_count << " events synced: participants " << participants_total.inserted
      << " inserted, " << participants_total.updated << " updated, " << participants_total.unchanged
      << " unchanged, " << participants_total.status_changes << " cancelled/removed/transferred, "
      << participants_total.rejected << " refused, " << participants_total.skipped
      << " record errors; " << events_total.api_calls + participants_total.api_calls << " API calls; "
      << seconds(total_seconds) << "; " << failures << " failed\n";
  logging::info(logging::Component::main,
                "manual sync finished partner=" + partner + " provider=" + provider->name +
                    " events=" + std::to_string(event_count) + " failures=" + std::to_string(failures));
  return failures == 0 ? 0 : 1;
}

}  // namespace p88::engine
