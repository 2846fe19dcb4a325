#include "support/test_support.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include "support/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace fs = std::filesystem;

namespace p88::test {

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "p88-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

namespace {

// This process's environment without the caller's database and logging settings, plus `env`.
std::vector<std::string> hostEnvironment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // Tests choose the database explicitly; the caller's DB_* must not leak in.
  for (const char* k : {"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "P88_DB_PATH",
                        "P88_DB_BACKEND", "LOG_LEVEL", "P88_LOG_DIR", "P88_PLUGIN_DIRS"})
    merged.erase(k);
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_s;
  for (const auto& [k, v] : merged) env_s.push_back(k + "=" + v);
  return env_s;
}

int exitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

// The columns of the first output line that contains `needle` (which may begin with the line's
// "\n"), split on runs of two or more spaces.
std::vector<std::string> columnsOfLineWith(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return {};
  size_t start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  std::string line = text.substr(start, text.find('\n', at + 1) - start);
  std::vector<std::string> cols;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t gap = line.find("  ", pos);
    std::string col = line.substr(pos, gap == std::string::npos ? std::string::npos : gap - pos);
    if (!col.empty()) cols.push_back(col);
    if (gap == std::string::npos) break;
    pos = line.find_first_not_of(' ', gap);
    if (pos == std::string::npos) break;
  }
  return cols;
}

CommandResult runHost(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  return runHostWithInput(args, env, "");
}

namespace {

// Runs argv to its end (killed after `timeout_seconds`, then exit_code -1), capturing its output.
CommandResult runToEnd(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& input, int timeout_seconds) {
  TempDir io;
  const std::string out_path = io.file("out"), err_path = io.file("err");
  std::string in_path;
  if (!input.empty()) {
    in_path = io.file("in");
    std::ofstream(in_path) << input;
  }
  pid_t pid = spawnProcess(argv, env, out_path, err_path, in_path);
  int status = 0;
  bool timed_out = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() >= until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CommandResult r;
  r.exit_code = timed_out ? -1 : exitCode(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path) + (timed_out ? "\n(killed after " + std::to_string(timeout_seconds) + " s)" : "");
  return r;
}

}  // namespace

CommandResult runHostWithInput(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                               const std::string& input) {
  std::vector<std::string> argv_s = {P88HOST_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  return runToEnd(argv_s, hostEnvironment(env), input, 600);
}

CommandResult runProgram(const std::vector<std::string>& argv, int timeout_seconds) {
  return runToEnd(argv, currentEnvironment(), "", timeout_seconds);
}

HostProcess::HostProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv_s = {P88HOST_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_ = spawnProcess(argv_s, hostEnvironment(env), io_.file("out"), io_.file("err"));
}

HostProcess::~HostProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string HostProcess::out() const { return slurp(io_.file("out")); }
std::string HostProcess::err() const { return slurp(io_.file("err")); }

bool HostProcess::waitForOutput(const std::string& text, int seconds) const {
  for (int i = 0; i < seconds * 20; ++i) {
    if (out().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void HostProcess::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> HostProcess::wait(int seconds) {
  for (int i = 0; i < seconds * 20 && pid_ > 0; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return exitCode(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::string testPlugin(const std::string& name) {
  return std::string(P88_TEST_PLUGIN_ROOT) + "/" + name + "/" + name + ".so";
}

std::string copyInto(const std::string& file, const std::string& dir, const std::string& as) {
  fs::path target = fs::path(dir) / (as.empty() ? fs::path(file).filename().string() : as);
  fs::copy_file(file, target, fs::copy_options::overwrite_existing);
  fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  return target.string();
}

bool postgresAvailable() {
  const char* v = std::getenv("P88_TEST_POSTGRES");
  return v != nullptr && std::string(v) == "1";
}

store::PostgresParams postgresAdminParams() {
  store::PostgresParams p;
  auto env = [](const char* k, const char* d) {
    const char* v = std::getenv(k);
    return std::string(v ? v : d);
  };
  p.host = env("PGHOST", "127.0.0.1");
  p.port = env("PGPORT", "5432");
  p.user = env("PGUSER", "postgres");
  p.dbname = "postgres";
  return p;
}

TestDatabase::TestDatabase(store::DatabaseConfig::Backend backend, const std::string& sqlite_dir) {
  config_.backend = backend;
  if (backend == store::DatabaseConfig::Backend::sqlite) {
    if (!sqlite_dir.empty()) {
      config_.sqlite_path = sqlite_dir + "/p88.db";
      return;
    }
    dir_ = std::make_unique<TempDir>();
    config_.sqlite_path = dir_->file("p88.db");
    return;
  }
  static std::atomic<int> counter{0};
  std::string name = "p88_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = store::connectPostgres(postgresAdminParams());
  admin->script("DROP DATABASE IF EXISTS " + name);
  admin->script("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
  config_.postgres = postgresAdminParams();
  config_.postgres.dbname = name;
}

void BackendTest::SetUp() {
  if (GetParam() == store::DatabaseConfig::Backend::postgresql && !postgresAvailable())
    GTEST_SKIP() << "no PostgreSQL for tests (scripts/test.sh starts one and sets P88_TEST_POSTGRES=1)";
  db_ = std::make_unique<TestDatabase>(GetParam(), sqlite_dir_);
  store_ = db_->open();
  store_->migrate();
}

std::map<std::string, std::string> TestDatabase::hostEnv() const {
  if (config_.backend == store::DatabaseConfig::Backend::sqlite) return {{"P88_DB_PATH", config_.sqlite_path}};
  const auto& p = config_.postgres;
  std::map<std::string, std::string> env = {{"DB_HOST", p.host}, {"DB_PORT", p.port}, {"DB_NAME", p.dbname},
                                            {"DB_USER", p.user}};
  if (!p.password.empty()) env["DB_PASSWORD"] = p.password;
  return env;
}

TestDatabase::~TestDatabase() {
  if (config_.backend != store::DatabaseConfig::Backend::postgresql) return;
  try {
    auto admin = store::connectPostgres(postgresAdminParams());
    admin->script("DROP DATABASE IF EXISTS " + config_.postgres.dbname + " WITH (FORCE)");
  } catch (...) {
  }
}

const char* const kSeedQueueStatusQuery = R"(SELECT 
    p.name as provider,
    sq.operation_type,
    sq.status,
    COUNT(*) as count
FROM sync_queue sq
JOIN providers p ON p.provider_id = sq.provider_id
GROUP BY p.name, sq.operation_type, sq.status;)";

const char* const kSeedRecentHistoryQuery = R"(SELECT 
    sh.sync_time,
    p.name as provider,
    sh.operation_type,
    sh.status,
    sh.num_of_synced_records
FROM sync_history sh
JOIN providers p ON p.provider_id = sh.provider_id
ORDER BY sh.sync_time DESC
LIMIT 20;)";

}  // namespace p88::test
