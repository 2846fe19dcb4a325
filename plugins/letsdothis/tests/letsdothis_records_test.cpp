// Let's Do This parsing on real-shaped and hostile fixture files (plugins/letsdothis/fixtures).
#include "letsdothis_records.h"

#include "../../plugin_test_support.h"

namespace {

using p88::json;
using p88::testing::describe;
using p88::testing::fixture;
using p88::testing::has_issue;

TEST(LetsDoThisEvents, EventsAndTheNextCursor) {
  auto page = letsdothis::parse_events(fixture("events.json"));
  EXPECT_EQ(page.rows, 3u);
  EXPECT_EQ(page.next, "b2Zmc2V0OjM");
  ASSERT_EQ(page.events.size(), 2u) << describe(page.issues);
  const auto& e = page.events[0];
  EXPECT_EQ(e.provider_event_id, "evt_4500");
  EXPECT_EQ(e.name, "Austin Turkey Trot 2026");
  EXPECT_EQ(e.start_time, "2026-11-26T14:00:00Z");
  EXPECT_EQ(e.time_zone, "America/Chicago");
  EXPECT_EQ(e.provider_race_id, "race_1200");
  EXPECT_EQ(e.race_name, "Half Marathon");
  EXPECT_EQ(e.distance, "21.1km");
  EXPECT_EQ(e.last_modified, "2026-10-01T00:00:00Z");
  // A bare date is midnight in the event's zone (BST in September).
  EXPECT_EQ(page.events[1].start_time, "2026-09-05T23:00:00Z");
  EXPECT_EQ(page.events[1].provider_race_id, std::nullopt);
  EXPECT_TRUE(has_issue(page.issues, "event ?", "id"));
}

TEST(LetsDoThisApplications, ApplicationsNormalize) {
  auto page = letsdothis::parse_applications(fixture("applications.json"), "evt_123");
  EXPECT_EQ(page.rows, 4u);
  EXPECT_EQ(page.next, std::nullopt);
  ASSERT_EQ(page.records.size(), 3u) << describe(page.issues);
  // app_other belongs to another event: said, and not stored under this one.
  ASSERT_EQ(page.issues.size(), 1u) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "app_other", "eventId")) << describe(page.issues);
  const auto& a = page.records[0];
  EXPECT_EQ(a.provider_participant_id, "app_01H");
  EXPECT_EQ(a.gender, "F");
  EXPECT_EQ(a.gender_raw, "female");
  EXPECT_EQ(a.division, "Half Marathon");
  EXPECT_EQ(a.status, "active");
  EXPECT_EQ(a.amount_paid_minor, 4500);
  EXPECT_EQ(a.currency, "GBP");
  EXPECT_EQ(a.city, "London");
  EXPECT_EQ(a.country, "GB");
  EXPECT_EQ(json::parse(*a.emergency_contact_json)["phone"], "+447700900001");
  EXPECT_EQ(json::parse(*a.answers_json), json::parse(R"([{"question":"T-shirt size","answer":"M"}])"));
  EXPECT_EQ(a.registration_date, "2026-02-01T10:00:00Z");
  EXPECT_EQ(a.last_modified, "2026-02-03T09:00:00Z");
  const auto& t = page.records[1];
  EXPECT_EQ(t.status, "transferred");
  EXPECT_EQ(t.new_registration_id, "app_290000050");
  EXPECT_EQ(t.gender, "X");
  EXPECT_EQ(t.age, 29);
  EXPECT_EQ(t.state, "West Yorkshire");
  EXPECT_EQ(t.provider_person_id, "usr_1");
  const auto& c = page.records[2];
  EXPECT_EQ(c.status, "cancelled");
  EXPECT_EQ(c.gender, "U");
  EXPECT_EQ(c.gender_raw, "prefer-not-to-say");
  EXPECT_EQ(c.amount_paid_minor, std::nullopt);
  EXPECT_EQ(p88::testing::newest_of(page.records), "2026-03-05T09:30:00Z");
}

TEST(LetsDoThisApplications, HostileApplications) {
  auto page = letsdothis::parse_applications(fixture("applications_hostile.json"), "evt_123");
  EXPECT_EQ(page.rows, 4u);
  ASSERT_EQ(page.records.size(), 1u) << describe(page.issues);
  const auto& p = page.records[0];
  EXPECT_EQ(p.provider_event_id, "evt_123");
  EXPECT_EQ(p.status, "active");
  EXPECT_EQ(p.gender_raw, "7");
  EXPECT_EQ(p.gender, "U");
  EXPECT_EQ(p.age, std::nullopt);
  EXPECT_EQ(p.amount_paid_minor, std::nullopt);
  EXPECT_EQ(p.registration_date, std::nullopt);
  EXPECT_EQ(p.last_modified, std::nullopt);
  for (const char* field : {"status", "age", "amountPaid.amount", "address", "questions", "createdAt", "dateOfBirth"})
    EXPECT_TRUE(has_issue(page.issues, "app_1", field)) << field << "\n" << describe(page.issues);
  EXPECT_EQ(page.next, std::nullopt);
}

TEST(LetsDoThisApplications, EnvelopeVariantsAndBigPage) {
  auto bare = letsdothis::parse_applications(fixture("applications_bare_list.json"), "evt_123");
  ASSERT_EQ(bare.records.size(), 1u);
  EXPECT_THROW(letsdothis::parse_applications(fixture("error_unauthorized.json"), "evt_123"), p88::Error);
  EXPECT_EQ(letsdothis::parse_applications(json::parse(R"({"data":[],"page":{"next":null}})"), "e").rows, 0u);
  json row = fixture("applications.json")["data"][0];
  row["lastName"] = std::string(60000, 'q');
  json body = {{"data", json::array()}, {"page", {{"next", "abc"}}}};
  for (int i = 0; i < 100; ++i) {
    row["id"] = "app_" + std::to_string(i);
    body["data"].push_back(row);
  }
  const std::string text = body.dump();
  ASSERT_GT(text.size(), 5u << 20);
  auto page = letsdothis::parse_applications(p88::parse_page(text, "big"), "evt_123");
  EXPECT_EQ(page.records.size(), 100u);
  EXPECT_EQ(page.next, "abc");
}

TEST(LetsDoThisCursor, UpdatedAfterIsOneSecondEarlier) {
  EXPECT_EQ(letsdothis::updated_after("2026-03-05T09:30:00Z"), "2026-03-05T09:29:59Z");
}

}  // namespace
