// The simulator's moving parts besides the world: rate limits, scripted faults, call counters and
// issued tokens. Each is small, thread-safe, and knows nothing of HTTP.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "world.h"

namespace sim {

// Calls per window per credential, the provider's way (a sliding window of real time).
class RateLimits {
 public:
  struct Limit {
    int calls = 1000;
    double window_seconds = 3600;
  };
  RateLimits();
  void set(Provider p, Limit limit);
  Limit get(Provider p) const;
  // Counts the call and returns 0, or refuses it and returns the seconds until one is allowed.
  double admit(Provider p, const std::string& account);
  void reset();

 private:
  using Clock = std::chrono::steady_clock;
  mutable std::mutex m_;
  std::map<Provider, Limit> limits_;
  std::map<std::string, std::deque<Clock::time_point>> calls_;
};

enum class FaultKind {
  status_500, status_502, status_503, slow, reset, truncate, malformed, wrong_content_type,
  expired_token, unauthorized, trickle, endless, repeat_cursor, hostile, reset_after,
  other_next_key, ignore_event_filter, ignore_updated_after, no_event_id
};
const char* faultName(FaultKind k);
std::optional<FaultKind> faultFromName(const std::string& name);

struct FaultRule {
  std::optional<Provider> provider;  // any provider when empty
  std::string path_prefix;           // "" matches every path
  FaultKind kind = FaultKind::status_500;
  int remaining = 1;                 // the next N matching calls; -1: no limit (use probability)
  double probability = 1.0;
  int delay_ms = 3000;               // for slow; for trickle, between two bytes
};

class Faults {
 public:
  explicit Faults(uint64_t seed) : rng_(seed) {}
  void add(const FaultRule& rule);
  void clear();
  // The fault to inject into this call, if any (a counted rule is used up by it).
  std::optional<FaultRule> take(Provider p, const std::string& path);
  nlohmann::json toJson() const;

 private:
  mutable std::mutex m_;
  std::vector<FaultRule> rules_;
  Rng rng_;
};

// Calls per provider, credential and route; throttled and faulted calls are counted apart.
class CallStats {
 public:
  void record(Provider p, const std::string& account, const std::string& route, bool throttled,
              bool faulted);
  nlohmann::json toJson() const;
  void reset();

 private:
  mutable std::mutex m_;
  struct Counts {
    long calls = 0, throttled = 0, faulted = 0;
  };
  std::map<std::string, std::map<std::string, std::map<std::string, Counts>>> counts_;
};

// Access tokens issued by the Race Roster and Haku token endpoints.
class TokenStore {
 public:
  struct Token {
    Provider provider;
    size_t account;
    Instant expires;
    bool refresh = false;  // a refresh token, not an access token
  };
  std::string issue(Provider p, size_t account, Instant expires, bool refresh = false);
  std::optional<Token> find(const std::string& token) const;
  void expireAll(Instant now);
  // Every token issued (access and refresh), so a test can look for them where they must not be.
  std::vector<std::string> issued() const;

 private:
  mutable std::mutex m_;
  std::map<std::string, Token> tokens_;
  uint64_t counter_ = 0;
};

}  // namespace sim
