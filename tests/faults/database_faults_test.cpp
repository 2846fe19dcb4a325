// The database fails under p88 and p88 recovers by itself: backends killed, the server restarted,
// deadlocks, statement timeouts, a full disk. Each fault is caused for real, against a private
// PostgreSQL that only this executable uses (ctest runs it under scripts/with-postgres.sh, which
// also says how to restart that server), and the end state is the simulator's ground truth.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "config/settings.h"
#include "engine/worker.h"
#include "logging/logging.h"
#include "plugins/plugin_registry.h"
#include "queue/job_queue.h"
#include "store/store.h"
#include "sync/token_cache.h"
#include "support/ground_truth.h"
#include "support/service_fixture.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using Backend = store::DatabaseConfig::Backend;
using nlohmann::json;
using store::SqlErrorKind;

void restartPostgres() {
  const char* restart = std::getenv("P88_TEST_PG_RESTART");
  ASSERT_NE(restart, nullptr) << "run through scripts/with-postgres.sh, which says how to restart its server";
  ASSERT_EQ(std::system((std::string(restart) + " >/dev/null").c_str()), 0) << restart;
}

// Ends every p88host session on the test's database (their application_name is p88host/PID);
// returns how many.
int64_t killHostBackends(store::SqlConnection& admin, const std::string& dbname) {
  auto r = admin.query(
      "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND "
      "application_name LIKE 'p88host/%'",
      {dbname});
  return std::stoll(r.rows.at(0).at(0).value_or("0"));
}

SqlErrorKind kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const store::SqlError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return SqlErrorKind::resource;
}

class PostgresConnectionFaults : public test::BackendTest {};

TEST_P(PostgresConnectionFaults, AKilledSessionReconnectsAtTheNextStatement) {
  auto admin = store::connectPostgres(test::postgresAdminParams());
  const std::string pid = store_->query("SELECT pg_backend_pid()").rows.at(0).at(0).value();
  const int64_t reconnects = store::reconnectCount();
  admin->query("SELECT pg_terminate_backend($1::integer)", {pid});
  EXPECT_EQ(kindOf([&] { store_->query("SELECT 1"); }), SqlErrorKind::connection) << "the statement that met the loss";
  EXPECT_EQ(store_->query("SELECT 1").rows.at(0).at(0).value_or(""), "1") << "the next one reconnects";
  EXPECT_NE(store_->query("SELECT pg_backend_pid()").rows.at(0).at(0).value(), pid);
  EXPECT_EQ(store_->connection().generation(), 1);
  EXPECT_EQ(store::reconnectCount(), reconnects + 1);
  // The session's settings come back with it.
  EXPECT_EQ(store_->query("SHOW TimeZone").rows.at(0).at(0).value_or(""), "UTC");
  EXPECT_EQ(store_->query("SHOW statement_timeout").rows.at(0).at(0).value_or(""), "2min");
  EXPECT_EQ(store_->query("SHOW tcp_keepalives_idle").rows.at(0).at(0).value_or(""), "30");
}

TEST_P(PostgresConnectionFaults, ATransactionCutOffIsNeverContinuedOnTheNewSession) {
  auto admin = store::connectPostgres(test::postgresAdminParams());
  store_->query("CREATE TABLE t (v integer)");
  {
    store::Transaction tx(store_->connection());
    store_->query("INSERT INTO t VALUES (1)");
    admin->query("SELECT pg_terminate_backend($1::integer)", {store_->query("SELECT pg_backend_pid()").rows[0][0].value()});
    EXPECT_EQ(kindOf([&] { store_->query("INSERT INTO t VALUES (2)"); }), SqlErrorKind::connection);
    // Not in autocommit on a new session: the transaction is gone, and so is what follows in it.
    EXPECT_EQ(kindOf([&] { store_->query("INSERT INTO t VALUES (3)"); }), SqlErrorKind::connection);
    EXPECT_EQ(kindOf([&] { tx.commit(); }), SqlErrorKind::connection);
  }  // ROLLBACK ends it
  EXPECT_EQ(store_->query("SELECT COUNT(*) FROM t").rows.at(0).at(0).value_or(""), "0");
}

TEST_P(PostgresConnectionFaults, AServerRestartIsWaitedOutWithBackoff) {
  restartPostgres();
  // The first statement meets the loss; later ones reconnect (the server is back: pg_ctl -w).
  EXPECT_EQ(kindOf([&] { store_->query("SELECT 1"); }), SqlErrorKind::connection);
  EXPECT_EQ(store_->query("SELECT 1").rows.at(0).at(0).value_or(""), "1");
}

