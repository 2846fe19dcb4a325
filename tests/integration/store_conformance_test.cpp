// The store's conformance suite: every case runs against SQLite and against a real PostgreSQL
// (started by scripts/test.sh), and both must behave the same.
#include <gtest/gtest.h>

#include <functional>
#include <unordered_set>

#include "store/store.h"
#include "support/test_support.h"

namespace p88 {
namespace {

using Backend = store::DatabaseConfig::Backend;
using store::Batch;
using store::EventRecord;
using store::ParticipantRecord;
using store::SqlRows;

class StoreConformance : public test::BackendTest {
 protected:
  void SetUp() override {
    test::BackendTest::SetUp();
    if (IsSkipped()) return;
    store_->query("INSERT INTO timing_partners (timing_partner_id, company_name) VALUES (1, 'Acme Timing')");
  }

  std::string one(const std::string& sql, const store::SqlParams& params = {}) {
    SqlRows r = store_->query(sql, params);
    EXPECT_EQ(r.rows.size(), 1u) << sql;
    if (r.rows.empty() || r.rows[0].empty()) return "<no row>";
    return r.rows[0][0].value_or("<null>");
  }

  static ParticipantRecord participant(const std::string& id, const std::string& event = "100") {
    ParticipantRecord p;
    p.provider_participant_id = id;
    p.provider_event_id = event;
    p.first_name = "Ana";
    p.last_name = "Diaz";
    p.email = "ana" + id + "@example.com";
    p.gender = "F";
    p.gender_raw = "F";
    p.age = 35;
    p.bib = "10" + id;
    p.date_of_birth = "1990-04-02";
    p.registration_date = "2026-03-01T12:00:00Z";
    p.amount_paid_minor = 5775;
    p.currency = "USD";
    p.city = "Hartford";
    p.state = "CT";
    p.address_json = R"({"city":"Hartford","state":"CT"})";
    p.raw_json = R"({"registration_id":)" + id + R"(,"user":{"first_name":"Ana"}})";
    return p;
  }

  static EventRecord event(const std::string& id) {
    EventRecord e;
    e.provider_event_id = id;
    e.provider_race_id = "7";
    e.name = "5K";
    e.race_name = "Sample Race";
    e.start_time = "2026-05-10T13:00:00Z";
    e.time_zone = "America/Chicago";
    e.raw_json = R"({"event_id":)" + id + R"(,"volunteer":"F","require_dob":"T"})";
    return e;
  }

  Batch batch(const std::string& stream = "participants") {
    Batch b;
    b.key.timing_partner_id = 1;
    b.key.provider_id = 2;  // RunSignUp
    b.key.stream = stream;
    b.key.provider_event_id = stream == "events" ? "" : "100";
    return b;
  }

};

TEST_P(StoreConformance, MigrationsApplyOnceAndRecordTheSchemaVersion) {
  EXPECT_EQ(store_->schemaVersion(), 6);
  EXPECT_TRUE(store_->migrate().empty()) << "a second migrate must apply nothing";
  EXPECT_EQ(one("SELECT COUNT(*) FROM schema_migrations"), "6");
}

TEST_P(StoreConformance, RefusesADatabaseWithANewerSchema) {
  store_->query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from_the_future')");
  try {
    store_->migrate();
    FAIL() << "migrate accepted a schema newer than it knows";
  } catch (const store::SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos) << e.what();
  }
}

TEST_P(StoreConformance, SeedsTheFourProvidersUnderTheirSeedNamesAndOriginalIds) {
  SqlRows r = store_->query("SELECT provider_id, name, rate_limit_per_hour FROM providers ORDER BY provider_id");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0][0], "2");
  EXPECT_EQ(r.rows[0][1], "RunSignUp");
  EXPECT_EQ(r.rows[1][1], "Race Roster");
  EXPECT_EQ(r.rows[2][0], "5");
  EXPECT_EQ(r.rows[2][1], "Haku");
  EXPECT_EQ(r.rows[2][2], "500");
  EXPECT_EQ(r.rows[3][1], "Let's Do This");
}

