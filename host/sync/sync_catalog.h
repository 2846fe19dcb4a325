// What the database says about who to sync: providers, credentials, and the events discovered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sync/stream_runner.h"
#include "sync/sync_operation.h"

namespace p88::store {
class Store;
}
namespace p88::config {
struct Settings;
}
namespace p88::crypto {
class SecretBox;
}
namespace p88::plugins {
class PluginRegistry;
struct PluginEntry;
}

namespace p88::sync {

struct ProviderRow {
  int64_t id = 0;
  std::string name;
  std::string slug;
  std::string api_base_url;
  int64_t rate_limit_per_hour = 0;
};

// Registers (or refreshes) the providers row of every loaded plugin (refused ones are skipped):
// each loaded plugin with its provider_id.
std::vector<std::pair<const plugins::PluginEntry*, int64_t>> registerPluginProviders(
    store::Store& store, const plugins::PluginRegistry& registry);

// The base URL a provider is synced at: the configured one (P88_<SLUG>_BASE_URL or
// provider.<slug>.base_url), else providers.api_base_url, else the plugin's default.
std::string providerBaseUrl(const config::Settings& settings, const ProviderRow& provider,
                            const plugins::PluginEntry& plugin);

// By exact name, else by name or slug ignoring case ("runsignup", "let's do this").
std::optional<ProviderRow> findProvider(store::Store& store, const std::string& name_or_slug);
bool timingPartnerExists(store::Store& store, int64_t timing_partner_id);
// The partner's active credentials for the provider, oldest first, their sealed parts opened
// with `box`. Throws crypto::CryptoError naming the credential when one cannot be opened.
std::vector<Credential> activeCredentials(store::Store& store, int64_t timing_partner_id,
                                          int64_t provider_id, const crypto::SecretBox* box);
// Current events (of active credentials) without a usable start time: "slug event-id" each.
std::vector<std::string> eventsWithoutStart(store::Store& store, int64_t credential_id = 0);

// Registrations whose detail is not in yet (participants.detail_status 'pending' or 'stale'),
// per event of an active credential, the largest backlog first.
struct DetailBacklog {
  std::string event;  // "haku event-id"
  int64_t pending = 0, stale = 0;
};
std::vector<DetailBacklog> detailBacklog(store::Store& store);

// The active credentials whose secrets are stored in the clear (ids, oldest first).
std::vector<int64_t> plaintextCredentialIds(store::Store& store);
// The warning to give about them ("" when there are none): how many, which, and how to seal them.
std::string plaintextWarning(const std::vector<int64_t>& ids);

// One credential by id (active or not), opened; nullopt when there is no such row.
std::optional<Credential> credentialById(store::Store& store, int64_t credential_id, const crypto::SecretBox* box);
std::optional<ProviderRow> providerById(store::Store& store, int64_t provider_id);

// Events of the partner at the provider that the credential discovered (or nobody did), whose
// start is at or after `not_before_utc` ("YYYY-MM-DD HH:MM:SS") or unknown, nearest start first.
std::vector<EventRef> currentEvents(store::Store& store, const Credential& credential,
                                    const std::string& not_before_utc);
// Events with that provider_event_id, or else every event of that provider_race_id.
std::vector<EventRef> eventsById(store::Store& store, const Credential& credential,
                                 const std::string& id);

// "2026-05-10T08:00:00Z" for a database timestamp ("2026-05-10 08:00:00[+00]"), "" for NULL.
std::string isoFromDatabase(const std::optional<std::string>& value);
// The database's text form of now minus `seconds`, UTC.
std::string utcMinusSeconds(int64_t now_ms, int64_t seconds);

}  // namespace p88::sync
