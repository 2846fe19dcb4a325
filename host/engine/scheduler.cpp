#include "engine/scheduler.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

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

Scheduler::Scheduler(store::Store& store, EngineConfig config, std::map<std::string, ProviderFacts> providers)
    : store_(store), config_(std::move(config)), providers_(std::move(providers)) {}

std::string CredentialPlan::describe() const {
  std::string s = "credential " + std::to_string(credential_id) + " " + provider + ": " + plan.describe();
  if (bound.count() > 0)
    s += "; no event in its last " + humanDuration(plan.near_reach) + " waits more than " + humanDuration(bound) +
         " for a sync";
  return s;
}

double CredentialPlan::spareCallsPerHour() const {
  return std::max(0.0, plan.usable_per_hour - plan.planned_per_hour);
}

namespace {
double numberOr(const std::optional<std::string>& v, double fallback) {
  if (!v || v->empty()) return fallback;
  try {
    return std::stod(*v);
  } catch (const std::exception&) {
    return fallback;
  }
}
}  // namespace

// Each active credential's plan from its events, its budget and what its syncs have cost: the
// mean calls of its last five incremental syncs of each event (and of its discoveries) in the
// last day; an event without any costs what its credential's others cost on average, or one
// call per stream of the plugin.
void Scheduler::replan(Instant now, TickResult& out) {
  out.replanned = true;
  planned_at_ = now;
  auto events = store_.query(
      "SELECT e.partner_provider_credential_id AS credential_id, e.provider_id, e.provider_event_id, "
      "e.provider_race_id, e.start_time, p.name, p.rate_limit_per_hour, "
      "(SELECT COUNT(*) FROM sync_cursors s WHERE s.partner_provider_credential_id = e.partner_provider_credential_id "
      "AND s.provider_event_id = e.provider_event_id) AS cursors FROM events e JOIN partner_provider_credentials c ON "
      "c.partner_provider_credential_id = e.partner_provider_credential_id AND c.active JOIN providers p ON "
      "p.provider_id = e.provider_id WHERE e.start_time IS NULL OR e.start_time >= $1",
      {databaseText(now - config_.schedule.until_after_start)});
  auto costs = store_.query(
      "SELECT credential_id, event_id, operation_type, sync_mode, AVG(api_calls) AS calls FROM (SELECT "
      "partner_provider_credential_id AS credential_id, event_id, operation_type, sync_mode, "
      "api_calls - COALESCE(detail_calls, 0) AS api_calls, ROW_NUMBER() OVER "
      "(PARTITION BY partner_provider_credential_id, operation_type, sync_mode, COALESCE(event_id, '') ORDER BY "
      "sync_history_id DESC) AS rn FROM sync_history WHERE status <> 'failed' AND api_calls IS NOT NULL AND "
      "sync_time >= $1 AND (operation_type = 'events' OR sync_mode IN ('incremental', 'full'))) h WHERE rn <= 5 "
      "GROUP BY credential_id, event_id, operation_type, sync_mode",
      {databaseText(now - Seconds(24 * 3600))});
  std::map<std::pair<std::string, std::string>, double> event_cost;  // (credential, event)
  std::map<std::string, double> discovery_cost;
  std::map<std::string, std::pair<double, size_t>> full_cost;  // by credential: an event's full read, summed and counted
  for (size_t i = 0; i < costs.rows.size(); ++i) {
    const std::string cred = costs.at(i, "credential_id").value_or("");
    const double calls = numberOr(costs.at(i, "calls"), 0);
    if (costs.at(i, "operation_type") == std::optional<std::string>("events")) discovery_cost[cred] = calls;
    else if (costs.at(i, "sync_mode") == std::optional<std::string>("full")) {
      full_cost[cred].first += calls;
      ++full_cost[cred].second;
    } else {
      event_cost[{cred, costs.at(i, "event_id").value_or("")}] = calls;
    }
  }

  // A unit of the plan: an event, or (a plugin that coalesces per race) a race's events, priced
  // as one request and paced as one.
  struct Unit {
    std::vector<std::string> ids;
    std::optional<Instant> start;  // the earliest of its events'
    bool unknown_start = false;
    double cost = -1;              // -1: no history
    bool unread = false;           // an event of it has no cursor yet: its first read is to come
  };
  struct Pending {
    CredentialPlan plan;
    BudgetInput input;
    std::vector<Unit> units;
    std::map<std::string, size_t> race_unit;  // provider_race_id -> index in units
  };
  std::map<int64_t, Pending> by_credential;
  for (size_t i = 0; i < events.rows.size(); ++i) {
    const std::string name = events.at(i, "name").value_or("");
    auto facts = providers_.find(name);
    if (facts == providers_.end()) continue;
    const std::string cred = events.at(i, "credential_id").value_or("0");
    Pending& p = by_credential[std::stoll(cred)];
    if (p.units.empty()) {
      p.plan.credential_id = std::stoll(cred);
      p.plan.provider_id = std::stoll(events.at(i, "provider_id").value_or("0"));
      p.plan.provider = name;
      const double budget = numberOr(events.at(i, "rate_limit_per_hour"), 0);
      p.input.calls_per_hour = budget > 0 ? budget : facts->second.calls_per_hour;
      p.input.usable_share = config_.plan.budget_share;
      p.input.near_start = config_.plan.near_start;
      p.input.far_every_max = config_.plan.far_every_max;
      auto d = discovery_cost.find(cred);
      p.input.fixed_calls_per_hour = (d != discovery_cost.end() ? d->second : 1.0) * 3600.0 /
                                     static_cast<double>(std::max<long long>(config_.schedule.discovery_every.count(), 1));
    }
    const std::string id = events.at(i, "provider_event_id").value_or("");
    auto c = event_cost.find({cred, id});
    const auto start = instantFromDatabase(events.at(i, "start_time"));
    const auto race = events.at(i, "provider_race_id");
    size_t u;
    if (facts->second.per_race && race && !race->empty()) {
      auto [it, fresh] = p.race_unit.emplace(*race, p.units.size());
      if (fresh) p.units.emplace_back();
      u = it->second;
    } else {
      u = p.units.size();
      p.units.emplace_back();
    }
    Unit& unit = p.units[u];
    unit.ids.push_back(id);
    if (!start) unit.unknown_start = true;
    else if (!unit.start || *start < *unit.start) unit.start = start;
    if (events.at(i, "cursors").value_or("0") == "0") unit.unread = true;
    // A coalesced run's calls are shared among its events in sync_history, so a race's request
    // costs what its events' shares add up to (more when they last ran one by one: an estimate
    // on the safe side until they run together).
    if (c != event_cost.end()) unit.cost = std::max(unit.cost, 0.0) + c->second;
  }
  for (auto& [id, p] : by_credential)
    for (const Unit& unit : p.units)
      p.input.events.push_back({unit.unknown_start ? std::nullopt : unit.start, unit.cost, unit.ids.size()});
  std::map<int64_t, CredentialPlan> plans;
  for (auto& [id, p] : by_credential) {
    // Events without a history cost what the credential's others do, or the plugin's guess.
    double known = 0;
    size_t n = 0;
    for (const PlannedEvent& e : p.input.events)
      if (e.calls_per_sync >= 0) {
        known += e.calls_per_sync;
        ++n;
      }
    const double fallback = n ? known / static_cast<double>(n) : providers_.at(p.plan.provider).calls_per_sync;
    const ProviderFacts& facts = providers_.at(p.plan.provider);
    for (PlannedEvent& e : p.input.events) {
      if (e.calls_per_sync < 0) e.calls_per_sync = fallback;
      // A race's request, of one event or several, costs at least one call per stream.
      if (facts.per_race) e.calls_per_sync = std::max(e.calls_per_sync, facts.calls_per_sync);
    }
    // The first reads to come of units inside the tightest window beyond near_start are paced:
    // at the rate that would make them in plan.first_reads_within, at most first_reads_share of
    // the usable budget; a full read costs what the credential's last ones did per event, or one
    // call more than an incremental one (it pages to the end).
    const auto full = full_cost.find(std::to_string(id));
    const double per_event_full = full != full_cost.end() && full->second.second
                                      ? full->second.first / static_cast<double>(full->second.second)
                                      : -1;
    double first_calls = 0;
    for (size_t i = 0; i < p.units.size(); ++i) {
      const Unit& unit = p.units[i];
      if (!unit.unread || unit.unknown_start || !pacedFirstRead(config_.schedule, config_.plan.near_start, unit.start, now))
        continue;
      const double incremental = p.input.events[i].calls_per_sync;
      first_calls += per_event_full >= 0 ? std::max(per_event_full * static_cast<double>(unit.ids.size()), 1.0)
                                         : incremental + 1;
      ++p.plan.first_reads_pending;
    }
    // The window runs from when the credential's first reads began to wait, not from each plan:
    // spread again over the whole window at every plan, the last ones would keep receding. They
    // are paced only where the plan's spare calls cannot take them within the window; a
    // credential with budget to spare reads them as they fall due.
    p.plan.plan = planBudget(config_.schedule, p.input, now);
    if (p.plan.first_reads_pending == 0) first_reads_since_.erase(id);
    if (p.plan.first_reads_pending > 0 && config_.plan.first_reads_share > 0) {
      const Instant since = first_reads_since_.emplace(id, now).first->second;
      const long long left = std::max<long long>(
          config_.plan.first_reads_within.count() - std::chrono::duration_cast<Seconds>(now - since).count(), 1);
      const double wanted = first_calls * 3600.0 / static_cast<double>(left);
      if (p.plan.spareCallsPerHour() < wanted) {
        const double usable = p.input.calls_per_hour * p.input.usable_share;
        p.plan.first_reads_per_hour = std::min(config_.plan.first_reads_share * usable, wanted);
        p.plan.first_read_cost = first_calls / static_cast<double>(p.plan.first_reads_pending);
        p.input.first_reads_per_hour = p.plan.first_reads_per_hour;
        p.plan.plan = planBudget(config_.schedule, p.input, now);
      }
    }
    for (size_t i = 0; i < p.units.size(); ++i)
      for (const std::string& event : p.units[i].ids) p.plan.every[event] = p.plan.plan.every[i];
    if (p.plan.plan.longest_near_interval.count() > 0)
      p.plan.bound = p.plan.plan.longest_near_interval + config_.tick * 2 + config_.plan.slack;
    // Said in the log when the cadences or the over-budget state change, not on every replan.
    const auto shape = [](const CredentialPlan& c) {
      std::string s = c.plan.over_budget ? "over" : "within";
      for (const PlanBand& b : c.plan.bands) s += "," + std::to_string(b.events ? b.every.count() : 0);
      return s;
    };
    auto before = plans_.find(id);
    if (before == plans_.end() || shape(before->second) != shape(p.plan)) out.plan_changes.push_back(p.plan.describe());
    if (p.plan.plan.over_budget) out.over_budget.push_back(p.plan.describe());
    plans.emplace(id, std::move(p.plan));
  }
  plans_ = std::move(plans);
}