TEST_P(StoreConformance, TheSeedsCredentialsInsertRunsVerbatim) {
  // From SEED.md, "Provider Credentials", unchanged.
  store_->query(R"(INSERT INTO partner_provider_credentials (
    timing_partner_id, provider_id, principal, secret
) VALUES (
    1, -- Your timing partner ID
    (SELECT provider_id FROM providers WHERE name = 'RunSignUp'),
    'your-api-key',
    'your-api-secret'
))");
  EXPECT_EQ(one("SELECT provider_id FROM partner_provider_credentials WHERE principal = 'your-api-key'"), "2");
  // Several credentials per partner and provider are allowed.
  store_->query("INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal, secret) "
                "VALUES (1, 2, 'second-key', 'second-secret')");
  EXPECT_EQ(one("SELECT COUNT(*) FROM partner_provider_credentials WHERE timing_partner_id = 1 AND provider_id = 2"), "2");
}

TEST_P(StoreConformance, TheSeedsMonitoringQueriesRunVerbatim) {
  store_->query("INSERT INTO sync_queue (timing_partner_id, provider_id, event_id, operation_type, status) VALUES "
                "(1, 2, '100', 'participants', 'pending'), (1, 2, '101', 'participants', 'pending'), "
                "(1, 5, NULL, 'events', 'completed')");
  store_->query("INSERT INTO sync_history (timing_partner_id, provider_id, event_id, operation_type, status, "
                "num_of_synced_records, sync_time) VALUES "
                "(1, 2, '100', 'participants', 'success', 42, '2026-11-01 10:00:00'), "
                "(1, 5, NULL, 'events', 'failed', 0, '2026-11-01 11:00:00')");
  // From SEED.md, "Database Monitoring", unchanged.
  SqlRows queue = store_->query(test::kSeedQueueStatusQuery);
  ASSERT_EQ(queue.columns, (std::vector<std::string>{"provider", "operation_type", "status", "count"}));
  ASSERT_EQ(queue.rows.size(), 2u);
  for (const auto& row : queue.rows) {
    if (row[0] == "RunSignUp") {
      EXPECT_EQ(row[2], "pending");
      EXPECT_EQ(row[3], "2");
    } else {
      EXPECT_EQ(row[0], "Haku");
      EXPECT_EQ(row[3], "1");
    }
  }
  SqlRows history = store_->query(test::kSeedRecentHistoryQuery);
  ASSERT_EQ(history.rows.size(), 2u);
  EXPECT_EQ(history.rows[0][1], "Haku") << "newest first";
  EXPECT_EQ(history.rows[1][4], "42");
}

TEST_P(StoreConformance, WritesABatchThenFindsItUnchangedThenUpdated) {
  Batch b = batch();
  for (int i = 1; i <= 50; ++i) b.participants.push_back(participant(std::to_string(i)));
  b.cursor = "1700000000";
  store::WriteResult first = store_->writeBatch(b);
  EXPECT_EQ(first.inserted, 50u);
  EXPECT_EQ(first.updated, 0u);
  EXPECT_TRUE(first.rejected.empty());

  store::WriteResult again = store_->writeBatch(b);
  EXPECT_EQ(again.unchanged, 50u) << "a replayed page changes nothing";
  EXPECT_EQ(again.inserted + again.updated, 0u);
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants"), "50");

  b.participants[4].bib = "999";
  store::WriteResult changed = store_->writeBatch(b);
  EXPECT_EQ(changed.updated, 1u);
  EXPECT_EQ(changed.unchanged, 49u);
  EXPECT_EQ(one("SELECT bib FROM participants WHERE provider_participant_id = '5'"), "999");
  EXPECT_EQ(one("SELECT revision FROM participants WHERE provider_participant_id = '5'"), "2");
}

