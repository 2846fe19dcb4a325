#include "support/service_fixture.h"

#include <cctype>
#include <chrono>
#include <thread>

#include "support/ground_truth.h"

namespace p88::test {

const std::vector<std::string> ServiceFixture::kSlugs = {"runsignup", "raceroster", "haku", "letsdothis"};

void ServiceFixture::startService(const std::vector<std::string>& sim_args) {
  std::vector<std::string> args = {"--partners", "1", "--participants", "30", "--large-event", "3000"};
  for (const auto& s : kSlugs) args.insert(args.end(), {"--rate-limit", s + "=1000000/3600"});
  args.insert(args.end(), sim_args.begin(), sim_args.end());
  sim_ = std::make_unique<SimProcess>(args);
  registerSimCredentials(*store_, *sim_, kSlugs);
  // The operator's budget per credential; the simulator allows as much.
  store_->query("UPDATE providers SET rate_limit_per_hour = 1000000");
}

std::map<std::string, std::string> ServiceFixture::env() const {
  auto e = db_->hostEnv();
  e["P88_LOG_DIR"] = logs_.path();
  for (const auto& s : kSlugs) {
    std::string upper = s;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    e["P88_" + upper + "_BASE_URL"] = sim_->url(s);
  }
  return e;
}

std::vector<std::string> ServiceFixture::args(std::vector<std::string> mode) const {
  for (const char* kv : {"engine.tick=1s", "worker.poll=0.2", "schedule.default_every=4s", "schedule.windows=72h:3s",
                         "status.every=2s", "worker.lease=8s", "shutdown.grace=10s"})
    mode.insert(mode.end(), {"-D", kv});
  return mode;
}

std::string ServiceFixture::waitForTruth(int seconds) {
  std::string last;
  for (int i = 0; i < seconds; ++i) {
    last.clear();
    try {
      for (const auto& s : kSlugs) {
        auto c = compareWithTruth(*store_, *sim_, s);
        if (!c.matches())
          last += s + ": " + std::to_string(c.differences.size()) + " differences, e.g. " + c.differences[0] + "\n";
      }
    } catch (const store::SqlError& e) {  // the test's own session met a restart: it reconnects
      if (e.kind() != store::SqlErrorKind::connection) throw;
      last = e.what();
    }
    if (last.empty()) return "";
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return last;
}

void ServiceFixture::mutateEverything(int count) {
  for (const auto& s : kSlugs)
    for (const char* kind : {"new", "edit", "bib", "cancel", "transfer"})
      sim_->control("mutate", {{"provider", s}, {"kind", kind}, {"count", count}});
}

int64_t ServiceFixture::count(const std::string& sql) {
  return std::stoll(store_->query(sql).rows.at(0).at(0).value_or("0"));
}

void ServiceFixture::expectEveryDueTimeRanOnce() {
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT partner_provider_credential_id, operation_type, COALESCE(event_id, ''), "
                  "scheduled_time FROM sync_queue GROUP BY partner_provider_credential_id, operation_type, "
                  "COALESCE(event_id, ''), scheduled_time HAVING COUNT(*) > 1) d"),
            0)
      << "two jobs for one stream and due time";
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT sync_queue_id FROM sync_history WHERE sync_queue_id IS NOT NULL "
                  "AND status <> 'failed' GROUP BY sync_queue_id HAVING COUNT(*) > 1) d"),
            0)
      << "a job completed twice";
  auto failed = store_->query("SELECT h.error_details FROM sync_history h JOIN sync_queue q ON "
                              "q.sync_queue_id = h.sync_queue_id WHERE q.status = 'failed'");
  std::string why;
  for (const auto& r : failed.rows) why += r[0].value_or("") + "\n";
  EXPECT_EQ(failed.rows.size(), 0u) << "jobs failed for good:\n" << why;
}

}  // namespace p88::test
