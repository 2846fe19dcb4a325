// Race morning in real time at the providers' real budgets (issue #11). Starts the provider
// simulator with a busy morning (one timing partner, N extra races per provider account starting
// over the next M minutes, background changes) and its default rate limits (1,000 calls an hour,
// Haku 500), runs `p88host` as a service with the seed's windows on SQLite, and watches for a
// while what reaches the database: which events are synced, how many calls each provider took,
// how long each change at the provider took to be stored (its data age), the longest time an
// event inside its last four hours went without a sync, and what was still unseen at the end.
//
//   p88_race_morning_bench [--minutes 10] [--extra-events 12] [--extra-within 200]
//                          [--participants 200] [--mutation-rate 30] [--workers 3] [--poll 2]
//                          [-D key=value ...]   (passed to p88host)
//
// Data age is measured from the change's modification time at the simulator to the first poll
// of the database that shows it (a poll every --poll seconds: ages are that coarse).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/scheduler.h"
#include "support/ground_truth.h"
#include "support/sim_process.h"
#include "support/test_support.h"

namespace {

using nlohmann::json;
using p88::engine::Instant;
using p88::engine::instantFromDatabase;
using Clock = std::chrono::system_clock;

const std::vector<std::string> kSlugs = {"runsignup", "raceroster", "haku", "letsdothis"};
const std::map<std::string, std::string> kNames = {
    {"runsignup", "RunSignUp"}, {"raceroster", "Race Roster"}, {"haku", "Haku"}, {"letsdothis", "Let's Do This"}};

struct Options {
  int minutes = 10, extra_events = 12, extra_within = 200, participants = 200, mutation_rate = 30, workers = 3,
      poll = 2;
  std::vector<std::string> defines;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
    const std::string v = argv[++i];
    const auto number = [&](int lo, int hi) {
      const int n = std::stoi(v);
      if (n < lo || n > hi) throw std::invalid_argument(a + " must be " + std::to_string(lo) + " to " + std::to_string(hi));
      return n;
    };
    if (a == "--minutes") o.minutes = number(1, 600);
    else if (a == "--extra-events") o.extra_events = number(0, 40);
    else if (a == "--extra-within") o.extra_within = number(3, 100000);
    else if (a == "--participants") o.participants = number(1, 100000);
    else if (a == "--mutation-rate") o.mutation_rate = number(0, 100000);
    else if (a == "--workers") o.workers = number(1, 64);
    else if (a == "--poll") o.poll = number(1, 60);
    else if (a == "-D") o.defines.push_back(v);
    else throw std::invalid_argument("unknown option " + a);
  }
  return o;
}

Instant iso(const std::string& text) {
  auto t = instantFromDatabase(text);
  if (!t) throw std::runtime_error("not a time: " + text);
  return *t;
}
Instant now() { return std::chrono::time_point_cast<std::chrono::seconds>(Clock::now()); }
long long secs(Instant a, Instant b) { return std::chrono::duration_cast<std::chrono::seconds>(a - b).count(); }

struct EventInfo {
  std::string slug, id;
  Instant start;
  std::set<std::string> at_start;  // registration ids the provider had when p88host started
  std::optional<long long> complete_after;  // seconds after the start until all of them were stored
};

struct ChangeInfo {
  std::string slug, key, kind;  // key: event|participant
  Instant at;
  long long to_start;  // seconds from the change to its event's start
  std::optional<long long> age;
};

struct Stored {
  std::optional<std::string> last_modified, status, detail_status;
};

// A change only a registration's detail carries, at a provider whose list p88 stores first
// (Haku: a new bib): stored when the detail is, measured apart from the list's fields.
bool detailChange(const std::string& slug, const std::string& kind) { return slug == "haku" && kind == "bib"; }

std::string percentile(std::vector<long long> v, double p) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return std::to_string(v[std::min(i, v.size() - 1)]);
}

