// The budget planner, table-tested with the clock passed in (the seed's windows: hourly, every
// 15 minutes within 24 h of the start, every minute within 4 h).
#include "engine/budget_plan.h"

#include <gtest/gtest.h>

namespace p88::engine {
namespace {

const Instant kNow{Seconds(1'800'000'000)};

PlannedEvent at(Seconds to_start, double cost) { return {kNow + to_start, cost}; }
Seconds minutes(long long m) { return Seconds(m * 60); }
Seconds hours(long long h) { return Seconds(h * 3600); }

BudgetInput budget(double per_hour, std::vector<PlannedEvent> events) {
  BudgetInput in;
  in.calls_per_hour = per_hour;
  in.events = std::move(events);
  return in;
}

struct Row {
  const char* name;
  BudgetInput input;
  bool over_budget;
  std::vector<long long> every;  // per event, seconds
};

class BudgetPlanTable : public ::testing::TestWithParam<Row> {};

TEST_P(BudgetPlanTable, PlansEachEvent) {
  const Row& row = GetParam();
  const BudgetPlan plan = planBudget(ScheduleConfig{}, row.input, kNow);
  EXPECT_EQ(plan.over_budget, row.over_budget) << plan.describe();
  ASSERT_EQ(plan.every.size(), row.every.size());
  for (size_t i = 0; i < row.every.size(); ++i) EXPECT_EQ(plan.every[i].count(), row.every[i]) << "event " << i << ": " << plan.describe();
  EXPECT_LE(plan.planned_per_hour, std::max(plan.usable_per_hour, plan.demand_per_hour) + 1e-6) << plan.describe();
  if (plan.over_budget) {
    EXPECT_LE(plan.planned_per_hour, plan.usable_per_hour + 1e-6) << plan.describe();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Seed, BudgetPlanTable,
    ::testing::Values(
        // 30 min, 2 h, 10 h and 2 days away, 2 calls a sync: 120 + 120 + 8 + 2 calls an hour.
        Row{"UnderBudgetEveryEventKeepsTheSeedsCadence",
            budget(1000, {at(minutes(30), 2), at(hours(2), 2), at(hours(10), 2), at(hours(48), 2)}),
            false,
            {60, 60, 900, 3600}},
        // One event whose sync costs 20 calls: 1,200 an hour at the seed's minute; the plan spends
        // up to 850, so every 20 * 3600 / 850 = 84.7 -> 85 s.
        Row{"OneCostlyEventStretchesJustEnough", budget(1000, {at(minutes(10), 20)}), true, {85}},
        Row{"OneCheapEventIsNotTouched", budget(1000, {at(minutes(10), 2)}), false, {60}},
        // The race morning: 10 RunSignUp events within 1 h and 20 within 1-4 h, 2 calls each:
        // 3,600 an hour wanted. The 1-4 h band goes to 15 min (160 calls/h); the near-start ones
        // share the remaining 690: 20 * 3600 / 690 = 104.3 -> 105 s.
        Row{"RaceMorningStretchesTheFartherBandFirst",
            [] {
              std::vector<PlannedEvent> e;
              for (int i = 0; i < 10; ++i) e.push_back(at(minutes(5 + 5 * i), 2));
              for (int i = 0; i < 20; ++i) e.push_back(at(minutes(65 + 8 * i), 2));
              return budget(1000, e);
            }(),
            true,
            [] {
              std::vector<long long> v(10, 105);
              v.insert(v.end(), 20, 900);
              return v;
            }()},
        // Far events go first: 100 events two days away at 10 calls (1,000/h hourly) and one near
        // event at 2: the far ones stretch to 10 * 100 * 3600 / (850 - 120) = 4,932 s, the near
        // one keeps its minute.
        Row{"FarEventsStretchBeforeNearOnes",
            [] {
              std::vector<PlannedEvent> e{at(minutes(20), 2)};
              for (int i = 0; i < 100; ++i) e.push_back(at(hours(48 + i), 10));
              return budget(1000, e);
            }(),
            true,
            [] {
              std::vector<long long> v{60};
              v.insert(v.end(), 100, 4932);
              return v;
            }()},
        // No start time: planned with the near-start events. Long past its start: no longer synced.
        Row{"WithoutAStartTimeItIsNearStart", budget(1000, {PlannedEvent{std::nullopt, 2}, at(-hours(3), 2)}), false,
            {60, 0}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BudgetPlan, HundredsOfEventsDegradeInOrderAndNoneStarves) {
  // 400 events from 30 minutes ago to 3 days ahead, 1 to 3 calls a sync, on 500 calls an hour.
  BudgetInput in = budget(500, {});
  for (int i = 0; i < 400; ++i) in.events.push_back(at(minutes(-30 + i * 11), 1 + i % 3));
  const BudgetPlan plan = planBudget(ScheduleConfig{}, in, kNow);
  EXPECT_TRUE(plan.over_budget);
  EXPECT_LE(plan.planned_per_hour, plan.usable_per_hour + 1e-6);
  for (size_t i = 0; i < in.events.size(); ++i) {
    EXPECT_GT(plan.every[i].count(), 0) << "event " << i << " starved";
    EXPECT_LE(plan.every[i], hours(6) * 50) << "event " << i;
    // An event nearer its start is never synced less often than one further out.
    if (i > 0) {
      EXPECT_LE(plan.every[i - 1], plan.every[i]) << "events " << i - 1 << " and " << i;
    }
  }
  EXPECT_GT(plan.longest_near_interval.count(), 0);
}

TEST(BudgetPlan, TooMuchEvenForTheNearBandScalesEveryBandAlike) {
  // 300 events within the hour at 5 calls: 90,000 calls an hour at the seed's minute.
  BudgetInput in = budget(1000, {});
  for (int i = 0; i < 300; ++i) in.events.push_back(at(Seconds(60 + i * 10), 5));
  in.events.push_back(at(hours(2), 5));
  const BudgetPlan plan = planBudget(ScheduleConfig{}, in, kNow);
  EXPECT_LE(plan.planned_per_hour, plan.usable_per_hour + 1e-6);
  // 1,500 calls a sweep of the near band on 850 an hour, less the far one: about every 1.8 h.
  EXPECT_GT(plan.every[0], hours(1));
  EXPECT_LT(plan.every[0], hours(2));
  EXPECT_LE(plan.every[0], plan.every[300]);
  EXPECT_EQ(plan.longest_near_interval, std::max(plan.every[0], plan.every[300]));
}

TEST(BudgetPlan, FixedCallsComeOffTheTop) {
  BudgetInput in = budget(1000, {at(minutes(10), 10)});  // 600 an hour
  in.fixed_calls_per_hour = 300;
  const BudgetPlan plan = planBudget(ScheduleConfig{}, in, kNow);
  EXPECT_TRUE(plan.over_budget);
  EXPECT_EQ(plan.every[0].count(), 66);  // 10 * 3600 / (850 - 300) = 65.5
}

// First reads being loaded are paid from the headroom the plan leaves (15 %: 150 of 1,000) and
// only beyond it from the plan's share, like a fixed cost.
TEST(BudgetPlan, FirstReadsComeFromTheHeadroomFirst) {
  BudgetInput in = budget(1000, {at(minutes(10), 10)});  // 600 an hour
  in.first_reads_per_hour = 150;
  BudgetPlan plan = planBudget(ScheduleConfig{}, in, kNow);
  EXPECT_FALSE(plan.over_budget);
  EXPECT_EQ(plan.every[0].count(), 60);
  in.first_reads_per_hour = 450;  // 300 beyond the headroom
  plan = planBudget(ScheduleConfig{}, in, kNow);
  EXPECT_TRUE(plan.over_budget);
  EXPECT_EQ(plan.every[0].count(), 66);  // 10 * 3600 / (850 - 300) = 65.5
  EXPECT_NE(plan.describe().find("; first reads at 450 calls/h"), std::string::npos) << plan.describe();
}

TEST(BudgetPlan, SaysWhatItWantsAndWhatItPlans) {
  std::vector<PlannedEvent> e;
  for (int i = 0; i < 10; ++i) e.push_back(at(minutes(5 + 5 * i), 2));
  for (int i = 0; i < 20; ++i) e.push_back(at(minutes(65 + 8 * i), 2));
  const BudgetPlan plan = planBudget(ScheduleConfig{}, budget(1000, e), kNow);
  EXPECT_EQ(plan.describe(),
            "30 events want 3.6k calls/h, budget 1k (the plan spends up to 850); near-start cadence 105 s (seed 60 s), "
            "1-4 h cadence 15 min (seed 60 s)");
  EXPECT_EQ(plan.longest_near_interval, minutes(15));
  EXPECT_EQ(planBudget(ScheduleConfig{}, budget(1000, {at(minutes(10), 2)}), kNow).describe(),
            "1 event wants 120 calls/h, budget 1k; near-start cadence 60 s");
  EXPECT_EQ(humanDuration(Seconds(45)), "45 s");
  EXPECT_EQ(humanDuration(Seconds(360)), "6 min");
  EXPECT_EQ(humanDuration(Seconds(5400)), "90 min");
  EXPECT_EQ(humanDuration(Seconds(9000)), "2.5 h");
}

}  // namespace
}  // namespace p88::engine
