#include "status/race_morning.h"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "engine/scheduler.h"
#include "queue/rate_limiter.h"
#include "store/store.h"

namespace p88::status {
namespace {

using engine::Instant;
using engine::Seconds;

int64_t number(const store::SqlValue& v) { return v ? std::stoll(*v) : 0; }

// The start in the race's own zone; UTC when the zone is missing or unknown to the tz database.
std::string localStart(Instant start, const std::optional<std::string>& zone) {
  if (zone && !zone->empty()) {
    try {
      return date::format("%a %d %b %H:%M %Z", date::make_zoned(*zone, date::sys_seconds(start.time_since_epoch())));
    } catch (const std::exception&) {
      // an unknown zone: fall through to UTC
    }
  }
  return date::format("%a %d %b %H:%M UTC", date::sys_seconds(start.time_since_epoch()));
}

// The error a sync_history row keeps in error_details ({"status", "error", ...}), as one line.
std::string historyError(const std::optional<std::string>& details) {
  if (!details) return "";
  const auto j = nlohmann::json::parse(*details, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) return "";
  const std::string status = j.contains("status") && j["status"].is_string() ? j["status"].get<std::string>() : "";
  return (status.empty() ? "" : status + ": ") + j["error"].get<std::string>();
}

}  // namespace

int64_t CredentialUse::budgetRemaining() const {
  return blocked_seconds > 0 ? 0 : std::max<int64_t>(0, budget_per_hour - calls_last_hour);
}

size_t RaceMorning::staleCount() const {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.stale; }));
}
size_t RaceMorning::failingCount() const {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.failing; }));
}

std::string formatDuration(std::optional<int64_t> seconds) {
  if (!seconds) return "-";
  const int64_t s = std::max<int64_t>(*seconds, 0);
  char buf[48];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else if (s < 86400) std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s % 3600 / 60));
  else std::snprintf(buf, sizeof buf, "%lldd %02lldh", static_cast<long long>(s / 86400), static_cast<long long>(s % 86400 / 3600));
  return buf;
}

std::string nextSyncOf(const EventFreshness& e) {
  if (!e.next_sync_seconds) return "-";
  return *e.next_sync_seconds == 0 ? "now" : formatDuration(e.next_sync_seconds);
}

std::string stateOf(const EventFreshness& e) {
  if (e.stale && e.failing) return "STALE, FAILING";
  if (e.stale) return "STALE";
  if (e.failing) return "FAILING";
  return "ok";
}

std::string summaryOf(const RaceMorning& view) {
  const size_t n = view.events.size();
  if (view.healthy()) return n == 0 ? "no event starts within the next " + formatDuration(view.horizon_seconds)
                                    : "all " + std::to_string(n) + " events fresh";
  return std::to_string(view.staleCount()) + " stale, " + std::to_string(view.failingCount()) + " failing of " +
         std::to_string(n) + " events";
}