std::string ages(const std::vector<long long>& v) {
  if (v.empty()) return "0";
  return std::to_string(v.size()) + ": " + percentile(v, 0.5) + " / " + percentile(v, 0.95) + " / " +
         std::to_string(*std::max_element(v.begin(), v.end())) + " s";
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  p88::test::SimProcess sim({"--partners", "1", "--participants", std::to_string(o.participants), "--extra-events",
                             std::to_string(o.extra_events), "--extra-within", std::to_string(o.extra_within),
                             "--mutation-rate", std::to_string(o.mutation_rate)});
  p88::test::TestDatabase db(p88::store::DatabaseConfig::Backend::sqlite);
  auto store = db.open();
  store->migrate();
  p88::test::registerSimCredentials(*store, sim, kSlugs);
  // The providers' real budgets, which the simulator enforces by default.
  store->query("UPDATE providers SET rate_limit_per_hour = CASE slug WHEN 'haku' THEN 500 ELSE 1000 END");
  const std::map<std::string, int> budget = {{"runsignup", 1000}, {"raceroster", 1000}, {"haku", 500}, {"letsdothis", 1000}};

  p88::test::TempDir logs;
  auto env = db.hostEnv();
  env["P88_LOG_DIR"] = logs.path();
  for (const auto& s : kSlugs) {
    std::string upper = s;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env["P88_" + upper + "_BASE_URL"] = sim.url(s);
  }
  std::vector<std::string> args = {"--workers", std::to_string(o.workers)};
  for (const auto& d : o.defines) args.insert(args.end(), {"-D", d});

  // The events inside their last four hours (or started within the hour), and what each had.
  const Instant t0 = now();
  std::map<std::string, EventInfo> events;  // slug|id
  for (const json& e : sim.control("truth/events?partner=1")) {
    EventInfo info{e["provider"], e["provider_event_id"], iso(e["start_time"]), {}, {}};
    const long long to_start = secs(info.start, t0);
    if (to_start > 4 * 3600 || to_start < -3600) continue;
    for (const json& p : sim.control("truth/participants?provider=" + info.slug + "&event_id=" + info.id))
      info.at_start.insert(p["provider_participant_id"].get<std::string>());
    events[info.slug + "|" + info.id] = info;
  }
  uint64_t last_change = sim.control("changes")["last"];
  sim.control("stats/reset", json::object());

  p88::test::HostProcess host(args, env);
  if (!host.waitForOutput("p88host running", 60)) throw std::runtime_error("p88host did not start: " + host.err());
  const Instant started = now();
  std::fprintf(stderr, "race morning: %zu events within 4 h, %d minutes, polling every %d s\n", events.size(),
               o.minutes, o.poll);

  std::vector<ChangeInfo> changes;
  const auto end = Clock::now() + std::chrono::minutes(o.minutes);
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::seconds(o.poll));
    const Instant t = now();
    json fresh = sim.control("changes?after=" + std::to_string(last_change));
    last_change = fresh["last"];
    for (const json& c : fresh["changes"]) {
      const std::string key = c["provider"].get<std::string>() + "|" + c["event_id"].get<std::string>();
      auto ev = events.find(key);
      if (ev == events.end() || c["kind"] == "delete") continue;  // further out: not measured here
      changes.push_back({c["provider"], key + "|" + c["participant_id"].get<std::string>(), c["kind"],
                         iso(c["at"]), secs(ev->second.start, iso(c["at"])), std::nullopt});
    }
    std::map<std::string, Stored> stored;
    auto rows = store->query(
        "SELECT v.slug, p.provider_event_id, p.provider_participant_id, p.last_modified, p.status, p.detail_status "
        "FROM participants p "
        "JOIN providers v ON v.provider_id = p.provider_id");
    for (const auto& r : rows.rows)
      stored[r[0].value_or("") + "|" + r[1].value_or("") + "|" + r[2].value_or("")] = {
          p88::test::isoFromDb(r[3]), r[4], r[5]};
    for (ChangeInfo& c : changes) {
      if (c.age) continue;
      auto s = stored.find(c.key);
      if (s == stored.end()) continue;
      const std::string status = s->second.status.value_or("");
      if (detailChange(c.slug, c.kind) && s->second.detail_status != std::optional<std::string>("complete")) continue;
      const bool seen = (s->second.last_modified && iso(*s->second.last_modified) >= c.at) ||
                        (c.kind == "cancel" && (status == "cancelled" || status == "removed")) ||
                        (c.kind == "transfer" && status == "transferred") || c.kind == "new" ||
                        c.kind == "transfer_in";
      if (seen) c.age = std::max<long long>(0, secs(t, c.at));
    }
    for (auto& [key, e] : events) {
      if (e.complete_after) continue;
      bool all = true;
      for (const auto& id : e.at_start)
        if (!stored.count(key + "|" + id)) {
          all = false;
          break;
        }
      if (all) e.complete_after = secs(t, started);
    }
  }
  const Instant finished = now();

  // Syncs of each event, from sync_history, and the longest stretch without one.
  std::map<std::string, std::vector<Instant>> syncs;
  auto hist = store->query(
      "SELECT v.slug, h.event_id, h.sync_time FROM sync_history h JOIN providers v ON v.provider_id = h.provider_id "
      "WHERE h.operation_type = 'participants' AND h.status <> 'failed' ORDER BY h.sync_time");
  for (const auto& r : hist.rows)
    if (auto at = instantFromDatabase(r[2])) syncs[r[0].value_or("") + "|" + r[1].value_or("")].push_back(*at);
  json stats = sim.control("stats");
  const std::string out = host.out();
  host.signal(SIGTERM);
  host.wait(60);

  std::printf("race morning: %d minutes, %d extra races per account within %d min, %d registrations each, %d "
              "changes/min, p88host --workers %d on SQLite\n\n",
              o.minutes, o.extra_events, o.extra_within, o.participants, o.mutation_rate, o.workers);
  std::printf("| provider | events within 4 h (1 h) | synced at least once (the last first sync at) | API calls (budget) | throttles | start "
              "lists complete (last at) | changes stored within 1 h: n: p50 / p95 / max | 1-4 h | longest gap "
              "without a sync | unseen at end |\n|---|---|---|---|---|---|---|---|---|---|\n");
  std::map<std::string, long long> longest_gap;
  std::vector<std::string> detail_lines;
  for (const auto& slug : kSlugs) {
    size_t within4 = 0, within1 = 0, synced = 0, complete = 0;
    long long last_complete = 0, gap = 0, first_sync = 0;
    std::string gap_event;
    for (const auto& [key, e] : events) {
      if (e.slug != slug) continue;
      ++within4;
      if (secs(e.start, t0) <= 3600) ++within1;
      auto s = syncs.find(key);
      if (s != syncs.end() && !s->second.empty()) ++synced;
      if (e.complete_after) {
        ++complete;
        last_complete = std::max(last_complete, *e.complete_after);
      }
      // Between syncs, and from the last to the end (the first sync is the start-up's, counted
      // apart); an event never synced went the whole run without one.
      long long worst = secs(finished, started);
      if (s != syncs.end() && !s->second.empty()) {
        first_sync = std::max(first_sync, secs(s->second.front(), started));
        worst = secs(finished, s->second.back());
        for (size_t k = 1; k < s->second.size(); ++k) worst = std::max(worst, secs(s->second[k], s->second[k - 1]));
      }
      if (worst > gap) {
        gap = worst;
        gap_event = e.id;
      }
    }
    longest_gap[slug] = gap;
    std::vector<long long> near, mid, detail;
    size_t unseen = 0, detail_changes = 0;
    for (const ChangeInfo& c : changes) {
      if (c.slug != slug) continue;
      if (detailChange(c.slug, c.kind)) {
        ++detail_changes;
        if (c.age) detail.push_back(*c.age);
        continue;
      }
      if (!c.age) {
        ++unseen;
        continue;
      }
      (c.to_start <= 3600 ? near : mid).push_back(*c.age);
    }
    long long calls = 0, throttled = 0;
    if (stats["providers"].contains(slug))
      for (const auto& [account, routes] : stats["providers"][slug].items())
        for (const auto& [route, c] : routes.items()) {
          calls += c["calls"].get<long long>();
          throttled += c["throttled"].get<long long>();
        }
    std::printf("| %s | %zu (%zu) | %zu (%lld s) | %lld (%lld) | %lld | %zu of %zu (%lld s) | %s | %s | %lld s (%s) | %zu |\n",
                kNames.at(slug).c_str(), within4, within1, synced, first_sync, calls,
                static_cast<long long>(budget.at(slug)) * o.minutes / 60, throttled, complete, within4, last_complete,
                ages(near).c_str(), ages(mid).c_str(), gap, gap_event.c_str(), unseen);
    if (detail_changes > 0) detail_lines.push_back(kNames.at(slug) + ": changes only its detail carries (bibs) stored " +
                                                   std::to_string(detail.size()) + " of " +
                                                   std::to_string(detail_changes) + ", ages " + ages(detail));
  }
  for (const std::string& line : detail_lines) std::printf("\n%s\n", line.c_str());
  // The slowest changes to near-start events, each with the event's syncs around it: what made
  // the tail of the data age.
  std::printf("\nthe slowest changes to events within 1 h (seconds after p88host started):\n");
  for (const auto& slug : kSlugs) {
    std::vector<const ChangeInfo*> slow;
    for (const ChangeInfo& c : changes)
      if (c.slug == slug && c.age && c.to_start <= 3600 && !detailChange(c.slug, c.kind)) slow.push_back(&c);
    std::sort(slow.begin(), slow.end(), [](const ChangeInfo* a, const ChangeInfo* b) { return *a->age > *b->age; });
    for (size_t k = 0; k < slow.size() && k < 3; ++k) {
      const ChangeInfo& c = *slow[k];
      const std::string event = c.key.substr(0, c.key.rfind('|'));
      std::string around;
      if (auto s = syncs.find(event); s != syncs.end())
        for (const Instant& at : s->second) {
          const long long t = secs(at, started);
          if (t >= secs(c.at, started) - 120 && t <= secs(c.at, started) + *c.age + 60)
            around += (around.empty() ? "" : ", ") + std::to_string(t);
        }
      std::printf("  %s event %s: %s at %lld s, %lld s to its start, stored after %lld s; its syncs near then: %s\n",
                  kNames.at(slug).c_str(), event.substr(event.find('|') + 1).c_str(), c.kind.c_str(),
                  secs(c.at, started), c.to_start, *c.age, around.empty() ? "none" : around.c_str());
      if (k > 0) continue;
      // The slowest one's jobs in the queue then: when each was due, claimed and finished.
      const auto rel = [&](const std::optional<std::string>& v) {
        auto at = instantFromDatabase(v);
        return at ? std::to_string(secs(*at, started)) : std::string("-");
      };
      auto jobs = store->query(
          "SELECT q.sync_queue_id, q.priority, q.sync_mode, q.scheduled_time, q.started_at, q.completed_at, q.status "
          "FROM sync_queue q JOIN providers v ON v.provider_id = q.provider_id WHERE v.slug = $1 AND q.event_id = $2 "
          "ORDER BY q.sync_queue_id",
          {slug, event.substr(event.find('|') + 1)});
      for (const auto& j : jobs.rows)
        std::printf("    job %s: priority %s, %s, due %s s, claimed %s s, finished %s s, %s\n", j[0].value_or("").c_str(),
                    j[1].value_or("").c_str(), j[2].value_or("").c_str(), rel(j[3]).c_str(), rel(j[4]).c_str(),
                    rel(j[5]).c_str(), j[6].value_or("").c_str());
    }
  }
  auto backlog = store->query(
      "SELECT v.name, SUM(CASE WHEN p.detail_status = 'complete' THEN 0 ELSE 1 END), COUNT(*) FROM participants p "
      "JOIN providers v ON v.provider_id = p.provider_id GROUP BY v.name HAVING SUM(CASE WHEN p.detail_status = "
      "'complete' THEN 0 ELSE 1 END) > 0");
  for (const auto& r : backlog.rows)
    std::printf("%s: registrations whose detail is still to fetch at the end: %s of %s stored\n",
                r[0].value_or("").c_str(), r[1].value_or("0").c_str(), r[2].value_or("0").c_str());
  // What the engine said of its plans (its log has a line each time a plan changes): the last
  // of each credential, and the bound it gave for an event in its last hours.
  std::map<std::string, std::string> plans;  // provider name -> its last plan line
  {
    std::ifstream in(logs.file("provider_sync.log"));
    static const std::regex plan_line("plan: (credential [0-9]+ ([^:]+): .*)$");
    std::smatch m;
    for (std::string line; std::getline(in, line);)
      if (std::regex_search(line, m, plan_line)) plans[m[2]] = m[1];
  }
  if (!plans.empty()) {
    std::printf("\nthe engine's last plan per credential (its log):\n");
    for (const auto& [name, line] : plans) std::printf("  %s\n", line.c_str());
  }
  for (const auto& [slug, gap] : longest_gap) {
    auto plan = plans.find(kNames.at(slug));
    if (plan == plans.end()) continue;
    static const std::regex bound("waits more than ([0-9.]+) (s|min|h) for a sync");
    std::smatch m;
    if (!std::regex_search(plan->second, m, bound)) continue;
    const double unit = m[2] == "s" ? 1 : m[2] == "min" ? 60 : 3600;
    const long long limit = static_cast<long long>(std::stod(m[1]) * unit);
    std::printf("%s: longest gap %lld s against the engine's bound %lld s: %s\n", kNames.at(slug).c_str(), gap, limit,
                gap <= limit ? "within" : "EXCEEDED");
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "p88_race_morning_bench: %s\n", e.what());
  return 2;
}
