#include "engine/schedule.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace p88::engine {

Seconds parseDuration(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("an empty duration");
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) throw std::invalid_argument("'" + text + "' is not a duration (like 90s, 15m, 24h, 2d)");
  const long long n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit.empty() || unit == "s") return Seconds(n);
  if (unit == "m") return Seconds(n * 60);
  if (unit == "h") return Seconds(n * 3600);
  if (unit == "d") return Seconds(n * 86400);
  throw std::invalid_argument("'" + text + "' has an unknown unit '" + unit + "' (s, m, h or d)");
}

std::vector<Window> parseWindows(const std::string& text) {
  std::vector<Window> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (part.empty()) continue;
    size_t colon = part.find(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("window '" + part + "' is not WITHIN:EVERY (like 4h:1m)");
    Window w{parseDuration(part.substr(0, colon)), parseDuration(part.substr(colon + 1))};
    if (w.every.count() <= 0) throw std::invalid_argument("window '" + part + "' syncs every 0 seconds");
    out.push_back(w);
  }
  std::sort(out.begin(), out.end(), [](const Window& a, const Window& b) { return a.within > b.within; });
  return out;
}

namespace {
const Window* tightest(const ScheduleConfig& c) {
  const Window* t = nullptr;
  for (const Window& w : c.windows)
    if (!t || w.every < t->every) t = &w;
  return t;
}
}  // namespace

std::optional<Seconds> intervalAt(const ScheduleConfig& c, std::optional<Instant> start, Instant now) {
  if (!start) return tightest(c) ? std::min(tightest(c)->every, c.default_every) : c.default_every;
  const Seconds to_start = std::chrono::duration_cast<Seconds>(*start - now);
  if (to_start < -c.until_after_start) return std::nullopt;
  Seconds every = c.default_every;
  for (const Window& w : c.windows)  // the tightest window that contains now
    if (to_start <= w.within) every = std::min(every, w.every);
  return every;
}

std::optional<Instant> nextDue(const ScheduleConfig& c, std::optional<Instant> start,
                               std::optional<Instant> last_run, Instant now) {
  auto every = intervalAt(c, start, now);
  if (!every) return std::nullopt;
  if (!last_run) return now;
  return std::max(now, *last_run + *every);  // overdue is due now
}

int priorityFor(const ScheduleConfig& c, std::optional<Instant> start, Instant now) {
  if (!start) {
    const Window* t = tightest(c);
    return t ? static_cast<int>(std::clamp<long long>(
                   1 + std::chrono::duration_cast<std::chrono::minutes>(t->within).count() + 1, 1, 1000000))
             : 1000000;
  }
  const long long minutes = std::chrono::duration_cast<std::chrono::minutes>(*start - now).count();
  return static_cast<int>(std::clamp<long long>(1 + minutes, 1, 1000000));
}

int priorityFor(const ScheduleConfig& c, std::optional<Instant> start, Instant now, bool has_start_list) {
  const Window* t = tightest(c);
  if (!has_start_list && start && t && *start - now <= t->within) return 1;
  return priorityFor(c, start, now);
}

bool pacedFirstRead(const ScheduleConfig& c, Seconds near_start, std::optional<Instant> start, Instant now) {
  const Window* t = tightest(c);
  return start && t && *start - now > near_start && *start - now <= t->within;
}

const char* modeName(Mode m) {
  switch (m) {
    case Mode::full: return "full";
    case Mode::incremental: return "incremental";
    case Mode::reconcile: return "reconcile";
  }
  return "?";
}

Mode chooseMode(const ScheduleConfig& c, bool has_cursor, std::optional<Instant> last_full,
                std::optional<Instant> start, Instant now) {
  if (!has_cursor) return Mode::full;
  const bool close = start && *start - now <= c.no_reconcile_within && now - *start <= c.until_after_start;
  if (!close && (!last_full || now - *last_full >= c.reconcile_every)) return Mode::reconcile;
  return Mode::incremental;
}

std::optional<Seconds> retryDelay(const RetryConfig& c, int attempt, const std::function<double()>& uniform) {
  if (attempt < 1 || attempt > c.max_retries) return std::nullopt;
  const double base = static_cast<double>(c.base.count()) * std::pow(2.0, attempt - 1);
  const double u = uniform ? uniform() : 0.0;
  const double factor = 1.0 + c.jitter * std::clamp(u, -1.0, 1.0);
  return Seconds(static_cast<long long>(std::llround(base * factor)));
}

GcraResult gcra(double tat, double now, double calls_per_hour, double burst) {
  const double interval = 3600.0 / std::max(calls_per_hour, 1e-9);
  const double tolerance = interval * std::max(burst - 1.0, 0.0);
  const double start = std::max(tat, now);
  const double allow_at = start - tolerance;
  if (now < allow_at) return {false, tat, allow_at - now};
  return {true, start + interval, 0.0};
}

}  // namespace p88::engine
