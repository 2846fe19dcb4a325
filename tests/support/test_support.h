// Helpers for the integration tests: scratch directories, running p88host, test databases.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"

namespace p88::test {

// A fresh directory under /tmp, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// The columns of the first output line that contains `needle` (which may begin with the line's
// "\n"), split on runs of two or more spaces.
std::vector<std::string> columnsOfLineWith(const std::string& text, const std::string& needle);

// Runs p88host with the arguments and extra environment variables (no shell involved).
CommandResult runHost(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {});
// The same with `input` on its standard input.
CommandResult runHostWithInput(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                               const std::string& input);

// Runs any program (argv[0] a path) in this process's environment; killed after timeout_seconds
// (exit_code -1 then).
CommandResult runProgram(const std::vector<std::string>& argv, int timeout_seconds);

// p88host running in the background (a service), killed with SIGKILL if still running when the
// object goes.
class HostProcess {
 public:
  HostProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;
  std::string out() const;
  std::string err() const;
  bool waitForOutput(const std::string& text, int seconds) const;
  void signal(int sig);
  // The exit code once it exits within `seconds`, else nullopt.
  std::optional<int> wait(int seconds);
  int pid() const { return pid_; }

 private:
  TempDir io_;
  int pid_ = -1;
};

// A test plugin's .so (tests/plugins/test_plugins.c), by target name.
std::string testPlugin(const std::string& name);

// Copies a file into a directory, returning the new path.
std::string copyInto(const std::string& file, const std::string& dir, const std::string& as = "");

// PostgreSQL for tests: the server the test script started (PGHOST/PGPORT/PGUSER), when
// P88_TEST_POSTGRES=1. Each TestDatabase is a new database, dropped afterwards.
bool postgresAvailable();
store::PostgresParams postgresAdminParams();

class TestDatabase {
 public:
  // A SQLite database lives in `sqlite_dir` when given (say a small file system of the test's),
  // else in a scratch directory of its own.
  explicit TestDatabase(store::DatabaseConfig::Backend backend, const std::string& sqlite_dir = "");
  ~TestDatabase();
  const store::DatabaseConfig& config() const { return config_; }
  std::unique_ptr<store::Store> open() const { return store::openStore(config_); }
  // The environment that points p88host at this database.
  std::map<std::string, std::string> hostEnv() const;

 private:
  store::DatabaseConfig config_;
  std::unique_ptr<TempDir> dir_;
};

// A test run once per backend on a fresh, migrated database; PostgreSQL cases are skipped when
// the test script did not start one.
class BackendTest : public ::testing::TestWithParam<store::DatabaseConfig::Backend> {
 protected:
  void SetUp() override;
  std::string sqlite_dir_;  // set before SetUp to put the SQLite database there
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
};

// SEED.md's two monitoring queries ("Database Monitoring"), verbatim: they must run unchanged on
// our schema.
extern const char* const kSeedQueueStatusQuery;
extern const char* const kSeedRecentHistoryQuery;

}  // namespace p88::test