INSTANTIATE_TEST_SUITE_P(PostgreSQL, PostgresConnectionFaults, ::testing::Values(Backend::postgresql),
                         [](const auto&) { return "postgresql"; });

class DatabaseFaults : public test::ServiceFixture {
 protected:
  void SetUp() override {
    test::ServiceFixture::SetUp();
    if (IsSkipped()) return;
    startService();
  }

  // The highest "db reconnects=N" a host's status line reported.
  static int64_t reconnectsReported(const std::string& out) {
    int64_t most = 0;
    static const std::regex re("db reconnects=([0-9]+)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
      most = std::max<int64_t>(most, std::stoll((*it)[1]));
    return most;
  }

  void waitForRunningJob() {
    for (int i = 0; i < 100 && count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'") == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
};

TEST_P(DatabaseFaults, KilledBackendsAndARestartLoseNothingAndNeedNoRestartOfP88) {
  // The large RunSignUp event answers slowly now and then, so a sync is in flight when the
  // database goes.
  sim_->control("faults", {{"provider", "runsignup"}, {"path_prefix", "/Rest/race/"}, {"kind", "slow"},
                           {"delay_ms", 1500}, {"probability", 0.2}});
  std::vector<std::unique_ptr<test::HostProcess>> hosts;
  for (int i = 0; i < 2; ++i)
    hosts.push_back(std::make_unique<test::HostProcess>(args({"--workers", "2"}), env()));
  for (auto& h : hosts) ASSERT_TRUE(h->waitForOutput("p88host running", 30)) << h->err();
  ASSERT_EQ(waitForTruth(120), "") << "the first syncs did not reach the ground truth";

  auto admin = store::connectPostgres(test::postgresAdminParams());
  int64_t killed = 0, running_at_kill = 0;
  for (int round = 0; round < 2; ++round) {
    mutateEverything();
    waitForRunningJob();
    running_at_kill += count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'");
    killed += killHostBackends(*admin, db_->config().postgres.dbname);
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  mutateEverything();
  waitForRunningJob();
  running_at_kill += count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'");
  restartPostgres();
  mutateEverything();

  const std::string diff = waitForTruth(150);
  EXPECT_EQ(diff, "") << "after two rounds of killed backends and a restart";
  EXPECT_GE(killed, 4) << "each host has at least a worker's, the engine's and the status line's sessions";
  EXPECT_GT(running_at_kill, 0) << "no sync was in flight when the database went";
  for (auto& h : hosts) {
    h->signal(SIGTERM);
    EXPECT_EQ(h->wait(30), 0) << h->out() << h->err();
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'"), 0) << "left running";
  expectEveryDueTimeRanOnce();
  int64_t reconnects = 0;
  for (auto& h : hosts) reconnects += reconnectsReported(h->out());
  EXPECT_GE(reconnects, 2) << hosts[0]->out();
  const int64_t faulted = count("SELECT COUNT(*) FROM sync_history WHERE CAST(error_details AS TEXT) LIKE '%database%'");
  const int64_t retried = count(
      "SELECT COUNT(DISTINCT sync_queue_id) FROM sync_history WHERE status = 'failed' AND CAST(error_details AS TEXT) "
      "LIKE '%database%'");
  // A job the database failed is retried (it may still be waiting for its retry when the hosts
  // stop), never failed for good nor left running.
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue q WHERE q.status IN ('failed', 'running') AND q.sync_queue_id IN "
                  "(SELECT sync_queue_id FROM sync_history WHERE status = 'failed')"),
            0)
      << "a job the database failed was given up";
  std::cout << "figures: backends killed=" << killed << " jobs running at the faults=" << running_at_kill
            << " reconnects reported=" << reconnects << " sync runs failed by the database=" << faulted
            << " jobs retried=" << retried << " registrations compared="
            << [&] {
                 size_t n = 0;
                 for (const auto& s : kSlugs) n += test::compareWithTruth(*store_, *sim_, s).registrations;
                 return n;
               }()
            << " registrations lost=0" << std::endl;
}

TEST_P(DatabaseFaults, ADeadlockAndAStatementTimeoutFailTheBatchAndTheJobIsRetriedWithoutAnAttempt) {
  // The first participants row written raises a deadlock; the first of the next statement waits
  // past the statement timeout. A sequence counts: it is not rolled back with the statement.
  store_->connection().script(
      "CREATE SEQUENCE fault_seq; "
      "CREATE FUNCTION fault_once() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE n bigint := nextval('fault_seq'); "
      "BEGIN IF n = 1 THEN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END IF; "
      "IF n = 2 THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$; "
      "CREATE TRIGGER fault_once BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION fault_once();");
  auto host = std::make_unique<test::HostProcess>(
      args({"--workers", "2", "-D", "db.statement_timeout=2", "-D", "retry.database=1s"}), env());
  ASSERT_TRUE(host->waitForOutput("p88host running", 30)) << host->err();
  EXPECT_EQ(waitForTruth(120), "") << "after the faults cleared";
  host->signal(SIGTERM);
  EXPECT_EQ(host->wait(30), 0) << host->out() << host->err();
  // Each fault failed one run: one event's, or a RunSignUp race's events read together (a
  // coalesced full read, up to the simulator's two events a race), each with its own row.
  const auto rows = [&](const std::string& what) {
    return count("SELECT COUNT(*) FROM sync_history WHERE status = 'failed' AND CAST(error_details AS TEXT) LIKE "
                 "'%database transient fault%" + what + "%'");
  };
  for (const char* what : {"deadlock detected", "statement timeout"}) {
    EXPECT_GE(rows(what), 1) << what;
    EXPECT_LE(rows(what), 2) << what;
  }
  const int64_t faulted = rows("deadlock detected") + rows("statement timeout");
  const std::string faulted_jobs =
      "SELECT sync_queue_id FROM sync_history WHERE status = 'failed' AND CAST(error_details AS TEXT) LIKE "
      "'%database transient fault%'";
  const int64_t jobs = count("SELECT COUNT(*) FROM sync_queue WHERE sync_queue_id IN (" + faulted_jobs + ")");
  EXPECT_GE(jobs, 1);
  EXPECT_LE(jobs, faulted) << "a failed row without its job";
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE sync_queue_id IN (" + faulted_jobs +
                  ") AND (retry_count > 0 OR status <> 'completed')"),
            0)
      << "a database fault used an attempt, or its job did not complete";
  expectEveryDueTimeRanOnce();
}

TEST_P(DatabaseFaults, AHeartbeatThatCannotRenewItsLeaseCancelsItsJobBeforeTheLeaseLapses) {
  // A worker in this process whose heartbeat connects as its own role; the test locks that role
  // out mid-job (and ends its session), so every reconnection of the heartbeat fails.
  store_->query("CREATE ROLE p88_heartbeat LOGIN SUPERUSER");
  config::Settings settings;
  settings.database = db_->config();
  settings.merged["providers.runsignup.base_url"] = sim_->url("runsignup");
  logging::configure({logs_.path(), "information", false});
  plugins::PluginRegistry registry;
  registry.scan({std::filesystem::path(P88HOST_PATH).parent_path().string() + "/plugins"});
  ASSERT_NE(registry.find("RunSignUp"), nullptr);
  sync::TokenCache tokens;
  engine::WorkerShared shared;
  shared.settings = &settings;
  shared.registry = &registry;
  shared.tokens = &tokens;
  shared.config.lease = engine::Seconds(6);  // renewed every 2 s; given up 4 s after the last renewal
  shared.open_heartbeat_store = [&] {
    store::DatabaseConfig beat = db_->config();
    beat.postgres.user = "p88_heartbeat";
    beat.postgres.application_name = "p88-heartbeat";
    return store::openStore(beat);
  };
  engine::Worker worker("heartbeat-test", shared, db_->open());

  // Discovery first, then the large event's participants, which answer slowly: two pages of 6 s
  // each, far longer than the 4 s the heartbeat holds on after its last renewal.
  queue::JobQueue queue(*store_);
  const int64_t credential = std::stoll(store_->query("SELECT partner_provider_credential_id FROM "
                                                      "partner_provider_credentials WHERE provider_id = 2")
                                            .rows.at(0).at(0).value());
  const auto newJob = [&](std::optional<std::string> event_id, const char* operation) {
    queue::NewJob j;
    j.timing_partner_id = 1;
    j.provider_id = 2;
    j.credential_id = credential;
    j.event_id = std::move(event_id);
    j.operation = operation;
    j.sync_mode = "full";
    j.priority = 1;
    return j;
  };
  const queue::NewJob discovery = newJob(std::nullopt, "events");
  ASSERT_TRUE(queue.enqueue(discovery));
  ASSERT_TRUE(worker.runOnce());
  json large;
  for (const json& e : test::currentSimEvents(*sim_, "runsignup"))
    if (e["participants"] == 3000) large = e;
  ASSERT_FALSE(large.is_null());
  const std::string event = large["provider_event_id"].get<std::string>();
  sim_->control("faults", {{"provider", "runsignup"},
                           {"path_prefix", "/Rest/race/" + large["provider_race_id"].get<std::string>() + "/participants"},
                           {"kind", "slow"}, {"delay_ms", 6000}, {"count", 4}});
  const queue::NewJob job = newJob(event, "participants");
  ASSERT_TRUE(queue.enqueue(job));
  const int64_t id = std::stoll(store_->query("SELECT sync_queue_id FROM sync_queue WHERE event_id = $1", {event})
                                    .rows.at(0).at(0).value());
  std::thread run([&] { worker.runOnce(); });
  // Once the heartbeat has renewed the lease, its database goes away for it.
  for (int i = 0; i < 100 && count("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = 'p88_heartbeat'") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(count("SELECT COUNT(*) FROM pg_stat_activity WHERE usename = 'p88_heartbeat'"), 1) << "no heartbeat";
  store_->query("ALTER ROLE p88_heartbeat NOLOGIN");
  store_->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'p88_heartbeat'");
  run.join();
  // Cancelled and handed back by its own worker, not rescued after a lapsed lease, no attempt used.
  auto state = queue.state(id);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->status, "pending");
  EXPECT_EQ(state->retry_count, 0);
  EXPECT_NE(state->last_error.value_or("").find("the heartbeat could not renew its lease"), std::string::npos)
      << state->last_error.value_or("");
  EXPECT_EQ(count("SELECT rescue_count FROM sync_queue WHERE sync_queue_id = " + std::to_string(id)), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_history WHERE sync_queue_id = " + std::to_string(id) +
                  " AND status <> 'failed'"),
            0)
      << "a job whose lease was in doubt was counted as done";

  // The heartbeat's database is back: the job runs again and completes, once.
  store_->query("ALTER ROLE p88_heartbeat LOGIN");
  store_->query("UPDATE sync_queue SET scheduled_time = CURRENT_TIMESTAMP WHERE sync_queue_id = " + std::to_string(id));
  ASSERT_TRUE(worker.runJob(id));
  EXPECT_EQ(queue.state(id)->status, "completed");
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_history WHERE sync_queue_id = " + std::to_string(id) +
                  " AND status <> 'failed'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM participants WHERE provider_event_id = '" + event + "'"), 3000);
}

