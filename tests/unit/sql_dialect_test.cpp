#include <gtest/gtest.h>

#include "store/sql_dialect.h"

namespace p88::store {
namespace {

TEST(SqlDialect, FillsTokensPerBackend) {
  const std::string sql = "CREATE TABLE t (id {{serial_pk}}, at {{timestamp}}, j {{json}} {{json_check(j)}})";
  EXPECT_EQ(renderForDialect(sql, Dialect::postgresql), "CREATE TABLE t (id SERIAL PRIMARY KEY, at TIMESTAMPTZ, j JSONB )");
  EXPECT_EQ(renderForDialect(sql, Dialect::sqlite),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, j TEXT CHECK (j IS NULL OR json_valid(j)))");
}

TEST(SqlDialect, ReservesIdsTheBackendsWay) {
  EXPECT_EQ(renderForDialect("{{reserve_ids(providers, provider_id, 100)}}", Dialect::postgresql),
            "SELECT setval(pg_get_serial_sequence('providers', 'provider_id'), 100, false)");
  EXPECT_EQ(renderForDialect("{{reserve_ids(providers, provider_id, 100)}}", Dialect::sqlite),
            "UPDATE sqlite_sequence SET seq = 99 WHERE name = 'providers'");
}

TEST(SqlDialect, RefusesUnknownAndMalformedTokens) {
  EXPECT_THROW(renderForDialect("{{serial}}", Dialect::sqlite), std::invalid_argument);
  EXPECT_THROW(renderForDialect("{{json_check()}}", Dialect::sqlite), std::invalid_argument);
  EXPECT_THROW(renderForDialect("SELECT {{timestamp", Dialect::sqlite), std::invalid_argument);
}

TEST(SqlDialect, LeavesPlainSqlAlone) {
  EXPECT_EQ(renderForDialect("SELECT '{\"a\":1}'", Dialect::postgresql), "SELECT '{\"a\":1}'");
}

}  // namespace
}  // namespace p88::store
