// Everything one simulator process holds, and the interface each provider's API implements.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "http_types.h"
#include "sim_state.h"
#include "world.h"

namespace sim {

struct SimOptions {
  WorldOptions world;
  long long raceroster_token_ttl = 86400;  // seconds of simulated time
  long long haku_token_ttl = 3600;
  std::string letsdothis_signing_key = "p88-simulator-letsdothis-signing-key-32b";
  double mutations_per_minute = 0;  // background changes, per minute of real time
};

struct Simulator {
  explicit Simulator(const SimOptions& o);
  SimOptions options;
  SimClock clock;
  World world;
  RateLimits limits;
  Faults faults;
  CallStats stats;
  TokenStore tokens;
  std::map<std::string, std::string> base_urls;  // provider slug -> URL, set once the ports are bound
};

class ProviderApi {
 public:
  explicit ProviderApi(Simulator& sim) : sim_(sim) {}
  virtual ~ProviderApi() = default;
  virtual Provider provider() const = 0;
  // The path every URL of this API starts with ("/Rest", "/api", "", "/v0"), for the README.
  virtual std::string basePath() const = 0;
  virtual Reply handle(const Request& request) = 0;
  // How this provider says "who are you?" and "slow down".
  virtual Reply unauthorized(const std::string& message) const = 0;
  virtual Reply throttled(double retry_after_seconds) const = 0;

 protected:
  // Counts the call against the account's rate limit; returns the throttle reply if over it.
  std::optional<Reply> admit(const Account& account);
  Simulator& sim_;
};

std::unique_ptr<ProviderApi> makeRunSignUpApi(Simulator& sim);
std::unique_ptr<ProviderApi> makeRaceRosterApi(Simulator& sim);
std::unique_ptr<ProviderApi> makeHakuApi(Simulator& sim);
std::unique_ptr<ProviderApi> makeLetsDoThisApi(Simulator& sim);

// The `endless` and `repeat_cursor` faults: the first page of what `request` asks for, made full
// (rows repeated up to the page size) and saying that another page follows; `repeat`: with the
// request's own next-page cursor (Let's Do This; the page-numbered APIs can only go on forever).
Reply endlessPage(ProviderApi& api, const Request& request, bool repeat);

// The shape-surprise faults (other_next_key, ignore_event_filter, ignore_updated_after,
// no_event_id): the answer in a shape the client may not expect (shape_surprises.cpp).
Reply surprisePage(ProviderApi& api, const Request& request, FaultKind kind);

// The `hostile` fault: `body` (a participants page) with one hostile value in each of its first
// rows (hostile_pages.cpp lists them).
std::string hostilePage(Provider provider, const std::string& body, long long now_unix);

// /_sim/...: ground truth, stats, faults, clock, mutations.
Reply handleControl(Simulator& sim, const Request& request);

}  // namespace sim
