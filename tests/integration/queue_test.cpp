// The sync queue and the shared rate limiter on both backends: one active job per stream,
// claiming in priority order with leases, heartbeats, retries, rescue of lapsed leases with a cap,
// and GCRA on the database clock, including under concurrent workers on PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "config/settings.h"
#include "engine/scheduler.h"
#include "engine/worker.h"
#include "plugins/plugin_registry.h"
#include "queue/job_queue.h"
#include "queue/rate_limiter.h"
#include "store/store.h"
#include "support/test_support.h"
#include "sync/token_cache.h"

namespace p88 {
namespace {

using Backend = store::DatabaseConfig::Backend;

class QueueTest : public test::BackendTest {
 protected:
  void SetUp() override {
    test::BackendTest::SetUp();
    if (IsSkipped()) return;
    store_->query("INSERT INTO timing_partners (company_name) VALUES ('Q')");
    store_->query("INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal) "
                  "VALUES (1, 2, 'k1'), (1, 2, 'k2')");
    queue_ = std::make_unique<queue::JobQueue>(*store_);
  }
  queue::NewJob job(const std::string& event, int priority, int credential = 1) {
    queue::NewJob j;
    j.timing_partner_id = 1;
    j.provider_id = 2;
    j.credential_id = credential;
    j.event_id = event;
    j.operation = "participants";
    j.sync_mode = "incremental";
    j.priority = priority;
    return j;
  }
  std::string one(const std::string& sql) { return store_->query(sql).rows.at(0).at(0).value_or(""); }

