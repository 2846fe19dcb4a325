#include "engine/budget_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace p88::engine {

namespace {

// The plan's bands, nearest first: one per span between window edges (and near_start), then
// everything beyond the widest window.
std::vector<PlanBand> makeBands(const ScheduleConfig& c, Seconds near_start, Instant now) {
  std::set<long long> edges;
  for (const Window& w : c.windows) edges.insert(w.within.count());
  if (near_start.count() > 0) edges.insert(near_start.count());
  std::vector<PlanBand> bands;
  Seconds from = -c.until_after_start;
  for (long long e : edges) {
    if (Seconds(e) <= from) continue;
    PlanBand b;
    b.from = from;
    b.to = Seconds(e);
    b.seed_every = intervalAt(c, now + b.to, now).value_or(c.default_every);  // windows include their edge
    bands.push_back(b);
    from = b.to;
  }
  PlanBand far;
  far.from = from;
  far.far = true;
  far.seed_every = intervalAt(c, now + from + Seconds(1), now).value_or(c.default_every);
  bands.push_back(far);
  for (PlanBand& b : bands) b.every = b.seed_every;
  return bands;
}

// Which band an event falls in; nullopt once it is no longer synced.
std::optional<size_t> bandOf(const ScheduleConfig& c, const std::vector<PlanBand>& bands,
                             const std::optional<Instant>& start, Instant now) {
  if (!start) return 0;  // no start time: it may be starting now
  const Seconds to_start = std::chrono::duration_cast<Seconds>(*start - now);
  if (to_start < -c.until_after_start) return std::nullopt;
  for (size_t i = 0; i + 1 < bands.size(); ++i)
    if (to_start <= bands[i].to) return i;
  return bands.size() - 1;
}

double total(const std::vector<PlanBand>& bands, double fixed) {
  double sum = fixed;
  for (const PlanBand& b : bands) sum += b.callsPerHour(b.every);
  return sum;
}

Seconds ceilSeconds(double s) {
  return Seconds(static_cast<long long>(std::min(std::ceil(s - 1e-9), 1e12)));
}

std::string hours(Seconds s) {
  char buf[32];
  if (s.count() % 3600 == 0) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(s.count() / 3600));
  else std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(s.count() / 60));
  return buf;
}

std::string label(const PlanBand& b) {
  if (b.from.count() <= 0) return "near-start";
  if (b.far) return "beyond " + hours(b.from) + (b.from.count() % 3600 == 0 ? " h" : "");
  const std::string to = hours(b.to) + (b.to.count() % 3600 == 0 ? " h" : "");
  return hours(b.from) + "-" + to;
}

std::string calls(double n) {
  char buf[32];
  if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1fk", n / 1000);
  else std::snprintf(buf, sizeof buf, "%.0f", n);
  std::string s = buf;
  const size_t dot = s.find(".0k");
  if (dot != std::string::npos) s.erase(dot, 2);
  return s;
}

}  // namespace

double PlanBand::callsPerHour(Seconds interval) const {
  if (events == 0 || interval.count() <= 0) return 0;
  return calls_per_sync * 3600.0 / static_cast<double>(interval.count());
}

std::string humanDuration(Seconds s) {
  char buf[32];
  const long long n = s.count();
  if (n < 120) std::snprintf(buf, sizeof buf, "%lld s", n);
  else if (n < 2 * 3600) {
    if (n % 60 == 0) std::snprintf(buf, sizeof buf, "%lld min", n / 60);
    else std::snprintf(buf, sizeof buf, "%.1f min", static_cast<double>(n) / 60);
  } else if (n % 3600 == 0) std::snprintf(buf, sizeof buf, "%lld h", n / 3600);
  else std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(n) / 3600);
  return buf;
}

