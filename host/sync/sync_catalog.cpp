#include "sync/sync_catalog.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "config/settings.h"
#include "crypto/credential_secrets.h"
#include "plugins/plugin_registry.h"
#include "store/store.h"

namespace p88::sync {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<EventRef> eventRows(const store::SqlRows& rows) {
  std::vector<EventRef> out;
  for (size_t i = 0; i < rows.rows.size(); ++i)
    out.push_back({rows.at(i, "provider_event_id").value_or(""), rows.at(i, "provider_race_id"),
                   rows.at(i, "name"), rows.at(i, "start_time")});
  return out;
}

const char* kEventColumns =
    "SELECT provider_event_id, provider_race_id, name, start_time FROM events "
    "WHERE timing_partner_id = $1 AND provider_id = $2 AND "
    "(partner_provider_credential_id = $3 OR partner_provider_credential_id IS NULL) ";

}  // namespace

std::vector<std::pair<const plugins::PluginEntry*, int64_t>> registerPluginProviders(
    store::Store& store, const plugins::PluginRegistry& registry) {
  std::vector<std::pair<const plugins::PluginEntry*, int64_t>> out;
  for (const auto& e : registry.entries()) {
    if (!e.ok) continue;
    out.emplace_back(&e, store.registerProvider({e.name, e.slug, e.default_base_url,
                                                 static_cast<int>(e.calls_per_hour), e.version, e.path}));
  }
  return out;
}

std::string providerBaseUrl(const config::Settings& settings, const ProviderRow& provider,
                            const plugins::PluginEntry& plugin) {
  std::string url = settings.providerBaseUrl(provider.slug);
  if (url.empty()) url = provider.api_base_url;
  if (url.empty()) url = plugin.default_base_url;
  return url;
}

std::vector<std::string> eventsWithoutStart(store::Store& store, int64_t credential_id) {
  auto rows = store.query(
      "SELECT p.slug, e.provider_event_id FROM events e JOIN providers p ON p.provider_id = e.provider_id JOIN "
      "partner_provider_credentials c ON c.partner_provider_credential_id = e.partner_provider_credential_id AND "
      "c.active WHERE e.start_time IS NULL AND (CAST($1 AS INTEGER) = 0 OR c.partner_provider_credential_id = "
      "CAST($1 AS INTEGER)) ORDER BY p.slug, e.provider_event_id",
      {std::to_string(credential_id)});
  std::vector<std::string> out;
  for (const auto& r : rows.rows) out.push_back(r.at(0).value_or("") + " " + r.at(1).value_or(""));
  return out;
}

std::vector<DetailBacklog> detailBacklog(store::Store& store) {
  auto rows = store.query(
      "SELECT v.slug, p.provider_event_id, SUM(CASE WHEN p.detail_status = 'pending' THEN 1 ELSE 0 END) AS pending, "
      "SUM(CASE WHEN p.detail_status = 'stale' THEN 1 ELSE 0 END) AS stale FROM participants p JOIN providers v ON "
      "v.provider_id = p.provider_id JOIN partner_provider_credentials c ON c.partner_provider_credential_id = "
      "p.partner_provider_credential_id AND c.active WHERE p.detail_status <> 'complete' AND p.removal_reason IS NULL "
      "GROUP BY v.slug, p.provider_event_id ORDER BY COUNT(*) DESC, v.slug, p.provider_event_id");
  std::vector<DetailBacklog> out;
  for (const auto& r : rows.rows)
    out.push_back({r.at(0).value_or("") + " " + r.at(1).value_or(""), std::stoll(r.at(2).value_or("0")),
                   std::stoll(r.at(3).value_or("0"))});
  return out;
}

std::vector<int64_t> plaintextCredentialIds(store::Store& store) {
  auto rows = store.query(
      "SELECT partner_provider_credential_id, principal, secret, additional_config FROM partner_provider_credentials "
      "WHERE active ORDER BY partner_provider_credential_id");
  std::vector<int64_t> out;
  for (const auto& r : rows.rows)
    if (crypto::credentialInPlaintext(r.at(1).value_or(""), r.at(2), r.at(3))) out.push_back(std::stoll(r.at(0).value()));
  return out;
}

std::string plaintextWarning(const std::vector<int64_t>& ids) {
  if (ids.empty()) return "";
  std::string list;
  for (size_t i = 0; i < ids.size() && i < 10; ++i) list += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > 10) list += ", ...";
  return std::to_string(ids.size()) + " credential" + (ids.size() == 1 ? " holds its" : "s hold their") +
         " secrets in plaintext (" + list + "); seal them: p88host --generate-secret-key /etc/p88/secret.key, "
         "point secrets.key_file at it, then p88host --encrypt-secrets";
}

