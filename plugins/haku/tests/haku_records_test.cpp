// Haku parsing on real-shaped and hostile fixture files (plugins/haku/fixtures).
#include "haku_records.h"

#include "../../plugin_test_support.h"

namespace {

using p88::json;
using p88::testing::describe;
using p88::testing::fixture;
using p88::testing::has_issue;

haku::Summary summary(const std::string& id, p88::Integer age = std::nullopt, const std::string& updated = "") {
  return {id, updated, age, json::object()};
}

TEST(HakuToken, TokenAndUrl) {
  auto t = haku::parse_token(fixture("token.json"));
  EXPECT_EQ(t.access_token, "eyJraWQiOi.fake.token");
  EXPECT_EQ(t.expires_in, 3600);
  EXPECT_THROW(haku::parse_token(fixture("token_error.json")), p88::Error);
  EXPECT_EQ(haku::token_url("https://api.hakuapp.com"), "https://prod-auth.hakuapp.com/oauth2/token");
  EXPECT_EQ(haku::token_url("http://127.0.0.1:9000/"), "http://127.0.0.1:9000/oauth2/token");
}

TEST(HakuEvents, LocalTimesArePlacedInTheEventZone) {
  auto page = haku::parse_events(fixture("events.json"));
  EXPECT_EQ(page.rows, 4u);
  EXPECT_EQ(page.total, 4);
  ASSERT_EQ(page.events.size(), 3u) << describe(page.issues);
  const auto& e = page.events[0];
  EXPECT_EQ(e.provider_event_id, "evt_7000");
  EXPECT_EQ(e.start_time, "2026-11-26T13:00:00Z");  // 08:00 EST
  EXPECT_EQ(e.end_time, "2026-11-26T16:00:00Z");
  EXPECT_EQ(e.registration_opens, "2026-08-01T04:00:00Z");  // local midnight, EDT
  EXPECT_EQ(e.time_zone, "America/New_York");
  EXPECT_EQ(e.city, "Hartford");
  EXPECT_EQ(e.status, "active");
  EXPECT_EQ(e.last_modified, "2026-10-01T12:00:00Z");
  // 02:30 on the spring-forward night does not exist: the moment the clocks jump (03:00 CDT).
  EXPECT_EQ(page.events[1].provider_event_id, "7001");
  EXPECT_EQ(page.events[1].start_time, "2026-03-08T08:00:00Z");
  // An offset in the text wins; an unknown zone is reported.
  EXPECT_EQ(page.events[2].start_time, "2026-06-01T16:00:00Z");
  EXPECT_EQ(page.events[2].time_zone, std::nullopt);
  EXPECT_TRUE(has_issue(page.issues, "event evt_7002", "time_zone")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "event ?", "id")) << describe(page.issues);
  auto data = haku::parse_events(fixture("events_data_envelope.json"));
  ASSERT_EQ(data.events.size(), 1u);
  EXPECT_EQ(data.events[0].start_time, "2026-11-26T08:00:00Z");
}

TEST(HakuSummaries, RowsAndHostileValues) {
  auto page = haku::parse_summaries(fixture("summaries.json"));
  EXPECT_EQ(page.count, 4u);
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].id, "R-220000000");
  EXPECT_EQ(page.rows[0].age, 38);
  EXPECT_EQ(page.rows[0].updated_at, "2026-09-01T10:00:00Z");
  EXPECT_EQ(page.rows[1].age, std::nullopt);
  EXPECT_EQ(page.rows[2].updated_at, "");
  EXPECT_TRUE(has_issue(page.issues, "R-220000002", "age")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "R-220000002", "updated_at")) << describe(page.issues);
  EXPECT_TRUE(has_issue(page.issues, "?", "registration_number")) << describe(page.issues);
}