  std::unique_ptr<queue::JobQueue> queue_;
};

TEST_P(QueueTest, OneActiveJobPerStream) {
  EXPECT_TRUE(queue_->enqueue(job("500", 10)));
  EXPECT_FALSE(queue_->enqueue(job("500", 3)));       // same stream, still pending
  EXPECT_TRUE(queue_->enqueue(job("500", 10, 2)));    // another credential is another stream
  auto other = job("500", 10);
  other.operation = "events";
  other.event_id.reset();
  EXPECT_TRUE(queue_->enqueue(other));
  auto claimed = queue_->claim("w1", 60);
  ASSERT_TRUE(claimed);
  EXPECT_FALSE(queue_->enqueue(job(*claimed->event_id, 1, static_cast<int>(claimed->credential_id))))
      << "running counts as active";
  EXPECT_TRUE(queue_->complete(claimed->id, "w1"));
  EXPECT_TRUE(queue_->enqueue(job(*claimed->event_id, 1, static_cast<int>(claimed->credential_id))));
  EXPECT_EQ(one("SELECT COUNT(*) FROM sync_queue"), "4");
}

TEST_P(QueueTest, ClaimsByPriorityThenTimeAndNotBeforeDue) {
  queue_->enqueue(job("far", 900));
  queue_->enqueue(job("near", 2));
  auto later = job("later", 1);
  later.delay_seconds = 3600;  // the most urgent, but not due yet
  queue_->enqueue(later);
  queue_->enqueue(job("mid", 50));
  std::vector<std::string> order;
  while (auto j = queue_->claim("w", 60)) order.push_back(*j->event_id);
  EXPECT_EQ(order, (std::vector<std::string>{"near", "mid", "far"}));
  queue_->enqueue(job("skipped", 1, 2));
  EXPECT_FALSE(queue_->claim("w", 60, {2})) << "a credential without budget is left alone";
  EXPECT_TRUE(queue_->claim("w", 60, {1}));
}

TEST_P(QueueTest, LeasesHeartbeatsAndOutcomes) {
  queue_->enqueue(job("a", 5));
  auto j = queue_->claim("w1", 60);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->lease_owner, "w1");
  EXPECT_TRUE(queue_->heartbeat(j->id, "w1", 60));
  EXPECT_FALSE(queue_->heartbeat(j->id, "w2", 60));
  EXPECT_FALSE(queue_->complete(j->id, "w2")) << "only the lease holder finishes a job";
  // A failure that counts an attempt, then a throttle that does not.
  EXPECT_TRUE(queue_->retryLater(j->id, "w1", 0, "HTTP 503", true));
  EXPECT_EQ(one("SELECT retry_count FROM sync_queue"), "1");
  j = queue_->claim("w1", 60);
  ASSERT_TRUE(j);
  EXPECT_TRUE(queue_->retryLater(j->id, "w1", 0, "throttled", false));
  EXPECT_EQ(one("SELECT retry_count FROM sync_queue"), "1");
  EXPECT_EQ(one("SELECT last_error FROM sync_queue"), "throttled");
  j = queue_->claim("w1", 60);
  ASSERT_TRUE(j);
  EXPECT_TRUE(queue_->fail(j->id, "w1", "credentials refused"));
  EXPECT_EQ(one("SELECT status FROM sync_queue"), "failed");
  EXPECT_FALSE(queue_->claim("w1", 60));
  auto depth = queue_->depthByStatus();
  EXPECT_EQ(depth["failed"], 1);
}

TEST_P(QueueTest, LapsedLeasesAreRescuedOnceAndAJobThatKillsWorkersFails) {
  queue_->enqueue(job("poison", 5));
  for (int round = 1; round <= 3; ++round) {
    auto j = queue_->claim("doomed-" + std::to_string(round), 0);  // a lease that lapses at once
    ASSERT_TRUE(j) << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto rescued = queue_->rescueExpired(3);
    auto again = queue_->rescueExpired(3);  // a second rescuer finds nothing: compare-and-set
    EXPECT_EQ(again.requeued + again.failed, 0u);
    if (round < 3) {
      EXPECT_EQ(rescued.requeued, 1u) << round;
      EXPECT_EQ(one("SELECT rescue_count FROM sync_queue"), std::to_string(round));
      EXPECT_FALSE(queue_->complete(j->id, j->lease_owner)) << "the old worker lost the job";
    } else {
      EXPECT_EQ(rescued.failed, 1u);
      EXPECT_EQ(one("SELECT status FROM sync_queue"), "failed");
      EXPECT_NE(one("SELECT last_error FROM sync_queue").find("3 times"), std::string::npos);
    }
  }
}

TEST_P(QueueTest, AJobWhoseWorkerStoppedAfterItsSuccessfulRunIsCompletedNotRunAgain) {
  queue_->enqueue(job("done", 5));
  queue_->enqueue(job("failed-once", 5));
  auto done = queue_->claim("killed", 0);
  auto other = queue_->claim("killed", 0);
  ASSERT_TRUE(done && other);
  // The run wrote its row, then its worker died before marking the job completed.
  store_->query("INSERT INTO sync_history (timing_partner_id, provider_id, event_id, operation_type, status, "
                "sync_queue_id) VALUES (1, 2, 'done', 'participants', 'success', " + std::to_string(done->id) +
                "), (1, 2, 'failed-once', 'participants', 'failed', " + std::to_string(other->id) + ")");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto rescued = queue_->rescueExpired(3);
  EXPECT_EQ(rescued.completed, 1u);
  EXPECT_EQ(rescued.requeued, 1u) << "a run that failed is read again";
  EXPECT_EQ(queue_->state(done->id)->status, "completed");
  EXPECT_EQ(queue_->state(other->id)->status, "pending");
  EXPECT_FALSE(queue_->complete(done->id, "killed"));
}

TEST_P(QueueTest, GcraOnTheDatabaseClock) {
  queue::RateLimiter limiter(*store_);
  const queue::Budget budget{3600, 2};  // one call a second, two at once
  EXPECT_EQ(limiter.acquire(2, 1, budget), 0);
  EXPECT_EQ(limiter.acquire(2, 1, budget), 0);
  double wait = limiter.acquire(2, 1, budget);
  EXPECT_GT(wait, 0.0);
  EXPECT_LE(wait, 1.0);
  EXPECT_EQ(limiter.acquire(2, 2, budget), 0) << "credentials have separate budgets";
  EXPECT_EQ(limiter.exhausted(2, budget), (std::vector<int64_t>{1}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  EXPECT_EQ(limiter.acquire(2, 1, budget), 0);
  // A provider's throttle blocks the credential for the time it states.
  limiter.block(2, 2, 30);
  EXPECT_GT(limiter.acquire(2, 2, budget), 29);
  EXPECT_GT(limiter.waitFor(2, 2, budget), 29);
  EXPECT_GT(limiter.blockedFor(2, 2), 29);
  EXPECT_EQ(limiter.blockedFor(2, 1), 0) << "a budget spent is not a block";
  EXPECT_EQ(one("SELECT throttles FROM rate_limits WHERE partner_provider_credential_id = 2"), "1");
}

TEST_P(QueueTest, TheDetailAllowanceIsOneBucketPerCredentialSetByTheEngine) {
  queue::RateLimiter limiter(*store_);
  // The bucket's clock is moved, not waited for: at 0.1 a second the test's own run time adds
  // less than one call.
  auto age = [&](int seconds) {
    store_->query("UPDATE rate_limits SET detail_at = detail_at - $1 WHERE partner_provider_credential_id = 1",
                  {std::to_string(seconds)});
  };
  EXPECT_EQ(limiter.takeDetails(2, 1, 50), 0u) << "no rate set yet: no details";
  limiter.setDetailRate(2, 1, 360);  // 0.1 a second; holds ten minutes' worth (60); starts empty
  EXPECT_EQ(limiter.takeDetails(2, 1, 50), 0u);
  age(100);
  const size_t first = limiter.takeDetails(2, 1, 1000);
  EXPECT_GE(first, 10u);
  EXPECT_LE(first, 11u);
  EXPECT_LE(limiter.takeDetails(2, 1, 50), 1u) << "taken";
  EXPECT_EQ(limiter.takeDetails(2, 2, 5), 0u) << "another credential has its own allowance";
  // A worker on another connection (another host) takes from the same bucket.
  age(100);
  auto other = db_->open();
  queue::RateLimiter elsewhere(*other);
  const size_t refilled = elsewhere.takeDetails(2, 1, 1000);
  EXPECT_GE(refilled, 10u);
  EXPECT_LE(refilled, 11u);
  EXPECT_LE(limiter.takeDetails(2, 1, 50), 1u) << "the other host took it";
  // A long idle spell fills the bucket to its ten minutes and no further.
  age(100000);
  const size_t full = limiter.takeDetails(2, 1, 1000);
  EXPECT_GE(full, 60u);
  EXPECT_LE(full, 61u);
  limiter.setDetailRate(2, 1, 0);
  age(100000);
  EXPECT_EQ(limiter.takeDetails(2, 1, 1000), 0u) << "a rate of 0 stops the details";
}

TEST_P(QueueTest, ConcurrentWorkersNeverShareAJobOrOverspend) {  // one connection each
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(queue_->enqueue(job("e" + std::to_string(i), i % 7)));
  std::mutex m;
  std::multiset<int64_t> seen;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      auto s = db_->open();
      queue::JobQueue q(*s);
      const std::string me = "worker-" + std::to_string(w);
      while (auto j = q.claim(me, 60)) {
        q.complete(j->id, me);
        std::lock_guard<std::mutex> lock(m);
        seen.insert(j->id);
      }
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 200u) << "a job was claimed twice";
  // Four workers racing for one credential's budget (20 a second, no burst) for a second.
  std::atomic<int> taken{0};
  workers.clear();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      auto s = db_->open();
      queue::RateLimiter limiter(*s);
      while (std::chrono::steady_clock::now() < until)
        if (limiter.acquire(2, 1, {72000, 1}) == 0) ++taken;
    });
  for (auto& t : workers) t.join();
  EXPECT_GE(taken.load(), 5);   // the limiter lets calls through...
  EXPECT_LE(taken.load(), 22);  // ...but never more than 20 a second (+ the first, + timing slack)
}

