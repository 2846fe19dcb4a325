// The simulator's clock: real time, shifted by an offset and sped up by a scale, so a test can
// run a race day in minutes. Event start times are fixed instants on this clock.
#pragma once

#include <chrono>

// GCC 12 reports a false "may be used uninitialized" inside date::parse (date.h's from_stream).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop
#include <mutex>

namespace sim {

using Instant = date::sys_seconds;

class SimClock {
 public:
  SimClock();
  Instant now() const;
  // Sets speed (1 = real time) and/or jumps by offset seconds, keeping now() continuous except
  // for the jump.
  void adjust(double scale, long long add_offset_seconds);
  double scale() const;
  long long offsetSeconds() const;

 private:
  mutable std::mutex m_;
  std::chrono::system_clock::time_point anchor_real_;
  double anchor_sim_;  // seconds since the epoch at anchor_real_
  double scale_ = 1.0;
  long long offset_total_ = 0;
};

}  // namespace sim
