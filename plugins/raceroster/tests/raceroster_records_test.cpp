// Race Roster parsing on real-shaped and hostile fixture files (plugins/raceroster/fixtures).
#include "raceroster_records.h"

#include "../../plugin_test_support.h"

namespace {

using p88::json;
using p88::testing::describe;
using p88::testing::fixture;
using p88::testing::fixture_text;
using p88::testing::has_issue;

TEST(RaceRosterToken, EnvelopesAndErrors) {
  auto t = raceroster::parse_token(fixture("token.json"));
  EXPECT_EQ(t.access_token, "at_1");
  EXPECT_EQ(t.refresh_token, "rt_1");
  EXPECT_EQ(t.expires_in, 86400);
  auto blob = raceroster::token_blob(t);
  EXPECT_EQ(raceroster::from_blob(blob).refresh_token, "rt_1");
  EXPECT_EQ(raceroster::from_blob("bare-token").access_token, "bare-token");
  auto a = raceroster::parse_token(fixture("token_array.json"));
  EXPECT_EQ(a.access_token, "at_2");
  EXPECT_EQ(a.refresh_token, std::nullopt);
  try {
    raceroster::parse_token(fixture("token_error.json"));
    FAIL();
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::auth);
    EXPECT_NE(std::string(e.what()).find("Client authentication failed"), std::string::npos);
  }
}

TEST(RaceRosterToken, TokenUrlBesideTheApi) {
  EXPECT_EQ(raceroster::token_url("https://raceroster.com/api/v1"), "https://raceroster.com/api/oauth/authorize");
  EXPECT_EQ(raceroster::token_url("http://127.0.0.1:4000/api/v1/"), "http://127.0.0.1:4000/api/oauth/authorize");
}

TEST(RaceRosterEvents, DocumentedEventNormalizes) {
  auto page = raceroster::parse_events(fixture("events.json"));
  EXPECT_EQ(page.rows, 3u);
  EXPECT_EQ(page.total, 3);
  ASSERT_EQ(page.events.size(), 2u) << describe(page.issues);
  const auto& e = page.events[0];
  EXPECT_EQ(e.provider_event_id, "123456");
  EXPECT_EQ(e.provider_race_id, "987");
  EXPECT_EQ(e.name, "Spring 10K");
  EXPECT_EQ(e.start_time, "2026-05-10T12:00:00Z");
  EXPECT_EQ(e.time_zone, "America/Toronto");
  EXPECT_EQ(e.registration_opens, "2026-01-01T05:00:00Z");
  EXPECT_EQ(e.registration_closes, "2026-05-09T03:59:00Z");
  EXPECT_EQ(e.city, "Toronto");
  EXPECT_EQ(e.state, "ON");
  EXPECT_EQ(e.country, "CA");
  EXPECT_EQ(e.distance, "10km");
  EXPECT_EQ(e.last_modified, "2026-04-01T12:00:00Z");
  const auto& odd = page.events[1];
  EXPECT_EQ(odd.start_time, std::nullopt);
  EXPECT_EQ(odd.time_zone, std::nullopt);
  EXPECT_EQ(odd.provider_race_id, std::nullopt);  // two sub-events: no single race
  EXPECT_TRUE(has_issue(page.issues, "event 123457", "startDate")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "event 123457", "timeZone")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "event ?", "eventId")) << describe(page.issues);
}

