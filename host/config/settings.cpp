#include "config/settings.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <cctype>
#include <fstream>

extern char** environ;

namespace p88::config {
namespace {

const std::map<std::string, std::string>& environmentKeys() {
  static const std::map<std::string, std::string> keys = {
      {"DB_HOST", "db.host"},          {"DB_PORT", "db.port"},
      {"DB_NAME", "db.name"},          {"DB_USER", "db.user"},
      {"DB_PASSWORD", "db.password"},  {"LOG_LEVEL", "log.level"},
      {"P88_DB_PATH", "db.sqlite.path"}, {"P88_DB_BACKEND", "db.backend"},
      {"P88_LOG_DIR", "log.dir"},      {"P88_PLUGIN_DIRS", "plugins.dirs"},
      {"P88_SECRET_KEY_FILE", "secrets.key_file"}, {"P88_SECRET_KEY", "secrets.key"}};
  return keys;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string logLevel(const std::string& value) {
  const std::string v = lower(value);
  if (v == "debug" || v == "trace") return "debug";
  if (v == "info" || v == "information") return "information";
  if (v == "notice") return "notice";
  if (v == "warn" || v == "warning") return "warning";
  if (v == "error") return "error";
  if (v == "critical" || v == "fatal") return "critical";
  throw ConfigError("log.level (LOG_LEVEL): '" + value +
                    "' is not a log level (use DEBUG, INFO, WARNING, ERROR or CRITICAL)");
}

int integerIn(const std::string& key, const std::string& value, int lo, int hi) {
  size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || n < lo || n > hi)
    throw ConfigError(key + ": '" + value + "' is not a whole number from " + std::to_string(lo) +
                      " to " + std::to_string(hi));
  return n;
}


}  // namespace

std::string Settings::providerBaseUrl(const std::string& slug) const {
  auto it = merged.find("providers." + slug + ".base_url");
  return it == merged.end() ? "" : it->second;
}

Properties environmentLayer(const std::map<std::string, std::string>& env) {
  Properties out;
  for (const auto& [var, key] : environmentKeys()) {
    auto it = env.find(var);
    if (it != env.end()) out[key] = it->second;
  }
  // P88_<SLUG>_BASE_URL
  for (const auto& [var, value] : env) {
    const std::string prefix = "P88_", suffix = "_BASE_URL";
    if (var.size() > prefix.size() + suffix.size() && var.rfind(prefix, 0) == 0 &&
        var.compare(var.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string slug = lower(var.substr(prefix.size(), var.size() - prefix.size() - suffix.size()));
      out["providers." + slug + ".base_url"] = value;
    }
  }
  return out;
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

Properties readPropertiesFile(const std::string& path) {
  std::ifstream probe(path);
  if (!probe) throw ConfigError("cannot read configuration file " + path);
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
        new Poco::Util::PropertyFileConfiguration(path));
    Properties out;
    std::vector<std::string> stack{""};
    // Walk the key tree: PropertyFileConfiguration exposes keys level by level.
    while (!stack.empty()) {
      std::string base = stack.back();
      stack.pop_back();
      Poco::Util::AbstractConfiguration::Keys keys;
      cfg->keys(base, keys);
      for (const auto& k : keys) {
        std::string full = base.empty() ? k : base + "." + k;
        if (cfg->hasOption(full)) out[full] = cfg->getRawString(full);
        stack.push_back(full);
      }
    }
    return out;
  } catch (const Poco::Exception& e) {
    throw ConfigError("cannot parse configuration file " + path + ": " + e.displayText());
  }
}

Settings resolveSettings(const std::vector<Properties>& layers) {
  Settings s;
  using Backend = store::DatabaseConfig::Backend;
  for (const Properties& layer : layers) {
    for (const auto& [k, v] : layer) s.merged[k] = v;
    if (layer.count("db.backend")) {
      const std::string b = lower(layer.at("db.backend"));
      if (b == "sqlite")
        s.database.backend = Backend::sqlite;
      else if (b == "postgresql" || b == "postgres")
        s.database.backend = Backend::postgresql;
      else
        throw ConfigError("db.backend: '" + layer.at("db.backend") +
                          "' is not a database backend (use sqlite or postgresql)");
    } else if ((layer.count("db.host") || layer.count("db.name"))) {
      s.database.backend = Backend::postgresql;
    } else if (layer.count("db.sqlite.path")) {
      s.database.backend = Backend::sqlite;
    }
  }
  auto get = [&](const std::string& key) -> const std::string* {
    auto it = s.merged.find(key);
    return it == s.merged.end() ? nullptr : &it->second;
  };
  if (auto v = get("db.sqlite.path")) {
    if (v->empty()) throw ConfigError("db.sqlite.path (P88_DB_PATH): empty path");
    s.database.sqlite_path = *v;
  }
  auto& pg = s.database.postgres;
  if (auto v = get("db.host")) pg.host = *v;
  if (auto v = get("db.port")) {
    integerIn("db.port (DB_PORT)", *v, 1, 65535);
    pg.port = *v;
  }
  if (auto v = get("db.name")) pg.dbname = *v;
  if (auto v = get("db.user")) pg.user = *v;
  if (auto v = get("db.password")) pg.password = *v;
  if (auto v = get("db.connect_timeout"))
    pg.connect_timeout_seconds = integerIn("db.connect_timeout", *v, 1, 600);
  if (auto v = get("db.statement_timeout"))
    pg.statement_timeout_ms = integerIn("db.statement_timeout", *v, 0, 86400) * 1000;
  if (auto v = get("log.dir")) s.log_dir = *v;
  if (auto v = get("log.level")) s.log_level = logLevel(*v);
  if (auto v = get("plugins.dirs")) s.plugin_dirs = splitList(*v);
  if (auto v = get("workers")) s.workers = integerIn("workers (--workers)", *v, 1, 256);
  if (auto v = get("secrets.key_file")) s.secret_key_file = *v;
  if (auto v = get("secrets.key")) s.secret_key = *v;
  return s;
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(":,", start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace p88::config
