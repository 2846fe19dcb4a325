// The simulator's control API: ground truth, counters, clock, resizing, determinism.
#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class SimControl : public SimTest {};

TEST_F(SimControl, EveryPartnerHasAnAccountAtEveryProviderWithEventsNearAndFar) {
  json accounts = sim().control("accounts");
  EXPECT_EQ(accounts.size(), 8u);
  json events = sim().events("haku");
  ASSERT_EQ(events.size(), 7u);
  int past = 0, within_hour = 0, days_away = 0;
  auto now = sim().control("health")["now"].get<std::string>();
  for (const auto& e : events) {
    if (e["start_time"] < now) ++past;
    if (e["start_time"] > now && e["start_time"].get<std::string>().substr(0, 10) == now.substr(0, 10)) ++within_hour;
    if (e["start_time"].get<std::string>().substr(0, 7) != now.substr(0, 7)) ++days_away;
  }
  EXPECT_GE(past, 2) << "one started 40 minutes ago, one days ago";
  EXPECT_GE(days_away, 1);
}

TEST_F(SimControl, CountsCallsPerCredentialAndRoute) {
  json a = sim().account("runsignup", 2);
  const std::string url = sim().url("runsignup") + "/races?format=json&api_key=" + urlEncode(a["principal"]) +
                          "&api_secret=" + urlEncode(a["secret"]);
  for (int i = 0; i < 3; ++i) httpGet(url);
  EXPECT_EQ(calls("runsignup", "runsignup/partner-2", "/Rest/races"), 3);
  sim().control("stats/reset", json::object());
  EXPECT_EQ(sim().control("stats")["total_calls"], 0);
}

TEST_F(SimControl, MutationsChangeTheTruth) {
  std::string id = sim().events("letsdothis")[4]["provider_event_id"];
  json before = sim().control("truth/participants?provider=letsdothis&event_id=" + id);
  json change = sim().control("mutate", {{"provider", "letsdothis"}, {"event_id", id}, {"kind", "new"}, {"count", 3}});
  EXPECT_EQ(change["changes"].size(), 3u);
  json after = sim().control("truth/participants?provider=letsdothis&event_id=" + id);
  EXPECT_EQ(after.size(), before.size() + 3);
  EXPECT_EQ(httpPost(sim().url("control") + "/mutate", json{{"kind", "explode"}}.dump(), "application/json").status, 400);
}

TEST_F(SimControl, JournalsEveryChangeWithItsTime) {
  const uint64_t before = sim().control("changes")["last"];
  std::string id = sim().events("haku")[2]["provider_event_id"];
  sim().control("mutate", {{"provider", "haku"}, {"event_id", id}, {"kind", "edit"}});
  sim().control("mutate", {{"provider", "haku"}, {"event_id", id}, {"kind", "transfer"}});
  json j = sim().control("changes?after=" + std::to_string(before));
  ASSERT_EQ(j["changes"].size(), 3u);
  EXPECT_EQ(j["last"], before + 3);
  EXPECT_EQ(j["changes"][0]["kind"], "edit");
  EXPECT_EQ(j["changes"][1]["kind"], "transfer");
  EXPECT_EQ(j["changes"][2]["kind"], "transfer_in");
  EXPECT_EQ(j["changes"][0]["seq"], before + 1);
  // Each names the registration as the truth has it, with its new modification time.
  auto event_truth = truth("haku", id);
  for (const json& c : j["changes"]) {
    EXPECT_EQ(c["provider"], "haku");
    EXPECT_EQ(c["event_id"], id);
    ASSERT_TRUE(event_truth.count(c["participant_id"].get<std::string>())) << c.dump();
    EXPECT_EQ(event_truth[c["participant_id"].get<std::string>()]["last_modified"], c["at"]) << c.dump();
  }
  EXPECT_EQ(httpGet(sim().url("control") + "/changes?after=x").status, 400);
}

TEST_F(SimControl, ResizesAnEvent) {
  std::string id = sim().events("raceroster")[5]["provider_event_id"];
  json r = sim().control("resize", {{"provider", "raceroster"}, {"event_id", id}, {"participants", 1200}});
  EXPECT_EQ(r["participants"], 1200);
  EXPECT_EQ(sim().control("truth/participants?provider=raceroster&event_id=" + id).size(), 1200u);
}

TEST_F(SimControl, TheClockCanJumpAndRunFaster) {
  json before = sim().control("clock");
  json after = sim().control("clock", {{"advance_seconds", 7200}, {"scale", 60}});
  EXPECT_EQ(after["scale"], 60.0);
  EXPECT_GE(after["now"].get<std::string>(), before["now"].get<std::string>());
  EXPECT_EQ(after["offset_seconds"].get<long>() - before["offset_seconds"].get<long>(), 7200);
  sim().control("clock", {{"scale", 1}});
}

TEST_F(SimControl, TheSameSeedMakesTheSameWorld) {
  SimProcess a({"--seed", "7", "--partners", "1", "--participants", "20"});
  SimProcess b({"--seed", "7", "--partners", "1", "--participants", "20"});
  SimProcess c({"--seed", "8", "--partners", "1", "--participants", "20"});
  auto names = [](const SimProcess& s) {
    std::vector<std::string> out;
    for (const auto& e : s.control("events"))
      for (const auto& p : s.control("truth/participants?provider=" + e["provider"].get<std::string>() + "&event_id=" +
                                     e["provider_event_id"].get<std::string>()))
        out.push_back(p["provider_participant_id"].get<std::string>() + " " + p["first_name"].dump() + " " +
                      p["last_name"].dump() + " " + p["bib"].dump() + " " + p["email"].dump());
    return out;
  };
  EXPECT_EQ(names(a), names(b));
  EXPECT_NE(names(a), names(c));
  EXPECT_EQ(a.account("runsignup")["secret"], b.account("runsignup")["secret"]);
}

TEST_F(SimControl, TheDataIncludesHostileValues) {
  bool unicode = false, quote = false, long_name = false, empty_bib = false, missing_email = false;
  for (const auto& e : sim().events("runsignup"))
    for (const auto& p : sim().control("truth/participants?provider=runsignup&event_id=" + e["provider_event_id"].get<std::string>())) {
      const std::string name = p["first_name"].get<std::string>() + p["last_name"].get<std::string>();
      unicode |= name.find("\xF0\x9F") != std::string::npos;  // an emoji
      quote |= name.find('\'') != std::string::npos || name.find('"') != std::string::npos;
      long_name |= name.size() > 255;
      empty_bib |= p["bib"].is_null();
      missing_email |= p["email"].is_null();
    }
  EXPECT_TRUE(unicode && quote && long_name && empty_bib && missing_email);
}

}  // namespace
}  // namespace p88::test