TEST(RaceRosterParticipants, RowsNormalize) {
  auto page = raceroster::parse_participants(fixture("participants.json"), "123456");
  ASSERT_EQ(page.records.size(), 3u) << describe(page.issues);
  EXPECT_TRUE(page.issues.empty()) << describe(page.issues);
  EXPECT_EQ(page.total_pages, 1);
  const auto& ana = page.records[0];
  EXPECT_EQ(ana.provider_participant_id, "555");
  EXPECT_EQ(ana.provider_event_id, "123456");
  EXPECT_EQ(ana.gender, "F");
  EXPECT_EQ(ana.gender_raw, "2");
  EXPECT_EQ(ana.bib, "1042");
  EXPECT_EQ(ana.status, "active");
  EXPECT_EQ(ana.state, "ON");
  EXPECT_EQ(ana.registration_date, "2026-02-01T10:00:00Z");
  EXPECT_EQ(json::parse(*ana.answers_json), json::parse(R"([{"question":"T-shirt","answer":"M"}])"));
  EXPECT_EQ(ana.amount_paid_minor, std::nullopt);
  EXPECT_EQ(ana.currency, std::nullopt);
  const auto& t = page.records[1];
  EXPECT_EQ(t.first_name, "Nguyễn");
  EXPECT_EQ(t.provider_person_id, "7758933");
  EXPECT_EQ(t.gender, "X");
  EXPECT_EQ(t.gender_raw, "9");
  EXPECT_EQ(t.age, 38);
  EXPECT_EQ(t.chip, "CH-1");
  EXPECT_EQ(t.team_name, "Team \"Fast\" & Furious");
  EXPECT_EQ(t.division, "Hartford 10K");
  EXPECT_EQ(t.registration_date, "2026-08-31T21:15:00Z");
  EXPECT_EQ(t.status, "transferred");
  EXPECT_EQ(t.new_registration_id, "150000041");
  EXPECT_EQ(t.amount_paid_minor, 5775);
  EXPECT_EQ(t.currency, "CAD");
  EXPECT_EQ(json::parse(*t.address_json)["postal_code"], "08057");
  EXPECT_EQ(json::parse(*t.emergency_contact_json)["name"], "Bob");
  EXPECT_EQ(t.last_modified, "2026-09-01T12:00:05Z");
  const auto& c = page.records[2];
  EXPECT_EQ(c.status, "cancelled");
  EXPECT_EQ(c.gender, "U");
  EXPECT_EQ(c.gender_raw, "0");
  EXPECT_EQ(c.amount_paid_minor, 0);
  EXPECT_EQ(p88::testing::newest_of(page.records), "2026-09-02T00:00:00Z");
}

TEST(RaceRosterParticipants, HostileRows) {
  auto page = raceroster::parse_participants(fixture("participants_hostile.json"), "1");
  EXPECT_EQ(page.rows, 4u);
  ASSERT_EQ(page.records.size(), 2u) << describe(page.issues);
  const auto& nulls = page.records[0];
  EXPECT_EQ(nulls.status, "active");
  EXPECT_EQ(nulls.gender, "U");
  EXPECT_EQ(nulls.address_json, std::nullopt);
  EXPECT_EQ(nulls.answers_json, std::nullopt);
  const auto& wrong = page.records[1];
  EXPECT_EQ(wrong.first_name, std::nullopt);
  EXPECT_EQ(wrong.gender, "F");  // a word is understood too
  EXPECT_EQ(wrong.status, "active");
  EXPECT_EQ(wrong.registration_date, std::nullopt);
  EXPECT_EQ(wrong.last_modified, std::nullopt);
  EXPECT_EQ(wrong.state, std::nullopt);
  for (const char* field : {"firstName", "age", "status", "region", "registrationDate", "lastModifiedDate", "amountPaid",
                            "emergencyContact", "dateOfBirth"})
    EXPECT_TRUE(has_issue(page.issues, "2", field)) << field << "\n" << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "?", "participantId")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "?", "(row)")) << describe(page.issues);
}

TEST(RaceRosterParticipants, EnvelopeVariants) {
  auto bare = raceroster::parse_participants(fixture("participants_bare_list.json"), "9");
  ASSERT_EQ(bare.records.size(), 1u);
  EXPECT_EQ(bare.records[0].provider_participant_id, "abc-1");
  EXPECT_EQ(bare.total_pages, std::nullopt);
  auto empty = raceroster::parse_participants(fixture("participants_empty.json"), "9");
  EXPECT_EQ(empty.rows, 0u);
  EXPECT_EQ(empty.total_pages, 0);
  try {
    raceroster::parse_participants(fixture("data_not_a_list.json"), "9");
    FAIL();
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::transient);
  }
  try {
    p88::parse_page(fixture_text("maintenance.html"), "GET /events/9/participants page 1");
    FAIL();
  } catch (const p88::Error& e) {
    EXPECT_EQ(e.status(), p88::Status::transient);
    EXPECT_NE(std::string(e.what()).find("We'll be back soon"), std::string::npos);
  }
}

TEST(RaceRosterParticipants, FiveMegabytePage) {
  json row = fixture("participants.json")["data"][1];
  row["lastName"] = std::string(22000, 'y');
  json body = {{"data", json::array()}, {"metadata", {{"totalPages", 1}}}};
  for (int i = 0; i < 250; ++i) {
    row["participantId"] = 1000 + i;
    body["data"].push_back(row);
  }
  const std::string text = body.dump();
  ASSERT_GT(text.size(), 5u << 20);
  auto page = raceroster::parse_participants(p88::parse_page(text, "big"), "1");
  EXPECT_EQ(page.records.size(), 250u);
}

}  // namespace
