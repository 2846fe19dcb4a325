// The SDK kit's page parser on hostile pages: one bad value costs that value, never the page or
// the process, and the record it sits in says which field.
#include <gtest/gtest.h>

#include "p88/plugin_kit.hpp"

namespace {

using p88::json;

std::vector<p88::FieldIssue> issuesOf(const json& record, const std::string& id) {
  std::vector<p88::FieldIssue> issues;
  p88::FieldReader r(record, id, issues);
  return issues;
}

TEST(PageParser, AValueNestedTwoHundredThousandDeepIsDroppedAndTheRestKept) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const std::string page = R"({"data":[{"id":"a","name":"Ana"},{"id":"b","name":"Bo","evil":)" + deep +
                           R"(},{"id":"c","name":"Cy"}]})";
  json j = p88::parse_page(page, "GET /v0/applications");
  ASSERT_EQ(j["data"].size(), 3u);
  EXPECT_EQ(j["data"][2]["name"], "Cy");
  EXPECT_EQ(j["data"][1]["name"], "Bo");
  // Nothing deep is left to recurse into: dumping and copying the page is safe.
  EXPECT_LT(j.dump().size(), 1000u);
  auto issues = issuesOf(j["data"][1], "b");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].record_id, "b");
  EXPECT_EQ(issues[0].field, "evil");
  EXPECT_NE(issues[0].message.find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_TRUE(issuesOf(j["data"][0], "a").empty());
}

TEST(PageParser, InvalidUtf8InOneNameIsReplacedAndReported) {
  const std::string page = "{\"data\":[{\"id\":\"a\",\"user\":{\"first_name\":\"Zo\xFF\xC3\"}},{\"id\":\"b\","
                           "\"user\":{\"first_name\":\"Zo\xC3\xAB\"}}]}";
  json j = p88::parse_page(page, "GET x");
  ASSERT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][0]["user"]["first_name"], "Zo\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["data"][1]["user"]["first_name"], "Zo\xC3\xAB") << "valid UTF-8 is untouched";
  auto issues = issuesOf(j["data"][0], "a");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].field, "user.first_name");
  EXPECT_EQ(issues[0].message, "invalid UTF-8 replaced by U+FFFD");
  EXPECT_TRUE(issuesOf(j["data"][1], "b").empty());
}

TEST(PageParser, ALoneSurrogateEscapeIsReplacedAndAPairKept) {
  json j = p88::parse_page(R"([{"id":1,"last_name":"Nguy\ud83c","team":"\ud83c\udfc3 Runners","x":"\\ud83c"}])", "GET x");
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["last_name"], "Nguy\xEF\xBF\xBD");
  EXPECT_EQ(j[0]["team"], "\xF0\x9F\x8F\x83 Runners");
  EXPECT_EQ(j[0]["x"], "\\ud83c") << "an escaped backslash is not an escape";
  auto issues = issuesOf(j[0], "1");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].field, "last_name");
}

TEST(PageParser, OverlongAndSurrogateEncodingsAreInvalid) {
  size_t replaced = 0;
  EXPECT_EQ(p88::sanitize_utf8("\"\xC0\xAF\"", replaced), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(replaced, 2u);
  EXPECT_EQ(p88::sanitize_utf8("\"\xED\xA0\x80\"", replaced), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(p88::sanitize_utf8("\"\xF4\x90\x80\x80\"", replaced).find("\xF4"), std::string::npos);
  EXPECT_EQ(p88::sanitize_utf8("\"名前 Дмитрий 🏃\"", replaced), "\"名前 Дмитрий 🏃\"");
  EXPECT_EQ(replaced, 0u);
}

TEST(PageParser, NotJsonAtAllIsStillAnError) {
  EXPECT_THROW(p88::parse_page("<html>maintenance</html>", "GET x"), p88::Error);
  EXPECT_THROW(p88::parse_page(R"({"data":[{"id":1,)", "GET x"), p88::Error);
}

}  // namespace
