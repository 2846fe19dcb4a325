// Haku: POST /oauth2/token (HTTP Basic client id and secret, grant_type=client_credentials,
// expires_in 3600), the raw token in Authorization (no "Bearer"), /events,
// /events/{id}/participants (summary rows, page/per_page, sort_column, sort_direction,
// updated_since) and /events/{id}/registrations/{registration_number} (full detail); 429 with
// Retry-After when throttled.
#include <Poco/Base64Decoder.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "formats.h"
#include "json_out.h"
#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

json nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string fullName(const Participant& p) {
  return p.middle_name.empty() ? p.first_name + " " + p.last_name
                               : p.first_name + " " + p.middle_name + " " + p.last_name;
}

class HakuApi : public ProviderApi {
 public:
  using ProviderApi::ProviderApi;
  Provider provider() const override { return Provider::haku; }
  std::string basePath() const override { return ""; }

  Reply unauthorized(const std::string& message) const override {
    return jsonReply(401, json{{"message", "Unauthorized"}, {"detail", message}}.dump());
  }
  Reply throttled(double retry_after) const override {
    Reply r = jsonReply(429, json{{"message", "Too Many Requests"}}.dump());
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(retry_after))));
    r.throttled = true;
    return r;
  }

  Reply handle(const Request& r) override {
    auto seg = pathSegments(r.path);
    if (seg.size() == 2 && seg[0] == "oauth2" && seg[1] == "token") {
      Reply x = r.method == "POST" ? token(r) : jsonReply(405, json{{"message", "Method Not Allowed"}}.dump());
      x.route = "/oauth2/token";
      return x;
    }
    std::string route;
    if (seg.size() == 1 && seg[0] == "events") route = "/events";
    else if (seg.size() == 3 && seg[0] == "events" && seg[2] == "participants") route = "/events/{id}/participants";
    else if (seg.size() == 4 && seg[0] == "events" && seg[2] == "registrations") route = "/events/{id}/registrations/{number}";
    else {
      Reply x = jsonReply(404, json{{"message", "Not Found"}}.dump());
      x.route = "(unknown)";
      return x;
    }
    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const std::string auth = r.header("authorization");
    std::optional<TokenStore::Token> t;
    if (!auth.empty() && auth.rfind("Bearer ", 0) != 0) t = sim_.tokens.find(auth);
    if (!t || t->refresh || t->provider != Provider::haku || t->expires <= sim_.clock.now()) {
      Reply x = unauthorized(auth.rfind("Bearer ", 0) == 0 ? "send the access token itself, without \"Bearer\""
                             : t ? "the access token has expired" : "missing or unknown access token");
      x.route = route;
      return x;
    }
    const Account& account = sim_.world.accounts().at(t->account);
    if (auto th = admit(account)) {
      th->route = route;
      return *th;
    }
    Reply out = seg.size() == 1 ? events(r, account)
                : seg.size() == 3 ? participants(r, seg[1], account)
                                  : registration(seg[1], seg[3], account);
    out.account = account.label;
    out.route = route;
    return out;
  }

 private:
  Reply token(const Request& r) {
    const std::string auth = r.header("authorization");
    std::string id, secret;
    if (auth.rfind("Basic ", 0) == 0) {
      auto decoded = unbase64Standard(auth.substr(6));
      size_t colon = decoded.find(':');
      if (colon != std::string::npos) {
        id = decoded.substr(0, colon);
        secret = decoded.substr(colon + 1);
      }
    }
    auto form = r.form();
    auto grant = form.find("grant_type");
    if (grant == form.end() || grant->second != "client_credentials")
      return jsonReply(400, json{{"error", "unsupported_grant_type"}}.dump());
    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const Account* a = sim_.world.findAccount(Provider::haku, id);
    if (a == nullptr || a->secret != secret) return jsonReply(400, json{{"error", "invalid_client"}}.dump());
    const long long ttl = sim_.options.haku_token_ttl;
    std::string access = sim_.tokens.issue(Provider::haku, sim_.world.accountIndex(*a),
                                           sim_.clock.now() + std::chrono::seconds(ttl));
    Reply x = jsonReply(200, json{{"access_token", access}, {"expires_in", ttl}, {"token_type", "Bearer"}}.dump());
    x.account = a->label;
    return x;
  }

  static std::string unbase64Standard(const std::string& text) {
    try {
      std::istringstream in(text);
      Poco::Base64Decoder dec(in);
      return std::string((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    } catch (...) {
      return "";
    }
  }

  json eventJson(const Event& e) const {
    const bool past = e.end < sim_.clock.now();
    return {{"id", e.id},
            {"name", e.name},
            {"description", "An event of the p88 simulator."},
            {"event_date", naiveLocal(e.start, e.time_zone)},
            {"event_end_date", naiveLocal(e.end, e.time_zone)},
            {"time_zone", e.time_zone},
            {"location_name", e.city + " Park"},
            {"location_city", e.city},
            {"location_state", e.state},
            {"location_country", e.country},
            {"event_type", "running"},
            {"distance", e.distance},
            {"registration_limit", 5000},
            {"registration_open_date", naiveLocal(e.registration_opens, e.time_zone).substr(0, 10)},
            {"registration_close_date", naiveLocal(e.registration_closes, e.time_zone).substr(0, 10)},
            {"base_price", 95.0},
            {"currency", "USD"},
            {"status", past ? "inactive" : "active"},
            {"updated_at", isoUtc(e.modified)}};
  }

  Reply events(const Request& r, const Account& a) const {
    const long page = r.integer("page", 1, 1, 1000000000);
    const long per = r.integer("per_page", 25, 1, 100);
    const bool inactive = r.param("show_inactive", "false") == "true";
    std::vector<const Event*> rows;
    for (const Event* e : sim_.world.eventsOf(sim_.world.accountIndex(a)))
      if (inactive || e->end >= sim_.clock.now()) rows.push_back(e);
    if (r.param("sort_column") == "event_date") {
      const bool desc = r.param("sort_direction", "asc") == "desc";
      std::stable_sort(rows.begin(), rows.end(),
                       [desc](const Event* x, const Event* y) { return desc ? x->start > y->start : x->start < y->start; });
    }
    json list = json::array();
    for (size_t i = static_cast<size_t>((page - 1) * per); i < rows.size() && list.size() < static_cast<size_t>(per); ++i)
      list.push_back(eventJson(*rows[i]));
    return jsonReply(200, json{{"events", list}, {"meta", {{"total", rows.size()}, {"page", page}, {"per_page", per}}}}.dump());
  }

  const Event* ownEvent(const std::string& id, const Account& a) const {
    const Event* e = sim_.world.findEvent(Provider::haku, id);
    return e && e->account == sim_.world.accountIndex(a) ? e : nullptr;
  }

  static void writeSummary(JsonOut& w, const Participant& p) {
    w.beginObject();
    w.key("registration_number").string(p.id);
    w.key("person_full_name").string(fullName(p));
    w.key("email").stringOrNull(p.email);
    w.key("age").numberOrNull(p.age, p.age >= 0);
    w.key("gender");
    if (p.gender == 'U') w.null(); else w.string(std::string(1, p.gender));
    w.key("team");
    if (p.team.empty()) w.null(); else w.beginObject().key("name").string(p.team).endObject();
    w.key("is_cancelled").boolean(p.status != "active");
    w.key("registered_at").string(isoUtc(p.registered));
    w.key("updated_at").string(isoUtc(p.modified));
    w.key("event_category_info").string(p.division);
    w.key("transaction_amount");
    if (p.amount_paid_minor < 0) w.null(); else w.decimal(p.amount_paid_minor / 100.0);
    w.endObject();
  }

  Reply participants(const Request& r, const std::string& id, const Account& a) const {
    const Event* e = ownEvent(id, a);
    if (e == nullptr) return jsonReply(404, json{{"message", "Event not found"}}.dump());
    const long page = r.integer("page", 1, 1, 1000000000);
    const long per = r.integer("per_page", 25, 1, 100);
    std::optional<Instant> since;
    if (r.has("updated_since") && !(since = parseIso(r.param("updated_since"))))
      return jsonReply(400, json{{"message", "updated_since must be an ISO-8601 date and time"}}.dump());
    std::vector<const Participant*> rows;
    for (const Participant& p : e->participants)
      if (!since || p.modified >= *since) rows.push_back(&p);
    const std::string column = r.param("sort_column", "registration_number");
    const bool desc = r.param("sort_direction", "asc") == "desc";
    if (column == "updated_at" || column == "created_at") {
      std::stable_sort(rows.begin(), rows.end(), [&](const Participant* x, const Participant* y) {
        Instant a1 = column == "updated_at" ? x->modified : x->registered;
        Instant b1 = column == "updated_at" ? y->modified : y->registered;
        return desc ? a1 > b1 : a1 < b1;
      });
    } else if (desc) {
      std::reverse(rows.begin(), rows.end());
    }
    std::string body;
    JsonOut w(body);
    w.beginObject().key("participants").beginArray();
    for (size_t i = static_cast<size_t>((page - 1) * per), n = 0; i < rows.size() && n < static_cast<size_t>(per); ++i, ++n)
      writeSummary(w, *rows[i]);
    w.endArray();
    w.key("meta").beginObject().key("total").number(static_cast<long long>(rows.size())).key("page").number(page)
        .key("per_page").number(per).endObject();
    w.endObject();
    return jsonReply(200, std::move(body));
  }

  Reply registration(const std::string& id, const std::string& number, const Account& a) const {
    const Event* e = ownEvent(id, a);
    if (e == nullptr) return jsonReply(404, json{{"message", "Event not found"}}.dump());
    const Participant* p = nullptr;
    for (const Participant& x : e->participants)
      if (x.id == number) p = &x;
    if (p == nullptr) return jsonReply(404, json{{"message", "Registration not found"}}.dump());
    json questions = json::array();
    for (const auto& q : p->answers) questions.push_back({{"question", q.question}, {"answer", q.answer}});
    json detail = {
        {"registration_number", p->id},
        {"created_at", isoUtc(p->registered)},
        {"updated_at", isoUtc(p->modified)},
        {"is_cancelled", p->status != "active"},
        {"cancelled_at", p->status != "active" ? json(isoUtc(p->modified)) : json(nullptr)},
        {"transferred_to_registration_number", nullable(p->new_registration_id)},
        {"transaction_amount", p->amount_paid_minor < 0 ? json(nullptr) : json(p->amount_paid_minor / 100.0)},
        {"currency", p->currency},
        {"participant",
         {{"first_name", p->first_name},
          {"middle_initial", nullable(p->middle_name)},
          {"last_name", p->last_name},
          {"email", nullable(p->email)},
          {"phone", nullable(p->phone)},
          {"dob", nullable(p->dob)},
          {"gender", p->gender == 'U' ? json(nullptr) : json(std::string(1, p->gender))},
          {"account_number", p->person_id},
          {"address", p->city.empty() ? json(nullptr)
                                      : json{{"line1", p->street}, {"line2", nullptr}, {"city", p->city},
                                             {"state", p->state}, {"zip_code", p->zip}, {"country", p->country}}},
          {"additional_questions", questions}}},
        {"emergency_contact_name", nullable(p->emergency_name)},
        {"emergency_contact_phone_number", nullable(p->emergency_phone)},
        {"event_categories",
         json::array({{{"id", 11}, {"name", p->division}, {"is_active", true}, {"tag_number", nullable(p->bib)},
                       {"chip_number", nullable(p->chip)}}})},
        {"team", p->team.empty() ? json(nullptr) : json{{"name", p->team}}},
        {"additional_questions", json::array()}};
    return jsonReply(200, detail.dump());
  }
};

}  // namespace

std::unique_ptr<ProviderApi> makeHakuApi(Simulator& sim) { return std::make_unique<HakuApi>(sim); }

}  // namespace sim
