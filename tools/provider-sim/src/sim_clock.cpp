#include "sim_clock.h"

namespace sim {

namespace {
double seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
}  // namespace

SimClock::SimClock() : anchor_real_(std::chrono::system_clock::now()), anchor_sim_(seconds(anchor_real_)) {}

Instant SimClock::now() const {
  std::lock_guard<std::mutex> lock(m_);
  double elapsed = seconds(std::chrono::system_clock::now()) - seconds(anchor_real_);
  return Instant(std::chrono::seconds(static_cast<long long>(anchor_sim_ + elapsed * scale_)));
}

void SimClock::adjust(double scale, long long add_offset_seconds) {
  std::lock_guard<std::mutex> lock(m_);
  auto real = std::chrono::system_clock::now();
  anchor_sim_ += (seconds(real) - seconds(anchor_real_)) * scale_ + static_cast<double>(add_offset_seconds);
  anchor_real_ = real;
  if (scale > 0) scale_ = scale;
  offset_total_ += add_offset_seconds;
}

double SimClock::scale() const {
  std::lock_guard<std::mutex> lock(m_);
  return scale_;
}

long long SimClock::offsetSeconds() const {
  std::lock_guard<std::mutex> lock(m_);
  return offset_total_;
}

}  // namespace sim
