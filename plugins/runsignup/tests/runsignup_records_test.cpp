// RunSignUp parsing on real-shaped and hostile fixture files (plugins/runsignup/fixtures).
#include "runsignup_records.h"

#include "../../plugin_test_support.h"

namespace {

using p88::json;
using p88::testing::describe;
using p88::testing::fixture;
using p88::testing::fixture_text;
using p88::testing::has_issue;

TEST(RunSignUpRaces, RacesExpandToEventsInTheRaceZone) {
  auto page = runsignup::parse_races(fixture("races.json"));
  EXPECT_EQ(page.races, 2u);
  ASSERT_EQ(page.events.size(), 3u) << describe(page.issues);
  const auto& e1 = page.events[0];
  EXPECT_EQ(e1.provider_event_id, "1");
  EXPECT_EQ(e1.provider_race_id, "1");
  EXPECT_EQ(e1.name, "5K");
  EXPECT_EQ(e1.race_name, "Sample Race");
  EXPECT_EQ(e1.start_time, "2019-03-20T14:00:00Z");  // 09:00 CDT
  EXPECT_EQ(e1.end_time, std::nullopt);
  EXPECT_EQ(e1.time_zone, "America/Chicago");
  EXPECT_EQ(e1.registration_opens, "2018-12-10T13:00:00Z");
  EXPECT_EQ(e1.registration_closes, "2018-01-20T07:59:00Z");
  EXPECT_EQ(e1.last_modified, "2019-01-11T06:58:00Z");  // US Eastern
  EXPECT_EQ(e1.city, "DE");
  EXPECT_EQ(e1.country, "US");
  EXPECT_EQ(e1.status, "active");
  EXPECT_EQ(json::parse(e1.raw_json)["event"]["event_id"], 1);
  EXPECT_FALSE(json::parse(e1.raw_json)["race"].contains("events"));
  // 01:30 on the night clocks fall back happens twice: the earlier (CDT) instant.
  EXPECT_EQ(page.events[1].start_time, "2019-11-03T06:30:00Z");
  EXPECT_EQ(page.events[1].end_time, "2019-11-03T09:00:00Z");
  // An unknown zone is reported and US Eastern assumed, as RunSignUp documents.
  const auto& draft = page.events[2];
  EXPECT_EQ(draft.provider_race_id, "77");
  EXPECT_EQ(draft.status, "draft");
  EXPECT_EQ(draft.time_zone, "America/New_York");
  EXPECT_EQ(draft.start_time, "2026-07-04T12:00:00Z");
  EXPECT_TRUE(has_issue(page.issues, "race 77", "timezone")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "event ?", "event_id")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "race 77", "events")) << describe(page.issues);
}

