// The PostgreSQL writer's promise: a batch is never one round trip per row. Counted by the server
// itself (pg_stat_statements, loaded by scripts/with-postgres.sh).
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/test_support.h"

namespace p88 {
namespace {

class PostgresWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::postgresAvailable()) GTEST_SKIP() << "no PostgreSQL for tests";
    db_ = std::make_unique<test::TestDatabase>(store::DatabaseConfig::Backend::postgresql);
    store_ = db_->open();
    store_->migrate();
    store_->query("INSERT INTO timing_partners (timing_partner_id, company_name) VALUES (1, 'Acme')");
    store_->query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  store::Batch batch(int n) {
    store::Batch b;
    b.key = {1, 2, 0, "participants", "100"};
    for (int i = 0; i < n; ++i) {
      store::ParticipantRecord p;
      p.provider_participant_id = std::to_string(i);
      p.provider_event_id = "100";
      p.first_name = "Runner " + std::to_string(i);
      p.raw_json = "{\"id\":" + std::to_string(i) + "}";
      b.participants.push_back(p);
    }
    b.cursor = "cursor";
    return b;
  }

  // Statements the server ran for this database since the last reset.
  long statementsSinceReset() {
    auto r = store_->query(
        "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements WHERE dbid = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND query NOT LIKE '%pg_stat_statements%'");
    return std::stol(r.rows.at(0).at(0).value());
  }

  void reset() { store_->query("SELECT pg_stat_statements_reset()"); }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(PostgresWriter, WritesTwoThousandRecordsInAHandfulOfStatements) {
  store::Batch b = batch(2000);
  reset();
  store::WriteResult r = store_->writeBatch(b);
  long statements = statementsSinceReset();
  EXPECT_EQ(r.inserted, 2000u);
  EXPECT_LE(statements, 12) << "a round trip per row would be 2000";
}

TEST_F(PostgresWriter, IsolatesARefusedRowInLogarithmicallyManyStatements) {
  store_->connection().script(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.provider_participant_id = '1234' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$; "
      "CREATE TRIGGER refuse BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION refuse();");
  store::Batch b = batch(2000);
  reset();
  store::WriteResult r = store_->writeBatch(b);
  long statements = statementsSinceReset();
  EXPECT_EQ(r.inserted, 1999u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].record_id, "1234");
  EXPECT_LE(statements, 120) << "bisecting 2000 rows takes about 2 log2(2000) attempts";
}

}  // namespace
}  // namespace p88