RaceMorning readRaceMorning(store::Store& store, const engine::ScheduleConfig& schedule, int64_t horizon_seconds) {
  RaceMorning view;
  view.now = engine::databaseNow(store);
  view.horizon_seconds = horizon_seconds;
  const Instant now = view.now;
  const std::string hour_ago = engine::databaseText(now - Seconds(3600));

  // The events starting within the horizon, and those that started but are still synced; each
  // with its latest participants sync (success or not), its last successful one and its queued job.
  const std::string latest =
      "FROM sync_history h WHERE h.timing_partner_id = e.timing_partner_id AND h.provider_id = e.provider_id "
      "AND h.event_id = e.provider_event_id AND h.operation_type = 'participants' ";
  const std::string queued =
      "FROM sync_queue q WHERE q.partner_provider_credential_id = e.partner_provider_credential_id "
      "AND q.operation_type = 'participants' AND q.event_id = e.provider_event_id AND q.status IN ('pending', 'running') ";
  auto events = store.query(
      "SELECT e.provider_event_id, e.name, e.start_time, e.time_zone, e.partner_provider_credential_id AS credential_id, "
      "p.name AS provider, t.company_name AS partner, "
      "(SELECT h.sync_time " + latest + "AND h.status <> 'failed' ORDER BY h.sync_time DESC LIMIT 1) AS ok_time, "
      "(SELECT h.duration_seconds " + latest + "AND h.status <> 'failed' ORDER BY h.sync_time DESC LIMIT 1) AS ok_seconds, "
      "(SELECT h.status " + latest + "ORDER BY h.sync_time DESC LIMIT 1) AS last_status, "
      "(SELECT h.error_details " + latest + "ORDER BY h.sync_time DESC LIMIT 1) AS last_details, "
      "(SELECT MIN(q.scheduled_time) " + queued + ") AS next_time, "
      "(SELECT MAX(q.scheduled_time) FROM sync_queue q WHERE q.partner_provider_credential_id = "
      "e.partner_provider_credential_id AND q.operation_type = 'participants' AND q.event_id = e.provider_event_id) "
      "AS last_due, "
      "(SELECT MAX(q.retry_count) " + queued + ") AS retries, "
      "(SELECT MAX(q.last_error) " + queued + ") AS queued_error, "
      "(SELECT COUNT(*) FROM participants r WHERE r.timing_partner_id = e.timing_partner_id AND r.provider_id = "
      "e.provider_id AND r.provider_event_id = e.provider_event_id AND r.status = 'active') AS registrations, "
      "(SELECT COUNT(*) FROM participants r WHERE r.timing_partner_id = e.timing_partner_id AND r.provider_id = "
      "e.provider_id AND r.provider_event_id = e.provider_event_id AND r.updated_at >= $3) AS changes "
      "FROM events e JOIN providers p ON p.provider_id = e.provider_id "
      "JOIN timing_partners t ON t.timing_partner_id = e.timing_partner_id "
      "JOIN partner_provider_credentials c ON c.partner_provider_credential_id = e.partner_provider_credential_id "
      "AND c.active "
      "WHERE e.start_time >= $1 AND e.start_time <= $2 ORDER BY e.start_time, p.name, e.provider_event_id",
      {engine::databaseText(now - schedule.until_after_start), engine::databaseText(now + Seconds(horizon_seconds)),
       hour_ago});
  for (size_t i = 0; i < events.rows.size(); ++i) {
    EventFreshness e;
    e.event_id = events.at(i, "provider_event_id").value_or("");
    e.name = events.at(i, "name").value_or(e.event_id);
    e.provider = events.at(i, "provider").value_or("");
    e.partner = events.at(i, "partner").value_or("");
    e.credential_id = number(events.at(i, "credential_id"));
    const auto start = engine::instantFromDatabase(events.at(i, "start_time"));
    if (!start) continue;
    e.start = *start;
    e.start_local = localStart(*start, events.at(i, "time_zone"));
    e.registrations = number(events.at(i, "registrations"));
    e.changes_last_hour = number(events.at(i, "changes"));
    if (auto ok = engine::instantFromDatabase(events.at(i, "ok_time")))
      e.age_seconds = (now - (*ok - Seconds(number(events.at(i, "ok_seconds"))))).count();
    // The queued job's time, else when the schedule makes the next one due (the engine enqueues
    // a job when it falls due; a plan that stretches the interval makes it later).
    if (auto next = engine::instantFromDatabase(events.at(i, "next_time")))
      e.next_sync_seconds = std::max<int64_t>(0, (*next - now).count());
    else if (auto due = engine::nextDue(schedule, start, engine::instantFromDatabase(events.at(i, "last_due")), now))
      e.next_sync_seconds = std::max<int64_t>(0, (*due - now).count());
    const auto every = engine::intervalAt(schedule, start, now);
    e.window_seconds = every ? every->count() : 0;
    e.stale = !e.age_seconds || (e.window_seconds > 0 && *e.age_seconds > 2 * e.window_seconds);
    const bool last_failed = events.at(i, "last_status") == std::optional<std::string>("failed");
    const bool retrying = number(events.at(i, "retries")) > 0;
    e.failing = last_failed || retrying;
    if (last_failed) e.last_error = historyError(events.at(i, "last_details"));
    if (e.last_error.empty()) e.last_error = events.at(i, "queued_error").value_or("");
    view.events.push_back(std::move(e));
  }

  // Each active credential: the calls of the syncs that finished in the last hour, its budget and
  // the provider's throttles (rate_limits keeps them per credential).
  auto credentials = store.query(
      "SELECT c.partner_provider_credential_id AS id, c.provider_id, p.name AS provider, t.company_name AS partner, "
      "p.rate_limit_per_hour AS budget, "
      "(SELECT COALESCE(SUM(h.api_calls), 0) FROM sync_history h WHERE h.partner_provider_credential_id = "
      "c.partner_provider_credential_id AND h.sync_time >= $1) AS calls, "
      "(SELECT COALESCE(SUM(l.throttles), 0) FROM rate_limits l WHERE l.partner_provider_credential_id = "
      "c.partner_provider_credential_id) AS throttles "
      "FROM partner_provider_credentials c JOIN providers p ON p.provider_id = c.provider_id "
      "JOIN timing_partners t ON t.timing_partner_id = c.timing_partner_id WHERE c.active "
      "ORDER BY p.name, c.partner_provider_credential_id",
      {hour_ago});
  for (size_t i = 0; i < credentials.rows.size(); ++i) {
    CredentialUse c;
    c.id = number(credentials.at(i, "id"));
    c.provider = credentials.at(i, "provider").value_or("");
    c.partner = credentials.at(i, "partner").value_or("");
    c.budget_per_hour = number(credentials.at(i, "budget"));
    c.calls_last_hour = number(credentials.at(i, "calls"));
    c.throttles = number(credentials.at(i, "throttles"));
    c.blocked_seconds = queue::RateLimiter(store).blockedFor(number(credentials.at(i, "provider_id")), c.id);
    view.credentials.push_back(std::move(c));
  }

  for (const char* s : {"pending", "running", "completed", "failed"}) view.queue[s] = 0;
  auto depth = store.query("SELECT status, COUNT(*) AS n FROM sync_queue GROUP BY status");
  for (size_t i = 0; i < depth.rows.size(); ++i)
    view.queue[depth.at(i, "status").value_or("?")] = number(depth.at(i, "n"));
  return view;
}

}  // namespace p88::status
