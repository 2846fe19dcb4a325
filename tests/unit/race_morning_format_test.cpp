// The race-morning view's pure parts: the listen address, durations, states, the page's escaping.
#include <gtest/gtest.h>

#include <stdexcept>

#include "status/http_listener.h"
#include "status/race_morning.h"

namespace p88::status {
namespace {

TEST(ListenAddress, ABarePortIsLoopbackAndAHostOrIPv6AddressIsKept) {
  EXPECT_EQ(parseListenAddress("9188"), std::make_pair(std::string("127.0.0.1"), 9188));
  EXPECT_EQ(parseListenAddress(":9188"), std::make_pair(std::string("127.0.0.1"), 9188));
  EXPECT_EQ(parseListenAddress("0.0.0.0:80"), std::make_pair(std::string("0.0.0.0"), 80));
  EXPECT_EQ(parseListenAddress("[::1]:9188"), std::make_pair(std::string("::1"), 9188));
  EXPECT_EQ(parseListenAddress("127.0.0.1:0"), std::make_pair(std::string("127.0.0.1"), 0));
}

TEST(ListenAddress, BadValuesAreRefusedNamingTheValue) {
  for (const char* bad : {"", "localhost", "127.0.0.1:", "1.2.3.4:99999", "[::1]9188", "host:port", "123456"}) {
    try {
      parseListenAddress(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(RaceMorningFormat, DurationsReadAtAGlance) {
  EXPECT_EQ(formatDuration(std::nullopt), "-");
  EXPECT_EQ(formatDuration(0), "0s");
  EXPECT_EQ(formatDuration(59), "59s");
  EXPECT_EQ(formatDuration(185), "3m 05s");
  EXPECT_EQ(formatDuration(3720), "1h 02m");
  EXPECT_EQ(formatDuration(3 * 86400 + 4 * 3600), "3d 04h");
  EXPECT_EQ(formatDuration(-5), "0s");
}

TEST(RaceMorningFormat, StatesAndTheSummary) {
  RaceMorning view;
  EXPECT_EQ(summaryOf(view), "no event starts within the next 1d 00h");
  EventFreshness fresh, stale, failing;
  fresh.next_sync_seconds = 0;
  stale.stale = true;
  stale.next_sync_seconds = 125;
  failing.stale = failing.failing = true;
  EXPECT_EQ(stateOf(fresh), "ok");
  EXPECT_EQ(stateOf(stale), "STALE");
  EXPECT_EQ(stateOf(failing), "STALE, FAILING");
  EXPECT_EQ(nextSyncOf(fresh), "now");
  EXPECT_EQ(nextSyncOf(stale), "2m 05s");
  EXPECT_EQ(nextSyncOf(failing), "-");
  view.events = {fresh};
  EXPECT_TRUE(view.healthy());
  EXPECT_EQ(summaryOf(view), "all 1 events fresh");
  view.events = {fresh, stale, failing};
  EXPECT_FALSE(view.healthy());
  EXPECT_EQ(summaryOf(view), "2 stale, 1 failing of 3 events");
}

TEST(RaceMorningPage, ProviderTextIsEscaped) {
  RaceMorning view;
  EventFreshness e;
  e.provider = "Let's <Do> This";
  e.name = "A & B \"race\"";
  e.last_error = "<script>alert(1)</script>";
  view.events = {e};
  const std::string html = renderHtml(view, "0.1.0");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Let&#39;s &lt;Do&gt; This"), std::string::npos);
  EXPECT_NE(html.find("A &amp; B &quot;race&quot;"), std::string::npos);
}

}  // namespace
}  // namespace p88::status
