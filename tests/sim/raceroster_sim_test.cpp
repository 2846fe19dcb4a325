// The simulator's Race Roster API over real HTTP on 127.0.0.1.
#include <regex>

#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class RaceRosterSim : public SimTest {
 protected:
  std::string base() { return sim().url("raceroster"); }
  // .../api/v1 -> .../api/oauth/authorize
  std::string tokenUrl() { return base().substr(0, base().size() - 3) + "/oauth/authorize"; }
  HttpResult grant(const std::string& form) {
    return httpPost(tokenUrl(), form, "application/x-www-form-urlencoded");
  }
  std::string passwordForm(int partner = 1, const std::string& password = "") {
    json a = sim().account("raceroster", partner);
    return "grant_type=access_token&client_id=" + urlEncode(a["principal"]) + "&client_secret=" + urlEncode(a["secret"]) +
           "&username=" + urlEncode(a["username"]) + "&password=" + urlEncode(password.empty() ? a["password"].get<std::string>() : password);
  }
  std::string token(int partner = 1) { return parse(grant(passwordForm(partner)))["data"]["access_token"]; }
  HttpResult get(const std::string& path, const std::string& bearer) {
    return httpGet(base() + path, {{{"Authorization", "Bearer " + bearer}}});
  }
};

TEST_F(RaceRosterSim, GrantsATokenInsideADataEnvelope) {
  HttpResult r = grant(passwordForm());
  ASSERT_EQ(r.status, 200) << r.body;
  json data = parse(r)["data"];
  EXPECT_EQ(data["token_type"], "Bearer");
  EXPECT_EQ(data["expires_in"], 86400);
  EXPECT_FALSE(data["access_token"].get<std::string>().empty());
  EXPECT_FALSE(data["refresh_token"].get<std::string>().empty());
}

TEST_F(RaceRosterSim, RefusesBadClientsAndBadPasswordsTheOAuthWay) {
  json a = sim().account("raceroster");
  HttpResult bad_client = grant("grant_type=access_token&client_id=" + urlEncode(a["principal"]) + "&client_secret=wrong");
  EXPECT_EQ(bad_client.status, 401);
  EXPECT_EQ(parse(bad_client)["error"], "invalid_client");
  HttpResult bad_password = grant(passwordForm(1, "wrong-password"));
  EXPECT_EQ(bad_password.status, 400);
  EXPECT_EQ(parse(bad_password)["error"], "invalid_grant");
  HttpResult bad_grant = grant("grant_type=magic&client_id=" + urlEncode(a["principal"]) + "&client_secret=" + urlEncode(a["secret"]));
  EXPECT_EQ(parse(bad_grant)["error"], "unsupported_grant_type");
}

TEST_F(RaceRosterSim, RefreshesATokenWithTheRefreshGrant) {
  json a = sim().account("raceroster");
  json first = parse(grant(passwordForm()))["data"];
  HttpResult r = grant("grant_type=refresh_token&client_id=" + urlEncode(a["principal"]) + "&client_secret=" +
                       urlEncode(a["secret"]) + "&refresh_token=" + urlEncode(first["refresh_token"]));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string fresh = parse(r)["data"]["access_token"];
  EXPECT_NE(fresh, first["access_token"]);
  EXPECT_EQ(get("/events", fresh).status, 200);
}

TEST_F(RaceRosterSim, WantsABearerTokenAndSays401WhenItIsMissingOrExpired) {
  EXPECT_EQ(httpGet(base() + "/events").status, 401);
  EXPECT_EQ(get("/events", "not-a-token").status, 401);
  std::string t = token();
  EXPECT_EQ(get("/events", t).status, 200);
  sim().control("tokens/expire", json::object());
  HttpResult expired = get("/events", t);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired"), std::string::npos);
}

TEST_F(RaceRosterSim, ListsEventsWithOffsetLimitAndTotalResults) {
  std::string t = token();
  json all = parse(get("/events?limit=100", t));
  EXPECT_EQ(all["metadata"]["totalResults"], 7);
  json page = parse(get("/events?limit=3&offset=6", t));
  EXPECT_EQ(page["data"].size(), 1u);
  json e = all["data"][0];
  EXPECT_TRUE(e["eventId"].is_number());
  EXPECT_TRUE(std::regex_match(e["startDate"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)")));
  EXPECT_EQ(e["subEvents"]["data"].size(), 1u);
  json one = parse(get("/events/" + std::to_string(e["eventId"].get<long>()), t));
  EXPECT_EQ(one["data"]["eventId"], e["eventId"]);
  EXPECT_EQ(get("/events/1", t).status, 404);
}

TEST_F(RaceRosterSim, PagesParticipantsWithMetadataAndIntegerGenders) {
  std::string t = token();
  std::string id = sim().events("raceroster")[1]["provider_event_id"];
  auto truth = SimTest::truth("raceroster", id);
  std::set<long long> seen;
  for (int page = 1;; ++page) {
    json body = parse(get("/events/" + id + "/participants?perPage=8&page=" + std::to_string(page), t));
    EXPECT_EQ(body["metadata"]["totalResults"], 30);
    for (const auto& p : body["data"]) {
      seen.insert(p["participantId"].get<long long>());
      const json& want = truth.at(std::to_string(p["participantId"].get<long long>()));
      EXPECT_TRUE(p["gender"].is_number_integer());
      EXPECT_EQ(std::to_string(p["gender"].get<int>()), want["gender_raw"]);
      EXPECT_EQ(p["firstName"], want["first_name"]);
      EXPECT_EQ(p["bibNumber"], want["bib"]);
    }
    if (body["data"].size() < 8) break;
  }
  EXPECT_EQ(seen.size(), 30u);
}

TEST_F(RaceRosterSim, FiltersParticipantsByLastModifiedDate) {
  std::string t = token();
  std::string id = sim().events("raceroster")[2]["provider_event_id"];
  sim().control("mutate", {{"provider", "raceroster"}, {"event_id", id}, {"kind", "cancel"}});
  std::string newest;
  json all = parse(get("/events/" + id + "/participants?perPage=250", t));
  for (const auto& p : all["data"])
    newest = std::max(newest, p["lastModifiedDate"].get<std::string>());
  json changed = parse(get("/events/" + id + "/participants?perPage=250&lastModifiedDate=" + urlEncode(newest), t));
  ASSERT_EQ(changed["data"].size(), 1u);
  EXPECT_EQ(changed["data"][0]["status"], "cancelled");
  EXPECT_EQ(get("/events/" + id + "/participants?lastModifiedDate=yesterday", t).status, 400);
}

TEST_F(RaceRosterSim, Throttles429WithRetryAfter) {
  std::string t = token();
  sim().control("rate-limits", {{"provider", "raceroster"}, {"calls", 2}, {"window_seconds", 30}});
  EXPECT_EQ(get("/events", t).status, 200);
  EXPECT_EQ(get("/events", t).status, 200);
  HttpResult r = get("/events", t);
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.headers.count("retry-after"));
  int wait = std::stoi(r.headers["retry-after"]);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 30);
}

}  // namespace
}  // namespace p88::test
