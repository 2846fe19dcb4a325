// The simulator's Haku API over real HTTP on 127.0.0.1.
#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class HakuSim : public SimTest {
 protected:
  std::string base() { return sim().url("haku"); }
  HttpResult tokenResponse(const std::string& secret_override = "") {
    json a = sim().account("haku");
    return httpPost(base() + "/oauth2/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
                    {{{"Authorization", basicAuth(a["principal"], secret_override.empty() ? a["secret"].get<std::string>() : secret_override)}}});
  }
  std::string token() { return parse(tokenResponse())["access_token"]; }
  HttpResult get(const std::string& path, const std::string& authorization) {
    return httpGet(base() + path, {{{"Authorization", authorization}}});
  }
};

TEST_F(HakuSim, IssuesAClientCredentialsTokenForAnHour) {
  HttpResult r = tokenResponse();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r)["expires_in"], 3600);
  EXPECT_EQ(tokenResponse("wrong").status, 400);
  EXPECT_EQ(parse(tokenResponse("wrong"))["error"], "invalid_client");
}

TEST_F(HakuSim, TakesTheRawTokenAndRefusesBearer) {
  std::string t = token();
  EXPECT_EQ(get("/events", t).status, 200);
  HttpResult bearer = get("/events", "Bearer " + t);
  EXPECT_EQ(bearer.status, 401);
  EXPECT_NE(bearer.body.find("without \\\"Bearer\\\""), std::string::npos) << bearer.body;
  EXPECT_EQ(httpGet(base() + "/events").status, 401);
}

TEST_F(HakuSim, ListsEventsInAnEnvelopeHidingPastOnesUnlessAsked) {
  std::string t = token();
  json active = parse(get("/events?per_page=100", t));
  json all = parse(get("/events?per_page=100&show_inactive=true&sort_column=event_date&sort_direction=desc", t));
  EXPECT_EQ(all["meta"]["total"], 7);
  EXPECT_LT(active["meta"]["total"].get<int>(), 7);
  EXPECT_GT(all["events"][0]["event_date"].get<std::string>(), all["events"][6]["event_date"].get<std::string>());
  EXPECT_FALSE(all["events"][0]["time_zone"].get<std::string>().empty());
}

TEST_F(HakuSim, PagesSummaryRowsAndServesEachRegistrationsDetail) {
  std::string t = token();
  std::string id = sim().events("haku")[1]["provider_event_id"];
  auto truth = SimTest::truth("haku", id);
  std::set<std::string> seen;
  for (int page = 1;; ++page) {
    json body = parse(get("/events/" + id + "/participants?per_page=7&page=" + std::to_string(page), t));
    for (const auto& p : body["participants"]) seen.insert(p["registration_number"]);
    if (body["participants"].size() < 7) break;
  }
  EXPECT_EQ(seen.size(), 30u);
  const std::string number = *seen.begin();
  json detail = parse(get("/events/" + id + "/registrations/" + number, t));
  EXPECT_EQ(detail["registration_number"], number);
  EXPECT_EQ(detail["participant"]["first_name"], truth.at(number)["first_name"]);
  EXPECT_EQ(detail["event_categories"][0]["tag_number"], truth.at(number)["bib"]);
  EXPECT_EQ(get("/events/" + id + "/registrations/R-0", t).status, 404);
}

TEST_F(HakuSim, SortsByUpdatedAtAndFiltersByUpdatedSince) {
  std::string t = token();
  std::string id = sim().events("haku")[2]["provider_event_id"];
  sim().control("mutate", {{"provider", "haku"}, {"event_id", id}, {"kind", "bib"}});
  json newest_first = parse(get("/events/" + id + "/participants?per_page=100&sort_column=updated_at&sort_direction=desc", t));
  std::string newest = newest_first["participants"][0]["updated_at"];
  EXPECT_GE(newest, newest_first["participants"][1]["updated_at"].get<std::string>());
  json since = parse(get("/events/" + id + "/participants?per_page=100&updated_since=" + urlEncode(newest), t));
  EXPECT_EQ(since["participants"].size(), 1u);
}

TEST_F(HakuSim, Throttles429WithRetryAfter) {
  std::string t = token();
  sim().control("rate-limits", {{"provider", "haku"}, {"calls", 1}, {"window_seconds", 20}});
  EXPECT_EQ(get("/events", t).status, 200);
  HttpResult r = get("/events", t);
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.count("retry-after"));
}

TEST_F(HakuSim, ExpiredTokensAre401) {
  std::string t = token();
  sim().control("tokens/expire", json::object());
  EXPECT_EQ(get("/events", t).status, 401);
  EXPECT_EQ(get("/events", token()).status, 200) << "a new token works";
}

}  // namespace
}  // namespace p88::test