std::optional<ProviderRow> findProvider(store::Store& store, const std::string& name_or_slug) {
  auto rows = store.query(
      "SELECT provider_id, name, slug, api_base_url, rate_limit_per_hour FROM providers "
      "ORDER BY provider_id");
  const std::string wanted = lower(name_or_slug);
  std::optional<ProviderRow> loose;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    ProviderRow p{std::stoll(rows.at(i, "provider_id").value()), rows.at(i, "name").value_or(""),
                  rows.at(i, "slug").value_or(""), rows.at(i, "api_base_url").value_or(""),
                  std::stoll(rows.at(i, "rate_limit_per_hour").value_or("0"))};
    if (p.name == name_or_slug) return p;
    if (!loose && (lower(p.name) == wanted || lower(p.slug) == wanted)) loose = p;
  }
  return loose;
}

bool timingPartnerExists(store::Store& store, int64_t timing_partner_id) {
  return !store.query("SELECT 1 FROM timing_partners WHERE timing_partner_id = $1",
                      {std::to_string(timing_partner_id)})
              .empty();
}

std::vector<Credential> activeCredentials(store::Store& store, int64_t timing_partner_id,
                                          int64_t provider_id, const crypto::SecretBox* box) {
  auto rows = store.query(
      "SELECT partner_provider_credential_id FROM partner_provider_credentials WHERE timing_partner_id = $1 AND "
      "provider_id = $2 AND active ORDER BY partner_provider_credential_id",
      {std::to_string(timing_partner_id), std::to_string(provider_id)});
  std::vector<Credential> out;
  for (const auto& row : rows.rows)
    if (auto c = credentialById(store, std::stoll(row[0].value()), box)) out.push_back(std::move(*c));
  return out;
}

std::optional<Credential> credentialById(store::Store& store, int64_t credential_id, const crypto::SecretBox* box) {
  auto rows = store.query(
      "SELECT timing_partner_id, provider_id, principal, secret, additional_config FROM partner_provider_credentials "
      "WHERE partner_provider_credential_id = $1",
      {std::to_string(credential_id)});
  if (rows.empty()) return std::nullopt;
  Credential c;
  c.id = credential_id;
  c.timing_partner_id = std::stoll(rows.at(0, "timing_partner_id").value());
  c.provider_id = std::stoll(rows.at(0, "provider_id").value());
  c.principal = rows.at(0, "principal").value_or("");
  c.secret = rows.at(0, "secret");
  c.additional_config = rows.at(0, "additional_config");
  crypto::openCredential(c.id, c.principal, c.secret, c.additional_config, box);
  return c;
}

std::optional<ProviderRow> providerById(store::Store& store, int64_t provider_id) {
  auto rows = store.query(
      "SELECT provider_id, name, slug, api_base_url, rate_limit_per_hour FROM providers WHERE provider_id = $1",
      {std::to_string(provider_id)});
  if (rows.empty()) return std::nullopt;
  return ProviderRow{provider_id, rows.at(0, "name").value_or(""), rows.at(0, "slug").value_or(""),
                     rows.at(0, "api_base_url").value_or(""), std::stoll(rows.at(0, "rate_limit_per_hour").value_or("0"))};
}

std::vector<EventRef> currentEvents(store::Store& store, const Credential& c,
                                    const std::string& not_before_utc) {
  return eventRows(store.query(std::string(kEventColumns) +
                                   "AND (start_time IS NULL OR start_time >= $4) "
                                   "ORDER BY start_time, provider_event_id",
                               {std::to_string(c.timing_partner_id), std::to_string(c.provider_id),
                                std::to_string(c.id), not_before_utc}));
}

std::vector<EventRef> eventsById(store::Store& store, const Credential& c, const std::string& id) {
  const store::SqlParams params{std::to_string(c.timing_partner_id), std::to_string(c.provider_id),
                                std::to_string(c.id), id};
  auto exact = eventRows(store.query(std::string(kEventColumns) + "AND provider_event_id = $4", params));
  if (!exact.empty()) return exact;
  return eventRows(store.query(std::string(kEventColumns) +
                                   "AND provider_race_id = $4 ORDER BY start_time, provider_event_id",
                               params));
}

std::string isoFromDatabase(const std::optional<std::string>& value) {
  if (!value || value->size() < 19) return "";
  std::string s = value->substr(0, 19);
  s[10] = 'T';
  return s + "Z";
}

std::string utcMinusSeconds(int64_t now_ms, int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000 - seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace p88::sync