TEST_P(StoreConformance, StoresEveryNormalizedFieldAsGiven) {
  Batch b = batch();
  ParticipantRecord p = participant("77");
  p.middle_name = "Q";
  p.phone = "+1 (555) 010-0000 ext. 12345678901234567890";  // longer than the original VARCHAR(20)
  p.chip = "CHIP-1";
  p.team_name = "Hartford Harriers";
  p.division = "F35-39";
  p.provider_person_id = "123123123";
  p.answers_json = R"([{"question":"T-shirt","answer":"M"}])";
  p.emergency_contact_json = R"({"name":"Bob","phone":"555-0101"})";
  p.last_modified = "2026-03-05T08:00:00+02:00";
  b.participants.push_back(p);
  ASSERT_TRUE(store_->writeBatch(b).rejected.empty());
  SqlRows r = store_->query(
      "SELECT first_name, middle_name, last_name, email, phone, gender, gender_raw, age, bib, chip, "
      "team_name, division, status, amount_paid_minor, currency, city, state, provider_person_id "
      "FROM participants WHERE provider_participant_id = '77'");
  ASSERT_EQ(r.rows.size(), 1u);
  std::vector<store::SqlValue> expected = {"Ana", "Q", "Diaz", "ana77@example.com", *p.phone, "F", "F",
                                           "35", "1077", "CHIP-1", "Hartford Harriers", "F35-39", "active",
                                           "5775", "USD", "Hartford", "CT", "123123123"};
  EXPECT_EQ(r.rows[0], expected);
  // Dates: stored as instants in UTC.
  EXPECT_EQ(one("SELECT CAST(date_of_birth AS TEXT) FROM participants"), "1990-04-02");
  std::string modified = one("SELECT CAST(last_modified AS TEXT) FROM participants");
  EXPECT_EQ(modified.substr(0, 19), "2026-03-05 06:00:00") << modified;
}

TEST_P(StoreConformance, KeepsUnicodeQuotesAndLongValuesExactly) {
  Batch b = batch();
  ParticipantRecord p = participant("8");
  p.first_name = "Zoë-José 🏃‍♀️";
  p.last_name = "O'Brien \"The Rocket\" \\ back\tslash";
  p.team_name = std::string(10000, 'x');
  p.bib = "";  // an empty bib is a value, not NULL
  b.participants.push_back(p);
  ASSERT_TRUE(store_->writeBatch(b).rejected.empty());
  EXPECT_EQ(one("SELECT first_name FROM participants"), *p.first_name);
  EXPECT_EQ(one("SELECT last_name FROM participants"), *p.last_name);
  EXPECT_EQ(one("SELECT team_name FROM participants"), *p.team_name);
  EXPECT_EQ(one("SELECT bib FROM participants"), "");
}

TEST_P(StoreConformance, RejectsABadRecordByFieldAndWritesTheRest) {
  Batch b = batch();
  b.participants.push_back(participant("1"));
  ParticipantRecord bad_date = participant("2");
  bad_date.date_of_birth = "1990-02-30";
  b.participants.push_back(bad_date);
  ParticipantRecord bad_json = participant("3");
  bad_json.raw_json = "{\"truncated\":";
  b.participants.push_back(bad_json);
  ParticipantRecord no_id = participant("");
  b.participants.push_back(no_id);
  ParticipantRecord bad_status = participant("5");
  bad_status.status = "vanished";
  b.participants.push_back(bad_status);
  b.participants.push_back(participant("6"));
  store::WriteResult r = store_->writeBatch(b);
  EXPECT_EQ(r.inserted, 3u);
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].record_id, "3");
  EXPECT_NE(r.rejected[0].reason.find("raw_json"), std::string::npos) << r.rejected[0].reason;
  EXPECT_NE(r.rejected[1].reason.find("provider_participant_id"), std::string::npos);
  EXPECT_NE(r.rejected[2].reason.find("status"), std::string::npos);
  // A date that does not exist costs the date, not the registration.
  ASSERT_EQ(r.repaired.size(), 1u);
  EXPECT_EQ(r.repaired[0].record_id, "2");
  EXPECT_EQ(r.repaired[0].reason, "date_of_birth: '1990-02-30' is not a date (YYYY-MM-DD): stored as NULL");
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants"), "3");
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants WHERE provider_participant_id = '2' AND date_of_birth IS NULL"), "1");
}

TEST_P(StoreConformance, ARecordTheDatabaseRefusesIsSkippedNotTheBatch) {
  // An operator's own rule, enforced by the database itself: the writer cannot know it in advance.
  if (GetParam() == Backend::postgresql) {
    store_->connection().script(
        "CREATE FUNCTION refuse_bib() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.bib = 'REFUSE' THEN RAISE EXCEPTION 'bib REFUSE is reserved' USING ERRCODE = 'check_violation'; "
        "END IF; RETURN NEW; END $$; "
        "CREATE TRIGGER refuse_bib BEFORE INSERT OR UPDATE ON participants FOR EACH ROW EXECUTE FUNCTION refuse_bib();");
  } else {
    store_->connection().script(
        "CREATE TRIGGER refuse_bib BEFORE INSERT ON participants WHEN NEW.bib = 'REFUSE' "
        "BEGIN SELECT RAISE(ABORT, 'bib REFUSE is reserved'); END;");
  }
  Batch b = batch();
  for (int i = 1; i <= 40; ++i) {
    ParticipantRecord p = participant(std::to_string(i));
    if (i == 7 || i == 31) p.bib = "REFUSE";
    b.participants.push_back(p);
  }
  b.cursor = "after-refusals";
  store::WriteResult r = store_->writeBatch(b);
  EXPECT_EQ(r.inserted, 38u);
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].record_id, "7");
  EXPECT_EQ(r.rejected[1].record_id, "31");
  EXPECT_NE(r.rejected[0].reason.find("bib REFUSE is reserved"), std::string::npos) << r.rejected[0].reason;
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants"), "38");
  EXPECT_EQ(store_->loadCursor(b.key).value_or(""), "after-refusals");
}

