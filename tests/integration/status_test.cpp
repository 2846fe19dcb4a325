// Seeing freshness, against a real service syncing from the simulator: GET /healthz, /metrics
// (checked by promtool when it is installed: the test script installs it), the status page (also
// rendered by headless Chromium when installed), and `p88host --status`; then the simulator
// throttles Haku's credential until its events go stale, and all four say so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "support/http_client.h"
#include "support/service_fixture.h"
#include "support/sim_process.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using nlohmann::json;
using Backend = store::DatabaseConfig::Backend;

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The value of the first sample of `name` whose labels contain every `label="value"` given.
std::optional<double> sample(const std::string& text, const std::string& name, const std::vector<std::string>& labels) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size() || (line[name.size()] != '{' && line[name.size()] != ' '))
      continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (!all) continue;
    const std::string value = line.substr(line.rfind(' ') + 1);
    if (value == "+Inf") return std::numeric_limits<double>::infinity();
    return std::stod(value);
  }
  return std::nullopt;
}

class RaceMorningView : public test::ServiceFixture {
 protected:
  void SetUp() override {
    test::ServiceFixture::SetUp();
    if (IsSkipped()) return;
    startService();
  }

  // p88host as a service with its HTTP listener on a free loopback port; returns the base URL.
  std::string startHost() {
    host_ = std::make_unique<test::HostProcess>(
        args({"--workers", "2", "-D", "http.listen=127.0.0.1:0", "-D", "status.horizon=72h"}), env());
    EXPECT_TRUE(host_->waitForOutput("http: serving", 30)) << host_->out() << host_->err();
    std::smatch m;
    const std::string out = host_->out();
    if (!std::regex_search(out, m, std::regex("http: serving .* on (127\\.0\\.0\\.1:[0-9]+)"))) return "";
    return "http://" + m[1].str();
  }

  test::CommandResult status() {
    auto e = env();
    return test::runHost({"--status", "-D", "schedule.windows=72h:3s", "-D", "status.horizon=72h"}, e);
  }

