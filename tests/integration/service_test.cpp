// p88host as a service against the simulator: engines and workers in several processes on one
// PostgreSQL (or one process on SQLite) keep the database at the providers' ground truth while
// the providers change; one engine schedules at a time and another takes over when it dies; a
// worker killed mid-sync loses nothing: its job is rescued after the lease and completes.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "store/store.h"
#include "support/ground_truth.h"
#include "support/service_fixture.h"
#include "support/sim_process.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using nlohmann::json;
using Backend = store::DatabaseConfig::Backend;

class Service : public test::ServiceFixture {
 protected:
  void SetUp() override {
    test::ServiceFixture::SetUp();
    if (IsSkipped()) return;
    startService();
  }
};

TEST_P(Service, KeepsTheDatabaseAtGroundTruthWhileProvidersChange) {
  std::vector<std::unique_ptr<test::HostProcess>> hosts;
  hosts.push_back(std::make_unique<test::HostProcess>(args({"--workers", "2"}), env()));
  if (GetParam() == Backend::postgresql) {  // two hosts and a spare engine on one database
    hosts.push_back(std::make_unique<test::HostProcess>(args({"--workers", "2"}), env()));
    hosts.push_back(std::make_unique<test::HostProcess>(args({"--engine-only"}), env()));
  }
  for (auto& h : hosts) ASSERT_TRUE(h->waitForOutput("p88host running", 30)) << h->err();
  std::string diff = waitForTruth(90);
  ASSERT_EQ(diff, "") << "the first syncs did not reach the ground truth";

  mutateEverything();
  diff = waitForTruth(60);
  EXPECT_EQ(diff, "") << "after the providers changed";
  EXPECT_GT(count("SELECT COUNT(*) FROM participants WHERE status <> 'active'"), 10);
  expectEveryDueTimeRanOnce();

  if (GetParam() == Backend::postgresql) {
    // One engine schedules; kill it and another takes over within seconds.
    auto holder = [&] {
      auto r = store_->query("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                             "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                             "(SELECT oid FROM pg_database WHERE datname = current_database())");
      EXPECT_LE(r.rows.size(), 1u);
      return r.empty() ? std::string() : r.rows[0][0].value_or("");
    };
    const std::string first = holder();
    ASSERT_EQ(first.rfind("p88host/", 0), 0u) << first;
    const int leader_pid = std::stoi(first.substr(8));
    for (auto& h : hosts)
      if (h->pid() == leader_pid) h->signal(SIGKILL);
    std::string next;
    for (int i = 0; i < 100 && (next.empty() || next == first); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      next = holder();
    }
    EXPECT_FALSE(next.empty());
    EXPECT_NE(next, first) << "no engine took over";
    mutateEverything();
    EXPECT_EQ(waitForTruth(60), "") << "after the failover";
    expectEveryDueTimeRanOnce();
  }
  for (auto& h : hosts) {
    h->signal(SIGTERM);
    auto code = h->wait(30);
    if (code) {
      EXPECT_TRUE(*code == 0 || *code == 128 + SIGKILL) << h->out() << h->err();
    }
  }
  // The status line: queue depth, this process's work, the engine's role and the next due time.
  const std::string out = hosts[0]->out();
  EXPECT_NE(out.find("status: queue pending="), std::string::npos) << out;
  EXPECT_NE(out.find("; next due 20"), std::string::npos) << out;
  // The seed's monitoring queries show the run.
  EXPECT_GT(count("SELECT COUNT(*) FROM (SELECT p.name as provider, sq.operation_type, sq.status, COUNT(*) as count "
                  "FROM sync_queue sq JOIN providers p ON p.provider_id = sq.provider_id "
                  "GROUP BY p.name, sq.operation_type, sq.status) q"),
            4);
}

TEST_P(Service, AWorkerKilledMidSyncLosesNothing) {
  // The large RunSignUp event answers slowly: its sync takes several seconds.
  json large;
  for (const json& e : test::currentSimEvents(*sim_, "runsignup"))
    if (e["participants"] == 3000) large = e;
  ASSERT_FALSE(large.is_null());
  const std::string path = "/Rest/race/" + large["provider_race_id"].get<std::string>() + "/participants";
  sim_->control("faults", {{"provider", "runsignup"}, {"path_prefix", path}, {"kind", "slow"}, {"delay_ms", 2500},
                           {"count", 2}});
  auto engine = std::make_unique<test::HostProcess>(args({"--engine-only"}), env());
  auto doomed = std::make_unique<test::HostProcess>(args({"--worker-only", "--workers", "3"}), env());
  const std::string running = "SELECT COUNT(*) FROM sync_queue WHERE status = 'running' AND event_id = '" +
                              large["provider_event_id"].get<std::string>() + "'";
  bool started = false;
  for (int i = 0; i < 300 && !started; ++i) {
    started = count(running) == 1;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(started) << doomed->out() << doomed->err();
  doomed->signal(SIGKILL);
  EXPECT_EQ(doomed->wait(10), 128 + SIGKILL);
  auto rescuer = std::make_unique<test::HostProcess>(args({"--worker-only", "--workers", "2"}), env());
  EXPECT_EQ(waitForTruth(90), "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE rescue_count > 0 AND event_id = '" +
                  large["provider_event_id"].get<std::string>() + "' AND status = 'completed'"),
            1)
      << "the killed worker's job was rescued and completed";
  EXPECT_EQ(count("SELECT COUNT(*) FROM participants WHERE provider_event_id = '" +
                  large["provider_event_id"].get<std::string>() + "'"),
            3000);
}

