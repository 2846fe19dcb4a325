// The Let's Do This plugin: the API key is itself a signed JWT, sent as a Bearer token; events
// and applications page with an opaque page[after] cursor; incremental by updatedAt[after].
#include <algorithm>

#include "letsdothis_records.h"
#include "p88/plugin.hpp"
#include "p88/plugin_kit.hpp"

#ifndef P88_PLUGIN_BUILD_ID
#define P88_PLUGIN_BUILD_ID "dev"
#endif

namespace letsdothis {
namespace {

using p88::json;

constexpr int kPageSize = 100;  // the largest page[size]

class LetsDoThis : public p88::Plugin {
 public:
  static p88::PluginInfo info() {
    p88::PluginInfo i;
    i.name = "Let's Do This";
    i.slug = "letsdothis";
    i.version = "1.0.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_JWT;
    i.default_calls_per_hour = 1000;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://api.letsdothis.com/v0";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT}};
    return i;
  }

  void sync(p88::Job& job, const p88::SyncRequest& request) override {
    const std::string& key = request.credential.principal;
    if (std::count(key.begin(), key.end(), '.') != 2)
      throw p88::Error(p88::Status::auth, "the Let's Do This API key (principal) is not a JWT (header.payload.signature)");
    if (request.stream == "events") return sync_events(job, key);
    if (request.stream == "participants") return sync_applications(job, key, request);
    throw p88::Error(p88::Status::invalid, "unknown stream '" + request.stream + "'");
  }

 private:
  static json get(p88::Job& job, const std::string& key, const std::string& url, const std::string& what) {
    p88::Response r = job.get(url, {{"Authorization", "Bearer " + key}});
    p88::check_http(r, what);
    return p88::parse_page(r.body, what);
  }

  static void sync_events(p88::Job& job, const std::string& key) {
    size_t emitted = 0;
    std::optional<std::string> after;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string url = "/events?" + p88::query({{"page[size]", std::to_string(kPageSize)}});
      if (after) url += "&" + p88::query({{"page[after]", *after}});
      const json body = get(job, key, url, "GET /events page " + std::to_string(page));
      EventsPage p = parse_events(body);
      for (const auto& i : p.issues) job.record_error(i.record_id, i.field, i.message);
      for (const auto& e : p.events) emitted += job.emit(e) ? 1 : 0;
      p88::expect_paging_signal(p.next_signal, p.rows, kPageSize, body, "GET /events page " + std::to_string(page),
                                "page.next");
      if (!p.next || p.rows == 0) break;
      after = p.next;
    }
    job.checkpoint("events=" + std::to_string(emitted));
  }

  static void sync_applications(p88::Job& job, const std::string& key, const p88::SyncRequest& request) {
    if (!request.provider_event_id) throw p88::Error(p88::Status::invalid, "participants need an event id");
    const std::string& event_id = *request.provider_event_id;
    const p88::Text since = p88::iso_cursor(job, request);
    std::string newest = since.value_or("");
    std::optional<std::string> after;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string url = "/applications?" + p88::query({{"eventId", event_id}, {"page[size]", std::to_string(kPageSize)}});
      if (since) url += "&" + p88::query({{"updatedAt[after]", updated_after(*since)}});
      if (after) url += "&" + p88::query({{"page[after]", *after}});
      const std::string what = "GET /applications event " + event_id + " page " + std::to_string(page);
      const json body = get(job, key, url, what);
      ApplicationsPage p = parse_applications(body, event_id);
      for (const auto& i : p.issues) job.record_error(i.record_id, i.field, i.message);
      for (const auto& rec : p.records) job.emit(rec);
      // updatedAt[after] is strict: a row changed at or before it means the filter was not applied
      // (the rows are stored all the same: they are the provider's data).
      if (since)
        for (const auto& rec : p.records)
          if (rec.last_modified && *rec.last_modified <= updated_after(*since)) {
            job.record_error(rec.provider_participant_id, "updatedAt",
                             "'" + *rec.last_modified + "' is not after updatedAt[after]=" + updated_after(*since) +
                                 ": the provider may be ignoring the filter (stored all the same)");
            break;  // once per page
          }
      newest = p88::newest_change(job, p.records, newest);
      p88::expect_paging_signal(p.next_signal, p.rows, kPageSize, body, what, "page.next");
      if (!p.next || p.rows == 0) break;
      after = p.next;
    }
    job.checkpoint(newest);
  }
};

}  // namespace
}  // namespace letsdothis

P88_PLUGIN(letsdothis::LetsDoThis)