TEST(HakuRegistration, DetailNormalizes) {
  std::vector<p88::FieldIssue> issues;
  auto p = haku::parse_registration(fixture("registration.json"), summary("R-220000000", 38), "evt_7000", issues);
  ASSERT_TRUE(p);
  EXPECT_TRUE(issues.empty()) << describe(issues);
  EXPECT_EQ(p->provider_participant_id, "R-220000000");
  EXPECT_EQ(p->provider_event_id, "evt_7000");
  EXPECT_EQ(p->provider_person_id, "A-77");
  EXPECT_EQ(p->first_name, "Ava");
  EXPECT_EQ(p->middle_name, "Q");
  EXPECT_EQ(p->last_name, "Иванов");
  EXPECT_EQ(p->date_of_birth, "1988-02-29");
  EXPECT_EQ(p->gender, "M");
  EXPECT_EQ(p->age, 38);
  EXPECT_EQ(p->bib, "1042");
  EXPECT_EQ(p->chip, "C1");
  EXPECT_EQ(p->division, "5K");
  EXPECT_EQ(p->team_name, "Team \"Fast\" & Furious");
  EXPECT_EQ(p->status, "active");
  EXPECT_EQ(p->amount_paid_minor, 5775);
  EXPECT_EQ(p->currency, "USD");
  EXPECT_EQ(p->city, "Hartford");
  EXPECT_EQ(p->country, "US");
  EXPECT_EQ(json::parse(*p->emergency_contact_json), json::parse(R"({"name":"Bob","phone":"555-0100"})"));
  EXPECT_EQ(json::parse(*p->answers_json).size(), 2u);
  EXPECT_EQ(p->registration_date, "2026-08-31T21:15:00Z");
  EXPECT_EQ(p->last_modified, "2026-09-01T10:00:00Z");
  EXPECT_TRUE(json::parse(p->raw_json).contains("registration"));
}

TEST(HakuRegistration, CancellationsAndTransfers) {
  std::vector<p88::FieldIssue> issues;
  auto t = haku::parse_registration(fixture("registration_transferred.json"), summary("R-220000001"), "e", issues);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, "transferred");
  EXPECT_EQ(t->new_registration_id, "R-220000050");
  EXPECT_EQ(t->gender, "U");
  EXPECT_EQ(t->bib, std::nullopt);
  EXPECT_EQ(t->amount_paid_minor, std::nullopt);
  auto c = haku::parse_registration(fixture("registration_cancelled.json"), summary("R-220000003"), "e", issues);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, "cancelled");
  EXPECT_TRUE(issues.empty()) << describe(issues);
  // A detail for another registration is refused.
  EXPECT_FALSE(haku::parse_registration(fixture("registration.json"), summary("R-9"), "e", issues));
  EXPECT_TRUE(has_issue(issues, "R-9", "registration_number"));
}

TEST(HakuRegistration, HostileDetail) {
  std::vector<p88::FieldIssue> issues;
  auto p = haku::parse_registration(fixture("registration_hostile.json"), summary("R-220000000", 30, "2026-09-01T10:00:00Z"),
                                    "e", issues);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first_name, std::nullopt);
  EXPECT_EQ(p->date_of_birth, std::nullopt);
  EXPECT_EQ(p->registration_date, std::nullopt);
  EXPECT_EQ(p->last_modified, "2026-09-01T10:00:00Z");  // from the summary
  EXPECT_EQ(p->status, "active");
  for (const char* field : {"created_at", "is_cancelled", "transaction_amount", "participant.first_name",
                            "participant.dob", "participant.address", "event_categories", "team"})
    EXPECT_TRUE(has_issue(issues, "R-220000000", field)) << field << "\n" << describe(issues);
}

TEST(HakuCursor, RoundTripAndAdvance) {
  haku::Cursor c;
  haku::advance(c, "2026-09-01T10:00:00Z", "R-1");
  haku::advance(c, "2026-09-01T10:00:00Z", "R-2");
  haku::advance(c, "2026-08-01T10:00:00Z", "R-0");  // older: no effect
  EXPECT_EQ(c.updated_since, "2026-09-01T10:00:00Z");
  EXPECT_EQ(c.ids.size(), 2u);
  auto back = haku::parse_cursor(haku::format_cursor(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ids, c.ids);
  haku::advance(c, "2026-09-01T10:00:01Z", "R-3");
  EXPECT_EQ(c.ids, std::set<std::string>{"R-3"});
  EXPECT_FALSE(haku::parse_cursor("modified_after=12"));
  EXPECT_FALSE(haku::parse_cursor(R"({"updated_since":"tuesday"})"));
}

TEST(HakuSummaries, FiveMegabytePageAndEmptyPage) {
  json row = fixture("summaries.json")["participants"][0];
  row["person_full_name"] = std::string(60000, 'z');
  json body = {{"participants", json::array()}, {"meta", {{"total", 100}}}};
  for (int i = 0; i < 100; ++i) {
    row["registration_number"] = "R-" + std::to_string(i);
    body["participants"].push_back(row);
  }
  const std::string text = body.dump();
  ASSERT_GT(text.size(), 5u << 20);
  EXPECT_EQ(haku::parse_summaries(p88::parse_page(text, "big")).rows.size(), 100u);
  EXPECT_EQ(haku::parse_summaries(json::parse(R"({"participants":[],"meta":{"total":0}})")).count, 0u);
  EXPECT_THROW(haku::parse_summaries(json::parse(R"({"participants":{"oops":1}})")), p88::Error);
}

}  // namespace
