#include "engine/detail_budget.h"

#include <algorithm>
#include <cmath>

namespace p88::engine {

void DetailBudget::refill(Bucket& b, Clock::time_point now) {
  if (now > b.at) {
    const double cap = b.per_second * static_cast<double>(horizon.count());
    b.credit = std::min(cap, b.credit + b.per_second * std::chrono::duration<double>(now - b.at).count());
  }
  b.at = now;
}

void DetailBudget::setRate(int64_t credential_id, double calls_per_hour, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(m_);
  if (calls_per_hour < 0) {
    buckets_.erase(credential_id);
    return;
  }
  auto [it, fresh] = buckets_.try_emplace(credential_id);
  Bucket& b = it->second;
  if (fresh) {
    // A new credential starts with a full bucket: its first runs may fetch right away.
    b.per_second = calls_per_hour / 3600.0;
    b.credit = b.per_second * static_cast<double>(horizon.count());
    b.at = now;
    return;
  }
  refill(b, now);
  b.per_second = calls_per_hour / 3600.0;
  b.credit = std::min(b.credit, b.per_second * static_cast<double>(horizon.count()));
}

size_t DetailBudget::take(int64_t credential_id, size_t wanted, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = buckets_.find(credential_id);
  if (it == buckets_.end() || wanted == 0) return 0;
  refill(it->second, now);
  const size_t n = std::min(wanted, static_cast<size_t>(std::floor(std::max(0.0, it->second.credit))));
  it->second.credit -= static_cast<double>(n);
  return n;
}

double DetailBudget::ratePerHour(int64_t credential_id) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = buckets_.find(credential_id);
  return it == buckets_.end() ? 0 : it->second.per_second * 3600.0;
}

}  // namespace p88::engine