TEST_P(QueueTest, AManualRequestQueuesOrExpeditesButNeverDuplicates) {
  auto scheduled = job("500", 300);
  scheduled.delay_seconds = 3600;
  ASSERT_TRUE(queue_->enqueue(scheduled));
  const std::string id = one("SELECT sync_queue_id FROM sync_queue");
  // The stream's pending job moves to the front: top priority, due now; no second row.
  auto r = queue_->expedite(job("500", 0));
  EXPECT_FALSE(r.running);
  EXPECT_EQ(std::to_string(r.id), id);
  EXPECT_EQ(one("SELECT COUNT(*) FROM sync_queue"), "1");
  EXPECT_EQ(one("SELECT priority FROM sync_queue"), "0");
  auto claimed = queue_->claim("w", 60);
  ASSERT_TRUE(claimed) << "due now";
  EXPECT_EQ(claimed->id, r.id);
  // While it runs, a request says so and adds nothing.
  r = queue_->expedite(job("500", 0));
  EXPECT_TRUE(r.running);
  EXPECT_EQ(r.id, claimed->id);
  EXPECT_EQ(one("SELECT COUNT(*) FROM sync_queue"), "1");
  // Once it finished, a request is a new job; an event job does not match a discovery job.
  EXPECT_TRUE(queue_->complete(claimed->id, "w"));
  r = queue_->expedite(job("500", 0));
  EXPECT_FALSE(r.running);
  EXPECT_NE(std::to_string(r.id), id);
  auto discovery = job("500", 0);
  discovery.operation = "events";
  discovery.event_id.reset();
  EXPECT_NE(queue_->expedite(discovery).id, r.id);
  EXPECT_EQ(one("SELECT COUNT(*) FROM sync_queue WHERE status = 'pending' AND priority = 0"), "2");
  // A scheduled request never raises a manual job's priority.
  EXPECT_EQ(queue_->expedite(job("500", 40)).id, r.id);
  EXPECT_EQ(one("SELECT priority FROM sync_queue WHERE sync_queue_id = " + std::to_string(r.id)), "0");
}

