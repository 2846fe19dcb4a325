// An example provider plugin, written only against the p88 SDK (and nlohmann_json).
//
// "Hello Races" is a made-up provider with an API key and two endpoints:
//   GET /events?api_key=K&page=N               -> {"events":[{"id":"..","name":"..","start":"..Z"}]}
//   GET /events/{id}/entries?api_key=K&since=T -> {"entries":[{"id":"..","first":"..","last":"..",
//                                                  "bib":"..","updated":"..Z"}]}
// It shows the whole shape of a plugin: the descriptor (info), paging, incremental sync from an
// opaque cursor, emitting normalized records with their raw JSON, and checkpointing.
#include <p88/plugin.hpp>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

p88::Text optional_string(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

json fetch(p88::Job& job, const std::string& url) {
  p88::Response r = job.get(url);
  if (r.status == 401 || r.status == 403)
    throw p88::Error(p88::Status::auth, "the API key was refused (HTTP " + std::to_string(r.status) + ")");
  if (r.status == 429)
    throw p88::Error(p88::Status::throttled, "throttled", std::stoll(r.header("retry-after").value_or("60")));
  if (r.status != 200)
    throw p88::Error(p88::Status::transient, "HTTP " + std::to_string(r.status) + " from " + url);
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) throw p88::Error(p88::Status::transient, "malformed JSON from " + url);
  return body;
}

class HelloProvider : public p88::Plugin {
 public:
  static p88::PluginInfo info() {
    p88::PluginInfo i;
    i.name = "Hello Races";
    i.slug = "hello_races";
    i.version = "1.0.0";
    i.build_id = "example";
    i.auth_kind = P88_AUTH_API_KEY;
    i.default_calls_per_hour = 600;
    i.default_base_url = "https://api.hello-races.invalid/v1";
    i.streams = {{"events", P88_MODE_FULL, P88_SCOPE_ACCOUNT},
                 {"participants", P88_MODE_FULL | P88_MODE_INCREMENTAL, P88_SCOPE_EVENT}};
    return i;
  }

  void sync(p88::Job& job, const p88::SyncRequest& req) override {
    const std::string key = "api_key=" + p88::url_encode(req.credential.principal);
    if (req.stream == "events") {
      for (int page = 1;; ++page) {
        job.check_cancelled();
        json body = fetch(job, "/events?" + key + "&page=" + std::to_string(page));
        const json& events = body["events"];
        if (!events.is_array() || events.empty()) break;
        for (const json& e : events) {
          p88::Event ev;
          ev.provider_event_id = e.value("id", "");
          ev.name = optional_string(e, "name");
          ev.start_time = optional_string(e, "start");
          ev.raw_json = e.dump();
          job.emit(ev);
        }
      }
      job.checkpoint("");
      return;
    }
    // participants: the cursor is the newest "updated" seen, an ISO-8601 UTC string.
    std::string since = req.full() ? "" : req.cursor.value_or("");
    std::string newest = since;
    json body = fetch(job, "/events/" + p88::url_encode(*req.provider_event_id) + "/entries?" + key +
                               (since.empty() ? "" : "&since=" + p88::url_encode(since)));
    for (const json& e : body["entries"]) {
      p88::Participant p;
      p.provider_participant_id = e.value("id", "");
      p.provider_event_id = *req.provider_event_id;
      p.first_name = optional_string(e, "first");
      p.last_name = optional_string(e, "last");
      p.bib = optional_string(e, "bib");
      p.last_modified = optional_string(e, "updated");
      p.status = "active";
      p.raw_json = e.dump();
      if (p.last_modified && *p.last_modified > newest) newest = *p.last_modified;
      job.emit(p);
    }
    job.checkpoint(newest);
  }
};

}  // namespace

P88_PLUGIN(HelloProvider)
