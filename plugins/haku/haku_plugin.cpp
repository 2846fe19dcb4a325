// The Haku plugin: OAuth2 client credentials (HTTP Basic), the access token sent raw in
// Authorization (no "Bearer"), events and participant summaries paged by page/per_page, stored
// first as summary records (ABI 1.2), and the registration details the host asks for fetched
// one call each after them.
#include <map>

#include "haku_records.h"
#include "p88/plugin.hpp"
#include "p88/plugin_kit.hpp"

#ifndef P88_PLUGIN_BUILD_ID
#define P88_PLUGIN_BUILD_ID "dev"
#endif

namespace haku {
namespace {

using p88::json;

constexpr int kPerPage = 100;  // the largest per_page Haku takes

class Haku : public p88::Plugin {
 public:
  static p88::PluginInfo info() {
    p88::PluginInfo i;
    i.name = "Haku";
    i.slug = "haku";
    i.version = "1.1.0";
    i.build_id = P88_PLUGIN_BUILD_ID;
    i.auth_kind = P88_AUTH_OAUTH2;
    i.default_calls_per_hour = 500;
    i.capabilities = P88_CAP_SERVER_INCREMENTAL | P88_CAP_REMOVALS | P88_CAP_CUSTOM_QUESTIONS;
    i.default_base_url = "https://api.hakuapp.com";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT}};
    return i;
  }

  void authenticate(p88::Job& job, const p88::Credential& c) override {
    if (c.principal.empty() || !c.secret)
      throw p88::Error(p88::Status::auth, "Haku needs the client id (principal) and client secret (secret)");
    std::string url = p88::string_member(p88::additional_config(c), "token_url");
    if (url.empty()) url = token_url(job.base_url());
    p88::Response r = job.post(url, "grant_type=client_credentials",
                               {{"Authorization", "Basic " + p88::base64_encode(c.principal + ":" + *c.secret)},
                                {"Content-Type", "application/x-www-form-urlencoded"}});
    const std::string what = "POST " + url.substr(0, url.find('?'));
    if (r.status == 429 || r.status >= 500) p88::check_http(r, what);
    Token t = parse_token(p88::parse_page(r.body, what));
    job.set_token(t.access_token, t.expires_in);
  }

  void sync(p88::Job& job, const p88::SyncRequest& request) override {
    if (request.stream == "events") return sync_events(job);
    if (request.stream == "participants") return sync_participants(job, request);
    throw p88::Error(p88::Status::invalid, "unknown stream '" + request.stream + "'");
  }

 private:
  static p88::Response get(p88::Job& job, const std::string& url) {
    return p88::get_with_token(job, url, [](const std::string& token) { return token; });
  }
  static json get_json(p88::Job& job, const std::string& url, const std::string& what) {
    p88::Response r = get(job, url);
    p88::check_http(r, what);
    return p88::parse_page(r.body, what);
  }