TEST_P(QueueTest, AJobIsClaimedByIdOnlyWhilePending) {
  auto later = job("500", 5);
  later.delay_seconds = 3600;
  queue_->enqueue(later);
  const int64_t id = std::stoll(one("SELECT sync_queue_id FROM sync_queue"));
  auto j = queue_->claimJob(id, "manual", 60);
  ASSERT_TRUE(j) << "a pending job, due or not";
  EXPECT_EQ(queue_->state(id)->status, "running");
  EXPECT_EQ(queue_->state(id)->lease_owner.value_or(""), "manual");
  EXPECT_FALSE(queue_->claimJob(id, "other", 60)) << "not while it runs";
  EXPECT_TRUE(queue_->complete(id, "manual"));
  EXPECT_FALSE(queue_->claimJob(id, "other", 60)) << "nor once it finished";
  EXPECT_EQ(queue_->state(id)->status, "completed");
  EXPECT_FALSE(queue_->state(id + 1000));
}

TEST_P(QueueTest, FinishedJobsArePurgedExceptEachStreamsNewest) {
  for (int round = 0; round < 3; ++round)
    for (const char* event : {"a", "b"}) {
      ASSERT_TRUE(queue_->enqueue(job(event, 5)));
      auto j = queue_->claim("w", 60);
      ASSERT_TRUE(j);
      if (round == 1) {
        queue_->fail(j->id, "w", "refused");
      } else {
        queue_->complete(j->id, "w");
      }
    }
  queue_->enqueue(job("a", 5));  // a pending one is never purged
  EXPECT_EQ(queue_->purgeFinished(3600), 0u) << "nothing is old enough";
  store_->query(store_->dialect() == store::Dialect::postgresql
                    ? "UPDATE sync_queue SET completed_at = completed_at - interval '2 hours'"
                    : "UPDATE sync_queue SET completed_at = datetime(completed_at, '-2 hours')");
  EXPECT_EQ(queue_->purgeFinished(3600), 5u) << "a's three finished jobs (a pending one is newer), b's two older";
  EXPECT_EQ(one("SELECT COUNT(*) FROM sync_queue"), "2");
  EXPECT_EQ(one("SELECT status FROM sync_queue WHERE event_id = 'b'"), "completed");
  EXPECT_EQ(one("SELECT status FROM sync_queue WHERE event_id = 'a'"), "pending");
}

