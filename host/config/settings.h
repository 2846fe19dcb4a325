// p88host's configuration: a properties file, overridden by the environment, overridden by flags.
// Resolution is a pure function of the three layers (unit-tested in tests/unit/settings_test.cpp).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"

namespace p88::config {

using Properties = std::map<std::string, std::string>;

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Settings {
  store::DatabaseConfig database;
  std::string log_dir = "/var/log/project88";
  std::string log_level = "information";     // Poco's names: debug, information, warning, error
  std::vector<std::string> plugin_dirs;      // empty: the default search path
  int workers = 3;
  // The key that seals credential secrets: base64 in secrets.key (P88_SECRET_KEY), or a file
  // holding it (secrets.key_file, P88_SECRET_KEY_FILE; default /etc/p88/secret.key if present).
  std::string secret_key_file;
  std::string secret_key;
  Properties merged;                         // every key, after precedence (providers.<slug>.*)

  // A provider's base URL override (providers.<slug>.base_url / P88_<SLUG>_BASE_URL), or "".
  std::string providerBaseUrl(const std::string& slug) const;
};

// The property keys the environment variables set: DB_HOST -> db.host, DB_PORT -> db.port,
// DB_NAME -> db.name, DB_USER -> db.user, DB_PASSWORD -> db.password, LOG_LEVEL -> log.level,
// P88_DB_PATH -> db.sqlite.path, P88_DB_BACKEND -> db.backend, P88_LOG_DIR -> log.dir,
// P88_PLUGIN_DIRS -> plugins.dirs, P88_SECRET_KEY_FILE -> secrets.key_file, P88_SECRET_KEY ->
// secrets.key, P88_<SLUG>_BASE_URL -> providers.<slug>.base_url.
Properties environmentLayer(const std::map<std::string, std::string>& environment);
std::map<std::string, std::string> processEnvironment();

// Reads a Java-style properties file; throws ConfigError naming the file when it cannot.
Properties readPropertiesFile(const std::string& path);

// Layers from lowest to highest precedence. Each layer that speaks of the database chooses the
// backend: db.backend explicitly; else a db.host or db.name means PostgreSQL; else a
// db.sqlite.path means SQLite. A later layer's choice wins; with no choice at all, SQLite. Throws ConfigError naming the key and the bad value.
Settings resolveSettings(const std::vector<Properties>& layers);

// A list value: items separated by ':' or ',' ("/a:/b,/c"), empty items dropped.
std::vector<std::string> splitList(const std::string& s);

}  // namespace p88::config
