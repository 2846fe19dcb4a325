#include "simulator.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

namespace sim {

Simulator::Simulator(const SimOptions& o)
    : options(o), world(o.world, clock), faults(o.world.seed ^ 0xFA17) {
  // Let's Do This API keys are JWTs signed by the provider, carrying the organiser id.
  Poco::JWT::Signer signer(options.letsdothis_signing_key);
  for (size_t i = 0; i < world.accounts().size(); ++i) {
    const Account& a = world.accounts()[i];
    if (a.provider != Provider::letsdothis) continue;
    Poco::JWT::Token token;
    token.setType("JWT");
    token.setSubject(a.organiser_id);
    token.payload().set("organiserId", a.organiser_id);
    token.payload().set("scope", std::string("applications:read events:read"));
    token.setIssuedAt(Poco::Timestamp());
    world.setPrincipal(i, signer.sign(token, Poco::JWT::Signer::ALGO_HS256));
  }
}

std::optional<Reply> ProviderApi::admit(const Account& account) {
  double wait = sim_.limits.admit(provider(), account.label);
  if (wait <= 0) return std::nullopt;
  Reply r = throttled(wait);
  r.throttled = true;
  r.account = account.label;
  return r;
}

}  // namespace sim
