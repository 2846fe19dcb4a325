#include "app/credential_commands.h"

#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/text_table.h"
#include "config/settings.h"
#include "crypto/credential_secrets.h"
#include "crypto/secret_box.h"
#include "p88/plugin.h"
#include "plugins/plugin_registry.h"
#include "queue/job_queue.h"
#include "store/store.h"
#include "sync/sync_catalog.h"

namespace p88::app {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;

// A value given on the command line or read for a secret: neither may be empty or hold a line break.
bool oneLine(const std::string& v) { return !v.empty() && v.find_first_of("\r\n") == std::string::npos; }

// Standard input's echo, off while a secret is typed at a terminal.
class NoEcho {
 public:
  NoEcho() : on_(::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    if (!on_) return;
    termios quiet = saved_;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ~NoEcho() {
    if (on_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  bool terminal() const { return on_; }

 private:
  bool on_;
  termios saved_{};
};

// One secret: the first line of `file`, else the next line of standard input (asked for, without
// echo, at a terminal). Empty `why` on success.
std::string readSecret(const std::string& what, const std::optional<std::string>& file, std::istream& in,
                       std::ostream& err, std::string& why) {
  std::string line;
  if (file) {
    std::ifstream f(*file);
    if (!f) {
      why = "cannot read " + what + " from " + *file;
      return {};
    }
    std::getline(f, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) why = "the first line of " + *file + " (" + what + ") is empty";
    return line;
  }
  NoEcho quiet;
  if (quiet.terminal()) err << what << ": " << std::flush;
  const bool got = static_cast<bool>(std::getline(in, line));
  if (quiet.terminal()) err << "\n";
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty())
    why = "no " + what + " on standard input (one line; or give --" +
          (what.find("password") != std::string::npos ? "password" : "secret") + "-file FILE)";
  return line;
}

// "PARTNER:PROVIDER": the partner's id or company name, the provider's name or slug; either may
// be quoted.
bool splitSpec(const std::string& spec, std::string& partner, std::string& provider, std::string& why) {
  const auto unquote = [](std::string s) {
    if (s.size() >= 2 && (s[0] == '"' || s[0] == '\'') && s.back() == s[0]) s = s.substr(1, s.size() - 2);
    return s;
  };
  size_t colon = std::string::npos;
  char quote = 0;
  for (size_t i = 0; i < spec.size() && colon == std::string::npos; ++i) {
    if (quote) {
      if (spec[i] == quote) quote = 0;
    } else if (spec[i] == '"' || spec[i] == '\'') {
      quote = spec[i];
    } else if (spec[i] == ':') {
      colon = i;
    }
  }
  partner = colon == std::string::npos ? "" : unquote(spec.substr(0, colon));
  provider = colon == std::string::npos ? "" : unquote(spec.substr(colon + 1));
  if (partner.empty() || provider.empty() || provider.find(':') != std::string::npos) {
    why = "expected PARTNER:PROVIDER (a timing partner's id or company name, a provider's name), got '" + spec + "'";
    return false;
  }
  return true;
}

// The partner's id: an existing one by id, or by company name (added when there is none).
std::optional<int64_t> resolvePartner(store::Store& store, const std::string& partner, std::ostream& out,
                                      std::string& why) {
  if (partner.find_first_not_of("0123456789") == std::string::npos && partner.size() <= 12) {
    const int64_t id = std::stoll(partner);
    if (sync::timingPartnerExists(store, id)) return id;
    why = "timing partner " + partner + " does not exist (give its company name to add one)";
    return std::nullopt;
  }
  auto r = store.query("SELECT timing_partner_id FROM timing_partners WHERE company_name = $1 ORDER BY "
                       "timing_partner_id",
                       {partner});
  if (r.rows.size() > 1) {
    why = std::to_string(r.rows.size()) + " timing partners are called '" + partner + "': give the id";
    return std::nullopt;
  }
  if (!r.empty()) return std::stoll(r.rows[0][0].value());
  r = store.query("INSERT INTO timing_partners (company_name) VALUES ($1) RETURNING timing_partner_id", {partner});
  const int64_t id = std::stoll(r.rows.at(0).at(0).value());
  out << "timing partner '" << partner << "' added as " << id << "\n";
  return id;
}

}  // namespace

int addCredential(const config::Settings& s, const AddCredential& req, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  const auto refuse = [&](const std::string& why) {
    err << "p88host: --add-credential: " << why << "\n";
    return kFailed;
  };
  std::string partner_text, provider_text, why;
  if (!splitSpec(req.spec, partner_text, provider_text, why)) return refuse(why);
  const std::vector<std::pair<std::string, std::optional<std::string>>> given = {
      {"principal", req.principal}, {"username", req.username}, {"token-url", req.token_url}};
  for (const auto& [flag, value] : given)
    if (value && !oneLine(*value)) return refuse("--" + flag + " is empty or holds a line break");

  auto store = store::openStore(s.database);
  store->migrate();
  plugins::PluginRegistry registry;
  registry.scan(s.plugin_dirs);
  sync::registerPluginProviders(*store, registry);
  auto provider = sync::findProvider(*store, provider_text);
  const plugins::PluginEntry* plugin = provider ? registry.find(provider->name) : nullptr;
  if (!provider || plugin == nullptr || !plugin->ok)
    return refuse("no loaded plugin serves a provider called '" + provider_text + "' (see p88host --list-plugins)");

  // What the provider's kind of authentication takes, and what it does not.
  const uint32_t kind = plugin->auth_kind;
  const bool jwt = kind == P88_AUTH_JWT, oauth = kind == P88_AUTH_OAUTH2, api_key = kind == P88_AUTH_API_KEY;
  if (jwt && req.principal)
    return refuse(provider->name + "'s key is the whole credential: give it on standard input or with "
                  "--secret-file, not on the command line");
  if ((api_key || oauth) && !req.principal)
    return refuse(provider->name + " needs --principal (its " + (oauth ? "client id" : "API key") + ")");
  if (!oauth && (req.username || req.token_url || req.password_file))
    return refuse("--username, --password-file and --token-url are for providers with a token grant; " +
                  provider->name + " has none");
  if (req.password_file && !req.username) return refuse("--password-file goes with --username");

  std::string principal = req.principal.value_or("");
  std::optional<std::string> secret;
  nlohmann::json config = nlohmann::json::object();
  if (jwt) {
    principal = readSecret(provider->name + " API key", req.secret_file, in, err, why);
  } else if (api_key || oauth) {
    secret = readSecret(provider->name + (oauth ? " client secret" : " API secret"), req.secret_file, in, err, why);
  }
  if (!why.empty()) return refuse(why);
  if (req.username) {
    config["username"] = *req.username;
    config["password"] = readSecret(provider->name + " password of " + *req.username, req.password_file, in, err, why);
    if (!why.empty()) return refuse(why);
  }
  if (req.token_url) config["token_url"] = *req.token_url;
  std::optional<std::string> additional = config.empty() ? std::nullopt : std::optional<std::string>(config.dump());

  auto box = crypto::configuredSecretBox(s.secret_key, s.secret_key_file);
  if (box) crypto::sealCredential(principal, secret, additional, *box);

  store::Transaction tx(store->connection());
  auto partner = resolvePartner(*store, partner_text, out, why);
  if (!partner) return refuse(why);
  auto r = store->query(
      "INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal, secret, credential_type, "
      "additional_config) VALUES ($1, $2, $3, $4, $5, $6) RETURNING partner_provider_credential_id",
      {std::to_string(*partner), std::to_string(provider->id), principal, secret, plugins::authKindName(kind),
       additional});
  tx.commit();
  out << "credential " << r.rows.at(0).at(0).value() << " added: timing partner " << *partner << ", "
      << provider->name << ", "
      << (box ? "sealed with the secret key"
              : "stored in plaintext (no secret key is configured: p88host --generate-secret-key FILE, then "
                "--encrypt-secrets)")
      << "\n";
  return kOk;
}

int listCredentials(const config::Settings& s, std::ostream& out) {
  auto store = store::openStore(s.database);
  store->migrate();
  auto rows = store->query(
      "SELECT c.partner_provider_credential_id, c.timing_partner_id, t.company_name, p.name, c.active, c.principal, "
      "c.secret, c.additional_config, (SELECT MAX(h.sync_time) FROM sync_history h WHERE "
      "h.partner_provider_credential_id = c.partner_provider_credential_id AND h.status <> 'failed') AS last_ok "
      "FROM partner_provider_credentials c JOIN providers p ON p.provider_id = c.provider_id "
      "LEFT JOIN timing_partners t ON t.timing_partner_id = c.timing_partner_id "
      "ORDER BY c.partner_provider_credential_id");
  std::vector<std::vector<std::string>> table = {
      {"ID", "PARTNER", "PROVIDER", "ACTIVE", "SECRETS", "LAST SUCCESSFUL SYNC (UTC)"}};
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const std::string principal = rows.at(i, "principal").value_or("");
    const auto secret = rows.at(i, "secret");
    const auto config = rows.at(i, "additional_config");
    const bool plain = crypto::credentialInPlaintext(principal, secret, config);
    const bool sealed = crypto::SecretBox::isSealed(principal) || (secret && crypto::SecretBox::isSealed(*secret)) ||
                        (config && config->find("enc:v1:") != std::string::npos);
    const std::string active = rows.at(i, "active").value_or("");
    const auto last = rows.at(i, "last_ok");
    table.push_back({rows.at(i, "partner_provider_credential_id").value_or(""),
                     rows.at(i, "timing_partner_id").value_or("") + " (" + rows.at(i, "company_name").value_or("?") + ")",
                     rows.at(i, "name").value_or(""), active == "1" || active == "t" || active == "true" ? "yes" : "no",
                     plain ? (sealed ? "partly plaintext" : "plaintext") : sealed ? "sealed" : "none",
                     last ? sync::isoFromDatabase(last) : "never"});
  }
  printTable(table, out);
  out << rows.rows.size() << (rows.rows.size() == 1 ? " credential\n" : " credentials\n");
  return kOk;
}

int disableCredential(const config::Settings& s, const std::string& id, std::ostream& out, std::ostream& err) {
  if (id.empty() || id.size() > 12 || id.find_first_not_of("0123456789") != std::string::npos) {
    err << "p88host: --disable-credential: expected a credential id (see --list-credentials), got '" << id << "'\n";
    return kFailed;
  }
  auto store = store::openStore(s.database);
  store->migrate();
  store::Transaction tx(store->connection());
  auto r = store->query("UPDATE partner_provider_credentials SET active = false, updated_at = CURRENT_TIMESTAMP "
                        "WHERE partner_provider_credential_id = $1 RETURNING timing_partner_id",
                        {id});
  if (r.empty()) {
    err << "p88host: --disable-credential: there is no credential " << id << " (see --list-credentials)\n";
    return kFailed;
  }
  const size_t dropped = queue::JobQueue(*store).dropPending(std::stoll(id), "its credential was disabled");
  tx.commit();
  out << "credential " << id << " disabled: no new syncs; " << dropped
      << " queued jobs dropped (failed, 'its credential was disabled'); a sync already running finishes\n";
  return kOk;
}

}  // namespace p88::app