TEST(RunSignUpParticipants, DocumentedRowNormalizes) {
  auto page = runsignup::parse_participants(fixture("participants.json"), "12890", std::string("5K"));
  ASSERT_EQ(page.records.size(), 2u) << describe(page.issues);
  EXPECT_TRUE(page.issues.empty()) << describe(page.issues);
  EXPECT_EQ(page.rows, 2u);
  const auto& p = page.records[0];
  EXPECT_EQ(p.provider_participant_id, "2645624");
  EXPECT_EQ(p.provider_event_id, "12890");
  EXPECT_EQ(p.provider_person_id, "123123123");
  EXPECT_EQ(p.first_name, "Margie");
  EXPECT_EQ(p.middle_name, std::nullopt);
  EXPECT_EQ(p.last_name, "Stephens");
  EXPECT_EQ(p.email, "margie.stephens@example.com");
  EXPECT_EQ(p.phone, "856-850-1510");
  EXPECT_EQ(p.date_of_birth, "1986-01-06");
  EXPECT_EQ(p.gender, "F");
  EXPECT_EQ(p.gender_raw, "F");
  EXPECT_EQ(p.age, 35);
  EXPECT_EQ(p.bib, std::nullopt);
  EXPECT_EQ(p.division, "5K");
  EXPECT_EQ(p.registration_date, "2021-09-07T19:15:00Z");  // 15:15 EDT
  EXPECT_EQ(p.status, "active");
  EXPECT_EQ(p.amount_paid_minor, 5775);
  EXPECT_EQ(p.currency, "USD");
  EXPECT_EQ(p.city, "Moorestown");
  EXPECT_EQ(p.state, "NJ");
  EXPECT_EQ(p.country, "US");
  EXPECT_EQ(json::parse(*p.address_json)["zipcode"], "08057");
  EXPECT_EQ(json::parse(*p.answers_json),
            json::parse(R"([{"question_id":"2","question":"Emergency Contact Name","answer":"Dad"}])"));
  EXPECT_EQ(p.last_modified, "2021-09-07T19:15:22Z");
  EXPECT_EQ(json::parse(p.raw_json)["transaction_id"], "ay_852631042119552C_0");
  EXPECT_FALSE(p.status_only);

  const auto& q = page.records[1];
  EXPECT_EQ(q.provider_participant_id, "2645625");  // a string id is fine too
  EXPECT_EQ(q.first_name, "Łukasz");
  EXPECT_EQ(q.last_name, "O'Brien \"Speedy\" 名前 🏃");
  EXPECT_EQ(q.gender, "U");
  EXPECT_EQ(q.gender_raw, std::nullopt);
  EXPECT_EQ(q.bib, "1042");  // a number becomes text
  EXPECT_EQ(q.age, 41);      // a string of digits is an age
  EXPECT_EQ(q.registration_date, "2022-01-01T04:59:00Z");
  EXPECT_EQ(q.amount_paid_minor, 123450);
  EXPECT_EQ(q.city, std::nullopt);
  EXPECT_EQ(q.address_json, std::nullopt);
  EXPECT_EQ(p88::testing::newest_of(page.records), p88::time::format_unix(1631042999));
}

TEST(RunSignUpParticipants, HostileRowsAreReportedAndTheRestKept) {
  auto page = runsignup::parse_participants(fixture("participants_hostile.json"), "12890", std::nullopt);
  EXPECT_EQ(page.rows, 6u);
  ASSERT_EQ(page.records.size(), 3u) << describe(page.issues);
  // Nulls everywhere: a record of nulls, the event id from the request.
  const auto& nulls = page.records[0];
  EXPECT_EQ(nulls.provider_event_id, "12890");
  EXPECT_EQ(nulls.first_name, std::nullopt);
  EXPECT_EQ(nulls.age, std::nullopt);
  EXPECT_EQ(nulls.amount_paid_minor, std::nullopt);
  EXPECT_EQ(nulls.gender, "U");
  EXPECT_FALSE(has_issue(page.issues, "1", "age"));
  // Wrong types: the field is null, the record stays, the issue names the field.
  const auto& wrong = page.records[1];
  EXPECT_EQ(wrong.age, std::nullopt);
  EXPECT_EQ(wrong.registration_date, std::nullopt);
  EXPECT_EQ(wrong.last_modified, std::nullopt);
  EXPECT_EQ(wrong.amount_paid_minor, std::nullopt);
  EXPECT_EQ(wrong.bib, std::nullopt);
  for (const char* field : {"user", "age", "registration_date", "last_modified", "amount_paid", "bib_num",
                            "question_responses"})
    EXPECT_TRUE(has_issue(page.issues, "2", field)) << field << "\n" << describe(page.issues);
  const auto& odd = page.records[2];
  EXPECT_EQ(odd.first_name, "42");
  EXPECT_EQ(odd.last_name, std::nullopt);
  EXPECT_EQ(odd.date_of_birth, std::nullopt);
  EXPECT_EQ(odd.gender, "U");
  EXPECT_EQ(odd.gender_raw, "Q");
  for (const char* field : {"user.last_name", "user.dob", "age"})
    EXPECT_TRUE(has_issue(page.issues, "3", field)) << field << "\n" << describe(page.issues);
  // Rows without a usable id are skipped, each with an issue.
  EXPECT_EQ(std::count_if(page.issues.begin(), page.issues.end(),
                          [](const auto& i) { return i.field == "registration_id" || i.field == "(row)"; }),
            3);
}