TEST_P(QueueTest, AJobThatCannotStartFailsAndLeavesItsHistoryRow) {
  // No plugin is loaded for RunSignUp: no retry can help, and both tables say why.
  plugins::PluginRegistry no_plugins;
  config::Settings settings;
  settings.database = db_->config();
  sync::TokenCache tokens;
  engine::WorkerShared shared;
  shared.settings = &settings;
  shared.registry = &no_plugins;
  shared.tokens = &tokens;
  ASSERT_TRUE(queue_->enqueue(job("500", 7)));
  engine::Worker worker("w", shared, db_->open());
  EXPECT_TRUE(worker.runOnce());
  EXPECT_FALSE(worker.runOnce()) << "nothing left";
  EXPECT_EQ(one("SELECT status FROM sync_queue"), "failed");
  EXPECT_NE(one("SELECT last_error FROM sync_queue").find("no loaded plugin serves RunSignUp"), std::string::npos);
  auto h = store_->query("SELECT status, event_id, operation_type, reason, error_details, sync_queue_id, "
                         "(SELECT sync_queue_id FROM sync_queue) AS job FROM sync_history");
  ASSERT_EQ(h.rows.size(), 1u);
  EXPECT_EQ(h.at(0, "status").value_or(""), "failed");
  EXPECT_EQ(h.at(0, "event_id").value_or(""), "500");
  EXPECT_EQ(h.at(0, "operation_type").value_or(""), "participants");
  EXPECT_EQ(h.at(0, "reason").value_or(""), "scheduled");
  EXPECT_EQ(h.at(0, "sync_queue_id"), h.at(0, "job"));
  EXPECT_NE(h.at(0, "error_details").value_or("").find("no loaded plugin serves RunSignUp"), std::string::npos);
}