TEST_P(Service, SigtermExitsWithinTheGracePeriodEvenMidCall) {
  // A provider trickles its answer: the job would hold its worker for hours.
  json event = test::currentSimEvents(*sim_, "haku").front();
  const std::string path = "/events/" + event["provider_event_id"].get<std::string>() + "/participants";
  sim_->control("faults", {{"provider", "haku"}, {"path_prefix", path}, {"kind", "trickle"}, {"delay_ms", 200},
                           {"count", 100}});
  auto host = std::make_unique<test::HostProcess>(args({"--workers", "2", "-D", "shutdown.grace=4s"}), env());
  const std::string running = "SELECT COUNT(*) FROM sync_queue WHERE status = 'running' AND event_id = '" +
                              event["provider_event_id"].get<std::string>() + "'";
  bool started = false;
  for (int i = 0; i < 300 && !started; ++i) {
    started = count(running) == 1;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(started) << host->out() << host->err();
  host->signal(SIGTERM);
  // 4 s of grace, then some for the process to stop (a wait, not a measurement).
  EXPECT_EQ(host->wait(12), 0) << host->out() << host->err();
  EXPECT_NE(host->out().find("running jobs cancelled and released"), std::string::npos) << host->out();
  // Handed back without using an attempt; nothing left running.
  EXPECT_EQ(count(running), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'"), 0);
  EXPECT_EQ(count("SELECT retry_count FROM sync_queue WHERE event_id = '" + event["provider_event_id"].get<std::string>() +
                  "' AND operation_type = 'participants' ORDER BY sync_queue_id DESC LIMIT 1"),
            0);
}

TEST_P(Service, StaysUnderTheProvidersLimitAndHonoursItsThrottle) {
  // Race Roster allows 60 calls a minute per credential; p88 is told 3,000 an hour (50 a minute,
  // bursts of 3): under demand far above that, the provider never has to throttle.
  sim_->control("rate-limits", {{"provider", "raceroster"}, {"calls", 60}, {"window_seconds", 60}});
  sim_->control("rate-limits/reset", json::object());
  store_->query("UPDATE providers SET rate_limit_per_hour = 3000 WHERE slug = 'raceroster'");
  std::vector<std::unique_ptr<test::HostProcess>> hosts;
  hosts.push_back(std::make_unique<test::HostProcess>(args({"--workers", "3"}), env()));
  if (GetParam() == Backend::postgresql)  // the budget is shared through the database
    hosts.push_back(std::make_unique<test::HostProcess>(args({"--workers", "3"}), env()));
  for (auto& h : hosts) ASSERT_TRUE(h->waitForOutput("p88host running", 30)) << h->err();
  std::this_thread::sleep_for(std::chrono::seconds(25));
  json stats = sim_->control("stats")["providers"]["raceroster"]["raceroster/partner-1"];
  int calls = 0, throttled = 0;
  for (auto it = stats.begin(); it != stats.end(); ++it) {
    calls += it.value()["calls"].get<int>();
    throttled += it.value()["throttled"].get<int>();
  }
  // Busy (the budget allows about 23; under ASan on a loaded machine the writes take a share of it)
  // and never above the budget.
  EXPECT_GE(calls, 12) << stats.dump();
  EXPECT_LE(calls, 25 + 3 + 2) << "more than the budget allows in 25 s";
  EXPECT_EQ(throttled, 0) << stats.dump();

  // Now the provider says "slow down" (5 calls per 20 s, far under p88's budget): each 429 and
  // its Retry-After block the credential and reschedule the job without using an attempt.
  store_->query("UPDATE providers SET rate_limit_per_hour = 1000000 WHERE slug = 'raceroster'");
  sim_->control("rate-limits", {{"provider", "raceroster"}, {"calls", 5}, {"window_seconds", 20}});
  sim_->control("rate-limits/reset", json::object());
  int64_t throttles = 0;
  for (int i = 0; i < 60 && throttles == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    throttles = count("SELECT COALESCE(SUM(throttles), 0) FROM rate_limits");
  }
  EXPECT_GT(throttles, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE last_error LIKE '%HTTP 429%' AND retry_count > 0"), 0)
      << "a throttle used an attempt";
  EXPECT_GT(count("SELECT COUNT(*) FROM sync_queue WHERE last_error LIKE '%HTTP 429%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE status = 'failed'"), 0);
  for (auto& h : hosts) h->signal(SIGTERM);
  for (auto& h : hosts) EXPECT_EQ(h->wait(30), 0) << h->out() << h->err();
}

TEST_P(Service, ManualSyncsGoToTheFrontOfTheQueueAndKeepToTheBudget) {
  // A first manual sync of every provider, with no service running: this process is the worker.
  for (const char* name : {"RunSignUp", "Race Roster", "Haku", "Let's Do This"}) {
    auto r = test::runHost({"--manual-sync", std::string("1:") + name}, env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("; 0 failed"), std::string::npos) << r.out;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE priority <> 0 OR status <> 'completed'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_history WHERE reason <> 'manual' OR sync_queue_id IS NULL"), 0);

  // An engine without workers lets scheduled work pile up in the queue.
  auto engine = std::make_unique<test::HostProcess>(args({"--engine-only"}), env());
  const std::string scheduled = "SELECT COUNT(*) FROM sync_queue WHERE status = 'pending' AND operation_type = "
                                "'participants' AND priority > 0";
  for (int i = 0; i < 100 && count(scheduled) < 30; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  engine->signal(SIGTERM);
  ASSERT_EQ(engine->wait(30), 0) << engine->err();
  ASSERT_GE(count(scheduled), 30);
  const std::string haku_jobs = "SELECT COUNT(*) FROM sync_queue WHERE provider_id = (SELECT provider_id FROM "
                                "providers WHERE slug = 'haku')";
  const int64_t haku = count(haku_jobs + " AND status = 'pending' AND operation_type = 'participants'");
  const int64_t haku_before = count(haku_jobs);
  ASSERT_GE(haku, 4);
  // --enqueue-only moves Haku's pending jobs to the front (no second job per stream) and queues
  // its discovery.
  auto r = test::runHost({"--manual-sync", "1:Haku", "--enqueue-only"}, env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("summary: " + std::to_string(haku + 1) + " jobs queued at priority 0"), std::string::npos)
      << r.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE status = 'pending' AND priority = 0"), haku + 1);
  EXPECT_EQ(count(haku_jobs), haku_before + 1) << "only the discovery job is new";
  expectEveryDueTimeRanOnce();

  // One worker takes them first, ahead of everything scheduled. (A worker passes over a job whose
  // credential has no budget left at that instant, so Haku's is made too large to run out here.)
  store_->query("UPDATE providers SET rate_limit_per_hour = 1000000000 WHERE slug = 'haku'");
  auto worker = std::make_unique<test::HostProcess>(args({"--worker-only", "--workers", "1"}), env());
  for (int i = 0; i < 300 && count("SELECT COUNT(*) FROM sync_queue WHERE priority = 0 AND status <> 'completed'") > 0;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE priority = 0 AND status <> 'completed'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue s WHERE s.priority > 0 AND s.started_at < (SELECT MAX(m.started_at) "
                  "FROM sync_queue m WHERE m.priority = 0)"),
            0)
      << "scheduled work ran before a manual request";

  // A manual sync while the service runs shares the work with its worker, and keeps to the
  // credential's budget: Race Roster allows 25 calls per 10 s; p88 is told 7,200 an hour (2 a
  // second, bursts of 3).
  sim_->control("rate-limits", {{"provider", "raceroster"}, {"calls", 25}, {"window_seconds", 10}});
  sim_->control("rate-limits/reset", json::object());
  store_->query("UPDATE providers SET rate_limit_per_hour = 7200 WHERE slug = 'raceroster'");
  sim_->control("mutate", {{"provider", "raceroster"}, {"kind", "edit"}, {"count", 3}});
  auto raceRosterCalls = [&] {
    json stats = sim_->control("stats")["providers"]["raceroster"]["raceroster/partner-1"];
    std::pair<int, int> calls_throttled{0, 0};
    for (auto it = stats.begin(); it != stats.end(); ++it) {
      calls_throttled.first += it.value()["calls"].get<int>();
      calls_throttled.second += it.value()["throttled"].get<int>();
    }
    return calls_throttled;
  };
  const auto before = raceRosterCalls();
  const auto started = std::chrono::steady_clock::now();
  r = test::runHost({"--manual-sync", "1:Race Roster"}, env());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const int calls = raceRosterCalls().first - before.first;
  EXPECT_EQ(raceRosterCalls().second - before.second, 0) << "throttled";
  EXPECT_GE(calls, 6) << r.out;  // discovery (with its token) and one page per current event
  // Paced: after a burst of 3, 2 a second. One more call may have taken its turn just before the
  // clock started (the service's worker shares the budget), hence 4; without the limiter these
  // calls take about 0.1 s.
  EXPECT_GE(seconds, (calls - 4) / 2.0 * 0.8) << calls << " calls: faster than the budget allows";
  EXPECT_EQ(test::compareWithTruth(*store_, *sim_, "raceroster").differences.size(), 0u);
  worker->signal(SIGTERM);
  EXPECT_EQ(worker->wait(30), 0) << worker->out() << worker->err();
  expectEveryDueTimeRanOnce();
}

INSTANTIATE_TEST_SUITE_P(Backends, Service, ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& info) { return info.param == Backend::sqlite ? "sqlite" : "postgresql"; });

}  // namespace
}  // namespace p88
