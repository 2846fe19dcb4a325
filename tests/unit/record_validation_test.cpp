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

TEST(ParticipantRecords, AreRefusedNamingTheField) {
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
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.gender = "male"; }), "gender: 'male' is not one of M, F, X, U");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.age = 400; }), "age: 400 is out of range (0 to 150)");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.date_of_birth = "04/02/1990"; }),
            "date_of_birth: '04/02/1990' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.registration_date = "9/7/2021 15:15"; }),
            "registration_date: '9/7/2021 15:15' is not an ISO-8601 date and time");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.answers_json = "[{"; }), "answers_json: not valid JSON");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.last_name = std::string("a\0b", 3); }), "last_name: contains a NUL byte");
  EXPECT_EQ(reason([](ParticipantRecord& p) { p.first_name = "\xff"; }), "first_name: not valid UTF-8");
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
