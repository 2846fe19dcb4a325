// The Let's Do This plugin: the API key is itself a signed JWT, sent as a Bearer token; events
// and applications page with an opaque page[after] cursor; incremental by updatedAt[after], one
// event's (eventId=) or, coalesced (ABI 1.2), the whole organiser account's in one stream of pages.
#include <algorithm>
#include <map>
#include <set>

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
    i.version = "1.1.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_JWT;
    i.default_calls_per_hour = 1000;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://api.letsdothis.com/v0";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT, P88_COALESCE_ACCOUNT, 0}};
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

  // One event (eventId=...), or a coalesced run: the organiser's whole account in one stream of
  // pages (no eventId), read since the oldest of the events' cursors, each row routed to its
  // event, each event committed with its own newest change.
  static void sync_applications(p88::Job& job, const std::string& key, const p88::SyncRequest& request) {
    const std::vector<p88::EventTarget> targets = request.targets();
    if (targets.empty()) throw p88::Error(p88::Status::invalid, "participants need an event id");
    const bool account_wide = request.coalesced();
    std::map<std::string, std::string> newest;  // event -> its newest change
    std::set<std::string> wanted;
    p88::Text since;  // the oldest cursor; none when an event has none (read everything)
    bool every_cursor = true;
    for (const auto& t : targets) {
      p88::SyncRequest one = request;
      one.cursor = t.cursor;
      const p88::Text c = p88::iso_cursor(job, one);
      if (!c) every_cursor = false;
      else if (!since || *c < *since) since = c;
      newest[t.provider_event_id] = c.value_or("");
      wanted.insert(t.provider_event_id);
    }
    if (!every_cursor) since.reset();
    std::optional<std::string> after;
    size_t others = 0;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string url = "/applications?";
      if (!account_wide) url += p88::query({{"eventId", targets.front().provider_event_id}}) + "&";
      url += p88::query({{"page[size]", std::to_string(kPageSize)}});
      if (since) url += "&" + p88::query({{"updatedAt[after]", updated_after(*since)}});
      if (after) url += "&" + p88::query({{"page[after]", *after}});
      const std::string what = "GET /applications " +
                               (account_wide ? "of the account for " + std::to_string(targets.size()) + " events"
                                             : "event " + targets.front().provider_event_id) +
                               " page " + std::to_string(page);
      const json body = get(job, key, url, what);
      ApplicationsPage p =
          account_wide ? parse_applications(body, wanted) : parse_applications(body, targets.front().provider_event_id);
      others += p.other_events;
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
      std::map<std::string, std::vector<p88::Participant>> by_event;
      for (const auto& rec : p.records) by_event[rec.provider_event_id].push_back(rec);
      for (auto& [id, recs] : by_event) newest[id] = p88::newest_change(job, recs, newest[id]);
      p88::expect_paging_signal(p.next_signal, p.rows, kPageSize, body, what, "page.next");
      if (!p.next || p.rows == 0) break;
      after = p.next;
    }
    if (others > 0)
      job.debug(std::to_string(others) + " changed applications of other events of the account skipped (their own syncs read them)");
    for (const auto& t : targets) job.checkpoint_event(t.provider_event_id, newest[t.provider_event_id]);
  }
};

}  // namespace
}  // namespace letsdothis

P88_PLUGIN(letsdothis::LetsDoThis)