INSTANTIATE_TEST_SUITE_P(PostgreSQL, DatabaseFaults, ::testing::Values(Backend::postgresql),
                         [](const auto&) { return "postgresql"; });

// A file system of a few megabytes the test can fill to the last byte: a tmpfs mounted on a
// scratch directory (root, as scripts/test.sh runs), unmounted with the object.
class SmallDisk {
 public:
  explicit SmallDisk(int megabytes) {
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    if (::mount("p88-test-disk", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = errno;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }
  int error() const { return error_; }
  const std::string& path() const { return dir_.path(); }

  // Writes a ballast file until the disk says ENOSPC; the bytes it took.
  int64_t fill() {
    const int fd = ::open(ballast().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) throw std::runtime_error("ballast: " + std::string(std::strerror(errno)));
    const std::string chunk(1 << 16, 'x');
    int64_t written = 0;
    while (true) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n > 0) {
        written += n;
        continue;
      }
      const int e = errno;
      ::close(fd);
      if (n < 0 && e != ENOSPC) throw std::runtime_error("ballast: " + std::string(std::strerror(e)));
      return written;
    }
  }
  void release() { std::filesystem::remove(ballast()); }

 private:
  std::string ballast() const { return dir_.file("ballast"); }
  test::TempDir dir_;
  bool mounted_ = false;
  int error_ = 0;
};