// A database fault is nobody's record's fault: the batch fails whole, its cursor with it, and the
// same batch written again once the fault clears stores everything.
void expectTheBatchFailsWholeThenSucceeds(store::Store& store, const Batch& b, store::SqlErrorKind expected,
                                          const std::function<void()>& clear_fault) {
  try {
    store.writeBatch(b);
    ADD_FAILURE() << "the faulty write succeeded";
  } catch (const store::SqlError& e) {
    EXPECT_EQ(e.kind(), expected) << e.what();
  }
  EXPECT_EQ(store.query("SELECT COUNT(*) FROM participants").rows.at(0).at(0).value_or(""), "0")
      << "a record of the failed batch was written";
  EXPECT_EQ(store.loadCursor(b.key).value_or("<none>"), "before") << "the cursor moved past a failed batch";
  clear_fault();
  store::WriteResult r = store.writeBatch(b);
  EXPECT_EQ(r.inserted, b.participants.size());
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(store.loadCursor(b.key).value_or(""), "after");
}

TEST_P(StoreConformance, ADatabaseFaultFailsTheWholeBatchAndKeepsTheCursor) {
  Batch first = batch();
  first.cursor = "before";
  store_->writeBatch(first);
  Batch b = batch();
  for (int i = 1; i <= 300; ++i) {
    ParticipantRecord p = participant(std::to_string(i));
    p.raw_json += std::string(2000, ' ');  // pages' worth of data
    b.participants.push_back(p);
  }
  b.cursor = "after";
  if (GetParam() == Backend::sqlite) {
    // The database is full (as a full disk is, SQLITE_FULL): no more pages than it has now.
    const std::string pages = store_->query("PRAGMA page_count").rows.at(0).at(0).value_or("0");
    store_->query("PRAGMA max_page_count = " + pages);
    expectTheBatchFailsWholeThenSucceeds(*store_, b, store::SqlErrorKind::resource,
                                         [&] { store_->query("PRAGMA max_page_count = 1073741823"); });
  } else {
    // A deadlock the first time the table is written (a sequence is not rolled back with it).
    store_->connection().script(
        "CREATE SEQUENCE deadlock_once; "
        "CREATE FUNCTION deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF nextval('deadlock_once') = 1 THEN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; "
        "END IF; RETURN NEW; END $$; "
        "CREATE TRIGGER deadlock_once BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION deadlock_once();");
    expectTheBatchFailsWholeThenSucceeds(*store_, b, store::SqlErrorKind::transient, [] {});
  }
}

TEST_P(StoreConformance, AStatementTimeoutFailsTheBatchNotARecord) {
  if (GetParam() == Backend::sqlite) GTEST_SKIP() << "PostgreSQL's statement_timeout";
  Batch first = batch();
  first.cursor = "before";
  store_->writeBatch(first);
  store_->connection().script(
      "CREATE SEQUENCE slow_once; "
      "CREATE FUNCTION slow_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF nextval('slow_once') = 1 THEN PERFORM pg_sleep(3); END IF; RETURN NEW; END $$; "
      "CREATE TRIGGER slow_once BEFORE INSERT ON participants FOR EACH ROW EXECUTE FUNCTION slow_once(); "
      "SET statement_timeout = 500");
  Batch b = batch();
  for (int i = 1; i <= 20; ++i) b.participants.push_back(participant(std::to_string(i)));
  b.cursor = "after";
  expectTheBatchFailsWholeThenSucceeds(*store_, b, store::SqlErrorKind::transient, [] {});
}