TickResult Scheduler::tick() {
  TickResult out;
  auto ahead = [&](Instant due) {
    if (!out.next_due || due < *out.next_due) out.next_due = due;
  };
  queue::JobQueue queue(store_);
  const Instant now = databaseNow(store_);
  if (!planned_at_ || now - *planned_at_ >= config_.plan.every || now < *planned_at_) replan(now, out);

  // Discovery, per active credential of a provider we have a plugin for.
  auto creds = store_.query(
      "SELECT c.partner_provider_credential_id AS id, c.timing_partner_id, c.provider_id, p.name, "
      "(SELECT MAX(q.scheduled_time) FROM sync_queue q WHERE q.partner_provider_credential_id = "
      "c.partner_provider_credential_id AND q.operation_type = 'events') AS last_due "
      "FROM partner_provider_credentials c JOIN providers p ON p.provider_id = c.provider_id WHERE c.active");
  for (size_t i = 0; i < creds.rows.size(); ++i) {
    if (!providers_.count(creds.at(i, "name").value_or(""))) continue;  // no plugin loaded for it
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
      "e.provider_event_id, e.provider_race_id, e.start_time, p.name, "
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
      "WHERE e.start_time IS NULL OR e.start_time >= $1 ORDER BY e.start_time, e.provider_event_id",
      {databaseText(now - config_.schedule.until_after_start)});
  // Events discovered since the last plan are planned before their first jobs go in, so their
  // first reads are paced from the first tick on (a busy morning's new events would otherwise all
  // be read at once, ahead of the near-start syncs, until the next plan). Once per event.
  bool unplanned = false;
  for (size_t i = 0; i < events.rows.size(); ++i) {
    if (!providers_.count(events.at(i, "name").value_or(""))) continue;
    const std::string credential = events.at(i, "credential_id").value_or("0");
    const std::string event = events.at(i, "provider_event_id").value_or("");
    auto plan = plans_.find(std::stoll(credential));
    if (plan != plans_.end() && plan->second.every.count(event)) continue;
    if (planned_once_.insert(credential + "|" + event).second) unplanned = true;
  }
  if (unplanned && !out.replanned) replan(now, out);

  // Each event's interval and due time; a race synced as one request (ProviderFacts::per_race)
  // falls due as one: when its first event does, so the worker coalesces them.
  struct Due {
    size_t row;
    std::optional<Instant> start, last;
    Seconds every{0};
    Instant due;
    std::string race;  // "credential|race" for a per-race plugin's event, else ""
    bool start_list_first = false;
  };
  std::vector<Due> due_events;
  std::map<std::string, Instant> race_due;
  for (size_t i = 0; i < events.rows.size(); ++i) {
    auto facts = providers_.find(events.at(i, "name").value_or(""));
    if (facts == providers_.end()) continue;
    ++out.events_in_scope;
    const auto start = instantFromDatabase(events.at(i, "start_time"));
    const auto last = instantFromDatabase(events.at(i, "last_due"));
    // The plan's interval for the event; the seed's for one discovered since the last plan.
    std::optional<Seconds> every = intervalAt(config_.schedule, start, now);
    if (auto plan = plans_.find(std::stoll(events.at(i, "credential_id").value_or("0"))); plan != plans_.end())
      if (auto e = plan->second.every.find(events.at(i, "provider_event_id").value_or(""));
          e != plan->second.every.end() && every)
        every = e->second.count() > 0 ? std::optional<Seconds>(std::max(e->second, *every)) : std::nullopt;
    if (!every) continue;
    Due d{i, start, last, *every, last ? std::max(now, *last + *every) : now, "", facts->second.start_list_first};
    const auto race = events.at(i, "provider_race_id");
    if (facts->second.per_race && race && !race->empty()) {
      d.race = events.at(i, "credential_id").value_or("") + "|" + *race;
      // Only events synced before set the race's time: one never synced runs on its own (a full
      // read) and must not pull its race-mates to every tick.
      if (last) {
        auto [it, fresh] = race_due.emplace(d.race, d.due);
        if (!fresh) it->second = std::min(it->second, d.due);
      }
    }
    due_events.push_back(d);
  }
  std::set<std::string> races_read_first;  // "credential|race": its paced first read enqueued this tick
  for (const Due& d : due_events) {
    const size_t i = d.row;
    const auto& start = d.start;
    const auto& last = d.last;
    const Seconds every = d.every;
    // A race's events fall due with its first one, so they run as one request; an event is
    // pulled forward by at most half its interval, never to more syncs than its plan gives.
    Instant due = d.due;
    if (auto r = race_due.find(d.race); last && r != race_due.end())
      due = std::min(due, std::max(r->second, *last + every / 2));
    if (due > now) {
      ahead(due);
      continue;
    }
    // A paced first read (plan.first_reads_share) waits for its turn; a race's events go together.
    const bool has_cursor = events.at(i, "cursors").value_or("0") != "0";
    const int64_t credential = std::stoll(events.at(i, "credential_id").value_or("0"));
    const CredentialPlan* plan = nullptr;
    if (auto p = plans_.find(credential); p != plans_.end()) plan = &p->second;
    const bool paced = !has_cursor && plan && plan->first_reads_per_hour > 0 &&
                       pacedFirstRead(config_.schedule, config_.plan.near_start, start, now) &&
                       !(d.race.size() && races_read_first.count(d.race));
    if (paced) {
      if (auto next = first_read_next_.find(credential); next != first_read_next_.end() && next->second > now) {
        ahead(next->second);
        continue;
      }
    }
    // The exact grid point when the last run is recent; now when it is long overdue.
    const Instant at = last && *last + every >= now - config_.tick * 2 ? *last + every : now;
    queue::NewJob j;
    j.timing_partner_id = std::stoll(events.at(i, "timing_partner_id").value());
    j.provider_id = std::stoll(events.at(i, "provider_id").value());
    j.credential_id = std::stoll(events.at(i, "credential_id").value());
    j.event_id = events.at(i, "provider_event_id");
    j.operation = "participants";
    j.sync_mode = modeName(chooseMode(config_.schedule, has_cursor, instantFromDatabase(events.at(i, "last_full")), start, now));
    j.priority = priorityFor(config_.schedule, start, now, has_cursor || !d.start_list_first);
    j.scheduled_at = databaseText(std::min(at, now));
    j.max_retries = config_.retry.max_retries;
    const bool enqueued = queue.enqueue(j);
    out.participants += enqueued ? 1 : 0;
    if (paced && enqueued) {
      first_read_next_[credential] =
          now + Seconds(static_cast<long long>(std::ceil(plan->first_read_cost * 3600.0 / plan->first_reads_per_hour)));
      if (!d.race.empty()) races_read_first.insert(d.race);
    }
  }
  return out;
}

}  // namespace p88::engine