// A plugin that serves a race's events in one request (RunSignUp, ABI 1.2 per-race coalescing):
// the engine plans the race as one unit (one request's calls, the nearest event's band) and its
// events fall due together, so one run serves them; an event without a race keeps its own pace.
TEST_P(QueueTest, ARacesEventsArePlannedAsOneUnitAndFallDueTogether) {
  using engine::Seconds;
  const engine::Instant now = engine::databaseNow(*store_);
  const std::string start = engine::databaseText(now + Seconds(2 * 3600));
  for (const char* e : {"A", "B", "C", "D"})
    store_->query(
        "INSERT INTO events (timing_partner_id, provider_id, partner_provider_credential_id, provider_event_id, "
        "provider_race_id, name, start_time, raw_json, content_hash) VALUES (1, 2, 1, $1, $2, $1, $3, '{}', $1)",
        {std::string(e), std::string(e) == "C" ? store::SqlValue() : store::SqlValue("R1"), start});
  // A was last due 61 s ago (due: its last 4 h are every minute), B 35 s ago, C and D 5 s ago:
  // an event is pulled forward by at most half its interval, so B comes along and D does not.
  for (const auto& [e, ago] : std::vector<std::pair<std::string, int>>{{"A", 61}, {"B", 35}, {"C", 5}, {"D", 5}}) {
    auto j = job(e, 100);
    j.scheduled_at = engine::databaseText(now - Seconds(ago));
    ASSERT_TRUE(queue_->enqueue(j));
  }
  store_->query("UPDATE sync_queue SET status = 'completed'");
  engine::EngineConfig config;
  engine::Scheduler scheduler(*store_, config, {{"RunSignUp", {2, 1000, true}}});
  engine::TickResult t = scheduler.tick();
  EXPECT_EQ(t.participants, 2u) << "A is due, and B with it (its race); C and D are not";
  std::set<std::string> pending;
  for (const auto& r : store_->query("SELECT event_id FROM sync_queue WHERE status = 'pending' AND operation_type = "
                                     "'participants'").rows)
    pending.insert(r[0].value_or(""));
  EXPECT_EQ(pending, (std::set<std::string>{"A", "B"}));
  // The plan: four events in two units, the race priced at one request's two calls.
  const engine::CredentialPlan& plan = scheduler.plans().at(1);
  EXPECT_EQ(plan.every.size(), 4u);
  EXPECT_EQ(plan.every.at("A"), plan.every.at("B"));
  EXPECT_EQ(plan.every.at("A"), plan.every.at("D"));
  EXPECT_NE(plan.describe().find("4 events want"), std::string::npos) << plan.describe();
  double calls_per_round = 0;
  for (const engine::PlanBand& b : plan.plan.bands) calls_per_round += b.calls_per_sync;
  EXPECT_DOUBLE_EQ(calls_per_round, 4) << "the race's request (2) and C's (2), not 2 per event";
}

// First reads of events inside the last 4 h but more than plan.near_start (1 h) away are paced
// at the rate the plan sets aside for them (plan.first_reads_share, plan.first_reads_within),
// so near-start syncs go on between them; a near-start event's first read is not made to wait.
TEST_P(QueueTest, FirstReadsFurtherOutArePacedAndANearStartOneIsNot) {
  using engine::Seconds;
  const engine::Instant now = engine::databaseNow(*store_);
  for (const auto& [e, minutes] : std::vector<std::pair<std::string, int>>{{"N", 30}, {"F1", 120}, {"F2", 150}, {"F3", 180}, {"X", 600}})
    store_->query(
        "INSERT INTO events (timing_partner_id, provider_id, partner_provider_credential_id, provider_event_id, "
        "name, start_time, raw_json, content_hash) VALUES (1, 2, 1, $1, $1, $2, '{}', $1)",
        {e, engine::databaseText(now + Seconds(minutes * 60))});
  const auto pending = [&] {
    std::set<std::string> out;
    for (const auto& r : store_->query("SELECT event_id FROM sync_queue WHERE status = 'pending' AND operation_type = "
                                       "'participants'").rows)
      out.insert(r[0].value_or(""));
    return out;
  };
  // A tight budget: 300 calls an hour, 255 usable, which the 4 events within 4 h at the seed's
  // minute take nearly all of.
  store_->query("UPDATE providers SET rate_limit_per_hour = 300 WHERE provider_id = 2");
  engine::EngineConfig config;  // first reads within 4 min, at most 60 % of the usable budget
  engine::Scheduler scheduler(*store_, config, {{"RunSignUp", {1, 1000, false}}});
  engine::TickResult t = scheduler.tick();
  // F1-F3: 3 first reads of (1 + 1) calls in 240 s = 90 calls/h, one every 80 s; X (10 h away)
  // is outside the last 4 h and N is near its start: neither is paced.
  EXPECT_EQ(pending(), (std::set<std::string>{"N", "F1", "X"}));
  const engine::CredentialPlan& plan = scheduler.plans().at(1);
  EXPECT_EQ(plan.first_reads_pending, 3u);
  EXPECT_DOUBLE_EQ(plan.first_read_cost, 2);
  EXPECT_DOUBLE_EQ(plan.first_reads_per_hour, 90);
  EXPECT_NE(plan.describe().find("first reads at 90 calls/h"), std::string::npos) << plan.describe();
  ASSERT_TRUE(t.next_due.has_value());
  EXPECT_LE(*t.next_due, now + Seconds(82)) << "the next first read's turn";
  EXPECT_GE(*t.next_due, now + Seconds(78));
  // Ticks before its turn enqueue no other first read.
  scheduler.tick();
  EXPECT_EQ(pending(), (std::set<std::string>{"N", "F1", "X"}));

  // Without pacing (plan.first_reads_share=0) every due first read goes at once.
  store_->query("DELETE FROM sync_queue");
  config.plan.first_reads_share = 0;
  engine::Scheduler unpaced(*store_, config, {{"RunSignUp", {1, 1000, false}}});
  unpaced.tick();
  EXPECT_EQ(pending(), (std::set<std::string>{"N", "F1", "F2", "F3", "X"}));
  EXPECT_EQ(unpaced.plans().at(1).first_reads_per_hour, 0);

  // With budget to spare (1,000 calls an hour: the plan leaves ~600 unspent, more than the 90 the
  // first reads want), they are not paced either.
  store_->query("DELETE FROM sync_queue");
  store_->query("UPDATE providers SET rate_limit_per_hour = 1000 WHERE provider_id = 2");
  config.plan.first_reads_share = 0.6;
  engine::Scheduler spare(*store_, config, {{"RunSignUp", {1, 1000, false}}});
  spare.tick();
  EXPECT_EQ(pending(), (std::set<std::string>{"N", "F1", "F2", "F3", "X"}));
  EXPECT_EQ(spare.plans().at(1).first_reads_per_hour, 0);
  EXPECT_EQ(spare.plans().at(1).first_reads_pending, 3u);
}

