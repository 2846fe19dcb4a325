#include <gtest/gtest.h>

#include "store/record_validation.h"

namespace p88::store {
namespace {

struct TimestampCase {
  const char* in;
  const char* out;  // nullptr: refused
};

class Timestamps : public ::testing::TestWithParam<TimestampCase> {};

TEST_P(Timestamps, AreCanonicalUtcOrRefused) {
  auto got = canonicalTimestamp(GetParam().in);
  if (GetParam().out == nullptr)
    EXPECT_FALSE(got.has_value()) << GetParam().in << " -> " << got.value_or("");
  else
    EXPECT_EQ(got.value_or("<refused>"), GetParam().out) << GetParam().in;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Timestamps,
    ::testing::Values(TimestampCase{"2026-05-10T08:00:00Z", "2026-05-10 08:00:00"},
                      TimestampCase{"2026-05-10 08:00:00", "2026-05-10 08:00:00"},
                      TimestampCase{"2026-05-10T08:00:00+02:00", "2026-05-10 06:00:00"},
                      TimestampCase{"2026-05-10T23:30:00-05:00", "2026-05-11 04:30:00"},
                      TimestampCase{"2026-05-10T08:00:00.250Z", "2026-05-10 08:00:00.250"},
                      TimestampCase{"2026-05-10T08:00:00.000Z", "2026-05-10 08:00:00"},
                      TimestampCase{"2026-05-10T08:00Z", "2026-05-10 08:00:00"},
                      TimestampCase{"2026-05-10", "2026-05-10 00:00:00"},
                      TimestampCase{"2026-02-29T00:00:00Z", nullptr},
                      TimestampCase{"2024-02-29T00:00:00Z", "2024-02-29 00:00:00"},
                      TimestampCase{"9/7/2021 15:15", nullptr},
                      TimestampCase{"2026-05-10T25:00:00Z", nullptr},
                      TimestampCase{"2026-05-10T08:00:00Zjunk", nullptr},
                      TimestampCase{"1631042122", nullptr},
                      TimestampCase{"", nullptr}));

TEST(Utf8, AcceptsTextAndRefusesBrokenSequences) {
  EXPECT_TRUE(isValidUtf8("Zoë 🏃 名前"));
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_FALSE(isValidUtf8("\xc3"));          // truncated
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));  // a surrogate
}

TEST(ParticipantRecords, AreRefusedOnlyWhenTheyCannotBeStored) {
  auto reason = [](auto change) {
    ParticipantRecord p;
    p.provider_participant_id = "1";
    p.provider_event_id = "2";
    p.raw_json = "{}";
    change(p);
    return prepareRecord(p).value_or("ok");
  };
  EXPECT_EQ(reason([](ParticipantRecord&) {}), "ok");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.provider_participant_id.clear(); }),
            "provider_participant_id: required but empty");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.provider_event_id = "\xff"; }), "provider_event_id: not valid UTF-8");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.status = "vanished"; }),
            "status: 'vanished' is not one of active, cancelled, removed, transferred, deferred");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.raw_json = "{\"a\":"; }), "raw_json: not valid JSON");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.raw_json = std::string(200, '[') + std::string(200, ']'); }),
            "raw_json: nested deeper than 128 levels");
}

// One bad value costs that value: the record is stored with it mended, and the repair says so.
TEST(ParticipantRecords, ABadFieldIsMendedAndReportedNotTheRecordDropped) {
  auto mend = [](auto change) {
    ParticipantRecord p;
    p.provider_participant_id = "1";
    p.provider_event_id = "2";
    p.raw_json = "{}";
    change(p);
    std::vector<FieldRepair> repairs;
    EXPECT_FALSE(prepareRecord(p, &repairs).has_value());
    EXPECT_EQ(repairs.size(), 1u);
    return std::make_pair(p, repairs.empty() ? std::string() : repairs[0].field + ": " + repairs[0].message);
  };
  auto [age, why_age] = mend([](ParticipantRecord& p) { p.age = 999; });
  EXPECT_FALSE(age.age.has_value());
  EXPECT_EQ(why_age, "age: 999 is out of range (0 to 150): stored as NULL");
  auto [gender, why_gender] = mend([](ParticipantRecord& p) { p.gender = "male"; });
  EXPECT_FALSE(gender.gender.has_value());
  EXPECT_EQ(why_gender, "gender: 'male' is not one of M, F, X, U: stored as NULL");
  auto [dob, why_dob] = mend([](ParticipantRecord& p) { p.date_of_birth = "04/02/1990"; });
  EXPECT_FALSE(dob.date_of_birth.has_value());
  EXPECT_EQ(why_dob, "date_of_birth: '04/02/1990' is not a date (YYYY-MM-DD): stored as NULL");
  auto [reg, why_reg] = mend([](ParticipantRecord& p) { p.registration_date = "9/7/2021 15:15"; });
  EXPECT_FALSE(reg.registration_date.has_value());
  EXPECT_EQ(why_reg, "registration_date: '9/7/2021 15:15' is not an ISO-8601 date and time: stored as NULL");
  auto [answers, why_answers] = mend([](ParticipantRecord& p) { p.answers_json = "[{"; });
  EXPECT_FALSE(answers.answers_json.has_value());
  EXPECT_EQ(why_answers, "answers_json: not valid JSON: stored as NULL");
  auto [nul, why_nul] = mend([](ParticipantRecord& p) { p.last_name = std::string("a\0b", 3); });
  EXPECT_EQ(nul.last_name.value_or(""), "ab");
  EXPECT_EQ(why_nul, "last_name: contained NUL bytes: removed");
  auto [bytes, why_bytes] = mend([](ParticipantRecord& p) { p.first_name = "Zo\xff\xc3"; });
  EXPECT_EQ(bytes.first_name.value_or(""), "Zo\xEF\xBF\xBD\xEF\xBF\xBD") << "the rest of the text is kept";
  EXPECT_EQ(why_bytes, "first_name: not valid UTF-8: 2 bytes replaced by U+FFFD");
}

TEST(ParticipantRecords, TimestampsAreCanonicalizedInPlace) {
  ParticipantRecord p;
  p.provider_participant_id = "1";
  p.provider_event_id = "2";
  p.raw_json = "{}";
  p.registration_date = "2021-09-07T15:15:00-04:00";
  ASSERT_FALSE(prepareRecord(p).has_value());
  EXPECT_EQ(*p.registration_date, "2021-09-07 19:15:00");
}

TEST(ContentHash, ChangesWithAnyStoredFieldAndNothingElse) {
  ParticipantRecord a;
  a.provider_participant_id = "1";
  a.provider_event_id = "2";
  a.raw_json = "{}";
  ParticipantRecord b = a;
  EXPECT_EQ(contentHash(a), contentHash(b));
  b.bib = "";
  EXPECT_NE(contentHash(a), contentHash(b)) << "an empty bib differs from no bib";
  b = a;
  b.age = 0;
  EXPECT_NE(contentHash(a), contentHash(b));
  b = a;
  b.status = "cancelled";
  EXPECT_NE(contentHash(a), contentHash(b));
  EXPECT_EQ(contentHash(a).size(), 16u);
}

}  // namespace
}  // namespace p88::store
