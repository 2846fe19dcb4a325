#include "engine/worker.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <map>
#include <random>
#include <thread>

#include "config/settings.h"
#include "http/http_session.h"
#include "logging/logging.h"
#include "status/metrics.h"
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

void log(logging::Level level, const std::string& message) {
  logging::write(logging::Component::worker, level, message);
}

double uniformJitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

// The provider's budget per credential: providers.rate_limit_per_hour, else the plugin's default.
queue::Budget budgetFor(const WorkerShared& shared, const sync::ProviderRow& provider) {
  double per_hour = static_cast<double>(provider.rate_limit_per_hour);
  if (per_hour <= 0)
    if (const auto* p = shared.registry->find(provider.name)) per_hour = p->calls_per_hour;
  return {per_hour > 0 ? per_hour : 1000.0, shared.config.burst};
}

}  // namespace

Worker::Worker(std::string id, WorkerShared& shared, std::unique_ptr<store::Store> store)
    : id_(std::move(id)), shared_(shared), store_(std::move(store)) {}

Worker::~Worker() = default;

void Worker::run() {
  const auto poll = std::chrono::milliseconds(static_cast<int64_t>(shared_.config.poll_seconds * 1000));
  // While the database cannot be reached, waits grow from the poll interval to 30 s; the trouble
  // is logged when it starts and when it ends, not on every poll.
  auto wait = poll;
  Clock::time_point failing_since{};  // time_point{}: not failing
  while (!shared_.stop_claiming) {
    bool worked = false;
    try {
      worked = runOnce();
      if (failing_since != Clock::time_point{}) {
        log(logging::Level::information,
            id_ + " database reachable again after " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - failing_since).count()) +
                " s");
        failing_since = Clock::time_point{};
      }
      wait = poll;
    } catch (const std::exception& e) {
      if (failing_since == Clock::time_point{}) {
        failing_since = Clock::now();
        log(logging::Level::error, id_ + " error=" + logging::redact(e.what()) + " (retrying with backoff)");
      }
      wait = std::min<std::chrono::milliseconds>(std::max(wait * 2, poll), std::chrono::seconds(30));
    }
    if (!worked) {
      for (auto until = Clock::now() + wait; Clock::now() < until && !shared_.stop_claiming;)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

bool Worker::runOnce() {
  queue::JobQueue queue(*store_);
  queue::RateLimiter limiter(*store_);
  queue.rescueExpired(shared_.config.max_rescues);

  // Credentials without budget are not claimed for.
  std::vector<int64_t> skip;
  auto providers = store_->query("SELECT DISTINCT provider_id FROM rate_limits");
  for (const auto& row : providers.rows) {
    const int64_t pid = std::stoll(row[0].value_or("0"));
    if (auto p = sync::providerById(*store_, pid)) {
      auto none_left = limiter.exhausted(pid, budgetFor(shared_, *p));
      skip.insert(skip.end(), none_left.begin(), none_left.end());
    }
  }
  auto job = queue.claim(id_, static_cast<int>(shared_.config.lease.count()), skip);
  if (!job) return false;
  execute(*job, {});
  return true;
}

bool Worker::runJob(int64_t id, const Progress& progress) {
  queue::JobQueue queue(*store_);
  auto job = queue.claimJob(id, id_, static_cast<int>(shared_.config.lease.count()));
  if (!job) return false;
  execute(*job, progress);
  return true;
}

void Worker::execute(const queue::Job& claimed, const Progress& progress) {
  queue::JobQueue queue(*store_);
  queue::RateLimiter limiter(*store_);
  const queue::Job* job = &claimed;
  const int lease = static_cast<int>(shared_.config.lease.count());
  const auto lease_span = std::chrono::duration_cast<std::chrono::milliseconds>(shared_.config.lease);
  std::atomic<int64_t> renewed_at{Clock::now().time_since_epoch().count()};  // the last time the lease was ours
  const auto describeJob = [](const queue::Job& j) {
    return "job " + std::to_string(j.id) + " (" + j.operation + (j.event_id ? " event " + *j.event_id : std::string()) +
           ", " + j.sync_mode + ")";
  };
  std::string describe = describeJob(*job);
  log(logging::Level::information, id_ + " claimed " + describe);

  // The outcome is recorded while the lease lasts, through reconnections: a transition that
  // cannot reach the database is tried again until then, after that the lease lapses and the job
  // is rescued. A transition that finds the lease gone (false) is never counted as done.
  const auto settle = [&](const char* what, const std::function<bool()>& transition) {
    std::string trouble;
    while (true) {
      try {
        if (transition()) return true;
        log(logging::Level::warning, id_ + " " + describe + " " + what +
                                         ": no, the lease was lost (another worker has the job); not counted here");
        return false;
      } catch (const std::exception& e) {
        trouble = logging::redact(e.what());
      }
      const auto since = Clock::now() - Clock::time_point(Clock::duration(renewed_at.load()));
      if (since >= lease_span || shared_.cancel_running) {
        log(logging::Level::error, id_ + " could not record that " + describe + " " + what + " (" + trouble +
                                       "); its lease lapses and it will be rescued");
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  };
  // p88_sync_jobs_total: each job's outcome, counted where it is settled.
  std::string provider_label = "provider " + std::to_string(job->provider_id);
  const auto count_job = [&](const char* status) { metrics::jobFinished(provider_label, job->operation, status); };
  const auto finish_failed = [&](const std::string& why) {
    if (settle("failed", [&] { return queue.fail(job->id, id_, why); })) {
      ++shared_.jobs_failed;
      count_job("failed");
      log(logging::Level::error, id_ + " " + describe + " failed: " + why);
    }
  };
  // Our database, not the provider: nothing after the last checkpoint was kept, the cursor is
  // where it was. A connection cut, a deadlock or a timeout is retried soon without using an
  // attempt; a full disk, a read-only database and the like are retried with backoff.
  const auto database_fault = [&](store::SqlErrorKind kind, const std::string& error) {
    ++shared_.database_faults;
    const bool passing = kind == store::SqlErrorKind::connection || kind == store::SqlErrorKind::transient;
    std::optional<Seconds> delay = passing ? std::optional<Seconds>(shared_.config.database_retry)
                                           : retryDelay(shared_.config.retry, job->retry_count + 1, uniformJitter);
    if (!delay) return finish_failed(error + " (after " + std::to_string(job->retry_count) + " retries)");
    if (settle("was rescheduled", [&] {
          return queue.retryLater(job->id, id_, static_cast<int>(delay->count()), error, !passing);
        })) {
      count_job("retried");
      log(logging::Level::warning, id_ + " " + describe + " failed on the database (" +
                                       store::sqlErrorKindName(kind) + "), retry in " + std::to_string(delay->count()) +
                                       " s" + (passing ? " (no attempt used)" : "") + ": " + error);
    }
  };

  const std::string reason = job->priority == kManualPriority ? "manual" : "scheduled";
  // A job that cannot start still leaves its sync_history row, saying why.
  auto failed_before_start = [&](int32_t status, const std::string& why) {
    try {
      sync::recordFailureBeforeStart(*store_,
                                     {job->timing_partner_id, job->provider_id, job->credential_id, job->event_id,
                                      job->operation, reason, job->id},
                                     status, why);
    } catch (const std::exception& e) {
      log(logging::Level::error, id_ + " writing sync_history failed: " + logging::redact(e.what()));
    }
    finish_failed(why);
  };

  // What the job needs from the database. A database that fails here fails nothing of the job's.
  std::optional<sync::ProviderRow> provider;
  std::optional<sync::Credential> credential;
  std::string credential_error;
  std::vector<sync::EventRef> events;
  try {
    provider = sync::providerById(*store_, job->provider_id);
    if (provider) provider_label = provider->name;
    try {
      credential = sync::credentialById(*store_, job->credential_id, shared_.secrets);
    } catch (const store::SqlError&) {
      throw;
    } catch (const std::exception& e) {  // a secret that cannot be opened
      credential_error = logging::redact(e.what());
    }
    if (credential && job->operation == "participants" && job->event_id)
      events = sync::eventsById(*store_, *credential, *job->event_id);
  } catch (const std::exception& e) {
    const auto* sql = dynamic_cast<const store::SqlError*>(&e);
    return database_fault(sql ? sql->kind() : store::SqlErrorKind::resource,
                          logging::redact(std::string("database fault before the sync started: ") + e.what()));
  }
  if (!provider) return failed_before_start(P88_ERR_INVALID, "provider " + std::to_string(job->provider_id) + " does not exist");
  const plugins::PluginEntry* plugin = shared_.registry->find(provider->name);
  if (plugin == nullptr || !plugin->ok)
    return failed_before_start(P88_ERR_INVALID, "no loaded plugin serves " + provider->name + " (see p88host --list-plugins)");
  if (!credential_error.empty()) return failed_before_start(P88_ERR_AUTH, credential_error);
  if (!credential)
    return failed_before_start(P88_ERR_INVALID, "credential " + std::to_string(job->credential_id) + " does not exist");

  sync::Operation op;
  op.plugin = plugin->descriptor;
  op.credential = &*credential;
  op.operation = job->operation;
  op.force_full = job->sync_mode == "reconcile";
  op.reason = reason;
  op.sync_queue_id = job->id;
  if (job->operation == "participants") {
    if (!job->event_id) return failed_before_start(P88_ERR_INVALID, "a participants job without an event");
    if (events.empty())
      return failed_before_start(P88_ERR_NOT_FOUND, "event " + *job->event_id + " is not known (run discovery)");
    op.event = events.front();
  }
  // Coalescing (ABI 1.2): the other pending jobs of the credential in the same mode whose events
  // the plugin can serve in the same requests (a race's, or the account's) and that are due
  // within coalesce.window come along, each completed with its own sync_history row. Incremental
  // jobs, and full first reads where every coalesced stream of the plugin allows them.
  std::vector<queue::Job> companions;
  const bool full_read = job->sync_mode == "full" && shared_.config.coalesce_full_reads;
  if (op.event && (job->sync_mode == "incremental" || full_read) && shared_.config.coalesce_max > 1) {
    uint32_t group = 0, most = static_cast<uint32_t>(shared_.config.coalesce_max);
    bool every_stream_can = true;  // a full read: only if every coalesced stream reads several in full
    for (const auto& c : plugin->coalescing) {
      group = std::max(group, c.group);
      if (c.max_events > 0) most = std::min(most, c.max_events);
      if (full_read && !(c.modes & P88_MODE_FULL)) every_stream_can = false;
    }
    if (!every_stream_can) group = 0;
    if (group != 0 && most > 1) {
      try {
        const bool by_race = group == P88_COALESCE_RACE;
        auto rows = store_->query(
            std::string("SELECT provider_event_id FROM events WHERE partner_provider_credential_id = $1") +
                (by_race ? " AND provider_race_id = $2" : ""),
            by_race ? store::SqlParams{std::to_string(job->credential_id), op.event->provider_race_id}
                    : store::SqlParams{std::to_string(job->credential_id)});
        std::vector<std::string> ids;
        for (const auto& r : rows.rows)
          if (r[0] && *r[0] != op.event->provider_event_id) ids.push_back(*r[0]);
        if (!by_race || op.event->provider_race_id)
          companions = queue.claimCompanions(*job, id_, lease, ids, static_cast<int>(shared_.config.coalesce_window.count()),
                                             most - 1);
        for (auto it = companions.begin(); it != companions.end();) {
          auto found = it->event_id ? sync::eventsById(*store_, *credential, *it->event_id) : std::vector<sync::EventRef>{};
          if (found.empty()) {  // handed back: alone, it fails with its reason
            queue.retryLater(it->id, id_, 0, "released: its event is not known", false);
            it = companions.erase(it);
            continue;
          }
          op.more_events.push_back(found.front());
          op.more_queue_ids.push_back(it->id);
          ++it;
        }
      } catch (const std::exception& e) {  // alone, then: the companions' leases lapse if they were taken
        log(logging::Level::warning, id_ + " " + describe + " could not coalesce: " + logging::redact(e.what()));
      }
      if (!companions.empty())
        log(logging::Level::information, id_ + " " + describe + " coalesced with " + std::to_string(companions.size()) +
                                             " more jobs of its " + (group == P88_COALESCE_RACE ? "race" : "account"));
    }
  }

  http::Options http_options;
  http_options.call_deadline_ms = static_cast<int>(std::min<int64_t>(shared_.config.call_deadline.count() * 1000, INT32_MAX));
  http_options.insecure_http_setting = "providers." + provider->slug + ".allow_insecure_http";
  if (auto it = shared_.settings->merged.find(http_options.insecure_http_setting); it != shared_.settings->merged.end())
    http_options.allow_insecure_http = it->second == "true";
  http::Session session(sync::providerBaseUrl(*shared_.settings, *provider, *plugin), http_options);
  const queue::Budget budget = budgetFor(shared_, *provider);
  // The heartbeat: its own thread and connection (opened at the first beat: most jobs end
  // sooner), renewing the lease every third of it for as long as the job runs, however long a
  // page takes to arrive or to parse. It ends as soon as the job does. When it cannot renew (the
  // database unreachable), it tries every second; once two thirds of the lease have passed since
  // the last renewal it cancels the job, which then stops writing before the lease can lapse and
  // another worker can take the job. Either way the job is not counted as done here.
  std::atomic<bool> lease_lost{false};
  std::string lease_lost_why;  // written by the heartbeat before lease_lost is set
  std::mutex beat_mutex;
  std::condition_variable beat_wake;
  bool job_done = false;
  std::vector<int64_t> held_ids{job->id};
  for (const auto& c : companions) held_ids.push_back(c.id);
  std::thread heartbeat([&, held_ids] {
    std::unique_ptr<store::Store> beat_store;
    std::unique_lock<std::mutex> lock(beat_mutex);
    auto wait = lease_span / 3;
    std::string trouble;
    while (!beat_wake.wait_for(lock, wait, [&] { return job_done; })) {
      lock.unlock();
      bool held = true;
      try {
        if (!beat_store) beat_store = shared_.open_heartbeat_store ? shared_.open_heartbeat_store()
                                                                   : store::openStore(shared_.settings->database);
        queue::JobQueue beat_queue(*beat_store);
        for (int64_t held_id : held_ids) held = beat_queue.heartbeat(held_id, id_, lease) && held;
        if (held) {
          renewed_at = Clock::now().time_since_epoch().count();
          if (!trouble.empty()) log(logging::Level::information, id_ + " heartbeat renews the lease again");
          trouble.clear();
          wait = lease_span / 3;
        } else {
          lease_lost_why = "another worker holds its lease now (it lapsed and the job was rescued)";
        }
      } catch (const std::exception& e) {
        if (trouble.empty())
          log(logging::Level::warning, id_ + " heartbeat cannot renew the lease of job " + std::to_string(held_ids.front()) +
                                           ": " + logging::redact(e.what()));
        trouble = logging::redact(e.what());
        wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), lease_span / 10);
        const auto since = Clock::now() - Clock::time_point(Clock::duration(renewed_at.load()));
        if (since >= lease_span * 2 / 3) {
          held = false;
          lease_lost_why = "the heartbeat could not renew its lease for " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
                           " s (" + trouble + "); stopped before the lease lapses";
        }
      }
      lock.lock();
      if (!held) {
        lease_lost = true;
        return;
      }
    }
  });
  struct JoinOnExit {
    std::mutex& m;
    std::condition_variable& wake;
    bool& done;
    std::thread& t;
    ~JoinOnExit() {
      {
        std::lock_guard<std::mutex> lock(m);
        done = true;
      }
      wake.notify_all();
      if (t.joinable()) t.join();
    }
  } join_heartbeat{beat_mutex, beat_wake, job_done, heartbeat};
  auto keep_lease = [&] { return !lease_lost.load(); };
  sync::JobEnvironment env;
  env.store = store_.get();
  env.session = &session;
  env.tokens = shared_.tokens;
  env.label = provider->name + " partner=" + std::to_string(job->timing_partner_id) +
              " credential=" + std::to_string(job->credential_id) + " job=" + std::to_string(job->id);
  env.progress = progress;
  env.cancelled = [&] { return shared_.cancel_running.load() || lease_lost; };
  env.deadline = (Clock::now() + shared_.config.job_deadline).time_since_epoch().count();
  env.deadline_setting = "worker.job_deadline = " + std::to_string(shared_.config.job_deadline.count()) + " s";
  env.max_requests = shared_.config.max_pages;
  env.max_vanished_share = shared_.config.max_vanished_share;
  // A run fetches at most two minutes of the credential's budget in details (at least 100), so
  // it does not hold a worker and the credential's calls for long; the allowance bounds it too.
  env.details_max_per_run = shared_.config.details_max_per_run.value_or(
      shared_.budget_details ? std::max<size_t>(100, static_cast<size_t>(budget.calls_per_hour / 30)) : 100000);
  if (shared_.budget_details)
    env.detail_allowance = [&](size_t wanted) { return limiter.takeDetails(provider->id, credential->id, wanted); };
  env.before_request = [&] {
    while (true) {
      if (!keep_lease() || shared_.cancel_running) return false;
      const double wait = limiter.acquire(provider->id, credential->id, budget);
      if (wait <= 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(std::min(wait, 1.0) * 1000) + 1));
    }
  };

  sync::OperationResult result;
  try {
    result = sync::runOperation(op, env);
  } catch (const std::exception& e) {  // the database failed outside a write (sync_history, ...)
    result.total.status = P88_ERR_TRANSIENT;
    const auto* sql = dynamic_cast<const store::SqlError*>(&e);
    result.total.database_fault = sql ? sql->kind() : store::SqlErrorKind::resource;
    result.total.error = logging::redact(std::string("database fault: ") + e.what());
  }
  // Each job of the run gets the outcome: the lead, then any companions, each its own result.
  const auto outcome = [&](const sync::StreamResult& t) {
    metrics::apiCalls(provider->name, credential->id, t.api_calls);
    metrics::recordsWritten(provider->name, "inserted", static_cast<int64_t>(t.inserted));
    metrics::recordsWritten(provider->name, "updated", static_cast<int64_t>(t.updated));
    metrics::recordsWritten(provider->name, "unchanged", static_cast<int64_t>(t.unchanged));
    metrics::recordsWritten(provider->name, "refused", static_cast<int64_t>(t.rejected + t.skipped));
    if (lease_lost) {
      log(logging::Level::warning, id_ + " " + describe + " stopped: " + lease_lost_why);
      // Still ours when the heartbeat gave up early: hand it back without using an attempt.
      if (lease_lost_why.rfind("the heartbeat", 0) == 0 &&
          settle("was released", [&] { return queue.retryLater(job->id, id_, 0, "released: " + lease_lost_why, false); }))
        count_job("released");
      return;
    }
    if (t.ok()) {
      if (settle("completed", [&] { return queue.complete(job->id, id_); })) {
        ++shared_.jobs_done;
        count_job("completed");
        log(logging::Level::information, id_ + " " + describe + " completed: " + std::to_string(t.emitted) +
                                             " records, " + std::to_string(t.api_calls) + " API calls");
      }
      return;
    }
    if (t.database_fault) return database_fault(*t.database_fault, t.error);
    switch (t.status) {
      case P88_ERR_THROTTLED: {
        const double wait = t.retry_after_seconds > 0 ? static_cast<double>(t.retry_after_seconds) : 60.0;
        try {
          limiter.block(provider->id, credential->id, wait);
        } catch (const std::exception& e) {
          log(logging::Level::warning, id_ + " could not block the credential: " + logging::redact(e.what()));
        }
        if (job == &claimed) {
          ++shared_.throttles;
          metrics::throttled(provider->name, credential->id);
        }
        if (settle("was rescheduled", [&] { return queue.retryLater(job->id, id_, static_cast<int>(wait), t.error, false); })) {
          count_job("throttled");
          log(logging::Level::warning, id_ + " " + describe + " throttled by the provider; retry in " +
                                           std::to_string(static_cast<int>(wait)) + " s (no attempt used)");
        }
        return;
      }
      case P88_ERR_CANCELLED:  // shutdown: give it back without using an attempt
        if (settle("was released", [&] { return queue.retryLater(job->id, id_, 0, "released: its worker was stopped", false); }))
          count_job("released");
        return;
      case P88_ERR_TRANSIENT:
      case P88_ERR_INTERNAL: {
        auto delay = retryDelay(shared_.config.retry, job->retry_count + 1, uniformJitter);
        if (!delay) return finish_failed(t.error + " (after " + std::to_string(job->retry_count) + " retries)");
        if (settle("was rescheduled", [&] {
              return queue.retryLater(job->id, id_, static_cast<int>(delay->count()), t.error, true);
            })) {
          count_job("retried");
          log(logging::Level::warning, id_ + " " + describe + " failed (" + sync::statusName(t.status) + "), retry " +
                                           std::to_string(job->retry_count + 1) + " in " +
                                           std::to_string(delay->count()) + " s: " + t.error);
        }
        return;
      }
      default:  // auth, invalid, not found: retrying will not help
        return finish_failed(std::string(sync::statusName(t.status)) + ": " + t.error);
    }
  };
  std::vector<const queue::Job*> group{&claimed};
  for (const auto& c : companions) group.push_back(&c);
  for (size_t i = 0; i < group.size(); ++i) {
    job = group[i];
    describe = describeJob(*job);
    outcome(i < result.per_event.size() ? result.per_event[i].total : result.total);
  }
}

}  // namespace p88::engine
