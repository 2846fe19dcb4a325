// Race day, compressed: the seed's windows divided by 60 (within 24 min of the start every 15 s,
// within 4 min every 2 s, further out every minute, until a minute after the start), 58 RunSignUp
// events of one credential with a few always inside their last "4 hours", and that credential's
// budget below what the day asks one event at a time (a race's events share a request). The near-start events must get at least 95 % of their due syncs on
// time: started before the next one was due. The figure is printed for docs/race-day.md.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "store/store.h"
#include "support/ground_truth.h"
#include "support/sim_process.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using Backend = store::DatabaseConfig::Backend;

// Seconds since the epoch from either backend's timestamp text, with its fraction.
double seconds(const std::optional<std::string>& t) {
  if (!t || t->size() < 19) return -1;
  std::tm tm{};
  double frac = 0;
  std::sscanf(t->c_str(), "%4d-%2d-%2d%*c%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
              &tm.tm_sec);
  if (t->size() > 19 && (*t)[19] == '.') frac = std::stod("0" + t->substr(19, t->find_first_of("+-", 19) - 19));
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + frac;
}

TEST(RaceDay, NearStartEventsGetTheirSyncsOnTime) {
  const Backend backend = test::postgresAvailable() ? Backend::postgresql : Backend::sqlite;
  test::SimProcess sim({"--partners", "1", "--participants", "20", "--extra-events", "22", "--extra-within", "24",
                        "--rate-limit", "runsignup=1000000/3600"});
  test::TestDatabase db(backend);
  auto store = db.open();
  store->migrate();
  test::registerSimCredentials(*store, sim, {"runsignup"});
  // One credential, 8 calls a second: less than the whole day asks for one event at a time (~12 a
  // second), enough since a race's events go in one request (the engine plans ~24k calls an hour).
  store->query("UPDATE providers SET rate_limit_per_hour = 28800 WHERE slug = 'runsignup'");
  const size_t events = sim.events("runsignup").size();
  ASSERT_GE(events, 50u);

  test::TempDir logs;
  auto env = db.hostEnv();
  env["P88_LOG_DIR"] = logs.path();
  env["P88_RUNSIGNUP_BASE_URL"] = sim.url("runsignup");
  test::HostProcess host({"--workers", "3", "-D", "engine.tick=1s", "-D", "worker.poll=0.2", "-D",
                          "schedule.windows=24m:15s,4m:2s", "-D", "schedule.default_every=60s", "-D",
                          "schedule.until_after_start=1m", "-D", "status.every=10s", "-D", "ratelimit.burst=2", "-D",
                          "plan.near_start=1m", "-D", "plan.every=5s"},
                         env);
  ASSERT_TRUE(host.waitForOutput("p88host running", 30)) << host.err();
  std::this_thread::sleep_for(std::chrono::seconds(90));
  host.signal(SIGTERM);
  EXPECT_EQ(host.wait(60), 0) << host.out() << host.err();

  // Every participants job: when it was due, when it started, and how far its event's start was.
  auto rows = store->query(
      "SELECT q.scheduled_time, q.started_at, e.start_time, q.status FROM sync_queue q JOIN events e "
      "ON e.provider_event_id = q.event_id AND e.partner_provider_credential_id = q.partner_provider_credential_id "
      "WHERE q.operation_type = 'participants'");
  auto end_row = store->query("SELECT MAX(started_at) FROM sync_queue");
  const double end = seconds(end_row.rows.at(0).at(0));
  size_t near_due = 0, near_on_time = 0, far_due = 0, far_on_time = 0;
  for (const auto& r : rows.rows) {
    const double due = seconds(r[0]), started = seconds(r[1]), start = seconds(r[2]);
    if (due > end - 2) continue;  // due too close to the end to judge
    const double to_start = start - due;
    const bool near = to_start <= 4 * 60 && to_start >= -60;
    const double interval = near ? 2 : to_start <= 24 * 60 ? 15 : 60;
    const bool on_time = started >= 0 && started - due <= interval;
    (near ? near_due : far_due) += 1;
    (near ? near_on_time : far_on_time) += on_time ? 1 : 0;
  }
  const double near_share = near_due ? 100.0 * near_on_time / near_due : 0;
  const double far_share = far_due ? 100.0 * far_on_time / far_due : 0;
  std::printf("race day (%s, %zu events, 8 calls/s): near-start %zu/%zu due syncs on time (%.1f %%); "
              "further out %zu/%zu (%.1f %%)\n",
              backend == Backend::postgresql ? "PostgreSQL" : "SQLite", events, near_on_time, near_due, near_share,
              far_on_time, far_due, far_share);
  EXPECT_GE(near_due, 50u) << "too few near-start syncs to judge";
  EXPECT_GE(near_share, 95.0);
  // The engine says what it plans for the credential, and its near-start events keep the seed's
  // cadence.
  std::ifstream log(logs.path() + "/provider_sync.log");
  std::string line, plan;
  while (std::getline(log, line))
    if (line.find("plan: credential 1 RunSignUp") != std::string::npos) plan = line.substr(line.find("plan: "));
  ASSERT_NE(plan, "") << host.out();
  std::printf("the engine's plan: %s\n", plan.c_str());
  EXPECT_NE(plan.find("near-start cadence 2 s"), std::string::npos) << plan;
  auto throttled = sim.control("stats")["total_throttled"];
  EXPECT_EQ(throttled, 0);

  // The seed's two monitoring queries, verbatim, show the queue and the history of the day.
  auto queue = store->query(test::kSeedQueueStatusQuery);
  int64_t completed = 0;
  std::printf("sync queue status:\n");
  for (size_t i = 0; i < queue.rows.size(); ++i) {
    std::printf("  %s %s %s %s\n", queue.at(i, "provider").value_or("").c_str(),
                queue.at(i, "operation_type").value_or("").c_str(), queue.at(i, "status").value_or("").c_str(),
                queue.at(i, "count").value_or("").c_str());
    if (queue.at(i, "operation_type") == std::optional<std::string>("participants") &&
        queue.at(i, "status") == std::optional<std::string>("completed"))
      completed = std::stoll(queue.at(i, "count").value_or("0"));
  }
  EXPECT_GE(completed, 50);
  auto history = store->query(test::kSeedRecentHistoryQuery);
  EXPECT_EQ(history.rows.size(), 20u);
  std::printf("recent sync history:\n");
  for (size_t i = 0; i < history.rows.size(); ++i) {
    std::printf("  %s %s %s %s %s\n", history.at(i, "sync_time").value_or("").c_str(),
                history.at(i, "provider").value_or("").c_str(), history.at(i, "operation_type").value_or("").c_str(),
                history.at(i, "status").value_or("").c_str(), history.at(i, "num_of_synced_records").value_or("").c_str());
    EXPECT_EQ(history.at(i, "provider").value_or(""), "RunSignUp");
  }
}

}  // namespace
}  // namespace p88