TEST_P(StoreConformance, AVanishedRegistrationIsMarkedRemovedAndRestoredWhenItReturns) {
  Batch b = batch();
  for (int i = 1; i <= 10; ++i) b.participants.push_back(participant(std::to_string(i)));
  store_->writeBatch(b);
  std::unordered_set<std::string> seen;
  for (int i = 1; i <= 9; ++i) seen.insert(std::to_string(i));
  auto v = store_->markVanished(b.key, seen, 0.2);
  EXPECT_EQ(v.stored, 10u);
  EXPECT_EQ(v.marked, 1u);
  EXPECT_FALSE(v.guarded);
  EXPECT_EQ(one("SELECT status || '/' || removal_reason FROM participants WHERE provider_participant_id = '10'"),
            "removed/vanished");
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants"), "10") << "never deleted";
  EXPECT_EQ(store_->markVanished(b.key, seen, 0.2).marked, 0u) << "marked once";
  // It comes back unchanged: restored, active again, no longer vanished.
  Batch again = batch();
  again.participants.push_back(participant("10"));
  EXPECT_EQ(store_->writeBatch(again).updated, 1u);
  EXPECT_EQ(one("SELECT status || '/' || COALESCE(removal_reason, 'none') FROM participants WHERE "
                "provider_participant_id = '10'"),
            "active/none");
  // Three of ten missing is more than a fifth: nothing is marked.
  seen.erase("1");
  seen.erase("2");
  seen.erase("10");
  v = store_->markVanished(b.key, seen, 0.2);
  EXPECT_TRUE(v.guarded);
  EXPECT_EQ(v.missing, 3u);
  EXPECT_EQ(v.marked, 0u);
  EXPECT_EQ(one("SELECT COUNT(*) FROM participants WHERE removal_reason IS NOT NULL"), "0");
}

TEST_P(StoreConformance, ARepeatedRecordInOneBatchKeepsTheLastOccurrence) {
  Batch b = batch();
  ParticipantRecord a = participant("1");
  ParticipantRecord a2 = participant("1");
  a2.bib = "LATEST";
  b.participants = {a, participant("2"), a2};
  store::WriteResult r = store_->writeBatch(b);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(one("SELECT bib FROM participants WHERE provider_participant_id = '1'"), "LATEST");
}

TEST_P(StoreConformance, ARemovalNoticeChangesStatusAndKeepsTheRestOfTheRecord) {
  Batch b = batch();
  b.participants.push_back(participant("1"));
  store_->writeBatch(b);
  ParticipantRecord removal;
  removal.provider_participant_id = "1";
  removal.provider_event_id = "100";
  removal.status = "transferred";
  removal.new_registration_id = "2650001";
  removal.raw_json = R"({"registration_id":1,"removed_reason":"transferred","new_registration_id":2650001})";
  removal.status_only = true;
  Batch r = batch("removed_participants");
  r.participants.push_back(removal);
  EXPECT_EQ(store_->writeBatch(r).updated, 1u);
  SqlRows row = store_->query("SELECT status, new_registration_id, first_name, bib FROM participants");
  ASSERT_EQ(row.rows.size(), 1u);
  EXPECT_EQ(row.rows[0], (std::vector<store::SqlValue>{"transferred", "2650001", "Ana", "101"}));
  EXPECT_EQ(store_->writeBatch(r).unchanged, 1u) << "the same notice again changes nothing";
  // A notice that carries the email (RunSignUp's removed list does) brings it up to date; what it
  // does not carry is kept.
  removal.email = "changed@example.com";
  Batch r2 = batch("removed_participants");
  r2.participants.push_back(removal);
  EXPECT_EQ(store_->writeBatch(r2).updated, 1u);
  row = store_->query("SELECT email, first_name, bib FROM participants");
  EXPECT_EQ(row.rows[0], (std::vector<store::SqlValue>{"changed@example.com", "Ana", "101"}));
}

TEST_P(StoreConformance, TheCursorIsCommittedWithItsRecords) {
  Batch b = batch();
  EXPECT_FALSE(store_->loadCursor(b.key).has_value());
  b.participants.push_back(participant("1"));
  b.cursor = "c1";
  store_->writeBatch(b);
  EXPECT_EQ(store_->loadCursor(b.key).value_or(""), "c1");
  Batch c = batch();
  c.cursor = "c2";
  store_->writeBatch(c);
  EXPECT_EQ(store_->loadCursor(b.key).value_or(""), "c2");
  store::StreamKey other = b.key;
  other.provider_event_id = "101";
  EXPECT_FALSE(store_->loadCursor(other).has_value()) << "cursors are per stream and event";
}

