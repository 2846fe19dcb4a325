// The calls each credential may spend on registration details (summary-first providers, ABI
// 1.2 pending_details): what its budget plan leaves unspent, plus a small floor share of its
// budget taken from the plan's headroom, so a backlog drains even on a busy morning without
// taking a call a planned sync needs. A token bucket per credential, refilled at that rate and
// holding at most `horizon` of it; the engine sets the rates after each plan, workers take.
// A credential without a rate (no plan made yet, or this host's engine stands by) gets none.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace p88::engine {

class DetailBudget {
 public:
  using Clock = std::chrono::steady_clock;

  // calls_per_hour < 0 removes the credential.
  void setRate(int64_t credential_id, double calls_per_hour, Clock::time_point now = Clock::now());
  // Takes up to `wanted` calls; returns how many were taken.
  size_t take(int64_t credential_id, size_t wanted, Clock::time_point now = Clock::now());
  double ratePerHour(int64_t credential_id) const;

  static constexpr std::chrono::seconds horizon{600};  // the bucket holds ten minutes' worth

 private:
  struct Bucket {
    double per_second = 0;
    double credit = 0;
    Clock::time_point at;
  };
  static void refill(Bucket& b, Clock::time_point now);
  mutable std::mutex m_;
  std::map<int64_t, Bucket> buckets_;
};

}  // namespace p88::engine