TEST(RunSignUpParticipants, EnvelopeVariants) {
  // The documentation page's lone object, rows inside "event".
  auto lone = runsignup::parse_participants(fixture("participants_variants.json"), "12890", std::nullopt);
  ASSERT_EQ(lone.records.size(), 1u);
  EXPECT_EQ(lone.records[0].first_name, "Lone");
  // The element for our event has no "participants" key: nothing, and never another event's rows.
  auto other = runsignup::parse_participants(fixture("participants_other_event.json"), "12890", std::nullopt);
  EXPECT_EQ(other.records.size(), 0u);
  EXPECT_EQ(other.rows, 0u);
  // An empty page.
  EXPECT_EQ(runsignup::parse_participants(fixture("empty.json"), "12890", std::nullopt).rows, 0u);
  EXPECT_EQ(runsignup::parse_removed(fixture("empty.json"), "12890").rows, 0u);
}

TEST(RunSignUpRemoved, RemovalsAndTransfersAreStatusChanges) {
  auto page = runsignup::parse_removed(fixture("removed.json"), "12890");
  ASSERT_EQ(page.records.size(), 3u) << describe(page.issues);
  const auto& t = page.records[0];
  EXPECT_TRUE(t.status_only);
  EXPECT_EQ(t.status, "transferred");
  EXPECT_EQ(t.new_registration_id, "2650001");
  EXPECT_EQ(t.provider_person_id, "123123123");
  EXPECT_EQ(t.registration_date, "2021-09-07T19:20:36Z");
  EXPECT_EQ(t.last_modified, "2021-09-23T13:54:37Z");
  EXPECT_EQ(page.records[1].status, "removed");  // "cleared"
  EXPECT_EQ(page.records[1].last_modified, "2021-11-07T05:30:00Z");  // from the Eastern text
  EXPECT_EQ(page.records[2].status, "deferred");
  EXPECT_EQ(p88::testing::newest_of(page.records), "2021-11-07T05:30:00Z");
}

TEST(RunSignUpErrors, ErrorBodiesBecomeStatuses) {
  try {
    runsignup::check_error(fixture("error_throttled.json"), "GET /races");
    FAIL() << "no error";
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::throttled);
    EXPECT_GT(e.retry_after_seconds(), 0);
    EXPECT_NE(std::string(e.what()).find("GET /races"), std::string::npos);
  }
  try {
    runsignup::check_error(fixture("error_in_array.json"), "GET /races");
    FAIL() << "no error";
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::auth);
  }
  EXPECT_NO_THROW(runsignup::check_error(fixture("participants.json"), "x"));
}

TEST(RunSignUpErrors, MalformedPageIsRetryableAndNamesTheCall) {
  try {
    p88::parse_page(fixture_text("malformed.json"), "GET /race/1/participants page 3");
    FAIL() << "parsed";
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::transient);
    EXPECT_NE(std::string(e.what()).find("GET /race/1/participants page 3"), std::string::npos);
  }
}

TEST(RunSignUpParticipants, FiveMegabytePage) {
  json row = fixture("participants.json")[0]["participants"][0];
  row["user"]["last_name"] = std::string(1500, 'x');
  json page = json::array({{{"event", {{"event_id", 12890}, {"participants", json::array()}}},
                            {"participants", json::array()}}});
  for (int i = 0; i < 2500; ++i) {
    row["registration_id"] = 1000000 + i;
    page[0]["participants"].push_back(row);
  }
  const std::string body = page.dump();
  ASSERT_GT(body.size(), 5u << 20);
  auto parsed = runsignup::parse_participants(p88::parse_page(body, "big"), "12890", std::nullopt);
  EXPECT_EQ(parsed.rows, 2500u);
  EXPECT_EQ(parsed.records.size(), 2500u);
  EXPECT_EQ(parsed.records.back().provider_participant_id, "1002499");
}

}  // namespace
