#include "app/host_application.h"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>

#include "app/commands.h"

using Poco::Util::Option;
using Poco::Util::OptionSet;

namespace p88::app {

HostApplication::HostApplication() {
  setUnixOptions(true);
}

void HostApplication::defineOptions(OptionSet& options) {
  auto flag = [&](const char* full, const char* shortName, const char* help) {
    options.addOption(Option(full, shortName, help).required(false).repeatable(false));
  };
  auto valued = [&](const char* full, const char* shortName, const char* help, const char* arg,
                    bool repeatable = false) {
    options.addOption(
        Option(full, shortName, help).required(false).repeatable(repeatable).argument(arg));
  };
  flag("help", "h", "Show this help and exit.");
  flag("version", "", "Show the version and the plugin ABI, and exit.");
  valued("config", "c", "Read settings from FILE (default /etc/p88/p88host.properties if present).",
         "FILE");
  valued("define", "D", "Set a configuration property, overriding file and environment.",
         "KEY=VALUE", true);
  flag("list-plugins", "", "List every plugin file found, loaded or refused (exit 1 if any refused).");
  valued("plugin-dir", "", "Look for plugins in DIR instead of the default search path (repeatable).",
         "DIR", true);
  flag("migrate", "", "Apply pending database migrations, register plugin providers, and exit.");
  flag("test-connection", "", "Connect to the database, print its version, and exit (1 on failure).");
  valued("workers", "w", "Number of worker threads (default 3).", "N");
  flag("engine-only", "", "Run only the sync engine (scheduler).");
  flag("worker-only", "", "Run only workers.");
  valued("manual-sync", "", "Sync now: \"PARTNER:PROVIDER[:EVENT]\", e.g. \"1:RunSignUp:12345\".",
         "SPEC");
  flag("enqueue-only", "", "With --manual-sync: queue the jobs at the top priority for the running service, and exit.");
  flag("reconcile", "", "With --manual-sync: read every registration (not only changes) and mark those the provider no longer has as removed (vanished).");
  flag("encrypt-secrets", "", "Seal every plaintext credential secret with the secret key (AES-256-GCM), and exit.");
  valued("generate-secret-key", "", "Write a new secret key to FILE (mode 0600; refuses an existing file), and exit.",
         "FILE");
  valued("add-credential", "",
         "Add a provider account: \"PARTNER:PROVIDER\" (a partner's id or company name); the secret is read "
         "from standard input or --secret-file, never the command line; sealed when a secret key is configured.",
         "SPEC");
  valued("principal", "", "With --add-credential: the API key or client id (Let's Do This's key is read as the secret).",
         "VALUE");
  valued("username", "", "With --add-credential: the account login of a token grant (Race Roster); its password "
         "is read after the secret, or from --password-file.", "NAME");
  valued("token-url", "", "With --add-credential: the token endpoint, for an OAuth 2 provider.", "URL");
  valued("secret-file", "", "With --add-credential: read the secret from the first line of FILE.", "FILE");
  valued("password-file", "", "With --add-credential and --username: read the password from FILE.", "FILE");
  flag("list-credentials", "", "List the credentials (id, partner, provider, active, sealed or not, last "
       "successful sync; never a secret), and exit.");
  flag("status", "", "Show the race-morning view (events within 24 h of their start: data age, next sync, "
       "stale or failing; budgets; the queue) from the database, and exit (1 if any event is stale or failing).");
  valued("disable-credential", "", "Stop syncing credential ID (its queued jobs are dropped), and exit.", "ID");
  valued("db-path", "", "SQLite database file (default ./p88.db; env P88_DB_PATH).", "FILE");
  valued("log-dir", "", "Directory for the log files (default /var/log/project88).", "DIR");
}

void HostApplication::setMode(Invocation::Mode mode, const std::string& option) {
  if (inv_.mode != Invocation::Mode::run && inv_.mode != mode)
    throw Poco::Util::IncompatibleOptionsException("--" + mode_option_ + " and --" + option);
  inv_.mode = mode;
  mode_option_ = option;
}

void HostApplication::handleOption(const std::string& name, const std::string& value) {
  Application::handleOption(name, value);
  using M = Invocation::Mode;
  if (name == "help") {
    setMode(M::help, name);
    stopOptionsProcessing();
  } else if (name == "version") {
    setMode(M::version, name);
  } else if (name == "config") {
    inv_.config_file = value;
  } else if (name == "define") {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Poco::Util::InvalidArgumentException("--define expects KEY=VALUE, got '" + value + "'");
    inv_.flags[value.substr(0, eq)] = value.substr(eq + 1);
  } else if (name == "list-plugins") {
    setMode(M::list_plugins, name);
  } else if (name == "plugin-dir") {
    inv_.plugin_dirs.push_back(value);
  } else if (name == "migrate") {
    setMode(M::migrate, name);
  } else if (name == "test-connection") {
    setMode(M::test_connection, name);
  } else if (name == "workers") {
    inv_.flags["workers"] = value;
  } else if (name == "engine-only") {
    setMode(M::engine_only, name);
  } else if (name == "worker-only") {
    setMode(M::worker_only, name);
  } else if (name == "manual-sync") {
    setMode(M::manual_sync, name);
    inv_.manual_sync = value;
  } else if (name == "enqueue-only") {
    inv_.enqueue_only = true;
  } else if (name == "reconcile") {
    inv_.reconcile = true;
  } else if (name == "encrypt-secrets") {
    setMode(M::encrypt_secrets, name);
  } else if (name == "generate-secret-key") {
    setMode(M::generate_secret_key, name);
    inv_.key_file = value;
  } else if (name == "add-credential") {
    setMode(M::add_credential, name);
    inv_.credential = value;
  } else if (name == "principal" || name == "username" || name == "token-url" || name == "secret-file" ||
             name == "password-file") {
    inv_.credential_options[name] = value;
  } else if (name == "list-credentials") {
    setMode(M::list_credentials, name);
  } else if (name == "status") {
    setMode(M::status, name);
  } else if (name == "disable-credential") {
    setMode(M::disable_credential, name);
    inv_.credential = value;
  } else if (name == "db-path") {
    inv_.flags["db.sqlite.path"] = value;
  } else if (name == "log-dir") {
    inv_.flags["log.dir"] = value;
  }
}

void HostApplication::printHelp() {
  Poco::Util::HelpFormatter help(options());
  help.setUnixStyle(true);
  help.setCommand("p88host");
  help.setUsage("[OPTIONS]");
  help.setHeader(
      "Keeps a timing company's database in step with race-registration providers, through "
      "provider plugins.\nWith no mode option, runs the sync engine and workers.");
  help.setFooter(
      "Settings come from the properties file, then the environment (DB_HOST, DB_PORT, DB_NAME, "
      "DB_USER, DB_PASSWORD, LOG_LEVEL, P88_DB_PATH, P88_<SLUG>_BASE_URL), then flags; later wins.");
  help.format(std::cout);
}

int HostApplication::main(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::cerr << "p88host: unexpected argument '" << args.front() << "' (try --help)\n";
    return EXIT_USAGE;
  }
  if (inv_.mode == Invocation::Mode::help) {
    printHelp();
    return EXIT_OK;
  }
  if ((inv_.enqueue_only || inv_.reconcile) && inv_.mode != Invocation::Mode::manual_sync) {
    std::cerr << "p88host: --" << (inv_.enqueue_only ? "enqueue-only" : "reconcile")
              << " goes with --manual-sync (try --help)\n";
    return EXIT_USAGE;
  }
  if (!inv_.credential_options.empty() && inv_.mode != Invocation::Mode::add_credential) {
    std::cerr << "p88host: --" << inv_.credential_options.begin()->first << " goes with --add-credential (try --help)\n";
    return EXIT_USAGE;
  }
  return runCommand(inv_);
}

}  // namespace p88::app
