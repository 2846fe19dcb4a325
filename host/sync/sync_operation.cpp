#include "sync/sync_operation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "logging/logging.h"
#include "store/store.h"
#include "sync/sync_catalog.h"

namespace p88::sync {
namespace {

// Now, UTC, to the millisecond: several syncs finish within one second, and the seed's "recent
// sync history" query orders by sync_time (SQLite's CURRENT_TIMESTAMP has whole seconds).
std::string finishedAt() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

struct HistoryRow {
  HistoryKey key;
  std::string status, mode;
  const StreamResult* total = nullptr;
  const std::vector<std::pair<std::string, StreamResult>>* streams = nullptr;
  double seconds = 0;
};

void insertHistory(store::Store& store, const HistoryRow& h) {
  const StreamResult& t = *h.total;
  nlohmann::json details = nullptr;
  if (!t.ok() || !t.problems.empty()) {
    details = nlohmann::json::object();
    if (!t.ok()) {
      details["status"] = statusName(t.status);
      details["error"] = t.error;
      if (t.retry_after_seconds > 0) details["retry_after_seconds"] = t.retry_after_seconds;
    }
    if (!t.problems.empty()) details["records"] = t.problems;
  }
  nlohmann::json snapshot = {{"emitted", t.emitted},         {"inserted", t.inserted},
                             {"updated", t.updated},         {"unchanged", t.unchanged},
                             {"status_changes", t.status_changes}, {"rejected", t.rejected},
                             {"vanished", t.vanished},
                             {"skipped", t.skipped},         {"seconds", std::round(h.seconds * 1000) / 1000},
                             {"streams", nlohmann::json::object()}};
  if (h.streams)
    for (const auto& [name, r] : *h.streams)
      snapshot["streams"][name] = {{"status", statusName(r.status)}, {"emitted", r.emitted},
                                   {"api_calls", r.api_calls}};
  auto opt = [](const std::optional<int64_t>& v) -> store::SqlValue {
    return v ? store::SqlValue(std::to_string(*v)) : std::nullopt;
  };
  const HistoryKey& k = h.key;
  store.query(
      "INSERT INTO sync_history (timing_partner_id, provider_id, event_id, operation_type, "
      "sync_direction, sync_time, status, num_of_synced_records, entries_success, entries_failed, "
      "error_details, data_snapshot, duration_seconds, reason, partner_provider_credential_id, "
      "sync_queue_id, sync_mode, api_calls) VALUES ($1, $2, $3, $4, 'pull', $17, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
      {std::to_string(k.timing_partner_id), std::to_string(k.provider_id), k.event_id, k.operation, h.status,
       std::to_string(t.inserted + t.updated + t.unchanged), std::to_string(t.inserted + t.updated + t.unchanged),
       std::to_string(t.rejected + t.skipped), details.is_null() ? std::nullopt : store::SqlValue(details.dump()),
       snapshot.dump(), std::to_string(static_cast<long long>(std::lround(h.seconds))), k.reason,
       std::to_string(k.credential_id), opt(k.sync_queue_id),
       h.mode.empty() ? store::SqlValue() : store::SqlValue(h.mode), std::to_string(t.api_calls), finishedAt()});
}

void writeHistory(store::Store& store, const Operation& op, const OperationResult& result) {
  HistoryRow h;
  h.key = {op.credential->timing_partner_id, op.credential->provider_id, op.credential->id,
           op.event ? std::optional<std::string>(op.event->provider_event_id) : std::nullopt,
           op.operation, op.reason, op.sync_queue_id};
  h.status = result.status();
  h.mode = result.mode;
  h.total = &result.total;
  h.streams = &result.streams;
  h.seconds = result.seconds;
  insertHistory(store, h);
}

int32_t statusFromName(const std::string& name) {
  for (int32_t s : {P88_OK, P88_ERR_AUTH, P88_ERR_TRANSIENT, P88_ERR_THROTTLED, P88_ERR_NOT_FOUND, P88_ERR_INVALID,
                    P88_ERR_CANCELLED, P88_ERR_INTERNAL})
    if (name == statusName(s)) return s;
  return P88_ERR_INTERNAL;
}

// After a full read that completed: the event's stored registrations it did not return are
// marked vanished (store::Store::markVanished), unless the read had rows it could not identify
// or too many are missing. Either way it is said in the run's problems.
void reconcile(const Operation& op, JobEnvironment& env, const std::unordered_set<std::string>& seen,
               StreamResult& total) {
  const auto say = [&](const std::string& line) {
    if (total.problems.size() < 20) total.problems.push_back(line);
    logging::write(logging::Component::worker, logging::Level::warning, env.label + " " + line);
  };
  if (total.unidentified > 0) {
    say("reconciliation skipped: " + std::to_string(total.unidentified) +
        " rows had no usable id, so registrations the provider no longer has cannot be told apart");
    return;
  }
  store::StreamKey key{op.credential->timing_partner_id, op.credential->provider_id, op.credential->id, "participants",
                       op.event->provider_event_id};
  try {
    const store::Store::Vanished v = env.store->markVanished(key, seen, env.max_vanished_share);
    total.vanished = v.marked;
    if (v.guarded) {
      total.vanish_guarded = true;
      say("reconciliation: " + std::to_string(v.missing) + " of " + std::to_string(v.stored) +
          " stored registrations are no longer at the provider, more than reconcile.max_vanished_share (" +
          std::to_string(static_cast<int>(env.max_vanished_share * 100 + 0.5)) +
          " %) allows: none marked; if the provider really deleted them, raise the share for one run");
    } else if (v.marked > 0) {
      say("reconciliation: " + std::to_string(v.marked) +
          " registrations no longer at the provider marked removed (reason vanished)");
    }
  } catch (const store::SqlError& e) {
    total.status = P88_ERR_TRANSIENT;
    total.database_fault = e.kind();
    total.error = logging::redact(std::string("database fault while reconciling: ") + e.what());
  }
}

// Said on every discovery while it lasts: an event the provider gives no usable start time is
// synced as if it started soon, and nobody can plan its race morning.
void reportEventsWithoutStart(const Operation& op, JobEnvironment& env, StreamResult& total) {
  try {
    for (const std::string& e : eventsWithoutStart(*env.store, op.credential->id)) {
      const std::string line = "event " + e.substr(e.find(' ') + 1) +
                               " has no usable start time: synced at the tightest window's cadence until the provider "
                               "gives one";
      if (total.problems.size() < 20) total.problems.push_back(line);
      logging::write(logging::Component::worker, logging::Level::warning, env.label + " " + line);
    }
  } catch (const std::exception& e) {
    logging::write(logging::Component::worker, logging::Level::warning,
                   env.label + " could not look for events without a start time: " + logging::redact(e.what()));
  }
}

}  // namespace

std::string OperationResult::status() const {
  if (!total.ok()) return "failed";
  if (total.rejected + total.skipped > 0 || total.vanish_guarded) return "partial";
  return "success";
}

void recordFailureBeforeStart(store::Store& store, const HistoryKey& key, int32_t status, const std::string& error) {
  StreamResult t;
  t.status = status;
  t.error = error;
  HistoryRow h;
  h.key = key;
  h.status = "failed";
  h.total = &t;
  insertHistory(store, h);
}

int64_t lastHistoryId(store::Store& store) {
  auto r = store.query("SELECT MAX(sync_history_id) FROM sync_history");
  return r.empty() || !r.rows[0][0] ? 0 : std::stoll(*r.rows[0][0]);
}

std::optional<OperationResult> jobResult(store::Store& store, int64_t job, int64_t after) {
  auto r = store.query(
      "SELECT sync_mode, api_calls, error_details, data_snapshot FROM sync_history WHERE sync_queue_id = $1 "
      "AND sync_history_id > $2 ORDER BY sync_history_id DESC LIMIT 1",
      {std::to_string(job), std::to_string(after)});
  if (r.empty()) return std::nullopt;
  OperationResult out;
  out.mode = r.at(0, "sync_mode").value_or("-");
  StreamResult& t = out.total;
  t.api_calls = std::stoll(r.at(0, "api_calls").value_or("0"));
  const auto snapshot = nlohmann::json::parse(r.at(0, "data_snapshot").value_or("{}"), nullptr, false);
  auto count = [&](const char* name) -> size_t {
    return snapshot.is_object() && snapshot.contains(name) && snapshot[name].is_number_unsigned()
               ? snapshot[name].get<size_t>()
               : 0;
  };
  t.emitted = count("emitted");
  t.inserted = count("inserted");
  t.updated = count("updated");
  t.unchanged = count("unchanged");
  t.status_changes = count("status_changes");
  t.rejected = count("rejected");
  t.skipped = count("skipped");
  t.vanished = count("vanished");
  if (snapshot.is_object() && snapshot.contains("seconds") && snapshot["seconds"].is_number())
    out.seconds = snapshot["seconds"].get<double>();
  const auto details = nlohmann::json::parse(r.at(0, "error_details").value_or("{}"), nullptr, false);
  if (details.is_object()) {
    if (details.contains("status") && details["status"].is_string()) {
      t.status = statusFromName(details["status"].get<std::string>());
      t.error = details.value("error", std::string());
      if (details.contains("retry_after_seconds") && details["retry_after_seconds"].is_number_integer())
        t.retry_after_seconds = details["retry_after_seconds"].get<int64_t>();
    }
    if (details.contains("records") && details["records"].is_array())
      for (const auto& p : details["records"])
        if (p.is_string()) t.problems.push_back(p.get<std::string>());
  }
  return out;
}

OperationResult runOperation(const Operation& op, JobEnvironment& env) {
  const auto started = std::chrono::steady_clock::now();
  OperationResult result;
  result.mode = "incremental";
  const uint32_t scope = op.operation == "events" ? P88_SCOPE_ACCOUNT : P88_SCOPE_EVENT;
  // A full read of an event's registrations is also a reconciliation: what it did not return is
  // looked for among what is stored.
  std::unordered_set<std::string> seen;
  bool every_stream_full = op.event.has_value();
  if (op.event) env.seen = &seen;
  for (uint32_t i = 0; i < op.plugin->stream_count; ++i) {
    const p88_stream_info& s = op.plugin->streams[i];
    if (s.scope != scope) continue;
    StreamRun run;
    run.plugin = op.plugin;
    run.credential = op.credential;
    run.stream = s.name;
    if (op.event) {
      run.provider_event_id = op.event->provider_event_id;
      run.provider_race_id = op.event->provider_race_id;
      run.event_name = op.event->name;
    }
    store::StreamKey key{op.credential->timing_partner_id, op.credential->provider_id,
                         op.credential->id, run.stream, run.provider_event_id};
    try {
      run.cursor = env.store->loadCursor(key);
    } catch (const store::SqlError& e) {
      result.total.status = P88_ERR_TRANSIENT;
      result.total.database_fault = e.kind();
      result.total.error = logging::redact("database " + std::string(store::sqlErrorKindName(e.kind())) +
                                           " fault while reading the cursor of " + run.stream + ": " + e.what());
      break;
    }
    const bool incremental = !op.force_full && run.cursor && (s.modes & P88_MODE_INCREMENTAL);
    run.mode = incremental ? P88_MODE_INCREMENTAL : P88_MODE_FULL;
    if (!incremental) result.mode = "full";
    if (incremental) every_stream_full = false;
    StreamResult r = runStream(run, env);
    accumulate(result.total, r);
    result.streams.emplace_back(run.stream, std::move(r));
    if (!result.total.ok()) break;  // the next stream would meet the same provider trouble
  }
  env.seen = nullptr;
  if (every_stream_full && !result.streams.empty() && result.total.ok()) reconcile(op, env, seen, result.total);
  if (op.operation == "events" && result.total.ok()) reportEventsWithoutStart(op, env, result.total);
  if (result.streams.empty() && result.total.ok()) {
    result.total.status = P88_ERR_INVALID;
    result.total.error = "the plugin has no " + std::string(scope == P88_SCOPE_ACCOUNT ? "account" : "event") +
                         "-scoped stream for operation '" + op.operation + "'";
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  try {
    writeHistory(*env.store, op, result);
  } catch (const std::exception& e) {
    logging::error(logging::Component::worker,
                   env.label + " writing sync_history failed: " + logging::redact(e.what()));
  }
  return result;
}

}  // namespace p88::sync
