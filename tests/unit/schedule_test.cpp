// The engine's pure decisions, table-driven, with the clock passed in.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/schedule.h"

namespace p88::engine {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::minutes;

const Instant kNow = Instant(Seconds(1'800'000'000));  // 2027-01-15T08:00:00Z

TEST(Schedule, TheSeedsWindows) {
  ScheduleConfig c;
  struct Row {
    Seconds to_start;
    std::optional<Seconds> every;
  } rows[] = {
      {hours(72), hours(1)},           {hours(24) + 1s, hours(1)},     {hours(24), minutes(15)},
      {hours(5), minutes(15)},         {hours(4), minutes(1)},         {minutes(10), minutes(1)},
      {0s, minutes(1)},                {-minutes(59), minutes(1)},     {-hours(1), minutes(1)},
      {-hours(1) - 1s, std::nullopt},  {-hours(48), std::nullopt},
  };
  for (const Row& r : rows)
    EXPECT_EQ(intervalAt(c, kNow + r.to_start, kNow), r.every) << "to start " << r.to_start.count() << " s";
  // No usable start time ("TBD"): it may be starting now, so the tightest window's interval.
  EXPECT_EQ(intervalAt(c, std::nullopt, kNow), minutes(1));
}

TEST(Schedule, WindowsAreConfiguration) {
  ScheduleConfig c;
  c.windows = parseWindows("2h:30s,30m:5s,6h:10m");
  EXPECT_EQ(intervalAt(c, kNow + hours(5), kNow), minutes(10));
  EXPECT_EQ(intervalAt(c, kNow + hours(1), kNow), 30s);
  EXPECT_EQ(intervalAt(c, kNow + minutes(20), kNow), 5s);
  EXPECT_EQ(parseDuration("2d"), hours(48));
  EXPECT_EQ(parseDuration("90"), 90s);
  EXPECT_THROW(parseDuration("5 minutes"), std::invalid_argument);
  EXPECT_THROW(parseWindows("4h"), std::invalid_argument);
  EXPECT_THROW(parseWindows("4h:0s"), std::invalid_argument);
}

TEST(Schedule, NextDue) {
  ScheduleConfig c;
  const Instant start = kNow + hours(3);  // inside the 4 h window: every minute
  EXPECT_EQ(nextDue(c, start, std::nullopt, kNow), kNow);                      // never synced: now
  EXPECT_EQ(nextDue(c, start, kNow - 30s, kNow), kNow + 30s);                  // a minute after the last
  EXPECT_EQ(nextDue(c, start, kNow - hours(1), kNow), kNow);                   // overdue: now
  EXPECT_EQ(nextDue(c, kNow + hours(30), kNow - minutes(10), kNow), kNow + minutes(50));  // hourly
  // Entering a tighter window makes a stale event due at once.
  EXPECT_EQ(nextDue(c, kNow + hours(23), kNow - minutes(20), kNow), kNow);
  EXPECT_EQ(nextDue(c, kNow - hours(2), kNow - minutes(5), kNow), std::nullopt);  // over
}

TEST(Schedule, AnEventWithoutAStartListInItsLast4HoursGoesFirst) {
  const ScheduleConfig c;
  EXPECT_EQ(priorityFor(c, kNow + hours(3), kNow, false), 1) << "no start list yet, 3 h to go";
  EXPECT_EQ(priorityFor(c, kNow + hours(3), kNow, true), priorityFor(c, kNow + hours(3), kNow));
  EXPECT_LT(priorityFor(c, kNow + hours(3), kNow, false), priorityFor(c, kNow + minutes(5), kNow, true));
  EXPECT_EQ(priorityFor(c, kNow + hours(30), kNow, false), priorityFor(c, kNow + hours(30), kNow))
      << "further out a first sync waits its turn";
  EXPECT_EQ(priorityFor(c, std::nullopt, kNow, false), priorityFor(c, std::nullopt, kNow));
  EXPECT_LT(kManualPriority, priorityFor(c, kNow + hours(3), kNow, false));
}

TEST(Schedule, NearerStartsFirstManualAboveAll) {
  EXPECT_LT(priorityFor(ScheduleConfig{}, kNow + minutes(10), kNow), priorityFor(ScheduleConfig{}, kNow + hours(3), kNow));
  EXPECT_LT(priorityFor(ScheduleConfig{}, kNow + hours(3), kNow), priorityFor(ScheduleConfig{}, kNow + hours(30), kNow));
  EXPECT_EQ(priorityFor(ScheduleConfig{}, kNow - minutes(30), kNow), 1);  // started: as urgent as it gets
  EXPECT_LT(kManualPriority, priorityFor(ScheduleConfig{}, kNow - minutes(30), kNow));
  EXPECT_EQ(priorityFor(ScheduleConfig{}, std::nullopt, kNow), 242)
      << "right after every event within 4 h (1 + 240 minutes)";
  EXPECT_LT(priorityFor(ScheduleConfig{}, kNow + hours(4), kNow), priorityFor(ScheduleConfig{}, std::nullopt, kNow));
  EXPECT_GT(priorityFor(ScheduleConfig{}, kNow + hours(5), kNow), priorityFor(ScheduleConfig{}, std::nullopt, kNow));
  EXPECT_EQ(priorityFor(ScheduleConfig{}, kNow + hours(24 * 10000), kNow), 1000000);
}

TEST(Schedule, ModeChoice) {
  ScheduleConfig c;
  struct Row {
    bool cursor;
    std::optional<Seconds> since_full;
    std::optional<Seconds> to_start;
    Mode mode;
  } rows[] = {
      {false, std::nullopt, hours(48), Mode::full},
      {false, hours(1), minutes(5), Mode::full},             // no cursor: full, even near the start
      {true, hours(1), hours(48), Mode::incremental},
      {true, hours(25), hours(48), Mode::reconcile},         // a day since the last full read
      {true, hours(25), hours(3), Mode::incremental},        // ... but never inside the last 4 h
      {true, hours(25), -minutes(30), Mode::incremental},    // ... nor during the race
      {true, hours(25), -hours(3), Mode::reconcile},         // after the window: fine again
      {true, std::nullopt, hours(48), Mode::reconcile},      // no full read on record
      {true, hours(25), std::nullopt, Mode::reconcile},
  };
  for (const Row& r : rows) {
    auto last_full = r.since_full ? std::optional<Instant>(kNow - *r.since_full) : std::nullopt;
    auto start = r.to_start ? std::optional<Instant>(kNow + *r.to_start) : std::nullopt;
    EXPECT_EQ(chooseMode(c, r.cursor, last_full, start, kNow), r.mode)
        << "cursor " << r.cursor << ", since full " << (r.since_full ? r.since_full->count() : -1) << " s";
  }
}

TEST(Retry, ExponentialWithBoundedJitter) {
  RetryConfig c;
  auto fixed = [](double u) { return [u] { return u; }; };
  EXPECT_EQ(retryDelay(c, 1, fixed(0)), minutes(2));
  EXPECT_EQ(retryDelay(c, 2, fixed(0)), minutes(4));
  EXPECT_EQ(retryDelay(c, 3, fixed(0)), minutes(8));
  EXPECT_EQ(retryDelay(c, 4, fixed(0)), std::nullopt);  // three retries, then failed
  EXPECT_EQ(retryDelay(c, 0, fixed(0)), std::nullopt);
  EXPECT_EQ(retryDelay(c, 1, fixed(-1)), 96s);           // 120 s - 20 %
  EXPECT_EQ(retryDelay(c, 1, fixed(1)), 144s);           // 120 s + 20 %
  EXPECT_EQ(retryDelay(c, 3, fixed(5)), 576s);           // u is clamped
  for (int attempt = 1; attempt <= 3; ++attempt)
    for (double u = -1; u < 1; u += 0.125) {
      auto d = retryDelay(c, attempt, fixed(u));
      ASSERT_TRUE(d);
      const double base = 120.0 * (1 << (attempt - 1));
      EXPECT_GE(d->count(), std::floor(base * 0.8));
      EXPECT_LE(d->count(), std::ceil(base * 1.2));
    }
}

TEST(Gcra, SpacesCallsAndAllowsTheBurst) {
  // 1000 calls an hour: one every 3.6 s; a burst of 3 may go at once.
  double tat = 0, now = 100;
  for (int i = 0; i < 3; ++i) {
    auto r = gcra(tat, now, 1000, 3);
    ASSERT_TRUE(r.allowed) << i;
    tat = r.tat;
  }
  auto refused = gcra(tat, now, 1000, 3);
  EXPECT_FALSE(refused.allowed);
  EXPECT_NEAR(refused.retry_after, 3.6, 1e-9);
  EXPECT_EQ(refused.tat, tat);  // a refusal changes nothing
  auto later = gcra(tat, now + 3.6, 1000, 3);
  EXPECT_TRUE(later.allowed);
  // Over an hour of steady demand, no more than the budget (plus the burst) goes through.
  tat = 0;
  int allowed = 0;
  for (double t = 0; t < 3600; t += 0.5) {
    auto r = gcra(tat, t, 1000, 3);
    if (r.allowed) {
      ++allowed;
      tat = r.tat;
    }
  }
  EXPECT_LE(allowed, 1000 + 3);
  EXPECT_GE(allowed, 999);
}

}  // namespace
}  // namespace p88::engine
