// p88host as a service against the simulator, for the tests that run it: a fresh database per
// backend with the simulator's accounts registered, the environment and fast windows that point
// p88host at both, and the checks those tests share (ground truth, one run per due time).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/sim_process.h"
#include "support/test_support.h"

namespace p88::test {

class ServiceFixture : public BackendTest {
 protected:
  static const std::vector<std::string> kSlugs;  // the four bundled providers

  // `sim_args` go to the simulator after the fixture's own (1 partner, 30 registrations, a
  // 3,000-registration event, no rate limits to speak of).
  void startService(const std::vector<std::string>& sim_args = {});
  std::map<std::string, std::string> env() const;
  // Fast windows: every event is due every 4 s (within 72 h of its start, every 3 s).
  std::vector<std::string> args(std::vector<std::string> mode) const;
  // Waits until every provider's current events equal the ground truth; the last differences.
  std::string waitForTruth(int seconds);
  void mutateEverything(int count = 2);
  int64_t count(const std::string& sql);
  // One job per stream and due time; no job completed twice (a failed attempt is retried: that
  // is a second run of the same job, and allowed); no job failed for good.
  void expectEveryDueTimeRanOnce();

  std::unique_ptr<SimProcess> sim_;
  TempDir logs_;
};

}  // namespace p88::test
