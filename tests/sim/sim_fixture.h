// One simulator per test suite (small world: 2 partners, 30 registrations per event), reset
// between tests: faults cleared, rate limits back to generous, counters zeroed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/sim_process.h"

namespace p88::test {

using nlohmann::json;

class SimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = std::make_unique<SimProcess>(std::vector<std::string>{"--partners", "2", "--participants", "30"});
  }
  static void TearDownTestSuite() { sim_.reset(); }
  void TearDown() override {
    sim_->clearFaults();
    for (const char* p : {"runsignup", "raceroster", "haku", "letsdothis"})
      sim_->control("rate-limits", {{"provider", p}, {"calls", 100000}, {"window_seconds", 3600}});
    sim_->control("rate-limits/reset", json::object());
    sim_->control("stats/reset", json::object());
  }

  static SimProcess& sim() { return *sim_; }
  static json parse(const HttpResult& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body.substr(0, 200);
    return j;
  }
  // The ground truth of one event, keyed by registration id.
  static std::map<std::string, json> truth(const std::string& provider, const std::string& event_id) {
    std::map<std::string, json> out;
    for (const auto& p : sim().control("truth/participants?provider=" + provider + "&event_id=" + event_id))
      out[p["provider_participant_id"].get<std::string>()] = p;
    return out;
  }
  static long calls(const std::string& provider, const std::string& account, const std::string& route) {
    json s = sim().control("stats");
    try {
      return s["providers"][provider][account][route]["calls"].get<long>();
    } catch (...) {
      return 0;
    }
  }

 private:
  static inline std::unique_ptr<SimProcess> sim_;
};

}  // namespace p88::test