TEST_P(QueueTest, EventsDiscoveredAfterThePlanArePacedFromTheirFirstTick) {
  using engine::Seconds;
  const engine::Instant now = engine::databaseNow(*store_);
  const auto pending = [&] {
    return std::stoi(one("SELECT COUNT(*) FROM sync_queue WHERE status = 'pending' AND operation_type = 'participants'"));
  };
  store_->query("UPDATE providers SET rate_limit_per_hour = 300 WHERE provider_id = 2");  // tight: paced
  engine::EngineConfig config;  // plan.every 60 s: the next plan would come a minute later
  engine::Scheduler scheduler(*store_, config, {{"RunSignUp", {1, 1000, false}}});
  scheduler.tick();  // planned with no events yet: discovery has not run
  EXPECT_EQ(pending(), 0);
  // Discovery stores four events 2-3 h out; the next tick, within the same plan period, plans
  // them before it enqueues their first reads, and paces those.
  for (const auto& [e, minutes] : std::vector<std::pair<std::string, int>>{{"F1", 120}, {"F2", 130}, {"F3", 140}, {"F4", 150}})
    store_->query(
        "INSERT INTO events (timing_partner_id, provider_id, partner_provider_credential_id, provider_event_id, "
        "name, start_time, raw_json, content_hash) VALUES (1, 2, 1, $1, $1, $2, '{}', $1)",
        {e, engine::databaseText(now + Seconds(minutes * 60))});
  engine::TickResult t = scheduler.tick();
  EXPECT_TRUE(t.replanned);
  EXPECT_EQ(pending(), 1) << "the first reads went in all at once, unpaced";
  EXPECT_EQ(scheduler.plans().at(1).first_reads_pending, 4u);
  t = scheduler.tick();  // the same events: no second plan for them
  EXPECT_FALSE(t.replanned);
  EXPECT_EQ(pending(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, QueueTest, ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& info) { return info.param == Backend::sqlite ? "sqlite" : "postgresql"; });

}  // namespace
}  // namespace p88
