#include "engine/engine_config.h"

#include <stdexcept>

#include "config/settings.h"

namespace p88::engine {
namespace {

template <typename F>
void with(const std::map<std::string, std::string>& m, const char* key, F apply) {
  auto it = m.find(key);
  if (it == m.end()) return;
  try {
    apply(it->second);
  } catch (const std::exception& e) {
    throw config::ConfigError(std::string(key) + ": " + e.what() + " (got '" + it->second + "')");
  }
}

double number(const std::string& v, double lo, double hi) {
  size_t used = 0;
  double d = std::stod(v, &used);
  if (used != v.size() || d < lo || d > hi)
    throw std::invalid_argument("expected a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return d;
}

Seconds positive(const std::string& v) {
  Seconds s = parseDuration(v);
  if (s.count() <= 0) throw std::invalid_argument("must be more than 0 seconds");
  return s;
}

}  // namespace

EngineConfig engineConfig(const std::map<std::string, std::string>& m) {
  EngineConfig c;
  with(m, "schedule.windows", [&](const std::string& v) { c.schedule.windows = parseWindows(v); });
  with(m, "schedule.default_every", [&](const std::string& v) { c.schedule.default_every = positive(v); });
  with(m, "schedule.until_after_start", [&](const std::string& v) { c.schedule.until_after_start = parseDuration(v); });
  with(m, "schedule.discovery_every", [&](const std::string& v) { c.schedule.discovery_every = positive(v); });
  with(m, "schedule.reconcile_every", [&](const std::string& v) { c.schedule.reconcile_every = positive(v); });
  with(m, "schedule.no_reconcile_within", [&](const std::string& v) { c.schedule.no_reconcile_within = parseDuration(v); });
  with(m, "engine.tick", [&](const std::string& v) { c.tick = positive(v); });
  with(m, "worker.lease", [&](const std::string& v) { c.lease = positive(v); });
  with(m, "worker.poll", [&](const std::string& v) { c.poll_seconds = number(v, 0.05, 60); });
  with(m, "worker.max_rescues", [&](const std::string& v) { c.max_rescues = static_cast<int>(number(v, 1, 100)); });
  with(m, "retry.max", [&](const std::string& v) { c.retry.max_retries = static_cast<int>(number(v, 0, 20)); });
  with(m, "retry.base", [&](const std::string& v) { c.retry.base = positive(v); });
  with(m, "retry.database", [&](const std::string& v) { c.database_retry = parseDuration(v); });
  with(m, "retry.jitter", [&](const std::string& v) { c.retry.jitter = number(v, 0, 1); });
  with(m, "ratelimit.burst", [&](const std::string& v) { c.burst = number(v, 1, 1000); });
  with(m, "http.call_deadline", [&](const std::string& v) { c.call_deadline = positive(v); });
  with(m, "worker.job_deadline", [&](const std::string& v) { c.job_deadline = positive(v); });
  with(m, "sync.max_pages", [&](const std::string& v) { c.max_pages = static_cast<size_t>(number(v, 1, 1e9)); });
  with(m, "reconcile.max_vanished_share", [&](const std::string& v) { c.max_vanished_share = number(v, 0, 1); });
  with(m, "shutdown.grace", [&](const std::string& v) { c.grace = parseDuration(v); });
  with(m, "queue.keep_finished", [&](const std::string& v) { c.keep_finished = positive(v); });
  with(m, "plan.budget_share", [&](const std::string& v) { c.plan.budget_share = number(v, 0.05, 1); });
  with(m, "plan.near_start", [&](const std::string& v) { c.plan.near_start = positive(v); });
  with(m, "plan.far_every_max", [&](const std::string& v) { c.plan.far_every_max = positive(v); });
  with(m, "plan.every", [&](const std::string& v) { c.plan.every = positive(v); });
  with(m, "plan.slack", [&](const std::string& v) { c.plan.slack = parseDuration(v); });
  with(m, "plan.start_lists_first", [&](const std::string& v) {
    c.plan.start_lists_first.clear();
    for (std::string slug : config::splitList(v)) {
      slug.erase(0, slug.find_first_not_of(' '));
      slug.erase(slug.find_last_not_of(' ') + 1);
      if (slug.empty()) continue;
      if (slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
        throw std::invalid_argument("'" + slug + "' is not a provider slug (a-z, 0-9, _ and -)");
      c.plan.start_lists_first.insert(slug);
    }
  });
  with(m, "plan.first_reads_share", [&](const std::string& v) { c.plan.first_reads_share = number(v, 0, 1); });
  with(m, "plan.first_reads_within", [&](const std::string& v) { c.plan.first_reads_within = positive(v); });
  with(m, "coalesce.full_reads", [&](const std::string& v) {
    if (v != "true" && v != "false") throw std::invalid_argument("expected true or false");
    c.coalesce_full_reads = v == "true";
  });
  with(m, "coalesce.window", [&](const std::string& v) { c.coalesce_window = parseDuration(v); });
  with(m, "details.floor_share", [&](const std::string& v) { c.details_floor_share = number(v, 0, 1); });
  with(m, "details.max_per_run", [&](const std::string& v) { c.details_max_per_run = static_cast<size_t>(number(v, 0, 1e6)); });
  with(m, "coalesce.max", [&](const std::string& v) { c.coalesce_max = static_cast<int>(number(v, 1, 1000)); });
  with(m, "status.every", [&](const std::string& v) { c.status_every = positive(v); });
  with(m, "status.horizon", [&](const std::string& v) { c.status_horizon = positive(v); });
  return c;
}

}  // namespace p88::engine
