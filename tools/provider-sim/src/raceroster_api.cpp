// Race Roster: POST /api/oauth/authorize (password and refresh_token grants, answers wrapped in
// {"data":...}), then Bearer tokens on /api/v1/events, /api/v1/events/{id} and
// /api/v1/events/{id}/participants. ISO-8601 dates with offsets, integer gender codes, paging by
// offset/limit (events) and page/perPage (participants) with metadata.totalResults,
// lastModifiedDate as the incremental filter, 401 for a missing or expired token, 429 with
// Retry-After when throttled.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "formats.h"
#include "json_out.h"
#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;


// 0 undisclosed, 1 male, 2 female, 9 non-binary (8 co-ed is for teams).
int genderCode(char g) { return g == 'M' ? 1 : g == 'F' ? 2 : g == 'X' ? 9 : 0; }

class RaceRosterApi : public ProviderApi {
 public:
  using ProviderApi::ProviderApi;
  Provider provider() const override { return Provider::raceroster; }
  std::string basePath() const override { return "/api/v1"; }

  Reply unauthorized(const std::string& message) const override {
    return jsonReply(401, json{{"error", "invalid_token"}, {"error_description", message}, {"message", "Unauthenticated."}}.dump());
  }
  Reply throttled(double retry_after) const override {
    Reply r = jsonReply(429, json{{"error", "too_many_requests"}, {"message", "Too Many Attempts."}}.dump());
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(retry_after))));
    r.throttled = true;
    return r;
  }

  Reply handle(const Request& r) override {
    auto seg = pathSegments(r.path);
    if (seg.size() == 3 && seg[0] == "api" && seg[1] == "oauth" && seg[2] == "authorize") {
      Reply x = r.method == "POST" ? token(r) : jsonReply(405, json{{"error", "method_not_allowed"}}.dump());
      x.route = "/api/oauth/authorize";
      return x;
    }
    if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1" || seg[2] != "events") return notFound("(unknown)");
    std::string route = seg.size() == 3   ? "/api/v1/events"
                        : seg.size() == 4 ? "/api/v1/events/{id}"
                        : seg.size() == 5 && seg[4] == "participants" ? "/api/v1/events/{id}/participants"
                                                                      : "";
    if (route.empty()) return notFound("(unknown)");

    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const std::string auth = r.header("authorization");
    if (auth.rfind("Bearer ", 0) != 0) return withRoute(unauthorized("Missing bearer token."), route);
    auto t = sim_.tokens.find(auth.substr(7));
    if (!t || t->refresh || t->provider != Provider::raceroster)
      return withRoute(unauthorized("The access token is invalid."), route);
    if (t->expires <= sim_.clock.now()) return withRoute(unauthorized("The access token has expired."), route);
    const Account& account = sim_.world.accounts().at(t->account);
    if (auto th = admit(account)) {
      th->account = account.label;
      return withRoute(*th, route);
    }
    Reply out = seg.size() == 3 ? events(r, account) : seg.size() == 4 ? event(seg[3], account) : participants(r, seg[3], account);
    out.account = account.label;
    return withRoute(out, route);
  }

 private:
  static Reply withRoute(Reply r, const std::string& route) {
    r.route = route;
    return r;
  }
  static Reply notFound(const std::string& route) {
    return withRoute(jsonReply(404, json{{"error", "not_found"}, {"message", "Resource not found."}}.dump()), route);
  }

  Reply token(const Request& r) {
    auto form = r.form();
    auto get = [&](const char* k) {
      auto it = form.find(k);
      return it == form.end() ? std::string() : it->second;
    };
    const std::string grant = get("grant_type");
    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const Account* a = sim_.world.findAccount(Provider::raceroster, get("client_id"));
    if (a == nullptr || a->secret != get("client_secret"))
      return jsonReply(401, json{{"error", "invalid_client"}, {"error_description", "Client authentication failed"}, {"hint", ""}}.dump());
    if (grant == "access_token" || grant == "password") {
      if (get("username") != a->username || get("password") != a->password)
        return jsonReply(400, json{{"error", "invalid_grant"},
                                   {"error_description", "The user credentials were incorrect."},
                                   {"hint", ""}}.dump());
    } else if (grant == "refresh_token") {
      auto rt = sim_.tokens.find(get("refresh_token"));
      if (!rt || !rt->refresh || rt->account != sim_.world.accountIndex(*a))
        return jsonReply(400, json{{"error", "invalid_request"}, {"error_description", "The refresh token is invalid."}, {"hint", ""}}.dump());
    } else {
      return jsonReply(400, json{{"error", "unsupported_grant_type"},
                                 {"error_description", "The authorization grant type is not supported by the authorization server."},
                                 {"hint", "Check that all required parameters have been provided"}}.dump());
    }
    const size_t index = sim_.world.accountIndex(*a);
    const Instant now = sim_.clock.now();
    const long long ttl = sim_.options.raceroster_token_ttl;
    std::string access = sim_.tokens.issue(Provider::raceroster, index, now + std::chrono::seconds(ttl));
    std::string refresh = sim_.tokens.issue(Provider::raceroster, index, now + std::chrono::hours(24 * 365), true);
    Reply x = jsonReply(200, json{{"data", {{"token_type", "Bearer"}, {"expires_in", ttl}, {"access_token", access},
                                            {"refresh_token", refresh}}}}.dump());
    x.account = a->label;
    return x;
  }

  json eventJson(const Event& e) const {
    return {{"eventId", std::stol(e.id)},
            {"type", "race"},
            {"name", e.name},
            {"city", e.city},
            {"region", {{"code", e.state}, {"name", e.state}}},
            {"country", {{"code", e.country}, {"name", e.country == "CA" ? "Canada" : e.country}}},
            {"startDate", isoLocal(e.start, e.time_zone)},
            {"endDate", isoLocal(e.end, e.time_zone)},
            {"timeZone", e.time_zone},
            {"registrationOpenDate", isoLocal(e.registration_opens, e.time_zone)},
            {"registrationCloseDate", isoLocal(e.registration_closes, e.time_zone)},
            {"lastModifiedDate", isoLocal(e.modified, "UTC")},
            {"url", "https://raceroster.com/events/2026/" + e.id + "/sim"},
            {"locale", "en-CA"},
            {"subEvents",
             {{"data", json::array({{{"subEventId", std::stol(e.race_id)},
                                     {"name", e.name},
                                     {"maxParticipants", 1500},
                                     {"distance", "10"},
                                     {"distanceType", "km"},
                                     {"customSubEventDate", nullptr}}})}}}};
  }

  Reply events(const Request& r, const Account& a) const {
    const long limit = r.integer("limit", 25, 1, 100);
    const long offset = r.integer("offset", 0, 0, 1000000000);
    std::optional<Instant> since;
    if (r.has("lastModifiedDate") && !(since = parseIso(r.param("lastModifiedDate"))))
      return jsonReply(400, json{{"error", "invalid_parameter"}, {"message", "lastModifiedDate must be ISO-8601"}}.dump());
    std::vector<const Event*> rows;
    for (const Event* e : sim_.world.eventsOf(sim_.world.accountIndex(a)))
      if (!since || e->modified >= *since) rows.push_back(e);
    json list = json::array();
    for (size_t i = static_cast<size_t>(offset); i < rows.size() && list.size() < static_cast<size_t>(limit); ++i)
      list.push_back(eventJson(*rows[i]));
    return jsonReply(200, json{{"data", list}, {"metadata", {{"totalResults", rows.size()}, {"offset", offset}, {"limit", limit}}}}.dump());
  }

  const Event* ownEvent(const std::string& id, const Account& a) const {
    const Event* e = sim_.world.findEvent(Provider::raceroster, id);
    return e && e->account == sim_.world.accountIndex(a) ? e : nullptr;
  }

  Reply event(const std::string& id, const Account& a) const {
    const Event* e = ownEvent(id, a);
    if (e == nullptr) return jsonReply(404, json{{"error", "not_found"}, {"message", "Event " + id + " not found."}}.dump());
    return jsonReply(200, json{{"data", eventJson(*e)}}.dump());
  }

  static void writeParticipant(JsonOut& w, const Participant& p, const Event& e) {
    w.beginObject();
    w.key("participantId").number(std::stoll(p.id));
    w.key("registrationId").number(std::stoll(p.id) / 2);
    w.key("personId").number(std::stoll(p.person_id));
    w.key("subEventId").number(std::stol(e.race_id));
    w.key("subEventName").string(p.division);
    w.key("firstName").string(p.first_name);
    w.key("middleName").stringOrNull(p.middle_name);
    w.key("lastName").string(p.last_name);
    w.key("email").stringOrNull(p.email);
    w.key("phone").stringOrNull(p.phone);
    w.key("dateOfBirth").stringOrNull(p.dob);
    w.key("age").numberOrNull(p.age, p.age >= 0);
    w.key("gender").number(genderCode(p.gender));
    w.key("bibNumber").stringOrNull(p.bib);
    w.key("chipNumber").stringOrNull(p.chip);
    w.key("teamName").stringOrNull(p.team);
    w.key("address").stringOrNull(p.street);
    w.key("city").stringOrNull(p.city);
    w.key("region");
    if (p.state.empty()) w.null(); else w.beginObject().key("code").string(p.state).endObject();
    w.key("country");
    if (p.country.empty()) w.null(); else w.beginObject().key("code").string(p.country).endObject();
    w.key("postalCode").stringOrNull(p.zip);
    w.key("emergencyContact");
    if (p.emergency_name.empty()) w.null();
    else w.beginObject().key("name").string(p.emergency_name).key("phone").string(p.emergency_phone).endObject();
    w.key("registrationDate").string(isoLocal(p.registered, e.time_zone));
    w.key("lastModifiedDate").string(isoLocal(p.modified, "UTC"));
    w.key("status").string(p.status == "active" ? "registered" : p.status);
    if (!p.new_registration_id.empty()) w.key("transferredToParticipantId").number(std::stoll(p.new_registration_id));
    w.key("amountPaid");
    if (p.amount_paid_minor < 0) w.null(); else w.string(decimal(p.amount_paid_minor));
    w.key("currency").string(p.currency);
    w.key("questions").beginArray();
    for (const auto& q : p.answers) w.beginObject().key("question").string(q.question).key("answer").string(q.answer).endObject();
    w.endArray();
    w.endObject();
  }

  Reply participants(const Request& r, const std::string& id, const Account& a) const {
    const Event* e = ownEvent(id, a);
    if (e == nullptr) return jsonReply(404, json{{"error", "not_found"}, {"message", "Event " + id + " not found."}}.dump());
    const long page = r.integer("page", 1, 1, 1000000000);
    const long per = r.integer("perPage", 25, 1, 250);
    std::optional<Instant> since;
    if (r.has("lastModifiedDate") && !(since = parseIso(r.param("lastModifiedDate"))))
      return jsonReply(400, json{{"error", "invalid_parameter"}, {"message", "lastModifiedDate must be ISO-8601"}}.dump());
    std::vector<const Participant*> rows;
    for (const Participant& p : e->participants)
      if (!since || p.modified >= *since) rows.push_back(&p);
    const long total_pages = static_cast<long>((rows.size() + per - 1) / per);
    std::string body;
    JsonOut w(body);
    w.beginObject().key("data").beginArray();
    for (size_t i = static_cast<size_t>((page - 1) * per), n = 0; i < rows.size() && n < static_cast<size_t>(per); ++i, ++n)
      writeParticipant(w, *rows[i], *e);
    w.endArray();
    w.key("metadata").beginObject().key("totalResults").number(static_cast<long long>(rows.size())).key("page").number(page)
        .key("perPage").number(per).key("totalPages").number(total_pages).endObject();
    w.endObject();
    return jsonReply(200, std::move(body));
  }
};

}  // namespace

std::unique_ptr<ProviderApi> makeRaceRosterApi(Simulator& sim) { return std::make_unique<RaceRosterApi>(sim); }

}  // namespace sim
