// Faults injected on request, each kind, over real HTTP on 127.0.0.1.
#include <Poco/Exception.h>

#include "sim/sim_fixture.h"

namespace p88::test {
namespace {

class SimFaults : public SimTest {
 protected:
  std::string racesUrl() {
    json a = sim().account("runsignup");
    return sim().url("runsignup") + "/races?format=json&api_key=" + urlEncode(a["principal"]) + "&api_secret=" + urlEncode(a["secret"]);
  }
  void fault(const json& rule) { sim().control("faults", rule); }
};

TEST_F(SimFaults, ServerErrorsForTheNextNCalls) {
  fault({{"provider", "runsignup"}, {"kind", "status_503"}, {"count", 2}});
  EXPECT_EQ(httpGet(racesUrl()).status, 503);
  HttpResult second = httpGet(racesUrl());
  EXPECT_EQ(second.status, 503);
  EXPECT_TRUE(second.headers.count("retry-after"));
  EXPECT_EQ(httpGet(racesUrl()).status, 200) << "the fault was used up";
  fault({{"provider", "runsignup"}, {"kind", "status_500"}});
  EXPECT_EQ(httpGet(racesUrl()).status, 500);
  fault({{"provider", "runsignup"}, {"kind", "status_502"}});
  HttpResult bad_gateway = httpGet(racesUrl());
  EXPECT_EQ(bad_gateway.status, 502);
  EXPECT_EQ(bad_gateway.content_type, "text/html");
}

TEST_F(SimFaults, ASlowResponseOutlastsAClientTimeout) {
  fault({{"provider", "runsignup"}, {"kind", "slow"}, {"delay_ms", 1500}});
  EXPECT_THROW(httpGet(racesUrl(), {{}, 500}), Poco::TimeoutException);
}

TEST_F(SimFaults, AResetConnectionIsATransportError) {
  fault({{"provider", "runsignup"}, {"kind", "reset"}});
  EXPECT_THROW(httpGet(racesUrl()), Poco::Exception);
  EXPECT_EQ(httpGet(racesUrl()).status, 200);
}

TEST_F(SimFaults, ATruncatedBodyEndsBeforeItsContentLength) {
  fault({{"provider", "runsignup"}, {"kind", "truncate"}});
  try {
    HttpResult r = httpGet(racesUrl());
    FAIL() << "a truncated body was read whole: " << r.body.size() << " bytes";
  } catch (const std::exception& e) {
    SUCCEED() << e.what();
  }
}

TEST_F(SimFaults, MalformedJsonAndTheWrongContentType) {
  fault({{"provider", "runsignup"}, {"kind", "malformed"}});
  HttpResult malformed = httpGet(racesUrl());
  EXPECT_EQ(malformed.status, 200);
  EXPECT_TRUE(json::parse(malformed.body, nullptr, false).is_discarded());
  fault({{"provider", "runsignup"}, {"kind", "wrong_content_type"}});
  HttpResult html = httpGet(racesUrl());
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(html.body.rfind("<!DOCTYPE html>", 0), 0u);
}

TEST_F(SimFaults, ExpiredTokenAndUnauthorizedAreTheProvidersOwnAuthFailures) {
  json a = sim().account("haku");
  std::string t = json::parse(httpPost(sim().url("haku") + "/oauth2/token", "grant_type=client_credentials",
                                       "application/x-www-form-urlencoded",
                                       {{{"Authorization", basicAuth(a["principal"], a["secret"])}}}).body)["access_token"];
  fault({{"provider", "haku"}, {"kind", "expired_token"}, {"path_prefix", "/events"}});
  EXPECT_EQ(httpGet(sim().url("haku") + "/events", {{{"Authorization", t}}}).status, 401);
  EXPECT_EQ(httpGet(sim().url("haku") + "/events", {{{"Authorization", t}}}).status, 200);
  fault({{"provider", "runsignup"}, {"kind", "unauthorized"}});
  EXPECT_EQ(json::parse(httpGet(racesUrl()).body)["error"]["error_code"], 6);
}

TEST_F(SimFaults, AProbabilisticRuleHitsSomeCallsOnly) {
  fault({{"provider", "runsignup"}, {"kind", "status_500"}, {"probability", 0.5}});
  int failed = 0;
  for (int i = 0; i < 40; ++i) failed += httpGet(racesUrl()).status == 500;
  EXPECT_GT(failed, 5);
  EXPECT_LT(failed, 35);
}

TEST_F(SimFaults, APathPrefixLimitsTheRule) {
  fault({{"provider", "runsignup"}, {"kind", "status_500"}, {"path_prefix", "/Rest/race/"}});
  EXPECT_EQ(httpGet(racesUrl()).status, 200);
  json faults = sim().control("faults");
  ASSERT_EQ(faults.size(), 1u) << "not used up by a path it does not match";
}

TEST_F(SimFaults, RefusesAnUnknownKind) {
  HttpResult r = httpPost(sim().url("control") + "/faults", json{{"kind", "gremlins"}}.dump(), "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("kind must be one of"), std::string::npos);
}

}  // namespace
}  // namespace p88::test
