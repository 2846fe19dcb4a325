/*
 * Test plugins, built from this one file with TEST_PLUGIN_KIND set to one of the kinds below.
 * Each is a real shared object; the "broken" ones fail exactly one of the host's checks.
 */
#include <p88/plugin.h>
#include <stddef.h>

#define KIND_GOOD 0
#define KIND_NO_ENTRY 1
#define KIND_UNRESOLVED 2
#define KIND_ABI_MAJOR 3
#define KIND_ABI_MINOR 4
#define KIND_TOO_SMALL 5
#define KIND_NULL_SYNC 6
#define KIND_NULL_AUTHENTICATE 7
#define KIND_NULL_DESCRIPTOR 8

#ifndef TEST_PLUGIN_NAME
#define TEST_PLUGIN_NAME "Test Provider"
#endif
#ifndef TEST_PLUGIN_SLUG
#define TEST_PLUGIN_SLUG "test_provider"
#endif

#if TEST_PLUGIN_KIND == KIND_UNRESOLVED
/* Declared, never defined anywhere: dlopen(RTLD_NOW) must fail on it. */
extern int p88_test_symbol_that_does_not_exist(int);
#endif

__attribute__((unused)) static int32_t test_sync(const p88_host_api* host, p88_job* job,
                                                const p88_sync_request* req) {
  (void)req;
#if TEST_PLUGIN_KIND == KIND_UNRESOLVED
  (void)host;
  (void)job;
  return p88_test_symbol_that_does_not_exist(1);
#else
  return host->checkpoint(job, "");
#endif
}

static const p88_stream_info streams[] = {
    {sizeof(p88_stream_info), "events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
    {sizeof(p88_stream_info), "participants", P88_MODE_FULL | P88_MODE_INCREMENTAL,
     P88_SCOPE_EVENT},
};

static const p88_plugin_descriptor descriptor = {
#if TEST_PLUGIN_KIND == KIND_TOO_SMALL
    16,
#else
    sizeof(p88_plugin_descriptor),
#endif
#if TEST_PLUGIN_KIND == KIND_ABI_MAJOR
    P88_ABI_MAJOR + 1,
#else
    P88_ABI_MAJOR,
#endif
#if TEST_PLUGIN_KIND == KIND_ABI_MINOR
    P88_ABI_MINOR + 1,
#else
    P88_ABI_MINOR,
#endif
    TEST_PLUGIN_NAME,
    TEST_PLUGIN_SLUG,
    "0.0.1",
    "test",
#if TEST_PLUGIN_KIND == KIND_NULL_AUTHENTICATE
    P88_AUTH_OAUTH2,
#else
    P88_AUTH_API_KEY,
#endif
    750,
    0,
    "http://127.0.0.1:9/",
    streams,
    2,
    NULL,
#if TEST_PLUGIN_KIND == KIND_NULL_SYNC
    NULL,
#else
    test_sync,
#endif
    NULL, /* ABI 1.2: no coalescing */
    0,
};

#if TEST_PLUGIN_KIND != KIND_NO_ENTRY
P88_EXPORT const p88_plugin_descriptor* p88_plugin_entry(void) {
#if TEST_PLUGIN_KIND == KIND_NULL_DESCRIPTOR
  (void)descriptor;
  return NULL;
#else
  return &descriptor;
#endif
}
#else
/* Exports something, just not the entry point. */
P88_EXPORT const p88_plugin_descriptor* p88_plugin_entry_misspelled(void) { return &descriptor; }
#endif
