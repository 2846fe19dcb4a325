// The simulator's Let's Do This API over real HTTP on 127.0.0.1.
#include <Poco/JWT/Token.h>

#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class LetsDoThisSim : public SimTest {
 protected:
  std::string base() { return sim().url("letsdothis"); }
  std::string key(int partner = 1) { return sim().account("letsdothis", partner)["principal"]; }
  HttpResult get(const std::string& path, const std::string& k) {
    return httpGet(base() + path, {{{"Authorization", "Bearer " + k}}});
  }
};

TEST_F(LetsDoThisSim, TheApiKeyIsASignedJwtCarryingTheOrganiserId) {
  Poco::JWT::Token token(key());
  EXPECT_EQ(token.payload().getValue<std::string>("organiserId"), sim().account("letsdothis")["organiser_id"]);
  EXPECT_EQ(get("/events", key()).status, 200);
  std::string tampered = key();
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(get("/events", tampered).status, 401);
  EXPECT_EQ(httpGet(base() + "/applications").status, 401);
}

TEST_F(LetsDoThisSim, PagesEventsWithAnOpaqueCursor) {
  json first = parse(get("/events?page[size]=4", key()));
  ASSERT_EQ(first["data"].size(), 4u);
  ASSERT_TRUE(first["page"]["next"].is_string());
  json second = parse(get("/events?page[size]=4&page[after]=" + urlEncode(first["page"]["next"]), key()));
  EXPECT_EQ(second["data"].size(), 3u);
  EXPECT_TRUE(second["page"]["next"].is_null());
  EXPECT_EQ(get("/events?page[after]=garbage!", key()).status, 400);
}

TEST_F(LetsDoThisSim, PagesAnEventsApplicationsCompletelyAndOnlyOnce) {
  std::string id = sim().events("letsdothis")[1]["provider_event_id"];
  auto truth = SimTest::truth("letsdothis", id);
  std::set<std::string> seen;
  std::string after;
  for (;;) {
    json body = parse(get("/applications?eventId=" + id + "&page[size]=7" + (after.empty() ? "" : "&page[after]=" + urlEncode(after)), key()));
    for (const auto& a : body["data"]) {
      EXPECT_TRUE(seen.insert(a["id"]).second);
      EXPECT_EQ(a["eventId"], id);
      const json& want = truth.at(a["id"]);
      EXPECT_EQ(a["gender"], want["gender_raw"]);
      EXPECT_EQ(a["amountPaid"]["amount"], want["amount_paid_minor"]);
      EXPECT_EQ(a["amountPaid"]["currency"], "GBP");
    }
    if (body["page"]["next"].is_null()) break;
    after = body["page"]["next"];
  }
  EXPECT_EQ(seen.size(), 30u);
}

TEST_F(LetsDoThisSim, FiltersByUpdatedAtAfterStrictly) {
  std::string id = sim().events("letsdothis")[2]["provider_event_id"];
  sim().control("mutate", {{"provider", "letsdothis"}, {"event_id", id}, {"kind", "transfer"}});
  std::string newest;
  json all = parse(get("/applications?eventId=" + id + "&page[size]=100", key()));
  for (const auto& a : all["data"])
    newest = std::max(newest, a["updatedAt"].get<std::string>());
  // One second before the newest change: the transfer's two applications.
  json changed = parse(get("/applications?eventId=" + id + "&page[size]=100&updatedAt[after]=" +
                           urlEncode(newest.substr(0, 17) + "00Z"), key()));
  EXPECT_GE(changed["data"].size(), 2u);
  bool transferred = false;
  for (const auto& a : changed["data"])
    if (a["status"] == "transferred") transferred = a.contains("transferredToApplicationId");
  EXPECT_TRUE(transferred) << changed.dump();
  EXPECT_TRUE(parse(get("/applications?eventId=" + id + "&updatedAt[after]=" + urlEncode(newest), key()))["data"].empty())
      << "after means strictly after";
}

TEST_F(LetsDoThisSim, Throttles429WithRetryAfter) {
  sim().control("rate-limits", {{"provider", "letsdothis"}, {"calls", 1}, {"window_seconds", 5}});
  EXPECT_EQ(get("/events", key()).status, 200);
  HttpResult r = get("/events", key());
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.count("retry-after"));
  EXPECT_EQ(get("/events", key(2)).status, 200) << "budgets are per API key";
}

}  // namespace
}  // namespace p88::test
