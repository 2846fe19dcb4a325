// The registry against real shared objects: one good plugin and one broken .so per refusal kind,
// each built by tests/CMakeLists.txt from tests/plugins/test_plugins.c.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "plugins/plugin_registry.h"
#include "support/test_support.h"

namespace p88 {
namespace {

struct Refusal {
  const char* plugin;
  std::vector<const char*> words;  // the reason names the check and both values
};

// Loads one plugin file from a fresh private directory.
plugins::PluginEntry loadAlone(const std::string& plugin) {
  test::TempDir dir;
  std::string path = test::copyInto(test::testPlugin(plugin), dir.path());
  plugins::PluginRegistry registry;
  registry.scan({dir.path()});
  EXPECT_EQ(registry.entries().size(), 1u);
  return registry.entries().at(0);
}

TEST(PluginRegistry, LoadsAGoodPluginAndReadsItsDescriptor) {
  plugins::PluginEntry e = loadAlone("good_plugin");
  ASSERT_TRUE(e.ok) << e.refusal;
  EXPECT_EQ(e.name, "Test Provider");
  EXPECT_EQ(e.slug, "test_provider");
  EXPECT_EQ(e.version, "0.0.1");
  EXPECT_EQ(e.calls_per_hour, 750u);
  EXPECT_EQ(plugins::describeStreams(e.streams), "events[full] participants[full,incremental]");
  ASSERT_NE(e.descriptor, nullptr);
  EXPECT_NE(e.descriptor->sync, nullptr);
}

class PluginRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(PluginRefusal, IsRefusedWithAReasonNamingTheCheckAndBothValues) {
  plugins::PluginEntry e = loadAlone(GetParam().plugin);
  EXPECT_FALSE(e.ok);
  for (const char* w : GetParam().words)
    EXPECT_NE(e.refusal.find(w), std::string::npos) << "missing '" << w << "' in: " << e.refusal;
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, PluginRefusal,
    ::testing::Values(
        Refusal{"not_elf_plugin", {"not an ELF shared object", "23 21 2f 62", "7f 45 4c 46"}},
        Refusal{"no_entry_plugin", {"missing entry point", "p88_plugin_entry"}},
        Refusal{"unresolved_plugin", {"unresolved symbol", "p88_test_symbol_that_does_not_exist"}},
        Refusal{"abi_major_plugin", {"ABI major version mismatch", "ABI 2.2", "ABI 1.2"}},
        Refusal{"abi_minor_plugin", {"ABI minor version too new", "needs ABI 1.3", "provides 1.2"}},
        Refusal{"too_small_plugin", {"descriptor too small", "struct_size is 16", "at least"}},
        Refusal{"null_sync_plugin", {"required function sync is NULL"}},
        Refusal{"null_authenticate_plugin", {"authenticate is NULL", "oauth2"}},
        Refusal{"null_descriptor_plugin", {"returned NULL"}}),
    [](const auto& info) { return std::string(info.param.plugin); });

TEST(PluginRegistry, RefusesASecondPluginForTheSameProviderName) {
  test::TempDir dir;
  test::copyInto(test::testPlugin("good_plugin"), dir.path(), "a_first.so");
  test::copyInto(test::testPlugin("good_plugin"), dir.path(), "b_second.so");
  plugins::PluginRegistry registry;
  registry.scan({dir.path()});
  ASSERT_EQ(registry.entries().size(), 2u);
  EXPECT_TRUE(registry.entries()[0].ok);
  EXPECT_FALSE(registry.entries()[1].ok);
  EXPECT_NE(registry.entries()[1].refusal.find("duplicate provider name 'Test Provider'"), std::string::npos);
  EXPECT_NE(registry.entries()[1].refusal.find("a_first.so"), std::string::npos);
}

TEST(PluginRegistry, RefusesAPluginFileWritableByOtherUsers) {
  test::TempDir dir;
  std::string path = test::copyInto(test::testPlugin("good_plugin"), dir.path());
  ASSERT_EQ(::chmod(path.c_str(), 0757), 0);
  plugins::PluginRegistry registry;
  registry.scan({dir.path()});
  ASSERT_EQ(registry.entries().size(), 1u);
  EXPECT_FALSE(registry.entries()[0].ok);
  EXPECT_NE(registry.entries()[0].refusal.find("plugin file " + path + " is writable by other users (mode 0757"),
            std::string::npos)
      << registry.entries()[0].refusal;
}

TEST(PluginRegistry, RefusesAPluginInADirectoryWritableByOtherUsers) {
  test::TempDir dir;
  test::copyInto(test::testPlugin("good_plugin"), dir.path());
  ASSERT_EQ(::chmod(dir.path().c_str(), 01777), 0);
  plugins::PluginRegistry registry;
  registry.scan({dir.path()});
  ASSERT_EQ(registry.entries().size(), 1u);
  EXPECT_FALSE(registry.entries()[0].ok);
  EXPECT_NE(registry.entries()[0].refusal.find("plugin directory " + dir.path() + " is writable by other users (mode 01777"),
            std::string::npos)
      << registry.entries()[0].refusal;
}

TEST(PluginRegistry, KeepsGoingAfterARefusalAndLoadsTheOthers) {
  test::TempDir dir;
  test::copyInto(test::testPlugin("abi_major_plugin"), dir.path());
  test::copyInto(test::testPlugin("other_good_plugin"), dir.path());
  test::copyInto(test::testPlugin("unresolved_plugin"), dir.path());
  plugins::PluginRegistry registry;
  registry.scan({dir.path()});
  ASSERT_EQ(registry.entries().size(), 3u);
  EXPECT_FALSE(registry.allLoaded());
  ASSERT_NE(registry.find("Other Provider"), nullptr);
  EXPECT_EQ(registry.find("Test Provider"), nullptr);
}

TEST(PluginRegistry, SkipsAMissingDirectory) {
  plugins::PluginRegistry registry;
  registry.scan({"/nonexistent/p88/plugins"});
  EXPECT_TRUE(registry.entries().empty());
  EXPECT_TRUE(registry.allLoaded());
}

}  // namespace
}  // namespace p88
