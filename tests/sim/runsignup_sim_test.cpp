// The simulator's RunSignUp API over real HTTP on 127.0.0.1.
#include <regex>

#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class RunSignUpSim : public SimTest {
 protected:
  std::string keys(int partner = 1) {
    json a = sim().account("runsignup", partner);
    return "format=json&api_key=" + urlEncode(a["principal"]) + "&api_secret=" + urlEncode(a["secret"]);
  }
  json get(const std::string& path_and_query) {
    HttpResult r = httpGet(sim().url("runsignup") + path_and_query);
    EXPECT_EQ(r.status, 200) << "RunSignUp answers errors with HTTP 200 too";
    return parse(r);
  }
  json anEvent() { return sim().events("runsignup")[1]; }
  std::string participantsUrl(const json& e) {
    return "/race/" + e["provider_race_id"].get<std::string>() + "/participants?" + keys() +
           "&event_id=" + e["provider_event_id"].get<std::string>();
  }
};

TEST_F(RunSignUpSim, RefusesABadKeyWithErrorCode6OnHttp200) {
  json body = get("/races?format=json&api_key=nope&api_secret=nope");
  EXPECT_EQ(body["error"]["error_code"], 6);
  json wrong_secret = get("/races?format=json&api_key=" + urlEncode(sim().account("runsignup")["principal"]) + "&api_secret=x");
  EXPECT_EQ(wrong_secret["error"]["error_code"], 6);
}

TEST_F(RunSignUpSim, AnswersXmlUnlessAskedForJson) {
  HttpResult r = httpGet(sim().url("runsignup") + "/races?" + keys().substr(std::string("format=json&").size()));
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_NE(r.body.find("<error_code>3</error_code>"), std::string::npos);
}

TEST_F(RunSignUpSim, ListsTheAccountsRacesEachWrappedInRaceWithItsEvents) {
  json body = get("/races?" + keys() + "&events=T&results_per_page=1000");
  ASSERT_TRUE(body["races"].is_array());
  EXPECT_EQ(body["races"].size(), 7u);
  json race = body["races"][0]["race"];
  EXPECT_TRUE(race["race_id"].is_number());
  EXPECT_EQ(race["is_draft_race"], "F");
  EXPECT_FALSE(race["timezone"].get<std::string>().empty());
  ASSERT_EQ(race["events"].size(), 2u) << "a race has a 5K and a 10K";
  EXPECT_TRUE(std::regex_match(race["events"][0]["start_time"].get<std::string>(),
                               std::regex(R"(\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2})")));
  // Paging over races.
  EXPECT_EQ(get("/races?" + keys() + "&results_per_page=5&page=2")["races"].size(), 2u);
  // The other partner's account sees only its own races.
  json other = get("/races?" + keys(2) + "&results_per_page=1000");
  EXPECT_NE(other["races"][0]["race"]["race_id"], race["race_id"]);
}

TEST_F(RunSignUpSim, AnUnknownRaceIsError201) {
  EXPECT_EQ(get("/race/999?" + keys())["error"]["error_code"], 201);
  json other_partners_race = sim().events("runsignup", 2)[0];
  EXPECT_EQ(get("/race/" + other_partners_race["provider_race_id"].get<std::string>() + "?" + keys())["error"]["error_code"], 201);
}

TEST_F(RunSignUpSim, ParticipantsComeAsAnArrayWithTheRowsBesideAnEmptyEventList) {
  json e = anEvent();
  json body = get(participantsUrl(e) + "&results_per_page=2500");
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["event"]["event_id"].get<long long>(), std::stoll(e["provider_event_id"].get<std::string>()));
  EXPECT_TRUE(body[0]["event"]["participants"].empty()) << "the legacy inner list is always empty";
  EXPECT_EQ(body[0]["participants"].size(), 30u);
}

TEST_F(RunSignUpSim, RowsCarryRunSignUpsFormatsAndMatchTheGroundTruth) {
  json e = anEvent();
  auto truth = SimTest::truth("runsignup", e["provider_event_id"]);
  json rows = get(participantsUrl(e) + "&results_per_page=2500&include_questions=T")[0]["participants"];
  ASSERT_EQ(rows.size(), truth.size());
  for (const auto& row : rows) {
    const json& t = truth.at(std::to_string(row["registration_id"].get<long long>()));
    EXPECT_EQ(row["user"]["first_name"], t["first_name"]);
    EXPECT_EQ(row["user"]["last_name"], t["last_name"]);
    EXPECT_EQ(row["user"]["email"], t["email"]);
    EXPECT_EQ(row["user"]["dob"], t["date_of_birth"]);
    EXPECT_EQ(row["bib_num"], t["bib"]);
    EXPECT_TRUE(std::regex_match(row["amount_paid"].get<std::string>(), std::regex(R"(\$\d+\.\d\d)")));
    EXPECT_EQ(row["amount_paid"].get<std::string>(),
              "$" + std::to_string(t["amount_paid_minor"].get<long>() / 100) + "." +
                  (t["amount_paid_minor"].get<long>() % 100 < 10 ? "0" : "") + std::to_string(t["amount_paid_minor"].get<long>() % 100));
    EXPECT_TRUE(std::regex_match(row["registration_date"].get<std::string>(), std::regex(R"(\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2})")));
    EXPECT_TRUE(row["last_modified"].is_number()) << "unix seconds in /participants";
    EXPECT_EQ(row["imported"], "F");
    EXPECT_EQ(row["question_responses"].size(), t["date_of_birth"].is_null() ? 0u : 2u);
  }
}

