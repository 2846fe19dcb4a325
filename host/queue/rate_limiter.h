// One rate limiter per (provider, credential), shared by every worker of every host: GCRA with
// its one number (the theoretical arrival time) in the table rate_limits and its arithmetic done
// by the database on the database's clock, in one statement, so two workers can never both take
// the last call. A provider's throttle blocks the credential until the time it states.
// engine::gcra() is the same arithmetic in C++, for the unit tests.
#pragma once

#include <cstdint>
#include <vector>

namespace p88::store {
class Store;
}

namespace p88::queue {

struct Budget {
  double calls_per_hour = 1000;
  double burst = 1;  // calls that may go at once after an idle spell
};

class RateLimiter {
 public:
  explicit RateLimiter(store::Store& store) : store_(store) {}

  // Takes one call from the credential's budget: 0 when taken, else the seconds to wait (nothing
  // is taken then).
  double acquire(int64_t provider_id, int64_t credential_id, const Budget& budget);
  // Seconds until the credential may call again (0: now), without taking anything.
  double waitFor(int64_t provider_id, int64_t credential_id, const Budget& budget);
  // Seconds the provider's throttle still blocks the credential (0: none), budget aside.
  double blockedFor(int64_t provider_id, int64_t credential_id);
  // The provider said "slow down": nothing goes out for this credential for `seconds`.
  void block(int64_t provider_id, int64_t credential_id, double seconds);
  // Credentials of the provider that cannot call now (for JobQueue::claim).
  std::vector<int64_t> exhausted(int64_t provider_id, const Budget& budget);

 private:
  void ensureRow(int64_t provider_id, int64_t credential_id);
  store::Store& store_;
};

}  // namespace p88::queue