// The service runs on SQLite on a disk that fills up under it and is freed again.
class SqliteFullDisk : public test::ServiceFixture {
 protected:
  void SetUp() override {
    disk_ = std::make_unique<SmallDisk>(48);
    if (!disk_->mounted()) {
      if (disk_->error() == EPERM && ::geteuid() != 0)
        GTEST_SKIP() << "mounting a small tmpfs needs root (scripts/test.sh runs as root)";
      FAIL() << "cannot mount a tmpfs on " << disk_->path() << ": " << std::strerror(disk_->error());
    }
    sqlite_dir_ = disk_->path();
    test::ServiceFixture::SetUp();
    startService();
  }
  std::unique_ptr<SmallDisk> disk_;  // unmounted (lazily) before the base's database closes
};

// The highest "database faults=N" the host's status lines reported.
int64_t databaseFaultsReported(const std::string& out) {
  int64_t most = 0;
  static const std::regex re("database faults=([0-9]+)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
    most = std::max<int64_t>(most, std::stoll((*it)[1]));
  return most;
}

TEST_P(SqliteFullDisk, AFullDiskStopsNothingForGoodAndLosesNothingOnceSpaceReturns) {
  // Retries close together, and enough of them, so the disk stays full across several.
  auto host = std::make_unique<test::HostProcess>(
      args({"--workers", "2", "-D", "retry.base=1s", "-D", "retry.max=12"}), env());
  ASSERT_TRUE(host->waitForOutput("p88host running", 30)) << host->err();
  ASSERT_EQ(waitForTruth(120), "") << "the first syncs did not reach the ground truth";

  // RunSignUp answers its next pages slowly, so a sync of its is in flight when the disk fills.
  const std::string since = store_->query("SELECT CURRENT_TIMESTAMP").rows.at(0).at(0).value();
  sim_->control("faults", {{"provider", "runsignup"}, {"path_prefix", "/Rest/race/"}, {"kind", "slow"},
                           {"delay_ms", 3000}, {"count", 4}});
  mutateEverything(10);
  const auto runsignup_running = [&] {
    return std::stoll(store_->query("SELECT COUNT(*) FROM sync_queue q JOIN providers p ON p.provider_id = "
                                    "q.provider_id WHERE q.status = 'running' AND p.name = 'RunSignUp' AND "
                                    "q.started_at >= $1",
                                    {since})
                          .rows.at(0).at(0).value_or("0"));
  };
  for (int i = 0; i < 200 && runsignup_running() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t running = runsignup_running();
  // An empty write-ahead log, so the next write needs new space; then none is left.
  const auto checkpoint = store_->query("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_EQ(checkpoint.rows.at(0).at(0).value_or(""), "0") << "the checkpoint was blocked: the log keeps its space";
  const int64_t ballast = disk_->fill();
  const size_t lines_before = host->out().size();
  const auto said = [&](const std::string& what) { return host->out().find(what, lines_before) != std::string::npos; };
  for (int i = 0; i < 60 && !(databaseFaultsReported(host->out()) >= 1 && said("engine ticks failing for")); ++i)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t faults = databaseFaultsReported(host->out());
  EXPECT_GE(running, 1) << "no sync was in flight when the disk filled";
  EXPECT_GE(faults, 1) << "the sync in flight did not meet the full disk\n" << host->out();
  EXPECT_TRUE(said("engine ticks failing for") && said("(SQLite: database or disk is full)"))
      << "the status line does not say that the engine cannot enqueue\n"
      << host->out().substr(lines_before);
  EXPECT_NE(waitForTruth(1), "") << "the changes were written on a full disk?";
  // The logs are on another disk: they say what happened, in SQLite's words.
  const auto logged = [&](const char* file) {
    std::ifstream in(logs_.file(file));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_NE(logged("provider_sync.log").find("tick failed: SQLite: database or disk is full"), std::string::npos);
  const std::string worker_log = logged("sync_worker.log");
  EXPECT_NE(worker_log.find("database or disk is full"), std::string::npos);
  {  // what the workers said of it, for the record
    std::istringstream lines(worker_log);
    int shown = 0;
    for (std::string line; std::getline(lines, line) && shown < 6;)
      if (line.find("disk is full") != std::string::npos) {
        std::cout << "worker log: " << line.substr(0, 400) << "\n";
        ++shown;
      }
  }

  disk_->release();
  EXPECT_EQ(waitForTruth(120), "") << "after the disk had space again";
  EXPECT_NE(logged("provider_sync.log").find("engine: the database answers again after"), std::string::npos);
  host->signal(SIGTERM);
  EXPECT_EQ(host->wait(30), 0) << host->out() << host->err();
  EXPECT_EQ(count("SELECT COUNT(*) FROM sync_queue WHERE status = 'running'"), 0) << "left running";
  expectEveryDueTimeRanOnce();
  size_t compared = 0;
  for (const auto& s : kSlugs) compared += test::compareWithTruth(*store_, *sim_, s).registrations;
  std::cout << "figures: disk 48 MiB, ballast bytes=" << ballast << " syncs in flight=" << running
            << " database faults reported=" << faults << " registrations compared=" << compared
            << " registrations lost=0" << std::endl;
}

INSTANTIATE_TEST_SUITE_P(SQLite, SqliteFullDisk, ::testing::Values(Backend::sqlite),
                         [](const auto&) { return "sqlite"; });

}  // namespace
}  // namespace p88
