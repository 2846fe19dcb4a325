// Each provider plugin, end to end: the real p88host runs --manual-sync with the real .so against
// the simulator over loopback, on SQLite and on PostgreSQL. What it stores is compared with the
// simulator's ground truth field by field, before and after the provider changes (new
// registrations, edits, bibs, cancellations, transfers), and the API calls are counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <signal.h>
#include <thread>
#include <unistd.h>

#include "store/store.h"
#include "support/ground_truth.h"
#include "support/sim_process.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using nlohmann::json;
using Backend = store::DatabaseConfig::Backend;

struct ProviderCase {
  const char* slug;
  const char* name;
  int per_page;         // the plugin's page size for participants
  int large_event;      // registrations in the first upcoming event (several pages)
  const char* participants_route;
  bool extra_page_on_exact_multiple;  // RunSignUp pages until a short page
};

const ProviderCase kProviders[] = {
    {"runsignup", "RunSignUp", 2500, 2600, "/Rest/race/{race_id}/participants", true},
    {"raceroster", "Race Roster", 250, 600, "/api/v1/events/{id}/participants", false},
    {"haku", "Haku", 100, 250, "/events/{id}/participants", false},
    {"letsdothis", "Let's Do This", 100, 250, "/v0/applications", false},
};

std::optional<std::string> truthValue(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

int pages(const ProviderCase& p, int n) {
  if (n == 0) return 1;
  int full = (n + p.per_page - 1) / p.per_page;
  return full + (p.extra_page_on_exact_multiple && n % p.per_page == 0 ? 1 : 0);
}

class ProviderSync : public ::testing::TestWithParam<std::tuple<ProviderCase, Backend>> {
 protected:
  const ProviderCase& provider() const { return std::get<0>(GetParam()); }
  Backend backend() const { return std::get<1>(GetParam()); }
  bool is(const std::string& slug) const { return slug == provider().slug; }

  void SetUp() override {
    if (backend() == Backend::postgresql && !test::postgresAvailable())
      GTEST_SKIP() << "PostgreSQL not started (run the suite with scripts/test.sh)";
    sim_ = std::make_unique<test::SimProcess>(std::vector<std::string>{
        "--partners", "1", "--participants", "30", "--large-event", std::to_string(provider().large_event),
        "--rate-limit", std::string(provider().slug) + "=1000000/3600"});
    db_ = std::make_unique<test::TestDatabase>(backend());
    store_ = db_->open();
    store_->migrate();
    test::registerSimCredentials(*store_, *sim_, {provider().slug});
  }

  test::CommandResult sync(const std::string& spec_suffix = "", const std::vector<std::string>& extra = {}) {
    auto env = db_->hostEnv();
    env["P88_" + upper(provider().slug) + "_BASE_URL"] = sim_->url(provider().slug);
    std::vector<std::string> args = {"--manual-sync", std::string("1:") + provider().name + spec_suffix, "--log-dir",
                                     logs_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::runHost(args, env);
  }

  std::vector<json> currentEvents() const { return test::currentSimEvents(*sim_, provider().slug); }

  json truth(const std::string& event_id) const {
    return sim_->control("truth/participants?provider=" + std::string(provider().slug) + "&event_id=" + event_id);
  }

  json routeStats() const {
    json all = sim_->control("stats")["providers"];
    const std::string account = std::string(provider().slug) + "/partner-1";
    if (!all.contains(provider().slug) || !all[provider().slug].contains(account)) return json::object();
    return all[provider().slug][account];
  }
  int calls(const std::string& route) const {
    json s = routeStats();
    return s.contains(route) ? s[route]["calls"].get<int>() : 0;
  }
  int64_t lastHistoryId() const {
    return std::stoll(store_->query("SELECT COALESCE(MAX(sync_history_id), 0) FROM sync_history").rows[0][0].value());
  }

  // Every current event's participants in the database equal the ground truth, field by field.
  void expectDatabaseMatchesTruth() {
    ASSERT_GE(currentEvents().size(), 4u);
    auto c = test::compareWithTruth(*store_, *sim_, provider().slug);
    std::string first;
    for (size_t i = 0; i < c.differences.size() && i < 20; ++i) first += c.differences[i] + "\n";
    EXPECT_TRUE(c.matches()) << c.differences.size() << " differences, the first:\n" << first;
    EXPECT_GT(c.registrations, 100u);
  }

  std::unique_ptr<test::SimProcess> sim_;
  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  test::TempDir logs_;
};

TEST_P(ProviderSync, FullThenIncrementalMatchesGroundTruth) {
  // 1. A full sync stores exactly the provider's registrations, in as many pages as they need.
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("participants full"), std::string::npos) << r.out;
  expectDatabaseMatchesTruth();

  auto events = currentEvents();
  const auto raceOf = [](const json& e) {
    return e["provider_race_id"].is_string() ? e["provider_race_id"].get<std::string>() : std::string();
  };
  // RunSignUp reads a race's events in full in one request (coalesce.full_reads), each event
  // paged on its own: as many pages as its largest event needs.
  int expected_pages = 0, registrations = 0;
  std::map<std::string, int> race_pages;
  for (const json& e : events) {
    const int n = pages(provider(), e["participants"].get<int>());
    if (is("runsignup")) race_pages[raceOf(e)] = std::max(race_pages[raceOf(e)], n);
    else expected_pages += n;
    registrations += e["participants"].get<int>();
  }
  for (const auto& [race, n] : race_pages) expected_pages += n;
  EXPECT_EQ(calls(provider().participants_route), expected_pages) << routeStats().dump();
  if (is("runsignup")) {
    EXPECT_EQ(calls("/Rest/race/{race_id}/removed-participants"), static_cast<int>(race_pages.size()));
  }
  if (is("haku")) {  // a full sync reads every registration's detail once
    EXPECT_EQ(calls("/events/{id}/registrations/{number}"), registrations);
  }

  // Discovery stored every event of the account, start times in UTC.
  auto stored_events = store_->query(
      "SELECT provider_event_id, start_time, time_zone FROM events WHERE provider_id = (SELECT provider_id "
      "FROM providers WHERE slug = $1) ORDER BY provider_event_id",
      {std::string(provider().slug)});
  json all = sim_->events(provider().slug);
  ASSERT_EQ(stored_events.rows.size(), all.size());
  std::map<std::string, json> truth_events;
  for (const json& e : all) truth_events[e["provider_event_id"]] = e;
  for (size_t i = 0; i < stored_events.rows.size(); ++i) {
    const json& t = truth_events.at(stored_events.at(i, "provider_event_id").value());
    EXPECT_EQ(test::isoFromDb(stored_events.at(i, "start_time")), t["start_time"].get<std::string>());
    EXPECT_EQ(stored_events.at(i, "time_zone"), t["time_zone"].get<std::string>());
  }

  // 2. The provider changes: in three current events, one of every kind of change.
  for (size_t i = 0; i < 3 && i < events.size(); ++i)
    for (const char* kind : {"new", "edit", "bib", "cancel", "transfer", "cancel"})
      sim_->control("mutate", {{"provider", provider().slug},
                               {"event_id", events[i]["provider_event_id"]},
                               {"kind", kind},
                               {"count", 1}});
  sim_->control("stats/reset", json::object());
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("participants incremental"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("participants full"), std::string::npos) << r.out;
  expectDatabaseMatchesTruth();
  auto changed = store_->query(
      "SELECT status, count(*) AS n FROM participants WHERE status <> 'active' GROUP BY status ORDER BY status");
  std::map<std::string, int> by_status;
  for (size_t i = 0; i < changed.rows.size(); ++i)
    by_status[changed.at(i, "status").value()] = std::stoi(changed.at(i, "n").value());
  EXPECT_EQ(by_status["transferred"], 3) << r.out;
  EXPECT_EQ(by_status["cancelled"] + by_status["removed"], 6) << r.out;
  if (is("haku")) {  // details only for what changed: 3 x (new, edit, bib, cancel, transfer x2, cancel)
    EXPECT_LE(calls("/events/{id}/registrations/{number}"), 3 * 8);
  }

  // 3. Nothing changed: one call per stream and event, no registration read twice. RunSignUp
  // coalesces a race's events into one request per stream, Let's Do This the account's (up to
  // coalesce.max, 20) into one stream of pages (ABI 1.2).
  sim_->control("stats/reset", json::object());
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::set<std::string> races;
  for (const json& e : events) races.insert(raceOf(e));
  const int requests = static_cast<int>(is("runsignup")    ? races.size()
                                        : is("letsdothis") ? (events.size() + 19) / 20
                                                           : events.size());
  if (is("runsignup")) {
    ASSERT_LT(races.size(), events.size()) << "no race with several events: nothing to coalesce";
  }
  EXPECT_EQ(calls(provider().participants_route), requests) << routeStats().dump() << r.out;
  if (is("runsignup")) {
    EXPECT_EQ(calls("/Rest/race/{race_id}/removed-participants"), requests);
  }
  if (is("haku")) {
    EXPECT_EQ(calls("/events/{id}/registrations/{number}"), 0);
  }
  EXPECT_NE(r.out.find(" 0 inserted, 0 updated"), std::string::npos) << r.out;
  expectDatabaseMatchesTruth();

  // Every sync wrote its history: discovery plus one row per event, per run, all successful.
  auto history = store_->query(
      "SELECT operation_type, status, sync_mode, count(*) AS n FROM sync_history GROUP BY operation_type, status, "
      "sync_mode ORDER BY operation_type, sync_mode");
  int participant_rows = 0;
  for (size_t i = 0; i < history.rows.size(); ++i) {
    EXPECT_EQ(history.at(i, "status"), "success") << history.at(i, "operation_type").value_or("");
    if (history.at(i, "operation_type") == "participants") participant_rows += std::stoi(history.at(i, "n").value());
  }
  EXPECT_EQ(participant_rows, 3 * static_cast<int>(events.size()));

  // The compatibility views show the same data under the original names.
  const std::string slug = provider().slug;
  auto view = store_->query("SELECT count(*) AS n FROM " + slug + "_participants");
  auto table = store_->query(
      "SELECT count(*) AS n FROM participants WHERE provider_id = (SELECT provider_id FROM providers WHERE slug = $1)",
      {slug});
  EXPECT_EQ(view.at(0, "n"), table.at(0, "n"));
  EXPECT_EQ(store_->query("SELECT count(*) AS n FROM " + slug + "_events").at(0, "n"),
            std::to_string(all.size()));
  auto unified = store_->query("SELECT count(*) AS n FROM unified_participants WHERE source_provider = $1", {slug});
  EXPECT_EQ(unified.at(0, "n"), table.at(0, "n"));
  // and the same values: every registration of one event, through unified_participants
  const std::string event_id = events.front()["provider_event_id"];
  for (const json& t : truth(event_id)) {
    auto v = store_->query(
        "SELECT first_name, last_name, bib_number, status FROM unified_participants WHERE source_provider = $1 "
        "AND event_id = $2 AND provider_participant_id = $3",
        {slug, event_id, t["provider_participant_id"].get<std::string>()});
    ASSERT_EQ(v.rows.size(), 1u) << t.dump();
    EXPECT_EQ(v.at(0, "first_name"), truthValue(t["first_name"]));
    EXPECT_EQ(v.at(0, "status"), truthValue(t["status"]));
    if (t["status"] == "active") {
      EXPECT_EQ(v.at(0, "bib_number"), truthValue(t["bib"]));
    }
  }
}

TEST_P(ProviderSync, RegistrationsTheProviderDeletedAreMarkedVanishedByAFullReadWithinTheGuard) {
  ASSERT_EQ(sync().exit_code, 0);
  const json event = currentEvents().front();
  const std::string id = event["provider_event_id"].get<std::string>();
  // Two registrations disappear without a trace (no cancelled status, no removal notice).
  json changes = sim_->control("mutate", {{"provider", provider().slug}, {"event_id", id}, {"kind", "delete"}, {"count", 2}});
  std::set<std::string> deleted;
  for (const json& c : changes["changes"]) {
    const std::string text = c.get<std::string>();
    deleted.insert(text.substr(text.rfind(' ') + 1));
  }
  ASSERT_EQ(deleted.size(), 2u) << changes.dump();
  // An incremental read cannot see a deletion; a full one (a reconciliation) can.
  auto r = sync(":" + id);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM participants WHERE removal_reason IS NOT NULL").rows[0][0], "0");
  r = sync(":" + id, {"--reconcile"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 vanished (marked removed)"), std::string::npos) << r.out;
  auto marked = store_->query("SELECT provider_participant_id, status, removal_noticed_at FROM participants WHERE "
                              "provider_event_id = $1 AND removal_reason = 'vanished' ORDER BY 1",
                              {id});
  std::set<std::string> marked_ids;
  for (const auto& row : marked.rows) {
    marked_ids.insert(row[0].value_or(""));
    EXPECT_EQ(row[1], std::optional<std::string>("removed"));
    EXPECT_TRUE(row[2].has_value()) << "when it was noticed";
  }
  EXPECT_EQ(marked_ids, deleted);
  // The compatibility views show them removed, and everything else still equals the truth.
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM unified_participants WHERE event_id = $1 AND status = 'removed' AND "
                          "source_provider = $2 AND provider_participant_id IN (SELECT provider_participant_id FROM "
                          "participants WHERE removal_reason = 'vanished')",
                          {id, provider().slug})
                .rows[0][0],
            "2");
  expectDatabaseMatchesTruth();

  // Half of the event gone at once is not believed: nothing more is marked, and it says why.
  const size_t left = truth(id).size();
  sim_->control("mutate", {{"provider", provider().slug}, {"event_id", id}, {"kind", "delete"}, {"count", left / 2}});
  r = sync(":" + id, {"--reconcile"});
  EXPECT_NE(r.out.find("more than reconcile.max_vanished_share (20 %) allows: none marked"), std::string::npos) << r.out;
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM participants WHERE removal_reason = 'vanished'").rows[0][0], "2");
}

TEST_P(ProviderSync, ACoalescedRunServesSeveralEventsEachWithItsOwnCursorAndHistory) {
  if (!is("runsignup") && !is("letsdothis"))
    GTEST_SKIP() << "coalesced: RunSignUp per race (event_id=ID1,ID2,...), Let's Do This per account";
  ASSERT_EQ(sync().exit_code, 0);
  // The events one run serves: a race's (RunSignUp: the race with the most events) or the
  // account's (Let's Do This); three of them change, each in another second, so their cursors
  // differ.
  std::map<std::string, std::vector<std::string>> by_race;
  const auto events = currentEvents();
  for (const json& e : events) by_race[is("runsignup") ? e["provider_race_id"].get<std::string>() : ""].push_back(e["provider_event_id"]);
  std::vector<std::string> group;
  for (const auto& [id, evs] : by_race)
    if (evs.size() > group.size()) group = evs;
  ASSERT_GE(group.size(), 2u);
  const std::vector<std::string> changed(group.begin(), group.begin() + std::min<size_t>(3, group.size()));
  for (const std::string& id : changed) {
    for (const char* kind : {"new", "edit", "cancel"})
      sim_->control("mutate", {{"provider", provider().slug}, {"event_id", id}, {"kind", kind}});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  const int64_t before = std::stoll(store_->query("SELECT MAX(sync_history_id) FROM sync_history").rows[0][0].value());
  sim_->control("stats/reset", json::object());
  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
  // One request (per stream) for the group, not one per event.
  const int requests = static_cast<int>(by_race.size());
  EXPECT_EQ(calls(provider().participants_route), requests) << routeStats().dump();
  if (is("runsignup")) {
    EXPECT_EQ(calls("/Rest/race/{race_id}/removed-participants"), requests);
  }
  // Each event its own sync_history row (its share of the calls) and its own cursor.
  std::set<std::string> cursors;
  int64_t group_calls = 0;
  for (const std::string& id : group) {
    auto h = store_->query(
        "SELECT status, sync_mode, api_calls, num_of_synced_records FROM sync_history WHERE event_id = $1 AND "
        "sync_history_id > $2",
        {id, std::to_string(before)});
    ASSERT_EQ(h.rows.size(), 1u) << id;
    EXPECT_EQ(h.at(0, "status"), "success");
    EXPECT_EQ(h.at(0, "sync_mode"), "incremental");
    group_calls += std::stoll(h.at(0, "api_calls").value_or("0"));
    if (std::find(changed.begin(), changed.end(), id) == changed.end()) continue;
    EXPECT_GE(std::stoll(h.at(0, "num_of_synced_records").value_or("0")), 3) << id << ": its own changes";
    auto c = store_->query("SELECT cursor FROM sync_cursors WHERE stream = 'participants' AND provider_event_id = $1", {id});
    ASSERT_EQ(c.rows.size(), 1u);
    cursors.insert(c.rows[0][0].value_or(""));
  }
  EXPECT_EQ(group_calls, is("runsignup") ? 2 : 1) << "the group's requests, shared among its events";
  EXPECT_EQ(cursors.size(), changed.size()) << "each event keeps its own cursor";
  std::ifstream log(logs_.file("sync_worker.log"));
  const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(logged.find("coalesced with " + std::to_string(group.size() - 1) + " more jobs of its " +
                        (is("runsignup") ? "race" : "account")),
            std::string::npos);
}

// RunSignUp pages each event of event_id=ID1,ID2 on its own, so a full read of a race's events
// (the first one, or one after their cursors were lost) is one request per stream for the race,
// no dearer than for one event; each event keeps its own history row and cursor and is
// reconciled against what it returned, and nothing else.
TEST_P(ProviderSync, AFullReadOfARacesEventsIsOneRequestAndReconcilesEachEventOnItsOwn) {
  if (!is("runsignup")) GTEST_SKIP() << "full reads coalesce on RunSignUp (a race's events, each paged on its own)";
  std::map<std::string, std::vector<std::string>> by_race;
  std::map<std::string, int> race_pages;
  const auto requests = [&] {
    int n = 0;
    for (const auto& [race, p] : race_pages) n += p;
    return n;
  };
  const std::vector<std::string> full_reads_coalesce = {"-D", "coalesce.full_reads=true"};
  const int64_t before = lastHistoryId();
  sim_->control("stats/reset", json::object());
  auto r = sync("", full_reads_coalesce);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
  for (const json& e : currentEvents()) {
    const std::string race = e["provider_race_id"].get<std::string>();
    by_race[race].push_back(e["provider_event_id"].get<std::string>());
    race_pages[race] = std::max(race_pages[race], pages(provider(), e["participants"].get<int>()));
  }
  std::vector<std::string> group;
  for (const auto& [race, events] : by_race)
    if (events.size() > group.size()) group = events;
  ASSERT_GE(group.size(), 2u);
  EXPECT_EQ(calls(provider().participants_route), requests()) << routeStats().dump();
  EXPECT_EQ(calls("/Rest/race/{race_id}/removed-participants"), static_cast<int>(by_race.size()));
  for (const std::string& id : group) {
    auto h = store_->query("SELECT status, sync_mode FROM sync_history WHERE event_id = $1 AND sync_history_id > $2 "
                           "AND operation_type = 'participants'",
                           {id, std::to_string(before)});
    ASSERT_EQ(h.rows.size(), 1u) << id;
    EXPECT_EQ(h.at(0, "status"), "success") << id;
    EXPECT_EQ(h.at(0, "sync_mode"), "full") << id;
  }

  // The race's cursors are lost and a registration of each of its events disappears at the
  // provider: the next sync reads the race in full again, in one request, and marks exactly
  // those two vanished, each in its own event.
  std::map<std::string, std::string> deleted;  // event -> registration
  for (const std::string& id : group) {
    json changes = sim_->control("mutate", {{"provider", provider().slug}, {"event_id", id}, {"kind", "delete"}});
    const std::string text = changes["changes"][0].get<std::string>();
    deleted[id] = text.substr(text.rfind(' ') + 1);
    store_->query("DELETE FROM sync_cursors WHERE provider_event_id = $1", {id});
  }
  const int64_t second = lastHistoryId();
  sim_->control("stats/reset", json::object());
  r = sync("", full_reads_coalesce);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(calls(provider().participants_route), static_cast<int>(by_race.size())) << routeStats().dump();
  for (const std::string& id : group) {
    auto marked = store_->query("SELECT provider_participant_id FROM participants WHERE provider_event_id = $1 AND "
                                "removal_reason = 'vanished'",
                                {id});
    ASSERT_EQ(marked.rows.size(), 1u) << id;
    EXPECT_EQ(marked.rows[0][0], std::optional<std::string>(deleted[id])) << id;
    auto h = store_->query("SELECT sync_mode FROM sync_history WHERE event_id = $1 AND sync_history_id > $2 AND "
                           "operation_type = 'participants'",
                           {id, std::to_string(second)});
    ASSERT_EQ(h.rows.size(), 1u) << id;
    EXPECT_EQ(h.at(0, "sync_mode"), "full") << id;
    EXPECT_EQ(store_->query("SELECT COUNT(*) FROM sync_cursors WHERE provider_event_id = $1", {id}).rows[0][0], "2")
        << id << ": a cursor per stream again";
  }
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM participants WHERE removal_reason = 'vanished'").rows[0][0], "2");
  expectDatabaseMatchesTruth();
}

// Haku's list endpoint carries names, email, age, gender, team and status; everything else
// costs a call per registration. A sync stores the list first (summary records), so the start
// list is complete after ceil(n/100) calls; the details follow as the budget allows
// (details.max_per_run=0: none), changed registrations first, and the database converges.
TEST_P(ProviderSync, ASummaryFirstSyncStoresTheStartListBeforeAnyDetailAndConvergesWithDetails) {
  if (!is("haku")) GTEST_SKIP() << "summary-first: Haku (its list has no bib, date of birth, address, answers)";
  const char* detail_route = "/events/{id}/registrations/{number}";
  auto stored = [&](const std::string& event_id) {
    auto rows = store_->query(
        "SELECT provider_participant_id, first_name, middle_name, last_name, email, age, gender, team_name, status, "
        "bib, date_of_birth, detail_status FROM participants WHERE provider_event_id = $1",
        {event_id});
    std::map<std::string, std::map<std::string, std::optional<std::string>>> out;
    for (size_t i = 0; i < rows.rows.size(); ++i)
      for (const char* f : {"first_name", "middle_name", "last_name", "email", "age", "gender", "team_name", "status",
                            "bib", "date_of_birth", "detail_status"})
        out[rows.at(i, "provider_participant_id").value()][f] = rows.at(i, f);
    return out;
  };
  const auto full_name = [](const json& t) {
    std::string n = t["first_name"].get<std::string>();
    if (t["middle_name"].is_string()) n += " " + t["middle_name"].get<std::string>();
    return n + " " + t["last_name"].get<std::string>();
  };

  // 1. No detail allowed: the start list alone, in the list's pages.
  auto r = sync("", {"-D", "details.max_per_run=0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto events = currentEvents();
  int expected_pages = 0;
  size_t registrations = 0;
  for (const json& e : events) expected_pages += pages(provider(), e["participants"].get<int>());
  EXPECT_EQ(calls(provider().participants_route), expected_pages) << routeStats().dump();
  EXPECT_EQ(calls(detail_route), 0) << "no detail read before the start list is stored";
  for (const json& e : events) {
    const std::string id = e["provider_event_id"];
    auto db = stored(id);
    for (const json& t : truth(id)) {
      const std::string pid = t["provider_participant_id"];
      ASSERT_TRUE(db.count(pid)) << "event " << id << ": registration " << pid << " missing from the start list";
      auto& row = db[pid];
      ++registrations;
      std::string name = row["first_name"].value_or("");
      if (row["last_name"]) name += " " + *row["last_name"];
      EXPECT_EQ(name, full_name(t)) << pid;
      EXPECT_EQ(row["email"], truthValue(t["email"])) << pid;
      EXPECT_EQ(row["age"], truthValue(t["age"])) << pid;
      EXPECT_EQ(row["gender"], truthValue(t["gender"])) << pid;
      EXPECT_EQ(row["status"], t["status"] == "active" ? "active" : "cancelled") << pid;
      if (t["team_name"].is_string()) {
        EXPECT_EQ(row["team_name"], truthValue(t["team_name"])) << pid;
      }
      EXPECT_EQ(row["bib"], std::nullopt) << pid << ": the list has no bib";
      EXPECT_EQ(row["detail_status"], "pending") << pid;
    }
  }
  EXPECT_GT(registrations, 250u);
  auto backlog = store_->query("SELECT COUNT(*) FROM participants WHERE detail_status = 'pending'");
  EXPECT_EQ(backlog.rows[0][0], std::to_string(registrations));

  // 2. Details allowed: every one is fetched once, and the database equals the ground truth.
  sim_->control("stats/reset", json::object());
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
  EXPECT_EQ(calls(detail_route), static_cast<int>(registrations)) << routeStats().dump();
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM participants WHERE detail_status <> 'complete'").rows[0][0], "0");
  auto spent = store_->query(
      "SELECT SUM(api_calls), SUM(detail_calls) FROM sync_history WHERE operation_type = 'participants' AND "
      "sync_history_id > (SELECT MAX(sync_history_id) - $1 FROM sync_history)",
      {std::to_string(events.size())});
  EXPECT_EQ(spent.rows[0][1], std::to_string(registrations)) << "detail calls are counted apart";

  // 3. Changes: the list shows them at once (an edit's email; a cancellation), the changed
  //    registrations' details turn stale and are fetched first.
  const std::string changed_event = events[0]["provider_event_id"];
  for (const char* kind : {"edit", "bib", "cancel", "new"})
    sim_->control("mutate", {{"provider", provider().slug}, {"event_id", changed_event}, {"kind", kind}});
  r = sync("", {"-D", "details.max_per_run=0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = stored(changed_event);
  std::map<std::string, int> states;
  for (const json& t : truth(changed_event)) {
    auto& row = db[t["provider_participant_id"].get<std::string>()];
    ++states[row["detail_status"].value_or("?")];
    EXPECT_EQ(row["email"], truthValue(t["email"])) << "the list's fields are current";
  }
  EXPECT_EQ(states["stale"], 3) << "edited, new bib, cancelled";
  EXPECT_EQ(states["pending"], 1) << "the new registration";
  sim_->control("stats/reset", json::object());
  r = sync("", {"-D", "details.max_per_run=3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(calls(detail_route), 3);
  EXPECT_EQ(store_->query("SELECT detail_status FROM participants WHERE detail_status <> 'complete'").rows.size(), 1u)
      << "the three changed ones first, the new one left";
  r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
}

TEST_P(ProviderSync, OneEventOnly) {
  auto events = currentEvents();
  ASSERT_FALSE(events.empty());
  // Discovery first (the event must be known), then the one event by its id.
  const std::string id = events.back()["provider_event_id"];
  auto r = sync(":" + id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto counts = store_->query("SELECT provider_event_id, count(*) AS n FROM participants GROUP BY provider_event_id");
  ASSERT_EQ(counts.rows.size(), 1u) << r.out;
  EXPECT_EQ(counts.at(0, "provider_event_id"), id);
  EXPECT_EQ(counts.at(0, "n"), std::to_string(truth(id).size()));
  r = sync(":no-such-event");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("event no-such-event is not among the events of timing partner 1"), std::string::npos) << r.out;
}

// Failures, end to end, on SQLite: what the operator sees, what sync_history keeps, and that no
// secret appears in either.
// Credentials without SQL: the fixture's SQL-made credential is disabled and the same account is
// added with p88host --add-credential (secrets on standard input or in a file, sealed with the
// key at once), listed, and synced; no output shows a secret.
TEST_P(ProviderSync, ACredentialAddedFromTheCommandLineIsSealedListedAndSyncs) {
  const std::string key_file = logs_.file("secret.key");
  ASSERT_EQ(test::runHost({"--generate-secret-key", key_file, "--log-dir", logs_.path()}).exit_code, 0);
  auto env = db_->hostEnv();
  env["P88_SECRET_KEY_FILE"] = key_file;
  env["P88_" + upper(provider().slug) + "_BASE_URL"] = sim_->url(provider().slug);
  const json a = sim_->account(provider().slug);
  std::vector<std::string> args = {"--add-credential", std::string("1:") + provider().name, "--log-dir", logs_.path()};
  std::string input;
  if (is("letsdothis")) {  // the key is the whole credential: from a file, not the command line
    std::ofstream(logs_.file("ldt.key")) << a["principal"].get<std::string>() << "\n";
    args.insert(args.end(), {"--secret-file", logs_.file("ldt.key")});
  } else {
    args.insert(args.end(), {"--principal", a["principal"].get<std::string>()});
    input = a["secret"].get<std::string>() + "\n";
  }
  if (is("raceroster")) {
    args.insert(args.end(), {"--username", a["username"].get<std::string>()});
    input += a["password"].get<std::string>() + "\n";
  }
  std::string printed;
  auto r = test::runHostWithInput(args, env, input);
  printed += r.out + r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("credential 2 added: timing partner 1, " + std::string(provider().name) +
                       ", sealed with the secret key"),
            std::string::npos)
      << r.out;
  auto row = store_->query("SELECT principal, COALESCE(secret, ''), COALESCE(CAST(additional_config AS TEXT), ''), "
                           "credential_type FROM partner_provider_credentials WHERE partner_provider_credential_id = 2");
  ASSERT_EQ(row.rows.size(), 1u);
  const std::string stored = row.rows[0][0].value_or("") + row.rows[0][1].value_or("") + row.rows[0][2].value_or("");
  EXPECT_EQ(row.rows[0][0].value_or("").rfind("enc:v1:", 0), 0u) << "the principal is sealed too";
  std::vector<std::string> secrets = {a["principal"].get<std::string>()};
  for (const char* k : {"secret", "password"})
    if (!a[k].is_null()) secrets.push_back(a[k].get<std::string>());
  for (const auto& secret : secrets) EXPECT_EQ(stored.find(secret), std::string::npos) << "stored in the clear";

  r = test::runHost({"--disable-credential", "1", "--log-dir", logs_.path()}, env);
  printed += r.out + r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("credential 1 disabled"), std::string::npos) << r.out;
  r = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, env);
  printed += r.out + r.err;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM sync_history WHERE partner_provider_credential_id = 1")
                .rows.at(0).at(0).value_or(""),
            "0")
      << "the disabled credential synced";

  r = test::runHost({"--list-credentials", "--log-dir", logs_.path()}, env);
  printed += r.out + r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto old_row = test::columnsOfLineWith(r.out, "\n1  ");
  const auto new_row = test::columnsOfLineWith(r.out, "\n2  ");
  ASSERT_EQ(old_row.size(), 6u) << r.out;
  ASSERT_EQ(new_row.size(), 6u) << r.out;
  EXPECT_EQ(old_row[2], provider().name);
  EXPECT_EQ(old_row[3], "no");
  EXPECT_EQ(old_row[4], "plaintext");
  EXPECT_EQ(old_row[5], "never");
  EXPECT_EQ(new_row[3], "yes");
  EXPECT_EQ(new_row[4], "sealed");
  EXPECT_EQ(new_row[5].rfind("20", 0), 0u) << "its last successful sync: " << new_row[5];
  EXPECT_NE(r.out.find("2 credentials"), std::string::npos) << r.out;
  for (const char* f : {"provider_integration.log", "provider_sync.log", "sync_worker.log", "main.log"}) {
    std::ifstream in(logs_.file(f));
    printed += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const auto& secret : secrets) EXPECT_EQ(printed.find(secret), std::string::npos) << "printed: " << secret;
}

// What --add-credential and --disable-credential refuse, each saying what was wrong and writing nothing.
TEST_P(ProviderSync, CredentialCommandsRefuseBadInputNamingWhatIsWrong) {
  if (!is("runsignup") && !is("letsdothis")) GTEST_SKIP() << "the refusals do not depend on the provider";
  auto env = db_->hostEnv();
  const auto add = [&](std::vector<std::string> extra, const std::string& input) {
    std::vector<std::string> args = {"--add-credential", std::string("1:") + provider().name, "--log-dir", logs_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::runHostWithInput(args, env, input);
  };
  const auto refused = [&](const test::CommandResult& r, const std::string& why) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  };
  if (is("runsignup")) {
    refused(add({}, "s3cret\n"), "RunSignUp needs --principal (its API key)");
    refused(add({"--principal", "key-1"}, ""), "no RunSignUp API secret on standard input");
    refused(add({"--principal", "key-1", "--username", "someone"}, "s3cret\n"),
            "--username, --password-file and --token-url are for providers with a token grant; RunSignUp has none");
    refused(add({"--principal", "key-1", "--secret-file", logs_.file("missing")}, ""),
            "cannot read RunSignUp API secret from " + logs_.file("missing"));
  } else {
    refused(add({"--principal", "eyJhbGciOi.x.y"}, ""),
            "Let's Do This's key is the whole credential: give it on standard input or with --secret-file");
  }
  std::vector<std::string> to_partner_99 = {"--add-credential", "99:" + std::string(provider().name)};
  if (is("runsignup")) to_partner_99.insert(to_partner_99.end(), {"--principal", "k"});
  auto r = test::runHostWithInput(to_partner_99, env, "s\n");
  refused(r, "timing partner 99 does not exist");
  refused(test::runHostWithInput({"--add-credential", "1:Nobody", "--principal", "k"}, env, "s\n"),
          "no loaded plugin serves a provider called 'Nobody'");
  refused(test::runHost({"--add-credential", "RunSignUp"}, env), "expected PARTNER:PROVIDER");
  refused(test::runHost({"--disable-credential", "99"}, env), "there is no credential 99");
  refused(test::runHost({"--disable-credential", "one"}, env), "expected a credential id");
  r = test::runHost({"--list-credentials", "--principal", "k"}, env);
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("--principal goes with --add-credential"), std::string::npos) << r.err;
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM partner_provider_credentials").rows.at(0).at(0).value_or(""), "1");
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM timing_partners").rows.at(0).at(0).value_or(""), "1");
}

class ProviderFaults : public ProviderSync {
 protected:
  // The path of the event's participants at the simulator, for scripting faults.
  std::string participantsPath(const json& event) const {
    const std::string id = event["provider_event_id"];
    if (is("runsignup")) return "/Rest/race/" + event["provider_race_id"].get<std::string>() + "/participants";
    if (is("raceroster")) return "/api/v1/events/" + id + "/participants";
    if (is("haku")) return "/events/" + id + "/participants";
    return "/v0/applications";
  }
  void fault(const json& event, const std::string& kind, int count) const {
    sim_->control("faults", {{"provider", provider().slug}, {"path_prefix", participantsPath(event)},
                             {"kind", kind}, {"count", count}});
  }
  // Everything p88host printed and logged.
  std::string everything(const test::CommandResult& r) const {
    std::string all = r.out + r.err;
    for (const char* f : {"provider_integration.log", "provider_sync.log", "sync_worker.log"}) {
      std::ifstream in(logs_.file(f));
      all += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }
  std::string lastHistoryError() const {
    auto h = store_->query("SELECT error_details FROM sync_history WHERE status = 'failed' ORDER BY sync_history_id DESC");
    return h.empty() ? "" : h.rows[0][0].value_or("");
  }
};

TEST_P(ProviderFaults, AFullLogDiskDoesNotStopSyncing) {
  // Every log file is /dev/full: each write fails with ENOSPC, as on a full /var/log.
  for (const char* f : {"provider_integration.log", "provider_sync.log", "sync_worker.log"})
    ASSERT_EQ(::symlink("/dev/full", logs_.file(f).c_str()), 0) << f;
  auto r = sync();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
  // Said once, not per line.
  const std::string said = "a log write failed";
  const size_t first = r.err.find(said);
  EXPECT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(said, first + 1), std::string::npos) << r.err;
}

TEST_P(ProviderFaults, RejectedCredentialFailsWithoutShowingIt) {
  const std::string wrong = is("letsdothis") ? "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.wrong-signature-8d1f" : "wrong-secret-8d1f3a";
  store_->query(is("letsdothis") ? "UPDATE partner_provider_credentials SET principal = $1"
                                 : "UPDATE partner_provider_credentials SET secret = $1",
                {wrong});
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("events FAILED (auth)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("participants not synced: the provider refused the credential"), std::string::npos) << r.out;
  EXPECT_EQ(everything(r).find(wrong), std::string::npos) << everything(r);
  const std::string details = lastHistoryError();
  EXPECT_NE(details.find("\"status\":\"auth\""), std::string::npos) << details;
  EXPECT_EQ(details.find(wrong), std::string::npos) << details;
}

TEST_P(ProviderFaults, MalformedPageFailsTheEventNamingTheCallAndLosesNothing) {
  auto events = currentEvents();
  fault(events.front(), "malformed", 1000);
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED (transient)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("malformed JSON in the response to GET"), std::string::npos) << r.out;
  const json account = sim_->account(provider().slug);
  EXPECT_EQ(everything(r).find(account["principal"].get<std::string>()), std::string::npos);
  if (!account["secret"].is_null()) {
    EXPECT_EQ(everything(r).find(account["secret"].get<std::string>()), std::string::npos);
  }
  EXPECT_NE(lastHistoryError().find("malformed JSON"), std::string::npos) << lastHistoryError();
  // The other events synced; once the provider recovers, the next run completes the failed one.
  sim_->clearFaults();
  r = sync();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
}

TEST_P(ProviderFaults, TransientServerErrorsAreRetriedByTheHost) {
  auto events = currentEvents();
  fault(events.front(), "status_502", 2);  // the host makes three attempts
  auto r = sync();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
}

TEST_P(ProviderFaults, ProviderThrottleIsReportedWithItsWait) {
  sim_->control("rate-limits", {{"provider", provider().slug}, {"calls", 2}, {"window_seconds", 3600}});
  auto r = sync();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED (throttled)"), std::string::npos) << r.out;
  EXPECT_NE(lastHistoryError().find("retry_after_seconds"), std::string::npos) << lastHistoryError();
  // The provider's wait blocks the credential: the events after the throttled one are reported,
  // not waited for an hour, and their jobs stay queued (at the top) for the service, unattempted.
  EXPECT_NE(r.out.find("stays queued"), std::string::npos) << r.out;
  EXPECT_GT(std::stoi(store_->query("SELECT COUNT(*) FROM sync_queue WHERE status = 'pending' AND priority = 0 "
                                    "AND retry_count = 0").rows.at(0).at(0).value_or("0")),
            0);
}

TEST_P(ProviderFaults, ATricklingAnswerIsAbandonedAtTheCallsDeadline) {
  // Every byte arrives in time for a read, the answer never completes.
  const json event = currentEvents().front();
  sim_->control("faults", {{"provider", provider().slug}, {"path_prefix", participantsPath(event)}, {"kind", "trickle"},
                           {"delay_ms", 100}, {"count", 100}});
  const std::string only = ":" + event["provider_event_id"].get<std::string>();
  auto r = sync(only, {"-D", "http.call_deadline=2s"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED (transient)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("within the call's deadline (2 s"), std::string::npos) << r.out;
  // The job's own deadline abandons a call as well, and says it was the job's.
  r = sync(only, {"-D", "worker.job_deadline=2s"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("the job's: worker.job_deadline = 2 s"), std::string::npos) << r.out;
  // Nothing of the abandoned event's stream was committed as read.
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM sync_cursors WHERE provider_event_id = $1 AND stream = 'participants'",
                          {event["provider_event_id"].get<std::string>()})
                .rows.at(0).at(0)
                .value_or(""),
            "0");
}

TEST_P(ProviderFaults, PagingThatNeverEndsIsStoppedAndTheCursorStays) {
  const json event = currentEvents().front();
  fault(event, "endless", 1000);
  auto r = sync(":" + event["provider_event_id"].get<std::string>(), {"-D", "sync.max_pages=6"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("stopped after 6 requests in one run of stream participants (sync.max_pages)"), std::string::npos)
      << r.out;
  EXPECT_LE(calls(provider().participants_route), 6 + 1) << routeStats().dump();
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM sync_cursors WHERE provider_event_id = $1 AND stream = 'participants'",
                          {event["provider_event_id"].get<std::string>()})
                .rows.at(0).at(0)
                .value_or(""),
            "0");
}

TEST_P(ProviderFaults, APageCursorThatRepeatsIsStopped) {
  if (!is("letsdothis")) GTEST_SKIP() << "paged by page number: only Let's Do This's cursor can repeat";
  const json event = currentEvents().front();
  fault(event, "repeat_cursor", 1000);
  auto r = sync(":" + event["provider_event_id"].get<std::string>());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("a page cursor that repeats"), std::string::npos) << r.out;
  EXPECT_LE(calls(provider().participants_route), 3) << routeStats().dump();
}

// The fields the simulator's `hostile` fault spoils, as this provider's plugin names them.
struct HostileFields {
  const char* first;
  const char* last;
  const char* changed;
  const char* amount;
};
HostileFields hostileFields(const std::string& slug) {
  if (slug == "runsignup") return {"user.first_name", "user.last_name", "last_modified", "amount_paid"};
  if (slug == "raceroster") return {"firstName", "lastName", "lastModifiedDate", "amountPaid"};
  // Haku's list rows carry an amount the plugin does not read (the registration's detail has it).
  if (slug == "haku") return {"person_full_name", "person_full_name", "updated_at", nullptr};
  return {"firstName", "lastName", "updatedAt", "amountPaid.amount"};
}

TEST_P(ProviderFaults, AHostilePageCostsOnlyItsBadValuesAndNeverTheCursor) {
  const json event = currentEvents().front();
  const std::string id = event["provider_event_id"].get<std::string>();
  fault(event, "hostile", 1);
  auto r = sync(":" + id);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // survived, and the page was not refused
  // Every registration of the page is stored, the spoiled ones too.
  EXPECT_EQ(std::stoul(store_->query("SELECT COUNT(*) FROM participants WHERE provider_event_id = $1", {id})
                           .rows.at(0).at(0).value_or("0")),
            truth(id).size());
  // Each problem is reported with its record and field.
  const std::string problems = store_->query("SELECT error_details FROM sync_history WHERE event_id = $1 AND "
                                             "operation_type = 'participants' ORDER BY sync_history_id DESC",
                                             {id})
                                   .rows.at(0).at(0).value_or("");
  const HostileFields f = hostileFields(provider().slug);
  for (const std::string& expected :
       {std::string("field evil: nested deeper than 64 levels"), std::string("field ") + f.first + ": invalid UTF-8",
        std::string("field ") + f.last + ": invalid UTF-8", std::string("field age: 999 is out of range"),
        std::string("field ") + (f.amount ? f.amount : "age")})
    EXPECT_NE(problems.find(expected), std::string::npos) << expected << " in " << problems;
  EXPECT_NE(problems.find("2100-01-01"), std::string::npos) << problems;
  // The cursor is no later than now (plus the plugin kit's skew of 5 minutes).
  const std::string cursor = store_->query("SELECT cursor FROM sync_cursors WHERE provider_event_id = $1 AND stream = "
                                           "'participants'",
                                           {id})
                                 .rows.at(0).at(0).value_or("");
  const std::time_t limit = std::time(nullptr) + 300;
  std::smatch m;
  if (std::regex_search(cursor, m, std::regex("modified_after=([0-9]+)"))) {
    EXPECT_LE(std::stoll(m[1]), limit) << cursor;
  } else {
    ASSERT_TRUE(std::regex_search(cursor, m, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"))) << cursor;
    std::tm tm{};
    const std::time_t t = limit;
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    EXPECT_LE(m[0].str(), std::string(buf)) << cursor;
  }
}

TEST_P(ProviderFaults, AConnectionResetAfterTheFirstCallDoesNotKillTheProcess) {
  // The first call (Race Roster's and Haku's token POST; RunSignUp's and Let's Do This's event
  // list) is answered, then its keep-alive connection is reset: the next request meets a reset
  // peer (EPIPE or ECONNRESET, never a SIGPIPE that kills), and is retried on a new connection.
  const std::string first = is("raceroster") ? "/api/oauth/authorize"
                            : is("haku")     ? "/oauth2/token"
                            : is("runsignup") ? "/Rest/races"
                                              : "/v0/events";
  sim_->control("faults", {{"provider", provider().slug}, {"path_prefix", first}, {"kind", "reset_after"}, {"count", 1}});
  auto r = sync();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  int faulted = 0;
  const json stats = routeStats();
  for (auto it = stats.begin(); it != stats.end(); ++it)
    if (it.value().is_object() && it.value().contains("faulted")) faulted += it.value()["faulted"].get<int>();
  EXPECT_EQ(faulted, 1) << "the fault was not hit: " << routeStats().dump();
  expectDatabaseMatchesTruth();
}

TEST_P(ProviderFaults, AnEventThatStartsTbdIsReportedSyncedAndNamedUntilFixed) {
  const std::string events_path = is("runsignup") ? "/Rest/races" : is("raceroster") ? "/api/v1/events"
                                  : is("haku")    ? "/events"
                                                  : "/v0/events";
  sim_->control("faults", {{"provider", provider().slug}, {"path_prefix", events_path}, {"kind", "hostile"}, {"count", 1}});
  auto r = sync();
  EXPECT_NE(r.out.find("has no usable start time"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'TBD'"), std::string::npos) << "the field's own report: " << r.out;
  // Stored, without a start; its participants were synced like every other event's.
  const auto tbd = store_->query("SELECT provider_event_id FROM events WHERE start_time IS NULL");
  ASSERT_EQ(tbd.rows.size(), 1u);
  const std::string id = tbd.rows[0][0].value_or("");
  EXPECT_GT(std::stoi(store_->query("SELECT COUNT(*) FROM participants WHERE provider_event_id = $1", {id})
                          .rows.at(0).at(0).value_or("0")),
            0);
  // The running service names it in its status line, until the provider gives a start time.
  auto env = db_->hostEnv();
  env["P88_LOG_DIR"] = logs_.path();
  test::HostProcess engine({"--engine-only", "-D", "status.every=1s", "-D", "engine.tick=1s"}, env);
  EXPECT_TRUE(engine.waitForOutput("events without a start time: 1 (" + std::string(provider().slug) + " " + id + ")", 20))
      << engine.out();
  // (Its cadence and priority, the tightest window's and right after every event within 4 h, are
  // the schedule's: tests/unit/schedule_test.cpp.)
  engine.signal(SIGTERM);
  EXPECT_EQ(engine.wait(20), 0);
}

// Let's Do This's paging and fields are the notes' guess: where the real API answers otherwise,
// p88 fails or reports, and never stores a row under the wrong event or moves a cursor past data.
TEST_P(ProviderFaults, ShapeSurprisesFailLoudlyOrAreReportedAndLoseNothing) {
  if (!is("letsdothis")) GTEST_SKIP() << "these guessed shapes are Let's Do This's (the others page by number, per event path)";
  json large, small;
  for (const json& e : currentEvents()) {
    if (e["participants"].get<int>() >= 100 && large.is_null()) large = e;
    if (e["participants"].get<int>() < 100 && small.is_null()) small = e;
  }
  ASSERT_FALSE(large.is_null());
  ASSERT_FALSE(small.is_null());
  const std::string big = large["provider_event_id"], one = small["provider_event_id"];
  auto cursors = [&](const std::string& id) {
    return store_->query("SELECT COUNT(*) FROM sync_cursors WHERE provider_event_id = $1 AND stream = 'participants'", {id})
        .rows.at(0).at(0).value_or("");
  };
  auto stored = [&](const std::string& id) {
    return std::stoul(store_->query("SELECT COUNT(*) FROM participants WHERE provider_event_id = $1", {id})
                          .rows.at(0).at(0).value_or("0"));
  };
  // Another next-page key on a full page: not taken as the end of the stream.
  fault(large, "other_next_key", 1);
  auto r = sync(":" + big);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("a full page (100 rows) without page.next"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the response has: data, links.next"), std::string::npos) << r.out;
  EXPECT_EQ(cursors(big), "0") << "the cursor moved past pages never read";

  // The eventId filter ignored: the other events' rows are reported and not stored under this one.
  sim_->clearFaults();
  fault(small, "ignore_event_filter", 1000);
  r = sync(":" + one);
  EXPECT_NE(r.out.find("(is the filter ignored?): not stored under that event"), std::string::npos) << r.out;
  EXPECT_EQ(stored(one), truth(one).size()) << "only this event's rows, all of them";
  auto c = test::compareWithTruth(*store_, *sim_, "letsdothis");
  for (const auto& d : c.differences) EXPECT_EQ(d.find("event " + one), std::string::npos) << d;

  // Rows without their event id: reported, none stored under the event asked for.
  sim_->clearFaults();
  store_->query("DELETE FROM participants WHERE provider_event_id = $1", {one});
  store_->query("DELETE FROM sync_cursors WHERE provider_event_id = $1", {one});
  fault(small, "no_event_id", 1000);
  r = sync(":" + one);
  EXPECT_NE(r.out.find("missing in an answer filtered by event " + one), std::string::npos) << r.out;
  EXPECT_EQ(stored(one), 0u);

  // updatedAt[after] ignored: every row comes back; stored (they are the provider's), and said.
  sim_->clearFaults();
  ASSERT_EQ(sync(":" + one).exit_code, 0);
  EXPECT_EQ(stored(one), truth(one).size());
  fault(small, "ignore_updated_after", 1000);
  r = sync(":" + one);
  EXPECT_NE(r.out.find("the provider may be ignoring the filter"), std::string::npos) << r.out;
  EXPECT_EQ(stored(one), truth(one).size());
}

TEST_P(ProviderFaults, AnInterruptedManualSyncHandsItsJobBack) {
  // One event answers slowly; Ctrl-C while its job runs.
  const json slow = currentEvents().front();
  sim_->control("faults", {{"provider", provider().slug}, {"path_prefix", participantsPath(slow)}, {"kind", "slow"},
                           {"delay_ms", 4000}, {"count", 1}});
  auto env = db_->hostEnv();
  env["P88_" + upper(provider().slug) + "_BASE_URL"] = sim_->url(provider().slug);
  env["P88_LOG_DIR"] = logs_.path();
  test::HostProcess host({"--manual-sync", std::string("1:") + provider().name}, env);
  const std::string running = "SELECT COUNT(*) FROM sync_queue WHERE status = 'running' AND event_id = '" +
                              slow["provider_event_id"].get<std::string>() + "'";
  bool started = false;
  for (int i = 0; i < 200 && !started; ++i) {
    started = store_->query(running).rows.at(0).at(0) == std::optional<std::string>("1");
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(started) << host.out() << host.err();
  host.signal(SIGINT);
  EXPECT_EQ(host.wait(10), 128 + SIGINT) << host.out() << host.err();
  EXPECT_NE(host.out().find("interrupted: the running job went back to the queue"), std::string::npos) << host.out();
  // Handed back at once, without using an attempt, still at the top; nothing left running.
  auto job = store_->query("SELECT status, retry_count, priority FROM sync_queue WHERE event_id = $1",
                           {slow["provider_event_id"].get<std::string>()});
  ASSERT_EQ(job.rows.size(), 1u);
  EXPECT_EQ(job.at(0, "status").value_or(""), "pending");
  EXPECT_EQ(job.at(0, "retry_count").value_or(""), "0");
  EXPECT_EQ(job.at(0, "priority").value_or(""), "0");
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'").rows.at(0).at(0).value_or(""), "0");
  // The next run takes it from there.
  auto r = sync();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expectDatabaseMatchesTruth();
}

TEST_P(ProviderFaults, AnExpiredTokenIsRenewedOnceAnExpiredKeyIsReported) {
  auto events = currentEvents();
  fault(events.front(), "expired_token", 1);
  auto r = sync();
  if (is("raceroster") || is("haku")) {  // a token grant: renewed (the refresh token for Race Roster)
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(calls(is("haku") ? "/oauth2/token" : "/api/oauth/authorize"), 2) << routeStats().dump();
    expectDatabaseMatchesTruth();
  } else {  // the key itself was refused: that event fails as an auth error, the others sync
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("event " + events.front()["provider_event_id"].get<std::string>() + " FAILED (auth)"),
              std::string::npos) << r.out;
    // Its race's other events were read in the same request (coalesced): they fail with it.
    int mates = 0;
    for (const json& e : events) mates += e["provider_race_id"] == events.front()["provider_race_id"];
    EXPECT_NE(r.out.find("; " + std::to_string(mates) + " failed"), std::string::npos) << r.out;
  }
}

// The forms a secret takes in a URL or a form body.
std::vector<std::string> encodedForms(const std::string& s) {
  std::string upper, lower;
  const char* hex = "0123456789ABCDEF";
  const char* hex_l = "0123456789abcdef";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      upper += static_cast<char>(c);
      lower += static_cast<char>(c);
    } else {
      upper += {'%', hex[c >> 4], hex[c & 15]};
      lower += {'%', hex_l[c >> 4], hex_l[c & 15]};
    }
  }
  return {s, upper, lower};
}

TEST_P(ProviderFaults, NoSecretTokenOrEncodedSecretAppearsInLogsOutputOrHistory) {
  // Debug logging writes every request line; Race Roster's access and refresh tokens and Haku's
  // access token come from the provider, so the host learns them only as the plugin sets them.
  auto env = db_->hostEnv();
  env["P88_" + upper(provider().slug) + "_BASE_URL"] = sim_->url(provider().slug);
  env["LOG_LEVEL"] = "DEBUG";
  auto r = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // A secret that must be percent-encoded (the provider refuses it: that run fails, and says so).
  const std::string odd = "wr0ng/secret+with=special&chars %";
  store_->query(is("letsdothis") ? "UPDATE partner_provider_credentials SET principal = principal || $1"
                                 : "UPDATE partner_provider_credentials SET secret = $1",
                {odd});
  auto failed = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, env);
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  std::string all = everything(r) + everything(failed);
  for (const auto& row : store_->query("SELECT COALESCE(CAST(error_details AS TEXT), '') || ' ' || "
                                       "COALESCE(CAST(data_snapshot AS TEXT), '') FROM sync_history").rows)
    all += row[0].value_or("");
  const json account = sim_->account(provider().slug);
  std::vector<std::string> secrets = encodedForms(odd);
  for (const char* k : {"secret", "password"})
    if (!account[k].is_null())
      for (const auto& f : encodedForms(account[k].get<std::string>())) secrets.push_back(f);
  if (is("letsdothis")) secrets.push_back(account["principal"].get<std::string>());
  const json issued = sim_->control("tokens")["tokens"];
  for (const json& t : issued) secrets.push_back(t.get<std::string>());
  if (is("raceroster") || is("haku")) {
    EXPECT_GE(issued.size(), 1u);
  }
  ASSERT_NE(all.find("GET "), std::string::npos) << "debug logging wrote no request lines";
  for (const std::string& secret : secrets) EXPECT_EQ(all.find(secret), std::string::npos) << "found: " << secret;
}

TEST_P(ProviderFaults, PlainHttpToAnotherHostIsRefusedWithoutTheOptIn) {
  // The name never resolves (.invalid): if the refusal did not come first, the call would fail later.
  auto env = db_->hostEnv();
  env["P88_" + upper(provider().slug) + "_BASE_URL"] = "http://p88-refused.invalid:9/api?key=should-not-show";
  auto r = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("refusing to send credentials in the clear to http://p88-refused.invalid:9/api"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("providers." + std::string(provider().slug) + ".allow_insecure_http=true"), std::string::npos)
      << r.out;
  EXPECT_EQ(everything(r).find("should-not-show"), std::string::npos) << "the URL's query was shown";
  EXPECT_EQ(r.out.find("FAILED (transient)"), std::string::npos) << "a refusal is not retried: " << r.out;
}

TEST_P(ProviderFaults, SealedSecretsSyncWithTheKeyAndFailClearlyWithout) {
  // Stored in plaintext: p88host says so, and how to seal them.
  auto plain = sync();
  EXPECT_NE(plain.err.find("1 credential holds its secrets in plaintext (1); seal them"), std::string::npos) << plain.err;
  const std::string key_file = logs_.file("secret.key");
  auto r = test::runHost({"--generate-secret-key", key_file, "--log-dir", logs_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto env = db_->hostEnv();
  env["P88_SECRET_KEY_FILE"] = key_file;
  r = test::runHost({"--encrypt-secrets", "--log-dir", logs_.path()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("credentials sealed: 1"), std::string::npos) << r.out;
  // Nothing secret is left in the clear in the database.
  const json account = sim_->account(provider().slug);
  auto row = store_->query("SELECT principal, secret, additional_config FROM partner_provider_credentials");
  std::string stored = row.rows[0][0].value_or("") + row.rows[0][1].value_or("") + row.rows[0][2].value_or("");
  if (is("letsdothis")) {  // the JWT is the whole credential
    EXPECT_EQ(stored.find(account["principal"].get<std::string>()), std::string::npos);
  }
  for (const char* k : {"secret", "password"})
    if (!account[k].is_null()) {
      EXPECT_EQ(stored.find(account[k].get<std::string>()), std::string::npos) << k;
    }
  // The principal too: an API key (RunSignUp), a client id (Race Roster, Haku), the JWT (Let's Do This).
  EXPECT_EQ(row.rows[0][0].value_or("").rfind("enc:v1:", 0), 0u) << row.rows[0][0].value_or("");
  EXPECT_EQ(stored.find(account["principal"].get<std::string>()), std::string::npos);
  // With the key, the sync works; without it, it says what is missing.
  auto sync_env = env;
  sync_env["P88_" + upper(provider().slug) + "_BASE_URL"] = sim_->url(provider().slug);
  r = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, sync_env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("in plaintext"), std::string::npos) << "sealed, yet warned about: " << r.err;
  sync_env.erase("P88_SECRET_KEY_FILE");
  r = test::runHost({"--manual-sync", std::string("1:") + provider().name, "--log-dir", logs_.path()}, sync_env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is sealed (enc:v1) but no secret key is configured"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(AllProviders, ProviderFaults,
                         ::testing::Combine(::testing::ValuesIn(kProviders), ::testing::Values(Backend::sqlite)),
                         [](const auto& info) { return std::string(std::get<0>(info.param).slug); });

std::string caseName(const ::testing::TestParamInfo<std::tuple<ProviderCase, Backend>>& info) {
  return std::string(std::get<0>(info.param).slug) +
         (std::get<1>(info.param) == Backend::sqlite ? "_sqlite" : "_postgresql");
}

INSTANTIATE_TEST_SUITE_P(AllProviders, ProviderSync,
                         ::testing::Combine(::testing::ValuesIn(kProviders),
                                            ::testing::Values(Backend::sqlite, Backend::postgresql)),
                         caseName);

}  // namespace
}  // namespace p88
