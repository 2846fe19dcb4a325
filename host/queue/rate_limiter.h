// One rate limiter per (provider, credential), shared by every worker of every host: GCRA with
// its one number (the theoretical arrival time) in the table rate_limits and its arithmetic done
// by the database on the database's clock, in one statement, so two workers can never both take
// the last call. A provider's throttle blocks the credential until the time it states.
// engine::gcra() is the same arithmetic in C++, for the unit tests.
//
// The same row holds the credential's allowance for registration details (summary-first
// providers, ABI 1.2 pending_details): a token bucket whose rate the leading engine sets after
// each plan (what the plan leaves unspent, plus a floor share of the budget) and from which the
// workers of every host take, so engine-only, worker-only and follower hosts share one allowance.
#pragma once

#include <cstddef>
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

  // The calls an hour the credential may spend on registration details; the bucket holds at
  // most kDetailHorizon seconds of it and starts empty the first time a rate is set.
  void setDetailRate(int64_t provider_id, int64_t credential_id, double calls_per_hour);
  // Takes up to `wanted` detail calls; returns how many were taken (0 until a rate is set).
  size_t takeDetails(int64_t provider_id, int64_t credential_id, size_t wanted);
  static constexpr double kDetailHorizon = 600;

 private:
  void ensureRow(int64_t provider_id, int64_t credential_id);
  store::Store& store_;
};

}  // namespace p88::queue
