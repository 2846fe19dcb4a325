#include "sync/sync_operation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <map>
#include <unordered_set>

#include "logging/logging.h"
#include "plugins/descriptor_checks.h"
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
                             {"vanished", t.vanished},          {"details", t.details_asked},
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
      "sync_queue_id, sync_mode, api_calls, detail_calls) VALUES ($1, $2, $3, $4, 'pull', $17, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18)",
      {std::to_string(k.timing_partner_id), std::to_string(k.provider_id), k.event_id, k.operation, h.status,
       std::to_string(t.inserted + t.updated + t.unchanged), std::to_string(t.inserted + t.updated + t.unchanged),
       std::to_string(t.rejected + t.skipped), details.is_null() ? std::nullopt : store::SqlValue(details.dump()),
       snapshot.dump(), std::to_string(static_cast<long long>(std::lround(h.seconds))), k.reason,
       std::to_string(k.credential_id), opt(k.sync_queue_id),
       h.mode.empty() ? store::SqlValue() : store::SqlValue(h.mode), std::to_string(t.api_calls), finishedAt(),
       t.details_asked || t.detail_calls ? store::SqlValue(std::to_string(t.detail_calls)) : std::nullopt});
}

void writeHistory(store::Store& store, const Operation& op, const OperationResult& result,
                  const std::optional<std::string>& event_id, const std::optional<int64_t>& queue_id) {
  HistoryRow h;
  h.key = {op.credential->timing_partner_id, op.credential->provider_id, op.credential->id, event_id,
           op.operation, op.reason, queue_id};
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
void reconcile(const Operation& op, const EventRef& event, JobEnvironment& env,
               const std::unordered_set<std::string>& seen, StreamResult& total) {
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
                       event.provider_event_id};
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

const p88_coalescing* coalescingOf(const p88_plugin_descriptor* plugin, const std::string& stream) {
  if (plugin == nullptr || plugin->struct_size < offsetof(p88_plugin_descriptor, coalescing_count) + sizeof(uint32_t) ||
      plugin->coalescing == nullptr)
    return nullptr;
  for (uint32_t i = 0; i < plugin->coalescing_count; ++i)
    if (const p88_coalescing* c = plugin->coalescing[i]; c && c->stream && stream == c->stream) return c;
  return nullptr;
}

namespace {

// A coalesced operation: each event-scoped stream once per group of events where the plugin
// coalesces it (the events with a cursor for it; those without one too where the plugin
// coalesces full reads), event by event otherwise; each event's counts, its share of the calls,
// its own reconciliation after full reads, and its own sync_history row.
OperationResult runCoalesced(const Operation& op, JobEnvironment& env) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<EventRef> events{*op.event};
  events.insert(events.end(), op.more_events.begin(), op.more_events.end());
  std::vector<OperationResult> per(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    per[i].mode = "incremental";
    per[i].event_id = events[i].provider_event_id;
  }
  const auto key = [&](const std::string& stream, const std::string& event) {
    return store::StreamKey{op.credential->timing_partner_id, op.credential->provider_id, op.credential->id, stream,
                            event};
  };
  StreamResult failed;  // the first failure, which ends the operation for every event
  std::map<std::string, std::unordered_set<std::string>> seen;  // full reads: what each event returned
  std::vector<bool> every_stream_full(events.size(), true);
  env.seen = &seen;
  for (uint32_t s = 0; s < op.plugin->stream_count && failed.ok(); ++s) {
    const p88_stream_info& info = op.plugin->streams[s];
    if (info.scope != P88_SCOPE_EVENT) continue;
    std::vector<std::optional<std::string>> cursors;
    try {
      for (const EventRef& e : events) cursors.push_back(env.store->loadCursor(key(info.name, e.provider_event_id)));
    } catch (const store::SqlError& e) {
      failed.status = P88_ERR_TRANSIENT;
      failed.database_fault = e.kind();
      failed.error = logging::redact("database " + std::string(store::sqlErrorKindName(e.kind())) +
                                     " fault while reading the cursors of " + info.name + ": " + e.what());
      break;
    }
    const p88_coalescing* how = coalescingOf(op.plugin, info.name);
    // The runs of this stream: groups of events (by race, or the whole account) read the same
    // way, at most max_events each; an event read in full runs alone unless the plugin coalesces
    // full reads of the stream.
    std::vector<std::vector<size_t>> runs;
    std::map<std::string, size_t> open;  // group key -> index in runs
    const uint32_t coalesced_modes = how ? plugins::coalescingModes(*how) : 0;
    for (size_t i = 0; i < events.size(); ++i) {
      const bool incremental = !op.force_full && cursors[i] && (info.modes & P88_MODE_INCREMENTAL);
      const bool can = how && (coalesced_modes & (incremental ? P88_MODE_INCREMENTAL : P88_MODE_FULL));
      if (!can) {
        runs.push_back({i});
        continue;
      }
      const std::string group =
          std::string(incremental ? "incremental " : "full ") +
          (how->group == P88_COALESCE_RACE ? "race:" + events[i].provider_race_id.value_or("") : std::string("account"));
      auto it = open.find(group);
      if (it == open.end() || (how->max_events > 0 && runs[it->second].size() >= how->max_events)) {
        open[group] = runs.size();
        runs.push_back({});
        it = open.find(group);
      }
      runs[it->second].push_back(i);
    }
    for (const auto& members : runs) {
      const EventRef& first = events[members.front()];
      StreamRun run;
      run.plugin = op.plugin;
      run.credential = op.credential;
      run.stream = info.name;
      run.provider_event_id = first.provider_event_id;
      run.provider_race_id = first.provider_race_id;
      run.event_name = first.name;
      const bool incremental = !op.force_full && cursors[members.front()] && (info.modes & P88_MODE_INCREMENTAL);
      run.mode = incremental ? P88_MODE_INCREMENTAL : P88_MODE_FULL;
      run.cursor = incremental ? cursors[members.front()] : std::nullopt;
      if (members.size() > 1)
        for (size_t i : members)
          run.targets.push_back({events[i].provider_event_id, events[i].provider_race_id, events[i].name,
                                 incremental ? cursors[i] : std::nullopt});
      std::map<std::string, StreamResult> by_event;
      StreamResult r = runStream(run, env, members.size() > 1 ? &by_event : nullptr);
      // Each event's share of the calls: one request served them all.
      const int64_t n = static_cast<int64_t>(members.size());
      for (int64_t k = 0; k < n; ++k) {
        const size_t i = members[static_cast<size_t>(k)];
        StreamResult mine = members.size() > 1 ? by_event[events[i].provider_event_id] : r;
        mine.api_calls = r.api_calls / n + (k < r.api_calls % n ? 1 : 0);
        if (members.size() > 1 && k == 0)  // the run's problems are said once, with its first event
          mine.problems = r.problems;
        // A row without a usable id may be any event's: none of them reconciles after this read.
        if (members.size() > 1) mine.unidentified = r.unidentified;
        if (!incremental) per[i].mode = "full";
        else every_stream_full[i] = false;
        accumulate(per[i].total, mine);
        per[i].streams.emplace_back(run.stream, std::move(mine));
      }
      if (!r.ok()) {
        failed = r;
        break;
      }
    }
  }
  env.seen = nullptr;
  for (size_t i = 0; i < per.size(); ++i)
    if (failed.ok() && every_stream_full[i] && !per[i].streams.empty() && per[i].total.ok())
      reconcile(op, events[i], env, seen[events[i].provider_event_id], per[i].total);
  OperationResult result;
  result.mode = "incremental";
  for (size_t i = 0; i < per.size(); ++i) {
    if (!failed.ok() && per[i].total.ok()) {  // not reached, or served before the failure: retried with the rest
      per[i].total.status = failed.status;
      per[i].total.error = failed.error;
      per[i].total.database_fault = failed.database_fault;
      per[i].total.retry_after_seconds = failed.retry_after_seconds;
    }
    if (per[i].mode == "full") result.mode = "full";
    accumulate(result.total, per[i].total);
    for (auto& st : per[i].streams) result.streams.push_back(st);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (size_t i = 0; i < per.size(); ++i) {
    per[i].seconds = result.seconds;
    try {
      writeHistory(*env.store, op, per[i], events[i].provider_event_id,
                   i == 0 ? op.sync_queue_id : op.more_queue_ids.at(i - 1));
    } catch (const std::exception& e) {
      logging::error(logging::Component::worker,
                     env.label + " writing sync_history failed: " + logging::redact(e.what()));
    }
  }
  result.per_event = std::move(per);
  return result;
}

}  // namespace

OperationResult runOperation(const Operation& op, JobEnvironment& env) {
  if (op.event && !op.more_events.empty()) return runCoalesced(op, env);
  const auto started = std::chrono::steady_clock::now();
  OperationResult result;
  result.mode = "incremental";
  const uint32_t scope = op.operation == "events" ? P88_SCOPE_ACCOUNT : P88_SCOPE_EVENT;
  // A full read of an event's registrations is also a reconciliation: what it did not return is
  // looked for among what is stored.
  std::map<std::string, std::unordered_set<std::string>> seen;
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
  if (every_stream_full && !result.streams.empty() && result.total.ok())
    reconcile(op, *op.event, env, seen[op.event->provider_event_id], result.total);
  if (op.operation == "events" && result.total.ok()) reportEventsWithoutStart(op, env, result.total);
  if (result.streams.empty() && result.total.ok()) {
    result.total.status = P88_ERR_INVALID;
    result.total.error = "the plugin has no " + std::string(scope == P88_SCOPE_ACCOUNT ? "account" : "event") +
                         "-scoped stream for operation '" + op.operation + "'";
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  try {
    writeHistory(*env.store, op, result,
                 op.event ? std::optional<std::string>(op.event->provider_event_id) : std::nullopt, op.sync_queue_id);
  } catch (const std::exception& e) {
    logging::error(logging::Component::worker,
                   env.label + " writing sync_history failed: " + logging::redact(e.what()));
  }
  return result;
}

}  // namespace p88::sync
