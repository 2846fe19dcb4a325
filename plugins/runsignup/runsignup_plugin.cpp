// The RunSignUp plugin: API key and secret as query parameters on every call, format=json,
// errors as HTTP 200 bodies. Streams: events (races expanded to their events), participants and
// removed_participants per event, incremental by modified_after_timestamp.
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
    i.version = "1.0.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_API_KEY;
    i.default_calls_per_hour = 1000;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://runsignup.com/Rest";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT},
                 {"removed_participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT}};
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

  static void sync_participants(p88::Job& job, const Auth& auth, const p88::SyncRequest& request, bool removed) {
    if (!request.provider_event_id || !request.provider_race_id)
      throw p88::Error(p88::Status::invalid, "RunSignUp needs the event id and its race id");
    const std::string& event_id = *request.provider_event_id;
    const std::string path = "/race/" + p88::url_encode(*request.provider_race_id) +
                             (removed ? "/removed-participants" : "/participants");
    const std::optional<int64_t> cursor = request.full() ? std::nullopt : cursor_seconds(job, request.cursor);
    const bool incremental = cursor.has_value();
    const int64_t since = cursor.value_or(0);
    int64_t newest = since;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string params = "event_id=" + p88::url_encode(event_id) + "&page=" + std::to_string(page) +
                           "&results_per_page=" + std::to_string(kParticipantsPerPage) +
                           "&sort=" + p88::url_encode("registration_id ASC");
      if (incremental)
        params += "&modified_after_timestamp=" + std::to_string(std::max<int64_t>(0, since - kOverlapSeconds));
      if (!removed) params += "&include_questions=T";
      const std::string what = "GET " + path + " event " + event_id + " page " + std::to_string(page);
      json body = get(job, auth, path, params, what);
      ParticipantsPage p = removed ? parse_removed(body, event_id) : parse_participants(body, event_id, request.event_name);
      body = json();  // the page is not held twice
      report(job, p.issues);
      for (const auto& rec : p.records) job.emit(rec);
      const std::string latest = p88::newest_change(job, p.records, p88::time::format_unix(newest));
      if (auto t = p88::time::parse_iso(latest)) newest = std::max(newest, static_cast<int64_t>(t->time_since_epoch().count()));
      if (p.rows < static_cast<size_t>(kParticipantsPerPage)) break;
    }
    // Only now is every row up to `newest` stored: rows are paged by id, not by change time.
    job.checkpoint(kCursorPrefix + std::to_string(newest));
  }
};

}  // namespace
}  // namespace runsignup

P88_PLUGIN(runsignup::RunSignUp)