TEST_F(RunSignUpSim, PagesByPageAndResultsPerPageWithEveryRowExactlyOnce) {
  json e = anEvent();
  std::set<long long> seen;
  for (int page = 1;; ++page) {
    json rows = get(participantsUrl(e) + "&results_per_page=7&page=" + std::to_string(page))[0]["participants"];
    for (const auto& r : rows) EXPECT_TRUE(seen.insert(r["registration_id"].get<long long>()).second);
    if (rows.size() < 7) break;
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(get(participantsUrl(e) + "&results_per_page=99999")[0]["participants"].size(), 30u) << "clamped to 2500";
}

TEST_F(RunSignUpSim, PagesByAfterRegistrationId) {
  json e = anEvent();
  long long after = 0;
  size_t total = 0;
  for (;;) {
    json rows = get(participantsUrl(e) + "&sort=" + urlEncode("registration_id ASC") + "&results_per_page=8&after_registration_id=" +
                    std::to_string(after))[0]["participants"];
    if (rows.empty()) break;
    for (const auto& r : rows) {
      EXPECT_GT(r["registration_id"].get<long long>(), after);
      after = r["registration_id"];
      ++total;
    }
  }
  EXPECT_EQ(total, 30u);
}

TEST_F(RunSignUpSim, ModifiedAfterTimestampIsUnixSecondsAndInclusive) {
  json e = anEvent();
  json change = sim().control("mutate", {{"provider", "runsignup"}, {"event_id", e["provider_event_id"]}, {"kind", "edit"}});
  long long newest = 0;
  json all = get(participantsUrl(e) + "&results_per_page=2500");
  for (const auto& r : all[0]["participants"])
    newest = std::max(newest, r["last_modified"].get<long long>());
  json at = get(participantsUrl(e) + "&modified_after_timestamp=" + std::to_string(newest))[0]["participants"];
  ASSERT_EQ(at.size(), 1u) << change.dump();
  json after = get(participantsUrl(e) + "&modified_after_timestamp=" + std::to_string(newest + 1))[0]["participants"];
  EXPECT_TRUE(after.empty());
}

TEST_F(RunSignUpSim, RemovedParticipantsSitInsideTheEventWithTheirReason) {
  json e = sim().events("runsignup")[3];
  const std::string id = e["provider_event_id"];
  sim().control("mutate", {{"provider", "runsignup"}, {"event_id", id}, {"kind", "cancel"}});
  json transfer = sim().control("mutate", {{"provider", "runsignup"}, {"event_id", id}, {"kind", "transfer"}});
  json body = get("/race/" + e["provider_race_id"].get<std::string>() + "/removed-participants?" + keys() + "&event_id=" + id);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0].count("participants"), 0u);
  json removed = body[0]["event"]["participants"];
  ASSERT_EQ(removed.size(), 2u) << body.dump();
  std::set<std::string> reasons;
  for (const auto& r : removed) {
    reasons.insert(r["removed_reason"]);
    EXPECT_TRUE(r["last_modified_ts"].is_number());
    EXPECT_TRUE(std::regex_match(r["last_modified"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")));
    if (r["removed_reason"] == "transferred") {
      EXPECT_TRUE(r["new_registration_id"].is_number());
    }
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"removed", "transferred"}));
  // The removed ones are gone from /participants; the transfer's new registration is there.
  json active = get(participantsUrl(e) + "&results_per_page=2500")[0]["participants"];
  EXPECT_EQ(active.size(), 30u - 2u + 1u);
}

TEST_F(RunSignUpSim, ThrottlesWithErrorCode14PerCredential) {
  sim().control("rate-limits", {{"provider", "runsignup"}, {"calls", 3}, {"window_seconds", 60}});
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(get("/races?" + keys()).contains("error"));
  EXPECT_EQ(get("/races?" + keys())["error"]["error_code"], 14);
  EXPECT_FALSE(get("/races?" + keys(2)).contains("error")) << "another credential has its own budget";
  json stats = sim().control("stats");
  EXPECT_EQ(stats["total_throttled"], 1);
}

TEST_F(RunSignUpSim, RequiresAnEventIdForParticipants) {
  json e = anEvent();
  EXPECT_EQ(get("/race/" + e["provider_race_id"].get<std::string>() + "/participants?" + keys())["error"]["error_code"], 3);
}

}  // namespace
}  // namespace p88::test
