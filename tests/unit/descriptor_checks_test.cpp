#include <gtest/gtest.h>

#include "plugins/descriptor_checks.h"

namespace p88::plugins {
namespace {

int32_t noSync(const p88_host_api*, p88_job*, const p88_sync_request*) { return P88_OK; }

const p88_stream_info kStreams[] = {{sizeof(p88_stream_info), "events", P88_MODE_FULL, P88_SCOPE_ACCOUNT}};

p88_plugin_descriptor good() {
  p88_plugin_descriptor d{};
  d.struct_size = sizeof d;
  d.abi_major = P88_ABI_MAJOR;
  d.abi_minor = P88_ABI_MINOR;
  d.name = "Good";
  d.slug = "good";
  d.version = "1";
  d.auth_kind = P88_AUTH_API_KEY;
  d.default_calls_per_hour = 100;
  d.streams = kStreams;
  d.stream_count = 1;
  d.sync = noSync;
  return d;
}

std::string check(void (*change)(p88_plugin_descriptor&)) {
  p88_plugin_descriptor d = good();
  change(d);
  return checkDescriptor(&d).value_or("ok");
}

TEST(DescriptorChecks, AcceptsAWellFormedDescriptor) {
  EXPECT_EQ(check([](p88_plugin_descriptor&) {}), "ok");
}

TEST(DescriptorChecks, RefuseEachBrokenFieldNamingIt) {
  EXPECT_EQ(checkDescriptor(nullptr).value_or("ok"), "p88_plugin_entry() returned NULL instead of a descriptor");
  EXPECT_NE(check([](auto& d) { d.struct_size = 4; }).find("even the version header needs 12"), std::string::npos);
  EXPECT_NE(check([](auto& d) { d.abi_major = 0; }).find("ABI major version mismatch"), std::string::npos);
  EXPECT_NE(check([](auto& d) { d.abi_minor = 7; }).find("needs ABI 1.7"), std::string::npos);
  EXPECT_NE(check([](auto& d) { d.struct_size = 40; }).find("struct_size is 40"), std::string::npos);
  EXPECT_EQ(check([](auto& d) { d.name = ""; }), "required field name is NULL or empty");
  EXPECT_NE(check([](auto& d) { d.slug = "Bad Slug"; }).find("field slug is 'Bad Slug'"), std::string::npos);
  EXPECT_EQ(check([](auto& d) { d.version = nullptr; }), "required field version is NULL or empty");
  EXPECT_EQ(check([](auto& d) { d.auth_kind = 9; }), "field auth_kind is 9, expected 0 to 3");
  EXPECT_EQ(check([](auto& d) { d.default_calls_per_hour = 0; }), "field default_calls_per_hour is 0, expected > 0");
  EXPECT_NE(check([](auto& d) { d.stream_count = 0; }).find("declares no streams"), std::string::npos);
  EXPECT_EQ(check([](auto& d) { d.sync = nullptr; }), "required function sync is NULL");
  EXPECT_EQ(check([](auto& d) { d.auth_kind = P88_AUTH_OAUTH2; }),
            "required function authenticate is NULL (auth_kind is oauth2)");
}

TEST(DescriptorChecks, AnOlderMinorIsAccepted) {
  // A plugin built against 1.0 keeps loading in every 1.x host.
  EXPECT_EQ(check([](auto& d) { d.abi_minor = 0; }), "ok");
}

}  // namespace
}  // namespace p88::plugins
