#include "app/commands.h"

#include <Poco/Util/Application.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sys/stat.h>
#include <iostream>

#include "app/credential_commands.h"
#include "app/status_command.h"
#include "app/text_table.h"
#include "config/settings.h"
#include "crypto/credential_secrets.h"
#include "engine/manual_sync.h"
#include "engine/runtime.h"
#include "logging/logging.h"
#include "p88/plugin.h"
#include "plugins/plugin_registry.h"
#include "store/store.h"
#include "sync/sync_catalog.h"
#include "systemd/systemd_service.h"

#ifndef P88_VERSION
#define P88_VERSION "0.0.0"
#endif

namespace p88::app {
namespace {

using Mode = Invocation::Mode;
constexpr int EXIT_OK = Poco::Util::Application::EXIT_OK;
constexpr int EXIT_CONFIG = Poco::Util::Application::EXIT_CONFIG;

config::Settings loadSettings(const Invocation& inv) {
  std::vector<config::Properties> layers;
  const std::string default_file = "/etc/p88/p88host.properties";
  if (!inv.config_file.empty())
    layers.push_back(config::readPropertiesFile(inv.config_file));
  else if (std::filesystem::exists(default_file))
    layers.push_back(config::readPropertiesFile(default_file));
  else
    layers.emplace_back();
  layers.push_back(config::environmentLayer(config::processEnvironment()));
  config::Properties flags(inv.flags.begin(), inv.flags.end());
  layers.push_back(flags);
  config::Settings s = config::resolveSettings(layers);
  if (!inv.plugin_dirs.empty()) s.plugin_dirs = inv.plugin_dirs;
  if (s.plugin_dirs.empty()) s.plugin_dirs = plugins::defaultPluginDirectories();
  return s;
}

void startLogging(const config::Settings& s, bool console) {
  logging::addSecret(s.database.postgres.password);
  logging::Setup setup;
  setup.dir = s.log_dir;
  setup.level = s.log_level;
  setup.console = console;
  logging::configure(setup);
}

int listPlugins(const config::Settings& s) {
  plugins::PluginRegistry registry;
  registry.scan(s.plugin_dirs);
  std::string dirs;
  for (const auto& d : s.plugin_dirs) dirs += (dirs.empty() ? "" : ":") + d;
  std::cout << "plugin search path: " << dirs << "\n";
  if (registry.entries().empty()) {
    std::cout << "no plugin files (*.so) found\n";
    return EXIT_OK;
  }
  std::vector<std::vector<std::string>> rows = {
      {"PATH", "PROVIDER", "VERSION", "ABI", "AUTH", "CALLS/H", "STREAMS", "STATUS"}};
  for (const auto& e : registry.entries()) {
    std::string abi = e.abi_major || e.abi_minor
                          ? std::to_string(e.abi_major) + "." + std::to_string(e.abi_minor)
                          : "-";
    auto orDash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
    rows.push_back({e.path, orDash(e.name), orDash(e.version), abi,
                    e.name.empty() ? "-" : plugins::authKindName(e.auth_kind),
                    e.calls_per_hour ? std::to_string(e.calls_per_hour) : "-",
                    orDash(plugins::describeStreams(e.streams, e.coalescing)),
                    e.ok ? "ok" : "refused: " + e.refusal});
  }
  printTable(rows, std::cout);
  size_t refused = std::count_if(registry.entries().begin(), registry.entries().end(),
                                 [](const auto& e) { return !e.ok; });
  std::cout << registry.entries().size() - refused << " loaded, " << refused << " refused\n";
  return refused == 0 ? EXIT_OK : EXIT_FAILED;
}

int testConnection(const config::Settings& s) {
  const std::string where = s.database.describe();
  try {
    auto store = store::openStore(s.database);
    std::cout << "connected to " << where << "\n"
              << "server: " << store->connection().serverVersion() << "\n"
              << "database: " << store->connection().databaseName() << "\n"
              << "schema version: " << store->schemaVersion() << "\n";
    logging::info(logging::Component::main, "connection test succeeded database=" + where);
    return EXIT_OK;
  } catch (const std::exception& e) {
    std::string why = logging::redact(e.what());
    std::cerr << "connection to " << where << " failed: " << why << "\n";
    logging::error(logging::Component::main, "connection test failed database=" + where + " error=" + why);
    return EXIT_FAILED;
  }
}

// Registers (or refreshes) the provider row of every loaded plugin; false when any was refused.
bool registerPlugins(store::Store& store, const plugins::PluginRegistry& registry, bool verbose) {
  bool all_ok = true;
  for (const auto& e : registry.entries())
    if (!e.ok) {
      std::cout << "plugin " << e.path << " refused: " << e.refusal << "\n";
      all_ok = false;
    }
  for (const auto& [e, id] : sync::registerPluginProviders(store, registry))
    if (verbose)
      std::cout << "provider '" << e->name << "' registered as provider_id " << id << " (plugin " << e->path
                << ", version " << e->version << ")\n";
  return all_ok;
}

void logMigrations(const std::vector<store::MigrationStep>& applied) {
  for (const auto& m : applied)
    logging::info(logging::Component::main,
                  "migration applied version=" + std::to_string(m.version) + " name=" + m.name);
}

int migrate(const config::Settings& s) {
  auto store = store::openStore(s.database);
  std::cout << "database: " << s.database.describe() << "\n";
  auto applied = store->migrate();
  logMigrations(applied);
  if (applied.empty()) {
    std::cout << "migrations: none pending (schema version " << store->schemaVersion() << ")\n";
  } else {
    for (const auto& m : applied)
      std::cout << "migration " << m.version << " (" << m.name << ") applied\n";
    std::cout << "schema version: " << store->schemaVersion() << "\n";
  }
  plugins::PluginRegistry registry;
  registry.scan(s.plugin_dirs);
  return registerPlugins(*store, registry, true) ? EXIT_OK : EXIT_FAILED;
}

// The key that opens sealed credential secrets, or nullptr when none is configured.
std::unique_ptr<crypto::SecretBox> loadSecretBox(const config::Settings& s) {
  return crypto::configuredSecretBox(s.secret_key, s.secret_key_file);
}

int generateSecretKey(const std::string& path) {
  if (std::filesystem::exists(path)) {
    std::cerr << "p88host: --generate-secret-key: " << path << " exists; not overwriting a key\n";
    return EXIT_FAILED;
  }
  const mode_t old = ::umask(077);
  std::ofstream out(path);
  ::umask(old);
  out << crypto::generateKey() << "\n";
  out.close();
  if (!out) {
    std::cerr << "p88host: --generate-secret-key: cannot write " << path << "\n";
    return EXIT_FAILED;
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::cout << "wrote a new secret key to " << path << " (mode 0600); point secrets.key_file or "
            << "P88_SECRET_KEY_FILE at it, then run p88host --encrypt-secrets\n";
  return EXIT_OK;
}

int encryptSecrets(const config::Settings& s) {
  auto box = loadSecretBox(s);
  if (!box) {
    std::cerr << "p88host: --encrypt-secrets: no secret key configured (secrets.key_file, "
                 "P88_SECRET_KEY_FILE or P88_SECRET_KEY; p88host --generate-secret-key FILE makes one)\n";
    return EXIT_CONFIG;
  }
  auto store = store::openStore(s.database);
  logMigrations(store->migrate());
  auto rows = store->query(
      "SELECT partner_provider_credential_id, principal, secret, additional_config FROM partner_provider_credentials "
      "ORDER BY partner_provider_credential_id");
  size_t sealed = 0, already = 0;
  store::Transaction tx(store->connection());
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const std::string id = rows.at(i, "partner_provider_credential_id").value();
    std::string principal = rows.at(i, "principal").value_or("");
    auto secret = rows.at(i, "secret");
    auto config = rows.at(i, "additional_config");
    {  // values sealed with another key stop the run here, before anything is written
      auto p2 = principal;
      auto s2 = secret, c2 = config;
      crypto::openCredential(std::stoll(id), p2, s2, c2, box.get());
    }
    if (!crypto::sealCredential(principal, secret, config, *box)) {
      ++already;
      continue;
    }
    store->query("UPDATE partner_provider_credentials SET principal = $1, secret = $2, additional_config = $3, "
                 "updated_at = CURRENT_TIMESTAMP WHERE partner_provider_credential_id = $4",
                 {principal, secret, config, id});
    ++sealed;
  }
  tx.commit();
  std::cout << "credentials sealed: " << sealed << "; already sealed or without secrets: " << already << "\n";
  logging::info(logging::Component::main, "credential secrets sealed count=" + std::to_string(sealed));
  return EXIT_OK;
}

int manualSync(const config::Settings& s, const std::string& text, bool enqueue_only, bool reconcile) {
  std::string why;
  auto spec = engine::parseManualSyncSpec(text, why);
  if (!spec) {
    std::cerr << "p88host: --manual-sync: " << why << "\n";
    return EXIT_FAILED;
  }
  auto store = store::openStore(s.database);
  logMigrations(store->migrate());
  plugins::PluginRegistry registry;
  registry.scan(s.plugin_dirs);
  registerPlugins(*store, registry, false);
  auto box = loadSecretBox(s);
  engine::ManualSyncOptions options;
  options.enqueue_only = enqueue_only;
  options.reconcile = reconcile;
  return engine::runManualSync(*spec, options, s, *store, registry, box.get(), std::cout, std::cerr);
}


}  // namespace

int runCommand(const Invocation& inv) {
  if (inv.mode == Mode::version) {
    std::cout << "p88host " << P88_VERSION << " (plugin ABI " << P88_ABI_MAJOR << "."
              << P88_ABI_MINOR << ")\n";
    return EXIT_OK;
  }
  config::Settings settings;
  try {
    settings = loadSettings(inv);
  } catch (const config::ConfigError& e) {
    std::cerr << "p88host: configuration error: " << e.what() << "\n";
    return EXIT_CONFIG;
  }
  const bool diagnostic = inv.mode == Mode::list_plugins || inv.mode == Mode::test_connection ||
                          inv.mode == Mode::migrate || inv.mode == Mode::encrypt_secrets ||
                          inv.mode == Mode::generate_secret_key || inv.mode == Mode::add_credential ||
                          inv.mode == Mode::list_credentials || inv.mode == Mode::disable_credential ||
                          inv.mode == Mode::status;
  startLogging(settings, !diagnostic);
  try {
    switch (inv.mode) {
      case Mode::list_plugins: return listPlugins(settings);
      case Mode::test_connection: return testConnection(settings);
      case Mode::migrate: return migrate(settings);
      case Mode::manual_sync: return manualSync(settings, inv.manual_sync, inv.enqueue_only, inv.reconcile);
      case Mode::encrypt_secrets: return encryptSecrets(settings);
      case Mode::generate_secret_key: return generateSecretKey(inv.key_file);
      case Mode::add_credential: {
        AddCredential request;
        request.spec = inv.credential;
        const auto option = [&](const char* name) -> std::optional<std::string> {
          auto it = inv.credential_options.find(name);
          return it == inv.credential_options.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        request.principal = option("principal");
        request.username = option("username");
        request.token_url = option("token-url");
        request.secret_file = option("secret-file");
        request.password_file = option("password-file");
        return addCredential(settings, request, std::cin, std::cout, std::cerr);
      }
      case Mode::list_credentials: return listCredentials(settings, std::cout);
      case Mode::status: return showStatus(settings, std::cout);
      case Mode::disable_credential: return disableCredential(settings, inv.credential, std::cout, std::cerr);
      default: {
        // Under systemd the journal already has every line from the logs at its priority; the
        // service's terminal lines would repeat them there.
        std::ostream silent(nullptr);
        std::ostream& out = systemd::stderrIsJournal() ? silent : std::cout;
        const engine::Role role = inv.mode == Mode::engine_only   ? engine::Role::engine_only
                                  : inv.mode == Mode::worker_only ? engine::Role::worker_only
                                                                  : engine::Role::engine_and_workers;
        return engine::runService(settings, role, out);
      }
    }
  } catch (const config::ConfigError& e) {
    std::cerr << "p88host: configuration error: " << e.what() << "\n";
    return EXIT_CONFIG;
  } catch (const std::exception& e) {
    std::string why = logging::redact(e.what());
    std::cerr << "p88host: " << why << "\n";
    logging::error(logging::Component::main, "command failed error=" + why);
    return EXIT_FAILED;
  }
}

}  // namespace p88::app