  // The page as headless Chromium renders it (its DOM after load), "" when Chromium is missing.
  std::string renderedDom(const std::string& url, const std::string& screenshot = "") {
    test::TempDir profile;
    std::vector<std::string> argv = {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                                     "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.path(),
                                     "--window-size=1280,1100"};
    if (!screenshot.empty()) argv.push_back("--screenshot=" + screenshot);
    else argv.push_back("--dump-dom");
    argv.push_back(url);
    auto r = test::runProgram(argv, 60);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::unique_ptr<test::HostProcess> host_;
};

TEST_P(RaceMorningView, HealthMetricsPageAndStatusShowFreshThenStaleWhenTheProviderThrottles) {
  const std::string base = startHost();
  ASSERT_FALSE(base.empty()) << host_->out();
  ASSERT_EQ(waitForTruth(90), "") << "the first syncs did not reach the ground truth";

  // Fresh: everything in sync.
  auto health = test::httpGet(base + "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.body, "ok\n");
  test::CommandResult fresh;
  for (int i = 0; i < 20; ++i) {  // the large event's first full read may still be counted stale
    fresh = status();
    if (fresh.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(fresh.exit_code, 0) << fresh.out << fresh.err;
  EXPECT_NE(fresh.out.find("events fresh"), std::string::npos) << fresh.out;

  auto metrics = test::httpGet(base + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain; version=0.0.4"), std::string::npos) << metrics.content_type;
  const std::string& m = metrics.body;
  EXPECT_EQ(sample(m, "p88_build_info", {"version=\"", "abi=\"1.2\""}), 1.0) << m;
  EXPECT_GT(sample(m, "p88_sync_jobs_total", {"provider=\"Haku\"", "operation=\"participants\"", "status=\"completed\""})
                .value_or(0), 0) << m;
  EXPECT_GT(sample(m, "p88_api_calls_total", {"provider=\"RunSignUp\"", "credential=\""}).value_or(0), 0) << m;
  EXPECT_GT(sample(m, "p88_records_written_total", {"provider=\"Race Roster\"", "outcome=\"inserted\""}).value_or(0), 0);
  EXPECT_TRUE(sample(m, "p88_records_written_total", {"outcome=\"refused\""}).has_value());
  EXPECT_TRUE(sample(m, "p88_queue_jobs", {"status=\"pending\""}).has_value()) << m;
  EXPECT_TRUE(sample(m, "p88_db_reconnects_total", {}).has_value());
  EXPECT_GT(sample(m, "p88_rate_budget_remaining", {"provider=\"Haku\""}).value_or(0), 0) << m;
  const json haku_events = sim_->events("haku");
  ASSERT_FALSE(haku_events.empty());
  const std::string haku_event = haku_events[0]["provider_event_id"].get<std::string>();
  auto age = sample(m, "p88_event_data_age_seconds", {"provider=\"Haku\"", "event=\"" + haku_event + "\""});
  ASSERT_TRUE(age.has_value()) << "no data age for Haku event " << haku_event << "\n" << m;
  EXPECT_LT(*age, 30);
  EXPECT_TRUE(sample(m, "p88_event_next_sync_seconds", {"provider=\"Haku\""}).has_value());
  for (const auto& slug : kSlugs) {  // credential labels are ids: no principal or secret anywhere
    const json account = sim_->account(slug);
    for (const char* key : {"principal", "secret", "password"}) {
      if (account.contains(key) && account[key].is_string() && account[key].get<std::string>().size() > 3) {
        EXPECT_EQ(m.find(account[key].get<std::string>()), std::string::npos) << slug << " " << key << " in /metrics";
      }
    }
  }
  // Every metric the dashboard and the alert rules query is one this host exports.
  for (const char* file : {"/packaging/grafana/p88-race-morning.json", "/packaging/prometheus/p88-alerts.yml"}) {
    std::ifstream in(std::string(P88_SOURCE_DIR) + file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty()) << file;
    std::set<std::string> names;
    const std::regex metric("p88_[a-z_]+");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), metric); it != std::sregex_iterator(); ++it)
      names.insert(it->str());
    EXPECT_GE(names.size(), 4u) << file;
    for (const auto& name : names) {
      EXPECT_NE(m.find("# TYPE " + name + " "), std::string::npos) << file << " queries " << name << ", not exported";
    }
  }
  if (executable("/usr/bin/promtool")) {
    test::TempDir dir;
    std::ofstream(dir.file("scrape.prom")) << m;
    auto check = test::runProgram({"/bin/sh", "-c", "promtool check metrics < " + dir.file("scrape.prom")}, 60);
    EXPECT_EQ(check.exit_code, 0) << "promtool check metrics: " << check.out << check.err;
  } else {
    ADD_FAILURE() << "promtool is not installed (Debian's prometheus package; scripts/install-deps.sh installs it)";
  }

  auto page = test::httpGet(base + "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<meta http-equiv=\"refresh\" content=\"15\">"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"viewport\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos) << "the page needs no script";

  // Haku's credential is throttled: one call an hour. Its syncs are refused with 429 and its
  // events' data ages past twice their window (3 s here).
  sim_->control("rate-limits", {{"provider", "haku"}, {"calls", 1}, {"window_seconds", 3600}});
  sim_->control("rate-limits/reset", json::object());
  // The states of Haku's events in --status (the event table comes before the credentials').
  const auto haku_states = [](const std::string& out) {
    std::vector<std::string> states;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line) && line.rfind("CREDENTIAL", 0) != 0;)
      if (line.find("  Haku  ") != std::string::npos) states.push_back(line.substr(0, line.find("  ")));
    return states;
  };
  test::CommandResult stale;
  for (int i = 0; i < 60; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    stale = status();
    const auto states = haku_states(stale.out);
    if (!states.empty() && std::all_of(states.begin(), states.end(), [](const auto& s) { return s.rfind("STALE", 0) == 0; }))
      break;
  }
  ASSERT_EQ(stale.exit_code, 1) << stale.out << stale.err;
  for (const auto& state : haku_states(stale.out)) EXPECT_EQ(state.rfind("STALE", 0), 0u) << stale.out;
  const auto rsu_row = test::columnsOfLineWith(stale.out, "RunSignUp");
  ASSERT_FALSE(rsu_row.empty()) << stale.out;
  EXPECT_EQ(rsu_row[0], "ok") << "RunSignUp is not throttled\n" << stale.out;
  EXPECT_NE(stale.out.find("HTTP 429"), std::string::npos) << "the last error is shown\n" << stale.out;

  metrics = test::httpGet(base + "/metrics");
  EXPECT_EQ(sample(metrics.body, "p88_event_stale", {"provider=\"Haku\"", "event=\"" + haku_event + "\""}), 1.0)
      << metrics.body;
  EXPECT_EQ(sample(metrics.body, "p88_event_stale", {"provider=\"RunSignUp\""}), 0.0);
  EXPECT_GT(sample(metrics.body, "p88_event_data_age_seconds", {"provider=\"Haku\"", "event=\"" + haku_event + "\""})
                .value_or(0), 6);
  EXPECT_GT(sample(metrics.body, "p88_provider_throttles_total", {"provider=\"Haku\""}).value_or(0), 0) << metrics.body;
  EXPECT_GT(sample(metrics.body, "p88_sync_jobs_total", {"provider=\"Haku\"", "status=\"throttled\""}).value_or(0), 0);
  EXPECT_EQ(sample(metrics.body, "p88_rate_budget_remaining", {"provider=\"Haku\""}), 0.0) << "blocked by the throttle";

  page = test::httpGet(base + "/");
  EXPECT_NE(page.body.find("data-provider=\"Haku\" data-event=\"" + haku_event + "\" data-state=\"STALE"),
            std::string::npos) << page.body;
  EXPECT_NE(page.body.find("class=\"banner bad\""), std::string::npos);

  // The page as a browser renders it: Haku's rows marked stale, RunSignUp's not.
  if (executable("/usr/bin/chromium")) {
    const std::string dom = renderedDom(base + "/");
    EXPECT_NE(dom.find("<table id=\"events\">"), std::string::npos) << dom.substr(0, 2000);
    EXPECT_TRUE(std::regex_search(dom, std::regex("<tr class=\"event stale[^\"]*\" data-provider=\"Haku\"")))
        << dom.substr(0, 4000);
    EXPECT_TRUE(std::regex_search(dom, std::regex("<tr class=\"event\" data-provider=\"RunSignUp\"[^>]*data-state=\"ok\"")))
        << dom.substr(0, 4000);
    EXPECT_NE(dom.find("stale, "), std::string::npos);
    if (const char* shot = std::getenv("P88_STATUS_SCREENSHOT")) renderedDom(base + "/", shot);
  } else {
    ADD_FAILURE() << "chromium is not installed (Debian's chromium package; scripts/install-deps.sh installs it)";
  }

  // Throttled is not unhealthy: the host and its database are fine.
  EXPECT_EQ(test::httpGet(base + "/healthz").status, 200);
  EXPECT_EQ(test::httpGet(base + "/nowhere").status, 404);

  host_->signal(SIGTERM);
  EXPECT_EQ(host_->wait(30), 0) << host_->out() << host_->err();
}

TEST_P(RaceMorningView, StatusNeedsNoServiceAndHealthzSaysWhenTheDatabaseIsAway) {
  // No service has run yet: no event is known, so none is stale; the credentials are listed.
  auto r = status();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no event starts within the next 3d 00h"), std::string::npos) << r.out;
  EXPECT_EQ(test::columnsOfLineWith(r.out, "Haku").size(), 7u) << r.out;
  if (GetParam() != Backend::postgresql) return;

  // PostgreSQL refuses new sessions and the host's sessions are cut: /healthz answers 503 with
  // the reason, and 200 again once the database is back.
  const std::string base = startHost();
  ASSERT_FALSE(base.empty());
  ASSERT_EQ(test::httpGet(base + "/healthz").status, 200);
  auto admin = store::openStore([] {
    store::DatabaseConfig c;
    c.backend = Backend::postgresql;
    c.postgres = test::postgresAdminParams();
    return c;
  }());
  const std::string name = db_->config().postgres.dbname;
  admin->query("ALTER DATABASE \"" + name + "\" WITH ALLOW_CONNECTIONS false");
  admin->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND "
               "application_name LIKE 'p88host/%'",
               {name});
  test::HttpResult away;
  for (int i = 0; i < 20; ++i) {
    away = test::httpGet(base + "/healthz");
    if (away.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  admin->query("ALTER DATABASE \"" + name + "\" WITH ALLOW_CONNECTIONS true");
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_NE(away.body.find("database"), std::string::npos) << away.body;
  EXPECT_EQ(away.body.find(db_->config().postgres.password.empty() ? "\x01" : db_->config().postgres.password),
            std::string::npos);
  test::HttpResult back;
  for (int i = 0; i < 20; ++i) {
    back = test::httpGet(base + "/healthz");
    if (back.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(back.status, 200) << back.body;
  host_->signal(SIGTERM);
  EXPECT_EQ(host_->wait(30), 0) << host_->out() << host_->err();
}

INSTANTIATE_TEST_SUITE_P(Backends, RaceMorningView, ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& info) { return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL"; });

}  // namespace
}  // namespace p88
