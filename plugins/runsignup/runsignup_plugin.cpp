// The RunSignUp plugin: API key and secret as query parameters on every call, format=json,
// errors as HTTP 200 bodies. Streams: events (races expanded to their events), participants and
// removed_participants per event, incremental by modified_after_timestamp; the syncs of a race's
// events, first full reads included, may be coalesced into one request (ABI 1.2).
#include <algorithm>

#include "p88/plugin.hpp"
#include "p88/plugin_kit.hpp"
#include "runsignup_records.h"

#ifndef P88_PLUGIN_BUILD_ID
#define P88_PLUGIN_BUILD_ID "dev"
#endif

namespace runsignup {
namespace {

using p88::json;

constexpr int kRacesPerPage = 1000;         // RunSignUp's maximum for /races
constexpr int kParticipantsPerPage = 2500;  // and for /participants
// modified_after_timestamp is inclusive and in whole seconds; re-reading a few seconds before the
// newest change seen costs a few duplicate rows (absorbed by the idempotent upsert) and catches
// rows committed late within the same seconds.
constexpr int64_t kOverlapSeconds = 10;
constexpr const char* kCursorPrefix = "modified_after=";
// event_id takes a comma-separated list; its limit is not documented, so a race's events are
// asked for at most this many at a time (the URL stays short).
constexpr uint32_t kMaxCoalesced = 20;
// Full and incremental reads; a race's events coalesce in both: each event of event_id=ID1,ID2 is
// paged on its own, so one request for the race costs what one for a single event does.
constexpr uint32_t kBoth = P88_MODE_FULL | P88_MODE_INCREMENTAL;

struct Auth {
  std::string key, secret;
};

Auth auth_of(const p88::Credential& c) {
  if (c.principal.empty()) throw p88::Error(p88::Status::auth, "the credential has no API key (principal)");
  if (!c.secret || c.secret->empty()) throw p88::Error(p88::Status::auth, "the credential has no API secret (secret)");
  return {c.principal, *c.secret};
}

// GETs a RunSignUp path; `what` names it in errors without the key or secret.
json get(p88::Job& job, const Auth& auth, const std::string& path, const std::string& params,
         const std::string& what) {
  const std::string url = path + "?format=json&" + params + "&" +
                          p88::query({{"api_key", auth.key}, {"api_secret", auth.secret}});
  p88::Response r = job.get(url);
  p88::check_http(r, what);
  json body = p88::parse_page(r.body, what);
  check_error(body, what);
  return body;
}

void report(p88::Job& job, const std::vector<p88::FieldIssue>& issues) {
  for (const auto& i : issues) job.record_error(i.record_id, i.field, i.message);
}

std::optional<int64_t> cursor_seconds(p88::Job& job, const p88::Text& cursor) {
  if (!cursor) return std::nullopt;
  const std::string& c = *cursor;
  if (c.rfind(kCursorPrefix, 0) == 0) {
    std::string n = c.substr(std::string(kCursorPrefix).size());
    if (!n.empty() && n.size() < 19 && n.find_first_not_of("0123456789") == std::string::npos) return std::stoll(n);
  }
  job.warning("cursor '" + c + "' is not one this plugin wrote; reading everything");
  return std::nullopt;
}

class RunSignUp : public p88::Plugin {
 public:
  static p88::PluginInfo info() {
    p88::PluginInfo i;
    i.name = "RunSignUp";
    i.slug = "runsignup";
    i.version = "1.2.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_API_KEY;
    i.default_calls_per_hour = 1000;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://runsignup.com/Rest";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", kBoth, P88_SCOPE_EVENT, P88_COALESCE_RACE, kMaxCoalesced, kBoth},
                 {"removed_participants", kBoth, P88_SCOPE_EVENT, P88_COALESCE_RACE, kMaxCoalesced, kBoth}};
    return i;
  }

  void sync(p88::Job& job, const p88::SyncRequest& request) override {
    const Auth auth = auth_of(request.credential);
    if (request.stream == "events") return sync_events(job, auth);
    if (request.stream == "participants" || request.stream == "removed_participants")
      return sync_participants(job, auth, request, request.stream == "removed_participants");
    throw p88::Error(p88::Status::invalid, "unknown stream '" + request.stream + "'");
  }