BudgetPlan planBudget(const ScheduleConfig& schedule, const BudgetInput& in, Instant now) {
  BudgetPlan plan;
  plan.bands = makeBands(schedule, in.near_start, now);
  std::vector<std::optional<size_t>> band_of;
  for (const PlannedEvent& e : in.events) {
    band_of.push_back(bandOf(schedule, plan.bands, e.start, now));
    if (!band_of.back()) continue;
    PlanBand& b = plan.bands[*band_of.back()];
    b.events += std::max<size_t>(e.events, 1);
    b.calls_per_sync += std::max(e.calls_per_sync, 0.0);
  }
  plan.budget_per_hour = in.calls_per_hour;
  plan.usable_per_hour = in.calls_per_hour * std::clamp(in.usable_share, 0.01, 1.0);
  plan.first_reads_per_hour = std::max(in.first_reads_per_hour, 0.0);
  const double headroom = plan.budget_per_hour - plan.usable_per_hour;
  const double fixed = std::max(in.fixed_calls_per_hour, 0.0) + std::max(plan.first_reads_per_hour - headroom, 0.0);
  std::vector<PlanBand>& bands = plan.bands;
  plan.demand_per_hour = total(bands, fixed);
  plan.over_budget = plan.demand_per_hour > plan.usable_per_hour;

  if (plan.over_budget) {
    // Farthest first, each up to the seed cadence of the nearest band beyond it that is slower
    // than its own (the farthest up to far_every_max), and never beyond the planned cadence of
    // the band next to it.
    for (size_t i = bands.size(); i-- > 0 && total(bands, fixed) > plan.usable_per_hour;) {
      PlanBand& b = bands[i];
      Seconds cap = std::max(in.far_every_max, b.seed_every);
      for (size_t j = i + 1; j < bands.size(); ++j)
        if (bands[j].seed_every > b.seed_every) {
          cap = bands[j].seed_every;
          break;
        }
      if (i + 1 < bands.size() && bands[i + 1].events > 0) cap = std::min(cap, std::max(bands[i + 1].every, b.every));
      if (b.events == 0) continue;
      const double others = total(bands, fixed) - b.callsPerHour(b.every);
      const double room = plan.usable_per_hour - others;
      const Seconds needed = room > 0 ? ceilSeconds(b.calls_per_sync * 3600.0 / room) : cap;
      b.every = std::clamp(needed, b.every, cap);
    }
    // Still too much: every band by the same factor.
    const double spent = total(bands, fixed) - fixed;
    if (spent > 0 && total(bands, fixed) > plan.usable_per_hour) {
      const double room = std::max(plan.usable_per_hour - fixed, plan.usable_per_hour * 0.05);
      const double factor = spent / room;
      for (PlanBand& b : bands) b.every = ceilSeconds(static_cast<double>(b.every.count()) * factor);
    }
  }
  plan.planned_per_hour = total(bands, fixed);

  for (const auto& b : band_of) plan.every.push_back(b ? bands[*b].every : Seconds(0));
  // The tightest window's reach (the seed: 4 h).
  Seconds reach{0}, tightest{0};
  for (const Window& w : schedule.windows)
    if (tightest.count() == 0 || w.every < tightest || (w.every == tightest && w.within > reach)) {
      tightest = w.every;
      reach = w.within;
    }
  plan.near_reach = reach;
  for (const PlanBand& b : bands)
    if (!b.far && b.to <= reach && b.events > 0) plan.longest_near_interval = std::max(plan.longest_near_interval, b.every);
  return plan;
}

std::string BudgetPlan::describe() const {
  size_t n = 0;
  for (const PlanBand& b : bands) n += b.events;
  std::string s = std::to_string(n) + (n == 1 ? " event wants " : " events want ") + calls(demand_per_hour) + " calls/h, budget " +
                  calls(budget_per_hour);
  if (over_budget) s += " (the plan spends up to " + calls(usable_per_hour) + ")";
  std::string cadences;
  for (const PlanBand& b : bands) {
    if (b.events == 0) continue;
    cadences += (cadences.empty() ? "" : ", ") + label(b) + " cadence " + humanDuration(b.every);
    if (b.every != b.seed_every) cadences += " (seed " + humanDuration(b.seed_every) + ")";
  }
  if (!cadences.empty()) s += "; " + cadences;
  if (first_reads_per_hour > 0) s += "; first reads at " + calls(first_reads_per_hour) + " calls/h";
  return s;
}

}  // namespace p88::engine
