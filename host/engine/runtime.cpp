#include "engine/runtime.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

#include "config/settings.h"
#include "p88/plugin.h"
#include "crypto/secret_box.h"
#include "engine/scheduler.h"
#include "engine/worker.h"
#include "logging/logging.h"
#include "plugins/plugin_registry.h"
#include "queue/job_queue.h"
#include "queue/rate_limiter.h"
#include "store/store.h"
#include "sync/sync_catalog.h"
#include "status/http_listener.h"
#include "sync/token_cache.h"
#include "systemd/systemd_service.h"

namespace p88::engine {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kAdvisoryLockKey = "880088";  // "one engine schedules at a time"

// The engine's ticks while they fail (the database refuses to enqueue: full, read-only, away),
// for the status line; logged when the trouble starts and when it ends, not on every tick.
class EngineTrouble {
 public:
  void failed(const std::string& why) {
    std::lock_guard<std::mutex> lock(m_);
    if (!since_) {
      since_ = Clock::now();
      logging::error(logging::Component::engine, "tick failed: " + why);
    }
    why_ = why.substr(0, why.find(" [in: "));  // the log has the statement; the status line the reason
  }
  void cleared() {
    std::lock_guard<std::mutex> lock(m_);
    if (!since_) return;
    logging::info(logging::Component::engine, "engine: the database answers again after " +
                                                  std::to_string(secondsSince(*since_)) + " s");
    since_.reset();
  }
  // "" while the ticks succeed.
  std::string describe() const {
    std::lock_guard<std::mutex> lock(m_);
    if (!since_) return "";
    return "engine ticks failing for " + std::to_string(secondsSince(*since_)) + " s (" + why_ + ")";
  }

 private:
  static int64_t secondsSince(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t).count();
  }
  mutable std::mutex m_;
  std::optional<Clock::time_point> since_;
  std::string why_;
};

// The plans of the credentials over budget, as the scheduling engine made them last, for the
// status line.
class PlanReport {
 public:
  void set(std::vector<std::string> lines) {
    std::lock_guard<std::mutex> lock(m_);
    lines_ = std::move(lines);
  }
  std::string describe() const {
    std::lock_guard<std::mutex> lock(m_);
    std::string s;
    for (size_t i = 0; i < lines_.size() && i < 3; ++i) s += (i ? "; " : "") + lines_[i];
    if (lines_.size() > 3) s += "; and " + std::to_string(lines_.size() - 3) + " more credentials over budget";
    return s;
  }

 private:
  mutable std::mutex m_;
  std::vector<std::string> lines_;
};

// `next_due`: the scheduling engine's earliest due time ahead, seconds since the epoch (0: none).
std::string statusLine(store::Store& store, const WorkerShared& shared, bool leader, Role role, int64_t next_due,
                       const EngineTrouble& trouble, const PlanReport& plans) {
  queue::JobQueue q(store);
  auto depth = q.depthByStatus();
  auto next = store.query("SELECT MIN(scheduled_time) FROM sync_queue WHERE status = 'pending'");
  std::string line = "status: queue pending=" + std::to_string(depth["pending"]) +
                     " running=" + std::to_string(depth["running"]) + " completed=" + std::to_string(depth["completed"]) +
                     " failed=" + std::to_string(depth["failed"]) + "; this process: jobs done=" +
                     std::to_string(shared.jobs_done.load()) + " failed=" + std::to_string(shared.jobs_failed.load()) +
                     " throttles=" + std::to_string(shared.throttles.load()) +
                     " database faults=" + std::to_string(shared.database_faults.load()) +
                     "; db reconnects=" + std::to_string(store::reconnectCount());
  if (const int64_t lost = logging::failedWrites(); lost > 0) line += "; log writes failed=" + std::to_string(lost);
  if (const auto tbd = sync::eventsWithoutStart(store); !tbd.empty()) {
    line += "; events without a start time: " + std::to_string(tbd.size()) + " (";
    for (size_t i = 0; i < tbd.size() && i < 3; ++i) line += (i ? ", " : "") + tbd[i];
    line += tbd.size() > 3 ? ", ...)" : ")";
  }
  if (const auto backlog = sync::detailBacklog(store); !backlog.empty()) {
    int64_t total = 0;
    for (const auto& b : backlog) total += b.pending + b.stale;
    line += "; details to fetch: " + std::to_string(total) + " registrations in " + std::to_string(backlog.size()) +
            " events (";
    for (size_t i = 0; i < backlog.size() && i < 5; ++i)
      line += (i ? ", " : "") + backlog[i].event + ": " + std::to_string(backlog[i].pending) + " new" +
              (backlog[i].stale ? " + " + std::to_string(backlog[i].stale) + " changed" : "");
    line += backlog.size() > 5 ? ", ...)" : ")";
  }
  if (const auto plain = sync::plaintextCredentialIds(store); !plain.empty())
    line += "; secrets in plaintext: " + std::to_string(plain.size()) + " credentials (p88host --encrypt-secrets)";
  if (role != Role::worker_only) line += leader ? "; engine: scheduling" : "; engine: standing by";
  if (const std::string t = trouble.describe(); !t.empty()) line += "; " + t;
  if (const std::string p = plans.describe(); leader && !p.empty()) line += "; over budget: " + p;
  // The earlier of the queue's next pending job and the engine's next due time (both
  // "YYYY-MM-DD HH:MM:SS", which sorts as time does).
  std::optional<std::string> when;
  if (auto queued = next.rows.at(0).at(0)) when = queued->substr(0, 19);
  if (leader && next_due > 0) {
    const std::string scheduled = databaseText(Instant(Seconds(next_due)));
    if (!when || scheduled < *when) when = scheduled;
  }
  line += when ? "; next due " + *when + " UTC" : std::string("; nothing due");
  return line;
}

}  // namespace

