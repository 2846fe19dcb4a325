// The Race Roster plugin: a password-style token grant (client id and secret, the account's
// username and password from additional_config) renewed by its refresh token, Bearer tokens,
// events paged by offset/limit, participants by page/perPage, incremental by lastModifiedDate.
#include <algorithm>

#include "p88/plugin.hpp"
#include "p88/plugin_kit.hpp"
#include "raceroster_records.h"

#ifndef P88_PLUGIN_BUILD_ID
#define P88_PLUGIN_BUILD_ID "dev"
#endif

namespace raceroster {
namespace {

using p88::json;

constexpr int kEventsPerPage = 100;        // the largest limit the API takes
constexpr int kParticipantsPerPage = 250;  // the largest perPage

std::string form(std::initializer_list<std::pair<std::string, std::string>> fields) { return p88::query(fields); }

class RaceRoster : public p88::Plugin {
 public:
  static p88::PluginInfo info() {
    p88::PluginInfo i;
    i.name = "Race Roster";
    i.slug = "raceroster";
    i.version = "1.0.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_OAUTH2;
    i.default_calls_per_hour = 1000;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://raceroster.com/api/v1";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT}};
    return i;
  }

  void authenticate(p88::Job& job, const p88::Credential& c) override {
    const json config = p88::additional_config(c);
    std::string url = p88::string_member(config, "token_url");
    if (url.empty()) url = token_url(job.base_url());
    if (c.principal.empty() || !c.secret)
      throw p88::Error(p88::Status::auth, "Race Roster needs the client id (principal) and client secret (secret)");
    if (c.previous_token) {
      Token old = from_blob(*c.previous_token);
      if (old.refresh_token) {
        try {
          return grant(job, url, form({{"grant_type", "refresh_token"}, {"client_id", c.principal},
                                       {"client_secret", *c.secret}, {"refresh_token", *old.refresh_token}}));
        } catch (const p88::Error& e) {
          if (e.status() != p88::Status::auth) throw;
          job.info("the refresh token was refused; requesting a new token with the account's password");
        }
      }
    }
    const std::string username = p88::string_member(config, "username");
    const std::string password = p88::string_member(config, "password");
    if (username.empty() || password.empty())
      throw p88::Error(p88::Status::auth,
                       "Race Roster needs the account's username and password in the credential's "
                       "additional_config ({\"username\": ..., \"password\": ...})");
    grant(job, url, form({{"grant_type", "access_token"}, {"client_id", c.principal}, {"client_secret", *c.secret},
                          {"username", username}, {"password", password}}));
  }

  void sync(p88::Job& job, const p88::SyncRequest& request) override {
    if (request.stream == "events") return sync_events(job);
    if (request.stream == "participants") return sync_participants(job, request);
    throw p88::Error(p88::Status::invalid, "unknown stream '" + request.stream + "'");
  }

 private:
  static void grant(p88::Job& job, const std::string& url, const std::string& body) {
    p88::Response r = job.post(url, body, {{"Content-Type", "application/x-www-form-urlencoded"}});
    const std::string what = "POST " + url.substr(0, url.find('?'));
    if (r.status == 429 || r.status >= 500) p88::check_http(r, what);
    Token t = parse_token(p88::parse_page(r.body, what));
    job.set_token(token_blob(t), t.expires_in);
  }

  static json get(p88::Job& job, const std::string& url, const std::string& what) {
    p88::Response r = p88::get_with_token(job, url, [](const std::string& blob) {
      return "Bearer " + from_blob(blob).access_token;
    });
    p88::check_http(r, what);
    return p88::parse_page(r.body, what);
  }

  static void sync_events(p88::Job& job) {
    size_t emitted = 0;
    for (int64_t offset = 0;;) {
      job.check_cancelled();
      const std::string what = "GET /events offset " + std::to_string(offset);
      EventsPage page = parse_events(
          get(job, "/events?limit=" + std::to_string(kEventsPerPage) + "&offset=" + std::to_string(offset), what));
      for (const auto& i : page.issues) job.record_error(i.record_id, i.field, i.message);
      for (const auto& e : page.events) emitted += job.emit(e) ? 1 : 0;
      offset += static_cast<int64_t>(page.rows);
      if (page.rows < static_cast<size_t>(kEventsPerPage) || (page.total && offset >= *page.total)) break;
    }
    job.checkpoint("events=" + std::to_string(emitted));
  }

  static void sync_participants(p88::Job& job, const p88::SyncRequest& request) {
    if (!request.provider_event_id) throw p88::Error(p88::Status::invalid, "participants need an event id");
    const std::string& event_id = *request.provider_event_id;
    // The cursor is the newest lastModifiedDate stored (UTC); the filter is inclusive, so the rows
    // of that second come again and the idempotent upsert absorbs them.
    const p88::Text since = p88::iso_cursor(job, request);
    std::string newest = since.value_or("");
    const std::string path = "/events/" + p88::url_encode(event_id) + "/participants";
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string url = path + "?page=" + std::to_string(page) + "&perPage=" + std::to_string(kParticipantsPerPage);
      if (since) url += "&lastModifiedDate=" + p88::url_encode(*since);
      const std::string what = "GET " + path + " page " + std::to_string(page);
      ParticipantsPage p = parse_participants(get(job, url, what), event_id);
      for (const auto& i : p.issues) job.record_error(i.record_id, i.field, i.message);
      for (const auto& rec : p.records) job.emit(rec);
      newest = p88::newest_change(job, p.records, newest);
      if (p.rows < static_cast<size_t>(kParticipantsPerPage) || (p.total_pages && page >= *p.total_pages)) break;
    }
    job.checkpoint(newest.empty() ? "" : newest);
  }
};

}  // namespace
}  // namespace raceroster

P88_PLUGIN(raceroster::RaceRoster)
