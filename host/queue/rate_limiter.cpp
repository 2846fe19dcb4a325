#include "queue/rate_limiter.h"

#include <algorithm>
#include <string>

#include "store/store.h"

namespace p88::queue {
namespace {

// Seconds since the Unix epoch on the database clock (statement time, not transaction time).
std::string epochNow(store::Dialect d) {
  return d == store::Dialect::postgresql ? "extract(epoch from clock_timestamp())"
                                         : "((julianday('now') - 2440587.5) * 86400.0)";
}
std::string greatest(store::Dialect d, const std::string& a, const std::string& b) {
  return (d == store::Dialect::postgresql ? "GREATEST(" : "MAX(") + a + ", " + b + ")";
}

std::string least(store::Dialect d, const std::string& a, const std::string& b) {
  return (d == store::Dialect::postgresql ? "LEAST(" : "MIN(") + a + ", " + b + ")";
}
std::string real(const std::string& param) { return "CAST(" + param + " AS DOUBLE PRECISION)"; }

double interval(const Budget& b) { return 3600.0 / std::max(b.calls_per_hour, 1e-9); }
double tolerance(const Budget& b) { return interval(b) * std::max(b.burst - 1.0, 0.0); }

}  // namespace

void RateLimiter::ensureRow(int64_t provider_id, int64_t credential_id) {
  store_.query(
      "INSERT INTO rate_limits (provider_id, partner_provider_credential_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      {std::to_string(provider_id), std::to_string(credential_id)});
}

double RateLimiter::acquire(int64_t provider_id, int64_t credential_id, const Budget& budget) {
  ensureRow(provider_id, credential_id);
  const store::Dialect d = store_.dialect();
  const std::string now = epochNow(d);
  // One statement: take the call only if the new TAT stays within the tolerance and no block.
  auto r = store_.query(
      "UPDATE rate_limits SET tat = " + greatest(d, "tat", now) + " + $3 "
      "WHERE provider_id = $1 AND partner_provider_credential_id = $2 AND blocked_until <= " + now +
          " AND " + greatest(d, "tat", now) + " - $4 <= " + now,
      {std::to_string(provider_id), std::to_string(credential_id), std::to_string(interval(budget)),
       std::to_string(tolerance(budget))});
  if (r.affected == 1) return 0;
  return std::max(waitFor(provider_id, credential_id, budget), 0.001);
}

double RateLimiter::waitFor(int64_t provider_id, int64_t credential_id, const Budget& budget) {
  const store::Dialect d = store_.dialect();
  const std::string now = epochNow(d);
  auto r = store_.query("SELECT " + greatest(d, "blocked_until - " + now, "tat - $3 - " + now) +
                            " AS wait FROM rate_limits WHERE provider_id = $1 AND partner_provider_credential_id = $2",
                        {std::to_string(provider_id), std::to_string(credential_id), std::to_string(tolerance(budget))});
  if (r.empty() || !r.rows[0][0]) return 0;
  return std::max(0.0, std::stod(*r.rows[0][0]));
}

double RateLimiter::blockedFor(int64_t provider_id, int64_t credential_id) {
  auto r = store_.query("SELECT blocked_until - " + epochNow(store_.dialect()) +
                            " AS wait FROM rate_limits WHERE provider_id = $1 AND partner_provider_credential_id = $2",
                        {std::to_string(provider_id), std::to_string(credential_id)});
  if (r.empty() || !r.rows[0][0]) return 0;
  return std::max(0.0, std::stod(*r.rows[0][0]));
}

void RateLimiter::block(int64_t provider_id, int64_t credential_id, double seconds) {
  ensureRow(provider_id, credential_id);
  const store::Dialect d = store_.dialect();
  store_.query("UPDATE rate_limits SET blocked_until = " + greatest(d, "blocked_until", epochNow(d) + " + $3") +
                   ", throttles = throttles + 1 WHERE provider_id = $1 AND partner_provider_credential_id = $2",
               {std::to_string(provider_id), std::to_string(credential_id), std::to_string(seconds)});
}

std::vector<int64_t> RateLimiter::exhausted(int64_t provider_id, const Budget& budget) {
  const store::Dialect d = store_.dialect();
  const std::string now = epochNow(d);
  auto r = store_.query("SELECT partner_provider_credential_id FROM rate_limits WHERE provider_id = $1 AND "
                        "(blocked_until > " + now + " OR tat - $2 > " + now + ")",
                        {std::to_string(provider_id), std::to_string(tolerance(budget))});
  std::vector<int64_t> out;
  for (const auto& row : r.rows) out.push_back(std::stoll(row[0].value_or("0")));
  return out;
}

// The detail bucket's credit now: what it held, refilled at its rate since, capped at the horizon.
// Both statements below compute it from the row's old values (SET sees the row as it was).
namespace {
std::string detailCredit(store::Dialect d) {
  const std::string now = epochNow(d);
  return least(d, "detail_per_hour * " + std::to_string(RateLimiter::kDetailHorizon) + " / 3600.0",
               "detail_credit + detail_per_hour / 3600.0 * " + greatest(d, "0", now + " - detail_at"));
}
}  // namespace

void RateLimiter::setDetailRate(int64_t provider_id, int64_t credential_id, double calls_per_hour) {
  ensureRow(provider_id, credential_id);
  const store::Dialect d = store_.dialect();
  const std::string rate = real("$3");
  const std::string cap = rate + " * " + std::to_string(kDetailHorizon) + " / 3600.0";
  // A first rate starts an empty bucket: the first minutes of a service belong to start lists.
  store_.query("UPDATE rate_limits SET detail_credit = CASE WHEN detail_per_hour IS NULL THEN 0 ELSE " +
                   least(d, cap, detailCredit(d)) + " END, detail_per_hour = " + rate + ", detail_at = " +
                   epochNow(d) + " WHERE provider_id = $1 AND partner_provider_credential_id = $2",
               {std::to_string(provider_id), std::to_string(credential_id), std::to_string(std::max(calls_per_hour, 0.0))});
}

size_t RateLimiter::takeDetails(int64_t provider_id, int64_t credential_id, size_t wanted) {
  if (wanted == 0) return 0;
  const store::Dialect d = store_.dialect();
  const std::string whole = greatest(d, "0", detailCredit(d));
  const std::string taken =
      least(d, real("$3"), d == store::Dialect::postgresql ? "FLOOR(" + whole + ")" : "CAST(" + whole + " AS INTEGER)");
  // One statement, so two workers never both take the last of it.
  auto r = store_.query("UPDATE rate_limits SET detail_taken = " + taken + ", detail_credit = " + detailCredit(d) +
                            " - " + taken + ", detail_at = " + epochNow(d) +
                            " WHERE provider_id = $1 AND partner_provider_credential_id = $2 AND detail_per_hour IS "
                            "NOT NULL RETURNING detail_taken",
                        {std::to_string(provider_id), std::to_string(credential_id), std::to_string(wanted)});
  if (r.empty() || !r.rows[0][0]) return 0;
  return static_cast<size_t>(std::max(0.0, std::stod(*r.rows[0][0])));
}

}  // namespace p88::queue