int runService(const config::Settings& given, Role role, std::ostream& out) {
  const EngineConfig config = engineConfig(given.merged);
  // Each connection says which process it serves (pg_stat_activity.application_name), so an
  // operator can see who holds the engine's lock.
  config::Settings settings = given;
  settings.database.postgres.application_name = "p88host/" + std::to_string(::getpid());

  // SIGTERM and SIGINT are taken by this thread with sigtimedwait; every thread started below
  // inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto main_store = store::openStore(settings.database);
  main_store->migrate();
  plugins::PluginRegistry registry;
  registry.scan(settings.plugin_dirs);
  std::map<std::string, ProviderFacts> providers;
  for (const auto& [plugin, provider_id] : sync::registerPluginProviders(*main_store, registry)) {
    ProviderFacts facts;
    facts.calls_per_sync = 0;
    for (const auto& stream : plugin->streams) facts.calls_per_sync += stream.scope == P88_SCOPE_EVENT ? 1 : 0;
    facts.calls_per_sync = std::max(facts.calls_per_sync, 1.0);
    if (plugin->calls_per_hour > 0) facts.calls_per_hour = plugin->calls_per_hour;
    const plugins::PluginCoalescing* c = plugin->coalescingOf("participants");
    facts.per_race = c && c->group == P88_COALESCE_RACE && config.coalesce_max > 1;
    facts.start_list_first = config.plan.start_lists_first.count(plugin->slug) > 0;
    providers[plugin->name] = facts;
  }
  auto secrets = crypto::configuredSecretBox(settings.secret_key, settings.secret_key_file);
  if (const std::string plain = sync::plaintextWarning(sync::plaintextCredentialIds(*main_store)); !plain.empty()) {
    out << "warning: " << plain << std::endl;
    logging::warning(logging::Component::main, plain);
  }
  sync::TokenCache tokens;
  WorkerShared shared;
  shared.settings = &settings;
  shared.registry = &registry;
  shared.secrets = secrets.get();
  shared.tokens = &tokens;
  shared.config = config;
  shared.budget_details = true;

  const int worker_count = role == Role::engine_only ? 0 : settings.workers;
  std::vector<std::thread> threads;
  std::atomic<int> workers_running{0};
  for (int i = 0; i < worker_count; ++i) {
    const std::string id = "worker-" + std::to_string(::getpid()) + "-" + std::to_string(i + 1);
    auto worker = std::make_shared<Worker>(id, shared, store::openStore(settings.database));
    ++workers_running;
    threads.emplace_back([worker, &workers_running] {
      worker->run();
      --workers_running;
    });
  }

  std::atomic<bool> leader{false};
  std::atomic<int64_t> next_due{0};
  std::atomic<bool> engine_stop{false};
  // The engine thread's last sign of life (steady clock ticks), for the watchdog: it beats
  // between ticks and while it sleeps, so a tick stuck for longer stops the beat.
  std::atomic<Clock::rep> engine_beat{Clock::now().time_since_epoch().count()};
  EngineTrouble trouble;
  PlanReport plans;
  if (role != Role::worker_only) {
    threads.emplace_back([&] {
      // The engine's connection reconnects by itself (store/postgres_connection.h); the advisory
      // lock lives in a session, so a new session means a new election.
      std::unique_ptr<store::Store> store;
      std::unique_ptr<Scheduler> scheduler;
      const bool postgres = settings.database.backend == store::DatabaseConfig::Backend::postgresql;
      int64_t lock_generation = -1;
      auto next_purge = Clock::now();
      while (!engine_stop) {
        engine_beat = Clock::now().time_since_epoch().count();
        try {
          if (!store) {
            store = store::openStore(settings.database);
            scheduler = std::make_unique<Scheduler>(*store, config, providers);
          }
          if (leader && store->connection().generation() != lock_generation) {
            leader = false;
            logging::warning(logging::Component::engine,
                             "engine: the database session was re-established and the engine's lock went with the "
                             "old one: standing for election again");
          }
          if (!leader) {
            leader = !postgres || store->query("SELECT pg_try_advisory_lock(" + std::string(kAdvisoryLockKey) + ")")
                                          .rows.at(0).at(0) == std::optional<std::string>("t");
            lock_generation = store->connection().generation();
            if (leader) logging::info(logging::Component::engine, "engine: scheduling (pid " + std::to_string(::getpid()) + ")");
          }
          if (leader) {
            TickResult t = scheduler->tick();
            if (t.replanned) {
              plans.set(t.over_budget);
              // Details get what each plan leaves, and a floor share of the budget.
              queue::RateLimiter limiter(*store);
              for (const auto& [id, p] : scheduler->plans())
                limiter.setDetailRate(p.provider_id, id,
                                      p.spareCallsPerHour() + config.details_floor_share * p.plan.budget_per_hour);
              for (const std::string& change : t.plan_changes)
                logging::info(logging::Component::engine, "plan: " + change);
            }
            next_due = t.next_due ? t.next_due->time_since_epoch().count() : 0;
            queue::JobQueue(*store).rescueExpired(config.max_rescues);
            if (Clock::now() >= next_purge) {
              next_purge = Clock::now() + std::chrono::hours(1);
              const size_t purged = queue::JobQueue(*store).purgeFinished(config.keep_finished.count());
              if (purged > 0)
                logging::info(logging::Component::engine, "purged " + std::to_string(purged) +
                                                              " finished jobs older than queue.keep_finished");
            }
            if (t.discovery + t.participants > 0)
              logging::info(logging::Component::engine,
                            "tick enqueued discovery=" + std::to_string(t.discovery) + " participants=" +
                                std::to_string(t.participants) + " events_in_scope=" + std::to_string(t.events_in_scope));
          }
          trouble.cleared();
        } catch (const std::exception& e) {
          trouble.failed(logging::redact(e.what()));
          if (postgres) leader = false;  // the lock may be gone with the session: re-elect
        }
        for (auto until = Clock::now() + config.tick; Clock::now() < until && !engine_stop;) {
          engine_beat = Clock::now().time_since_epoch().count();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }

  const std::string started = std::string("p88host running: ") +
                              (role == Role::worker_only ? "" : "engine") +
                              (role == Role::engine_and_workers ? " + " : "") +
                              (worker_count ? std::to_string(worker_count) + " workers" : std::string()) + " on " +
                              settings.database.describe();
  out << started << std::endl;
  logging::info(logging::Component::main, started);

  // Alive: the engine beats (within the watchdog's interval, else four ticks and at least two
  // minutes) and every worker thread runs. WATCHDOG=1 and /healthz both ask.
  const auto ping_every = systemd::watchdogPingInterval();
  const Clock::duration stall_limit =
      ping_every.count() > 0 ? Clock::duration(ping_every * 2)
                             : Clock::duration(std::max<Clock::duration>(config.tick * 4, std::chrono::minutes(2)));
  auto liveness = [&]() -> std::string {
    if (role != Role::worker_only) {
      const auto quiet = Clock::now() - Clock::time_point(Clock::duration(engine_beat.load()));
      if (quiet > stall_limit)
        return "the engine has not moved for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(quiet).count()) + " s";
    }
    if (const int running = workers_running.load(); running != worker_count)
      return std::to_string(worker_count - running) + " of " + std::to_string(worker_count) + " worker threads have stopped";
    return "";
  };
  auto next_ping = Clock::now();

  std::unique_ptr<status::HttpListener> listener;
  if (auto listen = settings.merged.find("http.listen"); listen != settings.merged.end() && !listen->second.empty()) {
    status::ListenerHooks hooks;
    hooks.liveness = [&]() -> std::string {
      if (std::string problem = liveness(); !problem.empty()) return problem;
      return trouble.describe();
    };
    hooks.open_store = [&settings] { return store::openStore(settings.database); };
    hooks.schedule = config.schedule;
    hooks.horizon_seconds = config.status_horizon.count();
    hooks.version = P88_VERSION;
    hooks.abi = std::to_string(P88_ABI_MAJOR) + "." + std::to_string(P88_ABI_MINOR);
    try {
      listener = std::make_unique<status::HttpListener>(listen->second, std::move(hooks));
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError(e.what());
    }
    const std::string serving = "http: serving /, /metrics and /healthz on " + listener->address();
    out << serving << std::endl;
    logging::info(logging::Component::main, serving);
  }
  systemd::notifyReady(started);
  auto next_status = Clock::now() + config.status_every;
  int sig = 0;
  while (true) {
    if (ping_every.count() > 0 && Clock::now() >= next_ping) {
      next_ping = Clock::now() + ping_every;
      // Engine ticks that fail because the database is away are not a wedged host (a restart
      // would not bring the database back): /healthz says so, the watchdog is still fed.
      const std::string problem = liveness();
      if (problem.empty())
        systemd::notifyWatchdog();
      else
        logging::error(logging::Component::main, "watchdog: " + problem + "; not telling systemd we are alive");
    }
    timespec one_second{1, 0};
    sig = sigtimedwait(&signals, nullptr, &one_second);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (Clock::now() >= next_status) {
      next_status = Clock::now() + config.status_every;
      try {
        std::string line = statusLine(*main_store, shared, leader, role, next_due, trouble, plans);
        out << line << std::endl;
        logging::info(logging::Component::main, line);
        systemd::notifyStatus(line.substr(0, 200));
      } catch (const std::exception& e) {
        // The database is away: say so (the line's counters are this process's own).
        const std::string line = "status: database unreachable (" + logging::redact(e.what()) +
                                 "); this process: jobs done=" + std::to_string(shared.jobs_done.load()) +
                                 " database faults=" + std::to_string(shared.database_faults.load()) +
                                 "; db reconnects=" + std::to_string(store::reconnectCount()) +
                                 (trouble.describe().empty() ? "" : "; " + trouble.describe());
        out << line << std::endl;
        logging::warning(logging::Component::main, line);
      }
    }
  }

  const std::string stopping = std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                               ": no new jobs; running jobs get " + std::to_string(config.grace.count()) + " s";
  out << stopping << std::endl;
  logging::info(logging::Component::main, stopping);
  systemd::notifyStopping(stopping);
  listener.reset();
  engine_stop = true;
  shared.stop_claiming = true;
  // Running jobs finish within four fifths of the grace period or are cancelled (their calls are
  // abandoned mid-read, the jobs go back to the queue without using an attempt); at its end the
  // process exits whatever is still stuck, so systemd never has to kill it.
  const auto signalled = Clock::now();
  const auto cancel_at = signalled + std::chrono::duration_cast<Clock::duration>(config.grace * 4 / 5);
  const auto exit_at = signalled + std::chrono::duration_cast<Clock::duration>(config.grace);
  while (Clock::now() < cancel_at && workers_running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (workers_running > 0) {
    shared.cancel_running = true;  // released back to the queue without using an attempt
    const std::string cancelling = "grace period nearly over: running jobs cancelled and released";
    out << cancelling << std::endl;
    logging::warning(logging::Component::main, cancelling);
  }
  while (Clock::now() < exit_at && workers_running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (workers_running > 0) {
    const std::string stuck = "grace period over with " + std::to_string(workers_running.load()) +
                              " workers still stuck: exiting now (their jobs are rescued when the leases lapse)";
    out << stuck << std::endl;
    logging::error(logging::Component::main, stuck);
    std::_Exit(1);
  }
  for (auto& t : threads) t.join();
  out << "p88host stopped: jobs done=" << shared.jobs_done << " failed=" << shared.jobs_failed
      << " throttles=" << shared.throttles << std::endl;
  logging::info(logging::Component::main, "stopped");
  return 0;
}

}  // namespace p88::engine
