// p88host as a user runs it: the real binary, real plugin files, real databases.
#include <gtest/gtest.h>
#include <signal.h>

#include <sys/stat.h>

#include <fstream>

#include "store/store.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using test::runHost;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(HostCli, VersionNamesThePluginAbi) {
  auto r = runHost({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "plugin ABI 1.2")) << r.out;
}

TEST(HostCli, HelpListsTheSeedsFlags) {
  auto r = runHost({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--workers", "--engine-only", "--worker-only", "--manual-sync", "--test-connection",
                           "--list-plugins", "--plugin-dir", "--migrate", "--config", "--version"})
    EXPECT_TRUE(contains(r.out, flag)) << flag;
}

TEST(HostCli, ListPluginsShowsALoadedAndARefusedPluginAndExitsOne) {
  test::TempDir plugins, logs;
  test::copyInto(test::testPlugin("good_plugin"), plugins.path());
  test::copyInto(test::testPlugin("abi_major_plugin"), plugins.path());
  auto r = runHost({"--list-plugins", "--plugin-dir", plugins.path(), "--log-dir", logs.path()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "PATH")) << r.out;
  auto good = test::columnsOfLineWith(r.out, "good_plugin.so");
  ASSERT_EQ(good.size(), 8u) << r.out;
  EXPECT_EQ(std::vector<std::string>(good.begin() + 1, good.end()),
            (std::vector<std::string>{"Test Provider", "0.0.1", "1.2", "api-key", "750",
                                      "events[full] participants[full,incremental]", "ok"}));
  EXPECT_TRUE(contains(r.out, "refused: ABI major version mismatch: plugin was built for ABI 2.2, this host speaks ABI 1.2"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "1 loaded, 1 refused")) << r.out;
}

TEST(HostCli, ListPluginsExitsZeroWhenAllLoad) {
  test::TempDir plugins, logs;
  test::copyInto(test::testPlugin("good_plugin"), plugins.path());
  test::copyInto(test::testPlugin("other_good_plugin"), plugins.path());
  auto r = runHost({"--list-plugins", "--plugin-dir", plugins.path(), "--log-dir", logs.path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "2 loaded, 0 refused")) << r.out;
}

TEST(HostCli, PluginDirIsRepeatable) {
  test::TempDir a, b, logs;
  test::copyInto(test::testPlugin("good_plugin"), a.path());
  test::copyInto(test::testPlugin("other_good_plugin"), b.path());
  auto r = runHost({"--list-plugins", "--plugin-dir", a.path(), "--plugin-dir", b.path(), "--log-dir", logs.path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "Test Provider")) << r.out;
  EXPECT_TRUE(contains(r.out, "Other Provider")) << r.out;
}

