#include "engine/scheduler.h"

#include <cstdio>
#include <ctime>

#include "queue/job_queue.h"
#include "store/store.h"

namespace p88::engine {

std::optional<Instant> instantFromDatabase(const std::optional<std::string>& text) {
  if (!text || text->size() < 19) return std::nullopt;
  std::tm tm{};
  if (std::sscanf(text->c_str(), "%4d-%2d-%2d%*c%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Instant(Seconds(timegm(&tm)));
}

std::string databaseText(Instant t) {
  const std::time_t s = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Instant databaseNow(store::Store& store) {
  auto r = store.query(store.dialect() == store::Dialect::postgresql ? "SELECT to_char(now() AT TIME ZONE 'UTC', "
                                                                        "'YYYY-MM-DD HH24:MI:SS')"
                                                                      : "SELECT strftime('%Y-%m-%d %H:%M:%S', 'now')");
  auto t = instantFromDatabase(r.rows.at(0).at(0));
  if (!t) throw std::runtime_error("the database's clock is unreadable");
  return *t;
}

Scheduler::Scheduler(store::Store& store, EngineConfig config, std::set<std::string> providers)
    : store_(store), config_(std::move(config)), providers_(std::move(providers)) {}

TickResult Scheduler::tick() {
  TickResult out;
  auto ahead = [&](Instant due) {
    if (!out.next_due || due < *out.next_due) out.next_due = due;
  };
  queue::JobQueue queue(store_);
  const Instant now = databaseNow(store_);

  // Discovery, per active credential of a provider we have a plugin for.
  auto creds = store_.query(
      "SELECT c.partner_provider_credential_id AS id, c.timing_partner_id, c.provider_id, p.name, "
      "(SELECT MAX(q.scheduled_time) FROM sync_queue q WHERE q.partner_provider_credential_id = "
      "c.partner_provider_credential_id AND q.operation_type = 'events') AS last_due "
      "FROM partner_provider_credentials c JOIN providers p ON p.provider_id = c.provider_id WHERE c.active");
  for (size_t i = 0; i < creds.rows.size(); ++i) {
    if (!providers_.count(creds.at(i, "name").value_or(""))) continue;
    auto last = instantFromDatabase(creds.at(i, "last_due"));
    const Instant due = last ? *last + config_.schedule.discovery_every : now;
    if (due > now) {
      ahead(due);
      continue;
    }
    queue::NewJob j;
    j.timing_partner_id = std::stoll(creds.at(i, "timing_partner_id").value());
    j.provider_id = std::stoll(creds.at(i, "provider_id").value());
    j.credential_id = std::stoll(creds.at(i, "id").value());
    j.operation = "events";
    j.sync_mode = "full";
    j.priority = kDiscoveryPriority;
    j.scheduled_at = databaseText(due);
    j.max_retries = config_.retry.max_retries;
    out.discovery += queue.enqueue(j) ? 1 : 0;
  }

  // Participants, per event still in its sync window.
  auto events = store_.query(
      "SELECT e.timing_partner_id, e.provider_id, e.partner_provider_credential_id AS credential_id, "
      "e.provider_event_id, e.start_time, p.name, "
      "(SELECT MAX(q.scheduled_time) FROM sync_queue q WHERE q.partner_provider_credential_id = "
      "e.partner_provider_credential_id AND q.operation_type = 'participants' AND q.event_id = e.provider_event_id) "
      "AS last_due, "
      "(SELECT MAX(h.sync_time) FROM sync_history h WHERE h.partner_provider_credential_id = "
      "e.partner_provider_credential_id AND h.operation_type = 'participants' AND h.event_id = e.provider_event_id "
      "AND h.status <> 'failed' AND h.sync_mode = 'full') AS last_full, "
      "(SELECT COUNT(*) FROM sync_cursors s WHERE s.partner_provider_credential_id = e.partner_provider_credential_id "
      "AND s.provider_event_id = e.provider_event_id) AS cursors "
      "FROM events e JOIN partner_provider_credentials c ON c.partner_provider_credential_id = "
      "e.partner_provider_credential_id AND c.active JOIN providers p ON p.provider_id = e.provider_id "
      "WHERE e.start_time IS NULL OR e.start_time >= $1",
      {databaseText(now - config_.schedule.until_after_start)});
  for (size_t i = 0; i < events.rows.size(); ++i) {
    if (!providers_.count(events.at(i, "name").value_or(""))) continue;
    ++out.events_in_scope;
    const auto start = instantFromDatabase(events.at(i, "start_time"));
    const auto last = instantFromDatabase(events.at(i, "last_due"));
    auto due = nextDue(config_.schedule, start, last, now);
    if (!due) continue;
    if (*due > now) {
      ahead(*due);
      continue;
    }
    // The exact grid point when the last run is recent; now when it is long overdue.
    const Instant at = last && *last + *intervalAt(config_.schedule, start, now) >= now - config_.tick * 2
                           ? *last + *intervalAt(config_.schedule, start, now)
                           : now;
    queue::NewJob j;
    j.timing_partner_id = std::stoll(events.at(i, "timing_partner_id").value());
    j.provider_id = std::stoll(events.at(i, "provider_id").value());
    j.credential_id = std::stoll(events.at(i, "credential_id").value());
    j.event_id = events.at(i, "provider_event_id");
    j.operation = "participants";
    j.sync_mode = modeName(chooseMode(config_.schedule, events.at(i, "cursors").value_or("0") != "0",
                                      instantFromDatabase(events.at(i, "last_full")), start, now));
    j.priority = priorityFor(config_.schedule, start, now);
    j.scheduled_at = databaseText(std::min(at, now));
    j.max_retries = config_.retry.max_retries;
    out.participants += queue.enqueue(j) ? 1 : 0;
  }
  return out;
}

}  // namespace p88::engine