  static void sync_events(p88::Job& job) {
    size_t emitted = 0, seen = 0;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      EventsPage p = parse_events(get_json(
          job, "/events?show_inactive=true&sort_column=event_date&page=" + std::to_string(page) + "&per_page=" + std::to_string(kPerPage),
          "GET /events page " + std::to_string(page)));
      for (const auto& i : p.issues) job.record_error(i.record_id, i.field, i.message);
      for (const auto& e : p.events) emitted += job.emit(e) ? 1 : 0;
      seen += p.rows;
      if (p.rows < static_cast<size_t>(kPerPage) || (p.total && static_cast<int64_t>(seen) >= *p.total)) break;
    }
    job.checkpoint("events=" + std::to_string(emitted));
  }

  // Summary first (a host of ABI 1.2 keeps summaries): every page's rows are stored as summary
  // records and committed with the cursor, so the start list is complete after ceil(n/100)
  // calls; then the details the host hands out (pending_details: as many as its budget spares,
  // changed registrations first) are fetched, one call each. An older host gets what ABI 1.0
  // plugins gave: the detail of every changed row, read before it is stored.
  static void sync_participants(p88::Job& job, const p88::SyncRequest& request) {
    if (!request.provider_event_id) throw p88::Error(p88::Status::invalid, "participants need an event id");
    const std::string& event_id = *request.provider_event_id;
    Cursor start;
    if (!request.full() && request.cursor) {
      if (auto c = parse_cursor(*request.cursor)) start = *c;
      else job.warning("cursor '" + *request.cursor + "' is not one this plugin wrote; reading everything");
    }
    const bool incremental = !start.updated_since.empty();
    const bool summary_first = job.keeps_summaries();
    Cursor next = start;
    const std::string path = "/events/" + p88::url_encode(event_id);
    std::map<std::string, Summary> seen;  // this run's summary rows, for the details read after them
    size_t rows = 0, fetched = 0, skipped = 0;
    for (int page = 1;; ++page) {
      job.check_cancelled();
      std::string url = path + "/participants?page=" + std::to_string(page) + "&per_page=" + std::to_string(kPerPage);
      if (incremental)
        url += "&sort_column=updated_at&sort_direction=asc&updated_since=" + p88::url_encode(start.updated_since);
      SummaryPage sp = parse_summaries(get_json(job, url, "GET " + path + "/participants page " + std::to_string(page)));
      for (const auto& i : sp.issues) job.record_error(i.record_id, i.field, i.message);
      for (const Summary& s : sp.rows) {
        // updated_since is inclusive: what was stored at the cursor's second comes back unchanged.
        if (incremental && s.updated_at == start.updated_since && start.ids.count(s.id)) {
          ++skipped;
          continue;
        }
        if (summary_first) {
          std::vector<p88::FieldIssue> issues;
          p88::Participant p = summary_participant(s, event_id, issues);
          for (const auto& i : issues) job.record_error(i.record_id, i.field, i.message);
          job.emit(p);
          seen[s.id] = s;
          if (p88::usable_change_time(job, s.id, p.last_modified)) advance(next, *p.last_modified, s.id);
          continue;
        }
        if (auto p = fetch_detail(job, path, event_id, s)) {
          ++fetched;
          const p88::Text changed = s.updated_at.empty() ? p->last_modified : p88::Text(s.updated_at);
          if (p88::usable_change_time(job, s.id, changed)) advance(next, *changed, s.id);
        }
      }
      rows += sp.count;
      if (sp.count < static_cast<size_t>(kPerPage) || (sp.total && static_cast<int64_t>(rows) >= *sp.total)) break;
    }
    job.checkpoint(format_cursor(next));
    if (summary_first) {
      size_t asked = 0;
      for (const auto& d : job.pending_details()) {
        ++asked;
        auto s = seen.find(d.provider_participant_id);
        std::optional<Summary> summary = s != seen.end() ? std::optional<Summary>(s->second)
                                                         : stored_summary(d.provider_participant_id, d.stored_raw_json);
        if (!summary) summary = Summary{d.provider_participant_id, "", std::nullopt, json::object()};
        if (fetch_detail(job, path, event_id, *summary)) ++fetched;
      }
      if (asked > 0) job.checkpoint(format_cursor(next));
      job.debug("event " + event_id + ": " + std::to_string(seen.size()) + " summaries stored, " +
                std::to_string(fetched) + " of " + std::to_string(asked) + " details fetched, " +
                std::to_string(skipped) + " unchanged at the cursor");
      return;
    }
    job.debug("event " + event_id + ": " + std::to_string(fetched) + " registrations fetched, " +
              std::to_string(skipped) + " unchanged at the cursor");
  }

  // GET the registration's detail and emit it in full; nullopt when it is gone or unreadable
  // (reported).
  static std::optional<p88::Participant> fetch_detail(p88::Job& job, const std::string& path,
                                                      const std::string& event_id, const Summary& s) {
    job.check_cancelled();
    const std::string what = "GET " + path + "/registrations/" + s.id;
    p88::Response r = get(job, path + "/registrations/" + p88::url_encode(s.id));
    if (r.status == 404) {
      job.record_error(s.id, "(registration)", what + ": not found (removed since the summary page was read)");
      return std::nullopt;
    }
    p88::check_http(r, what);
    std::vector<p88::FieldIssue> issues;
    auto p = parse_registration(p88::parse_page(r.body, what), s, event_id, issues);
    for (const auto& i : issues) job.record_error(i.record_id, i.field, i.message);
    if (p) job.emit(*p);
    return p;
  }
};

}  // namespace
}  // namespace haku

P88_PLUGIN(haku::Haku)
