#include <gtest/gtest.h>

#include <set>

#include "config/settings.h"
#include "engine/engine_config.h"

namespace p88::config {
namespace {

using Backend = store::DatabaseConfig::Backend;

TEST(Settings, DefaultsToSqliteInTheWorkingDirectoryAndThreeWorkers) {
  Settings s = resolveSettings({});
  EXPECT_EQ(s.database.backend, Backend::sqlite);
  EXPECT_EQ(s.database.sqlite_path, "p88.db");
  EXPECT_EQ(s.workers, 3);
  EXPECT_EQ(s.log_dir, "/var/log/project88");
}

TEST(Settings, LaterLayersWin) {
  Properties file = {{"db.host", "file-host"}, {"db.port", "5432"}, {"db.user", "file-user"}, {"workers", "2"}};
  Properties env = {{"db.host", "env-host"}, {"db.user", "env-user"}};
  Properties flags = {{"db.user", "flag-user"}};
  Settings s = resolveSettings({file, env, flags});
  EXPECT_EQ(s.database.backend, Backend::postgresql);
  EXPECT_EQ(s.database.postgres.host, "env-host");
  EXPECT_EQ(s.database.postgres.port, "5432");
  EXPECT_EQ(s.database.postgres.user, "flag-user");
  EXPECT_EQ(s.workers, 2);
}

TEST(Settings, TheSeedsEnvironmentVariablesMapToProperties) {
  Properties env = environmentLayer({{"DB_HOST", "db"}, {"DB_PORT", "6543"}, {"DB_NAME", "project88_myappdb"},
                                     {"DB_USER", "u"}, {"DB_PASSWORD", "p"}, {"LOG_LEVEL", "DEBUG"},
                                     {"P88_DB_PATH", "/x.db"}, {"P88_RUNSIGNUP_BASE_URL", "http://127.0.0.1:1/Rest"},
                                     {"UNRELATED", "x"}});
  EXPECT_EQ(env.at("db.host"), "db");
  EXPECT_EQ(env.at("db.port"), "6543");
  EXPECT_EQ(env.at("db.name"), "project88_myappdb");
  EXPECT_EQ(env.at("db.password"), "p");
  EXPECT_EQ(env.at("log.level"), "DEBUG");
  EXPECT_EQ(env.at("db.sqlite.path"), "/x.db");
  EXPECT_EQ(env.at("providers.runsignup.base_url"), "http://127.0.0.1:1/Rest");
  EXPECT_EQ(env.count("UNRELATED"), 0u);
  Settings s = resolveSettings({env});
  EXPECT_EQ(s.log_level, "debug");
  EXPECT_EQ(s.providerBaseUrl("runsignup"), "http://127.0.0.1:1/Rest");
  EXPECT_EQ(s.providerBaseUrl("haku"), "");
}

struct BackendCase {
  const char* name;
  std::vector<Properties> layers;
  Backend expected;
};

class BackendChoice : public ::testing::TestWithParam<BackendCase> {};

TEST_P(BackendChoice, FollowsTheHighestLayerThatSpeaks) {
  EXPECT_EQ(resolveSettings(GetParam().layers).database.backend, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BackendChoice,
    ::testing::Values(
        BackendCase{"nothing", {}, Backend::sqlite},
        BackendCase{"host", {{{"db.host", "h"}}}, Backend::postgresql},
        BackendCase{"name", {{{"db.name", "n"}}}, Backend::postgresql},
        BackendCase{"explicit", {{{"db.backend", "postgresql"}}}, Backend::postgresql},
        BackendCase{"file_pg_env_sqlite_path", {{{"db.host", "h"}}, {{"db.sqlite.path", "/x.db"}}}, Backend::sqlite},
        BackendCase{"file_sqlite_env_host", {{{"db.backend", "sqlite"}}, {{"db.host", "h"}}}, Backend::postgresql},
        BackendCase{"flag_forces_sqlite", {{{"db.host", "h"}}, {}, {{"db.backend", "sqlite"}}}, Backend::sqlite},
        BackendCase{"password_alone", {{{"db.password", "p"}}}, Backend::sqlite}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Settings, BadValuesNameTheKeyAndTheValue) {
  auto message = [](const Properties& p) {
    try {
      resolveSettings({p});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({{"db.port", "70000"}}), "db.port (DB_PORT): '70000' is not a whole number from 1 to 65535");
  EXPECT_EQ(message({{"workers", "three"}}), "workers (--workers): 'three' is not a whole number from 1 to 256");
  EXPECT_EQ(message({{"workers", "0"}}), "workers (--workers): '0' is not a whole number from 1 to 256");
  EXPECT_NE(message({{"log.level", "LOUD"}}).find("'LOUD' is not a log level"), std::string::npos);
  EXPECT_NE(message({{"db.backend", "oracle"}}).find("'oracle' is not a database backend"), std::string::npos);
}

TEST(Settings, PluginDirectoriesAreAList) {
  Settings s = resolveSettings({{{"plugins.dirs", "/a:/b,/c"}}});
  EXPECT_EQ(s.plugin_dirs, (std::vector<std::string>{"/a", "/b", "/c"}));
}

TEST(Settings, DescribingTheDatabaseNeverShowsThePassword) {
  Settings s = resolveSettings({{{"db.host", "db.example"}, {"db.port", "5433"}, {"db.name", "p88"},
                                 {"db.user", "p88"}, {"db.password", "hunter22"}}});
  EXPECT_EQ(s.database.describe(), "PostgreSQL database p88 on db.example:5433 as p88");
}

TEST(EngineSettings, StartListsFirstIsAListOfProviderSlugs) {
  EXPECT_EQ(engine::engineConfig({}).plan.start_lists_first, (std::set<std::string>{"haku"}));
  EXPECT_EQ(engine::engineConfig({{"plan.start_lists_first", "haku, runsignup"}}).plan.start_lists_first,
            (std::set<std::string>{"haku", "runsignup"}));
  EXPECT_TRUE(engine::engineConfig({{"plan.start_lists_first", ""}}).plan.start_lists_first.empty());
  try {
    engine::engineConfig({{"plan.start_lists_first", "Haku!"}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "plan.start_lists_first: 'Haku!' is not a provider slug (a-z, 0-9, _ and -) (got 'Haku!')");
  }
}

}  // namespace
}  // namespace p88::config