TEST_P(StoreConformance, CompatibilityViewsShowTheRecordsUnderTheOriginalNames) {
  Batch e = batch("events");
  e.events.push_back(event("100"));
  store_->writeBatch(e);
  Batch b = batch();
  b.participants.push_back(participant("2645624"));
  store_->writeBatch(b);
  SqlRows rsu = store_->query(
      "SELECT race_id, event_id, registration_id, first_name, bib_num, gender, dob FROM runsignup_participants");
  ASSERT_EQ(rsu.rows.size(), 1u);
  EXPECT_EQ(rsu.rows[0], (std::vector<store::SqlValue>{"7", "100", "2645624", "Ana", "102645624", "F", "1990-04-02"}));
  EXPECT_EQ(one("SELECT name FROM runsignup_events WHERE event_id = 100"), "5K");
  EXPECT_EQ(one("SELECT CAST(require_dob AS TEXT) FROM runsignup_events"),
            GetParam() == Backend::postgresql ? "true" : "1");
  EXPECT_EQ(one("SELECT event_name FROM unified_events WHERE source_provider = 'runsignup'"), "5K");
  EXPECT_EQ(one("SELECT city FROM unified_participants WHERE source_provider = 'runsignup'"), "Hartford");
  for (const char* view : {"raceroster_events", "raceroster_participants", "haku_events", "haku_participants",
                           "letsdothis_events", "letsdothis_participants"})
    EXPECT_EQ(one(std::string("SELECT COUNT(*) FROM ") + view), "0") << view;
}

TEST_P(StoreConformance, APluginRegistersItsProviderOnce) {
  store::ProviderRegistration reg{"Test Provider", "test_provider", "https://example.invalid", 750, "1.0", "/x/test.so"};
  int64_t id = store_->registerProvider(reg);
  EXPECT_GE(id, 100) << "new providers do not collide with the original deployment's ids";
  reg.plugin_version = "1.1";
  EXPECT_EQ(store_->registerProvider(reg), id);
  EXPECT_EQ(one("SELECT plugin_version FROM providers WHERE provider_id = $1", {std::to_string(id)}), "1.1");
  // A bundled provider keeps its seeded id and its operator-set rate limit.
  store_->query("UPDATE providers SET rate_limit_per_hour = 900 WHERE name = 'RunSignUp'");
  EXPECT_EQ(store_->registerProvider({"RunSignUp", "runsignup", "https://runsignup.com/Rest", 1000, "1.0", "/x/rsu.so"}), 2);
  EXPECT_EQ(one("SELECT rate_limit_per_hour FROM providers WHERE name = 'RunSignUp'"), "900");
  try {
    store_->registerProvider({"Impostor", "runsignup", "", 1, "1", "/x/i.so"});
    FAIL() << "a second provider took the slug runsignup";
  } catch (const store::SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("already used by provider 'RunSignUp'"), std::string::npos) << e.what();
  }
}

TEST_P(StoreConformance, AtMostOneActiveJobPerStream) {
  const std::string insert =
      "INSERT INTO sync_queue (timing_partner_id, provider_id, event_id, operation_type, status) "
      "VALUES (1, 2, '100', 'participants', 'pending') ON CONFLICT DO NOTHING";
  EXPECT_EQ(store_->query(insert).affected, 1u);
  EXPECT_EQ(store_->query(insert).affected, 0u);
  store_->query("UPDATE sync_queue SET status = 'completed'");
  EXPECT_EQ(store_->query(insert).affected, 1u) << "a finished job does not block the next";
}

TEST_P(StoreConformance, AFiveThousandRecordBatchIsWrittenWhole) {
  Batch b = batch();
  for (int i = 0; i < 5000; ++i) b.participants.push_back(participant(std::to_string(100000 + i)));
  store::WriteResult r = store_->writeBatch(b);
  EXPECT_EQ(r.inserted, 5000u);
  EXPECT_EQ(one("SELECT COUNT(DISTINCT provider_participant_id) FROM participants"), "5000");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& info) {
                           return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
                         });

}  // namespace
}  // namespace p88