 private:
  static void sync_events(p88::Job& job, const Auth& auth) {
    size_t events = 0;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      const std::string what = "GET /races page " + std::to_string(page);
      json body = get(job, auth, "/races",
                      "events=T&page=" + std::to_string(page) + "&results_per_page=" + std::to_string(kRacesPerPage),
                      what);
      EventsPage p = parse_races(body);
      report(job, p.issues);
      for (const auto& e : p.events) events += job.emit(e) ? 1 : 0;
      if (p.races < static_cast<size_t>(kRacesPerPage)) break;
    }
    job.checkpoint("events=" + std::to_string(events));
  }

  // One event, or the events of one race coalesced into one request (event_id=ID1,ID2,...; the
  // answer has an element per event): paged together, each event until its page is short, read
  // since the oldest of their cursors, each committed with its own newest change.
  static void sync_participants(p88::Job& job, const Auth& auth, const p88::SyncRequest& request, bool removed) {
    const std::vector<p88::EventTarget> targets = request.targets();
    if (targets.empty() || !request.provider_race_id)
      throw p88::Error(p88::Status::invalid, "RunSignUp needs the event id and its race id");
    for (const auto& t : targets)
      if (t.provider_race_id && *t.provider_race_id != *request.provider_race_id)
        throw p88::Error(p88::Status::invalid, "coalesced events " + targets.front().provider_event_id + " and " +
                                                   t.provider_event_id + " are of different races");
    const std::string path = "/race/" + p88::url_encode(*request.provider_race_id) +
                             (removed ? "/removed-participants" : "/participants");
    struct State {
      const p88::EventTarget* target;
      int64_t newest = 0;
      bool open = true;  // its last page was full
    };
    std::vector<State> events;
    std::optional<int64_t> since;  // the oldest cursor: every event has its changes after it
    bool incremental = !request.full();
    for (const auto& t : targets) {
      const std::optional<int64_t> c = request.full() ? std::nullopt : cursor_seconds(job, t.cursor);
      if (!c) incremental = false;
      else since = since ? std::min(*since, *c) : *c;
      events.push_back({&t, c.value_or(0), true});
    }
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string ids;
      for (const State& e : events)
        if (e.open) ids += (ids.empty() ? "" : ",") + e.target->provider_event_id;
      if (ids.empty()) break;
      std::string params = "event_id=" + p88::url_encode(ids) + "&page=" + std::to_string(page) +
                           "&results_per_page=" + std::to_string(kParticipantsPerPage) +
                           "&sort=" + p88::url_encode("registration_id ASC");
      if (incremental && since)
        params += "&modified_after_timestamp=" + std::to_string(std::max<int64_t>(0, *since - kOverlapSeconds));
      if (!removed) params += "&include_questions=T";
      const std::string what = "GET " + path + " event " + ids + " page " + std::to_string(page);
      json body = get(job, auth, path, params, what);
      for (State& e : events) {
        if (!e.open) continue;
        const std::string& id = e.target->provider_event_id;
        ParticipantsPage p = removed ? parse_removed(body, id) : parse_participants(body, id, e.target->event_name);
        report(job, p.issues);
        for (const auto& rec : p.records) job.emit(rec);
        const std::string latest = p88::newest_change(job, p.records, p88::time::format_unix(e.newest));
        if (auto t = p88::time::parse_iso(latest))
          e.newest = std::max(e.newest, static_cast<int64_t>(t->time_since_epoch().count()));
        e.open = p.rows >= static_cast<size_t>(kParticipantsPerPage);
      }
    }
    // Only now is every row up to `newest` stored: rows are paged by id, not by change time.
    for (const State& e : events) job.checkpoint_event(e.target->provider_event_id, kCursorPrefix + std::to_string(e.newest));
  }
};

}  // namespace
}  // namespace runsignup

P88_PLUGIN(runsignup::RunSignUp)
