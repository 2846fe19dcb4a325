#include "sync/sync_operation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "logging/logging.h"
#include "store/store.h"

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

void writeHistory(store::Store& store, const Operation& op, const OperationResult& result) {
  const StreamResult& t = result.total;
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
  nlohmann::json snapshot = {{"inserted", t.inserted},     {"updated", t.updated},
                             {"unchanged", t.unchanged},   {"status_changes", t.status_changes},
                             {"rejected", t.rejected},     {"skipped", t.skipped},
                             {"streams", nlohmann::json::object()}};
  for (const auto& [name, r] : result.streams)
    snapshot["streams"][name] = {{"status", statusName(r.status)}, {"emitted", r.emitted},
                                 {"api_calls", r.api_calls}};
  auto opt = [](const std::optional<int64_t>& v) -> store::SqlValue {
    return v ? store::SqlValue(std::to_string(*v)) : std::nullopt;
  };
  store.query(
      "INSERT INTO sync_history (timing_partner_id, provider_id, event_id, operation_type, "
      "sync_direction, sync_time, status, num_of_synced_records, entries_success, entries_failed, "
      "error_details, data_snapshot, duration_seconds, reason, partner_provider_credential_id, "
      "sync_queue_id, sync_mode, api_calls) VALUES ($1, $2, $3, $4, 'pull', $17, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
      {std::to_string(op.credential->timing_partner_id), std::to_string(op.credential->provider_id),
       op.event ? store::SqlValue(op.event->provider_event_id) : std::nullopt, op.operation,
       result.status(), std::to_string(t.inserted + t.updated + t.unchanged),
       std::to_string(t.inserted + t.updated + t.unchanged), std::to_string(t.rejected + t.skipped),
       details.is_null() ? std::nullopt : store::SqlValue(details.dump()), snapshot.dump(),
       std::to_string(static_cast<long long>(std::lround(result.seconds))), op.reason,
       std::to_string(op.credential->id), opt(op.sync_queue_id), result.mode,
       std::to_string(t.api_calls), finishedAt()});
}

}  // namespace

std::string OperationResult::status() const {
  if (!total.ok()) return "failed";
  if (total.rejected + total.skipped > 0) return "partial";
  return "success";
}

OperationResult runOperation(const Operation& op, JobEnvironment& env) {
  const auto started = std::chrono::steady_clock::now();
  OperationResult result;
  result.mode = "incremental";
  const uint32_t scope = op.operation == "events" ? P88_SCOPE_ACCOUNT : P88_SCOPE_EVENT;
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
    run.cursor = env.store->loadCursor(key);
    const bool incremental = !op.force_full && run.cursor && (s.modes & P88_MODE_INCREMENTAL);
    run.mode = incremental ? P88_MODE_INCREMENTAL : P88_MODE_FULL;
    if (!incremental) result.mode = "full";
    StreamResult r = runStream(run, env);
    accumulate(result.total, r);
    result.streams.emplace_back(run.stream, std::move(r));
    if (!result.total.ok()) break;  // the next stream would meet the same provider trouble
  }
  if (result.streams.empty()) {
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
