// Comparing what p88 stored with the simulator's ground truth, field by field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"
#include "support/sim_process.h"

namespace p88::test {

// The simulator's events of a provider that a sync covers now: starting after one hour ago.
std::vector<nlohmann::json> currentSimEvents(const SimProcess& sim, const std::string& slug, int partner = 1);

// "2026-05-10 08:00:00[+00]" -> "2026-05-10T08:00:00Z" (NULL stays NULL).
std::optional<std::string> isoFromDb(const std::optional<std::string>& v);

struct TruthComparison {
  std::vector<std::string> differences;  // "event E registration R field F: stored X, truth Y"
  size_t registrations = 0;              // compared
  bool matches() const { return differences.empty(); }
};

// Every registration of every current event of the provider, each normalized field. RunSignUp's
// removed registrations are compared on what its removed list carries.
TruthComparison compareWithTruth(store::Store& store, const SimProcess& sim, const std::string& slug);

// Registers timing partner `partner` (when missing) and its simulator accounts at the providers
// as credentials (Race Roster's username and password in additional_config).
void registerSimCredentials(store::Store& store, const SimProcess& sim, const std::vector<std::string>& slugs,
                            int partner = 1);

}  // namespace p88::test