TEST(HostCli, MigrateCreatesTheSchemaAndRegistersPluginProviders) {
  test::TempDir dir, plugins;
  test::copyInto(test::testPlugin("good_plugin"), plugins.path());
  auto r = runHost({"--migrate", "--db-path", dir.file("p88.db"), "--plugin-dir", plugins.path(), "--log-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "migration 1 (core) applied")) << r.out;
  EXPECT_TRUE(contains(r.out, "migration 2 (compat_views) applied")) << r.out;
  EXPECT_TRUE(contains(r.out, "provider 'Test Provider' registered as provider_id 100")) << r.out;
  auto again = runHost({"--migrate", "--db-path", dir.file("p88.db"), "--plugin-dir", plugins.path(), "--log-dir", dir.path()});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(contains(again.out, "none pending (schema version 6)")) << again.out;
  EXPECT_TRUE(contains(again.out, "registered as provider_id 100")) << again.out;
}

TEST(HostCli, ANewSqliteDatabaseIsReadableByItsOwnerOnly) {
  test::TempDir dir;
  const mode_t before = ::umask(022);  // a permissive umask, as an operator's shell may have
  auto r = runHost({"--migrate", "--db-path", dir.file("p88.db"), "--log-dir", dir.path()});
  ::umask(before);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* f : {"p88.db", "p88.db-wal", "p88.db-shm"}) {
    struct stat st {};
    if (::stat(dir.file(f).c_str(), &st) != 0) continue;  // -wal and -shm go when the last connection closes
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

TEST(HostCli, TestConnectionOnSqlitePrintsVersionAndDatabase) {
  test::TempDir dir;
  auto r = runHost({"--test-connection", "--log-dir", dir.path()}, {{"P88_DB_PATH", dir.file("x.db")}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "server: SQLite 3.")) << r.out;
  EXPECT_TRUE(contains(r.out, "database: " + dir.file("x.db"))) << r.out;
}

TEST(HostCli, TestConnectionOnPostgresPrintsVersionAndDatabase) {
  if (!test::postgresAvailable()) GTEST_SKIP() << "no PostgreSQL for tests";
  test::TempDir dir;
  auto admin = test::postgresAdminParams();
  auto r = runHost({"--test-connection", "--log-dir", dir.path()},
                   {{"DB_HOST", admin.host}, {"DB_PORT", admin.port}, {"DB_USER", admin.user}, {"DB_NAME", "postgres"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "server: PostgreSQL 15")) << r.out;
  EXPECT_TRUE(contains(r.out, "database: postgres")) << r.out;
  EXPECT_TRUE(contains(r.out, "schema version: 0")) << r.out;
}

TEST(HostCli, TestConnectionChangesNothingInTheDatabase) {
  test::TempDir dir;
  auto r = runHost({"--test-connection", "--log-dir", dir.path(), "--db-path", dir.file("x.db")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto store = store::openStore([&] {
    store::DatabaseConfig c;
    c.sqlite_path = dir.file("x.db");
    return c;
  }());
  EXPECT_TRUE(store->query("SELECT name FROM sqlite_master").empty()) << "no table was created";
}

TEST(HostCli, TestConnectionFailureSaysWhyWithoutThePassword) {
  test::TempDir dir;
  const std::string password = "s3cret-Passw0rd";
  // Nothing listens on port 9 of the loopback address.
  auto r = runHost({"--test-connection", "--log-dir", dir.path()},
                   {{"DB_HOST", "127.0.0.1"}, {"DB_PORT", "9"}, {"DB_NAME", "p88"}, {"DB_USER", "p88"},
                    {"DB_PASSWORD", password}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "connection to PostgreSQL database p88 on 127.0.0.1:9 as p88 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "Connection refused")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, password));
  std::ifstream log(dir.file("provider_integration.log"));
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(text, "connection test failed")) << text;
  EXPECT_FALSE(contains(text, password));
}

TEST(HostCli, TestConnectionWithAWrongPasswordNeverShowsIt) {
  if (!test::postgresAvailable()) GTEST_SKIP() << "no PostgreSQL for tests";
  test::TempDir dir;
  auto admin = test::postgresAdminParams();
  const std::string password = "wrong-Passw0rd-42";
  auto r = runHost({"--test-connection", "--log-dir", dir.path()},
                   {{"DB_HOST", admin.host}, {"DB_PORT", admin.port}, {"DB_USER", "no_such_role"},
                    {"DB_NAME", "postgres"}, {"DB_PASSWORD", password}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "no_such_role")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, password));
}

TEST(HostCli, ConfigFileThenEnvironmentThenFlagsWin) {
  test::TempDir dir;
  std::ofstream(dir.file("p88host.properties")) << "db.sqlite.path = " << dir.file("from-file.db") << "\n"
                                                << "log.dir = " << dir.path() << "\n";
  auto file_only = runHost({"--config", dir.file("p88host.properties"), "--test-connection"});
  EXPECT_TRUE(contains(file_only.out, "database: " + dir.file("from-file.db"))) << file_only.out << file_only.err;
  auto with_env = runHost({"--config", dir.file("p88host.properties"), "--test-connection"},
                          {{"P88_DB_PATH", dir.file("from-env.db")}});
  EXPECT_TRUE(contains(with_env.out, "database: " + dir.file("from-env.db"))) << with_env.out;
  auto with_flag = runHost({"--config", dir.file("p88host.properties"), "--test-connection", "--db-path",
                            dir.file("from-flag.db")},
                           {{"P88_DB_PATH", dir.file("from-env.db")}});
  EXPECT_TRUE(contains(with_flag.out, "database: " + dir.file("from-flag.db"))) << with_flag.out;
}

TEST(HostCli, AMissingConfigFileIsAClearError) {
  auto r = runHost({"--config", "/nonexistent/p88.properties", "--test-connection"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_TRUE(contains(r.err, "cannot read configuration file /nonexistent/p88.properties")) << r.err;
}

TEST(HostCli, ABadSettingNamesTheKeyAndValue) {
  test::TempDir dir;
  auto r = runHost({"--test-connection", "--log-dir", dir.path()}, {{"DB_HOST", "127.0.0.1"}, {"DB_PORT", "fifty"}});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_TRUE(contains(r.err, "db.port (DB_PORT): 'fifty' is not a whole number")) << r.err;
}

TEST(HostCli, AnUnwritableLogDirectoryFallsBackToStderr) {
  test::TempDir dir;
  std::ofstream(dir.file("a-file")) << "x";
  auto r = runHost({"--test-connection", "--log-dir", dir.file("a-file") + "/logs", "--db-path", dir.file("x.db")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: cannot write logs to " + dir.file("a-file") + "/logs")) << r.err;
  EXPECT_TRUE(contains(r.err, "logging to stderr instead")) << r.err;
}

TEST(HostCli, TheServiceModesRunUntilSigtermAndStopCleanly) {
  test::TempDir dir;
  for (std::vector<std::string> args : {std::vector<std::string>{"--workers", "2"}, {"--engine-only"}, {"--worker-only"}}) {
    args.insert(args.end(), {"--log-dir", dir.path(), "--db-path", dir.file("x.db"), "-D", "engine.tick=1s",
                             "-D", "status.every=1s"});
    test::HostProcess host(args);
    ASSERT_TRUE(host.waitForOutput("p88host running", 20)) << args[0] << host.out() << host.err();
    EXPECT_TRUE(host.waitForOutput("status: queue pending=", 10)) << host.out();
    // SIGPIPE is ignored: a write to a connection the peer reset is an error, not death.
    std::ifstream status("/proc/" + std::to_string(host.pid()) + "/status");
    std::string line, ignored;
    while (std::getline(status, line))
      if (line.rfind("SigIgn:", 0) == 0) ignored = line.substr(7);
    ASSERT_FALSE(ignored.empty());
    EXPECT_TRUE(std::stoull(ignored, nullptr, 16) & (1ull << (SIGPIPE - 1))) << "SigIgn:" << ignored;
    host.signal(SIGTERM);
    EXPECT_EQ(host.wait(20), 0) << args[0] << host.out() << host.err();
    EXPECT_TRUE(contains(host.out(), "received SIGTERM")) << host.out();
    EXPECT_TRUE(contains(host.out(), "p88host stopped")) << host.out();
  }
  auto bad = runHost({"--worker-only", "--log-dir", dir.path(), "--db-path", dir.file("x.db"), "-D", "schedule.windows=4h"});
  EXPECT_EQ(bad.exit_code, 78);
  EXPECT_TRUE(contains(bad.err, "schedule.windows")) << bad.err;
}

TEST(HostCli, ManualSyncNamesWhatIsMissing) {
  test::TempDir dir;
  const std::vector<std::string> common = {"--log-dir", dir.path(), "--db-path", dir.file("x.db")};
  auto run = [&](const std::string& spec) {
    std::vector<std::string> args = {"--manual-sync", spec};
    args.insert(args.end(), common.begin(), common.end());
    return runHost(args);
  };
  auto r = run("1:RunSignUp");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "timing partner 1 does not exist")) << r.err;
  auto store = store::openStore([&] {
    store::DatabaseConfig c;
    c.sqlite_path = dir.file("x.db");
    return c;
  }());
  store->query("INSERT INTO timing_partners (company_name) VALUES ('Test Timing')");
  r = run("1:Ultra Signup");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "no provider named 'Ultra Signup'")) << r.err;
  r = run("1:RunSignUp");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "timing partner 1 has no active credential for RunSignUp")) << r.err;
  r = run("1:\"Let's Do This\"");
  EXPECT_TRUE(contains(r.err, "no active credential for Let's Do This")) << r.err;
  r = run("1:RunSignUp:");
  EXPECT_TRUE(contains(r.err, "the event id after the second ':' is empty")) << r.err;
}

TEST(HostCli, AMalformedManualSyncSpecIsRefused) {
  test::TempDir dir;
  auto r = runHost({"--manual-sync", "RunSignUp", "--log-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "expected PARTNER:PROVIDER[:EVENT], got 'RunSignUp'")) << r.err;
}

TEST(HostCli, EnqueueOnlyGoesWithManualSync) {
  auto r = runHost({"--enqueue-only"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(contains(r.err, "--enqueue-only goes with --manual-sync")) << r.err;
}

TEST(HostCli, AnUnknownOptionIsAUsageError) {
  auto r = runHost({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(contains(r.err, "frobnicate")) << r.err;
}

}  // namespace
}  // namespace p88
