#include "sim_state.h"

#include <Poco/SHA2Engine.h>

#include <cmath>

namespace sim {

RateLimits::RateLimits() {
  limits_[Provider::runsignup] = {1000, 3600};
  limits_[Provider::raceroster] = {1000, 3600};
  limits_[Provider::haku] = {500, 3600};
  limits_[Provider::letsdothis] = {1000, 3600};
}

void RateLimits::set(Provider p, Limit limit) {
  std::lock_guard<std::mutex> lock(m_);
  limits_[p] = limit;
}

RateLimits::Limit RateLimits::get(Provider p) const {
  std::lock_guard<std::mutex> lock(m_);
  return limits_.at(p);
}

double RateLimits::admit(Provider p, const std::string& account) {
  std::lock_guard<std::mutex> lock(m_);
  const Limit limit = limits_.at(p);
  auto& q = calls_[account];
  const auto now = Clock::now();
  const auto window = std::chrono::duration<double>(limit.window_seconds);
  while (!q.empty() && now - q.front() >= window) q.pop_front();
  if (static_cast<int>(q.size()) >= limit.calls) {
    double wait = std::chrono::duration<double>(q.front() + window - now).count();
    return std::max(wait, 0.001);
  }
  q.push_back(now);
  return 0;
}

void RateLimits::reset() {
  std::lock_guard<std::mutex> lock(m_);
  calls_.clear();
}

namespace {
const std::pair<FaultKind, const char*> kFaultNames[] = {
    {FaultKind::status_500, "status_500"}, {FaultKind::status_502, "status_502"},
    {FaultKind::status_503, "status_503"}, {FaultKind::slow, "slow"},
    {FaultKind::reset, "reset"}, {FaultKind::truncate, "truncate"},
    {FaultKind::malformed, "malformed"}, {FaultKind::wrong_content_type, "wrong_content_type"},
    {FaultKind::expired_token, "expired_token"}, {FaultKind::unauthorized, "unauthorized"},
    {FaultKind::trickle, "trickle"}, {FaultKind::endless, "endless"}, {FaultKind::repeat_cursor, "repeat_cursor"},
    {FaultKind::hostile, "hostile"}, {FaultKind::reset_after, "reset_after"},
    {FaultKind::other_next_key, "other_next_key"}, {FaultKind::ignore_event_filter, "ignore_event_filter"},
    {FaultKind::ignore_updated_after, "ignore_updated_after"}, {FaultKind::no_event_id, "no_event_id"}};
}  // namespace

const char* faultName(FaultKind k) {
  for (const auto& [kind, name] : kFaultNames)
    if (kind == k) return name;
  return "?";
}

std::optional<FaultKind> faultFromName(const std::string& name) {
  for (const auto& [kind, n] : kFaultNames)
    if (name == n) return kind;
  return std::nullopt;
}

void Faults::add(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(m_);
  rules_.push_back(rule);
}

void Faults::clear() {
  std::lock_guard<std::mutex> lock(m_);
  rules_.clear();
}

std::optional<FaultRule> Faults::take(Provider p, const std::string& path) {
  std::lock_guard<std::mutex> lock(m_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->provider && *it->provider != p) continue;
    if (path.compare(0, it->path_prefix.size(), it->path_prefix) != 0) continue;
    if (it->probability < 1.0 && !rng_.chance(it->probability)) continue;
    FaultRule hit = *it;
    if (it->remaining > 0 && --it->remaining == 0) rules_.erase(it);
    return hit;
  }
  return std::nullopt;
}

nlohmann::json Faults::toJson() const {
  std::lock_guard<std::mutex> lock(m_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rules_)
    out.push_back({{"provider", r.provider ? slug(*r.provider) : "*"},
                   {"path_prefix", r.path_prefix},
                   {"kind", faultName(r.kind)},
                   {"remaining", r.remaining},
                   {"probability", r.probability},
                   {"delay_ms", r.delay_ms}});
  return out;
}

void CallStats::record(Provider p, const std::string& account, const std::string& route,
                       bool throttled, bool faulted) {
  std::lock_guard<std::mutex> lock(m_);
  Counts& c = counts_[slug(p)][account.empty() ? "-" : account][route];
  ++c.calls;
  if (throttled) ++c.throttled;
  if (faulted) ++c.faulted;
}

nlohmann::json CallStats::toJson() const {
  std::lock_guard<std::mutex> lock(m_);
  nlohmann::json out = nlohmann::json::object();
  long total = 0, throttled = 0;
  for (const auto& [provider, accounts] : counts_)
    for (const auto& [account, routes] : accounts)
      for (const auto& [route, c] : routes) {
        out["providers"][provider][account][route] = {
            {"calls", c.calls}, {"throttled", c.throttled}, {"faulted", c.faulted}};
        total += c.calls;
        throttled += c.throttled;
      }
  out["total_calls"] = total;
  out["total_throttled"] = throttled;
  return out;
}

void CallStats::reset() {
  std::lock_guard<std::mutex> lock(m_);
  counts_.clear();
}

std::string TokenStore::issue(Provider p, size_t account, Instant expires, bool refresh) {
  std::lock_guard<std::mutex> lock(m_);
  Poco::SHA2Engine sha;
  sha.update(std::to_string(++counter_) + ":" + std::to_string(account) + ":" +
             std::to_string(std::chrono::system_clock::now().time_since_epoch().count()));
  std::string token = (refresh ? "rt_" : "at_") + Poco::DigestEngine::digestToHex(sha.digest());
  tokens_[token] = {p, account, expires, refresh};
  return token;
}

std::optional<TokenStore::Token> TokenStore::find(const std::string& token) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> TokenStore::issued() const {
  std::lock_guard<std::mutex> lock(m_);
  std::vector<std::string> out;
  for (const auto& [t, token] : tokens_) out.push_back(t);
  return out;
}

void TokenStore::expireAll(Instant now) {
  std::lock_guard<std::mutex> lock(m_);
  for (auto& [t, token] : tokens_)
    if (!token.refresh) token.expires = std::min(token.expires, now - std::chrono::seconds(1));
}

}  // namespace sim
