// Let's Do This: the API key is a signed JWT carrying the organiser id, sent as
// "Authorization: Bearer <key>"; /v0/events and /v0/applications page with page[size] and an
// opaque page[after] cursor, answer {"data":[...],"page":{"next":...}}, filter applications by
// eventId and updatedAt[after] (strictly after), and throttle with 429 and Retry-After.
#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>

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

const char* genderWord(char g) {
  return g == 'M' ? "male" : g == 'F' ? "female" : g == 'X' ? "non-binary" : "prefer-not-to-say";
}

class LetsDoThisApi : public ProviderApi {
 public:
  using ProviderApi::ProviderApi;
  Provider provider() const override { return Provider::letsdothis; }
  std::string basePath() const override { return "/v0"; }

  Reply unauthorized(const std::string& message) const override {
    return jsonReply(401, json{{"error", {{"code", "UNAUTHORIZED"}, {"message", message}}}}.dump());
  }
  Reply throttled(double retry_after) const override {
    Reply r = jsonReply(429, json{{"error", {{"code", "TOO_MANY_REQUESTS"}, {"message", "Rate limit exceeded"}}}}.dump());
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(retry_after))));
    r.throttled = true;
    return r;
  }

  Reply handle(const Request& r) override {
    auto seg = pathSegments(r.path);
    std::string route = seg.size() == 2 && seg[0] == "v0" && seg[1] == "events"         ? "/v0/events"
                        : seg.size() == 2 && seg[0] == "v0" && seg[1] == "applications" ? "/v0/applications"
                                                                                        : "";
    if (route.empty()) {
      Reply x = jsonReply(404, json{{"error", {{"code", "NOT_FOUND"}, {"message", "No such route"}}}}.dump());
      x.route = "(unknown)";
      return x;
    }
    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const std::string auth = r.header("authorization");
    const Account* account = nullptr;
    if (auth.rfind("Bearer ", 0) == 0) {
      const std::string key = auth.substr(7);
      try {
        Poco::JWT::Signer signer(sim_.options.letsdothis_signing_key);
        Poco::JWT::Token token = signer.verify(key);
        const std::string organiser = token.payload().optValue<std::string>("organiserId", "");
        for (const auto& a : sim_.world.accounts())
          if (a.provider == Provider::letsdothis && a.organiser_id == organiser && a.principal == key) account = &a;
      } catch (const Poco::Exception&) {
        account = nullptr;
      }
    }
    if (account == nullptr) {
      Reply x = unauthorized("A valid API key is required");
      x.route = route;
      return x;
    }
    if (auto th = admit(*account)) {
      th->route = route;
      return *th;
    }
    Reply out = route == "/v0/events" ? events(r, *account) : applications(r, *account);
    out.account = account->label;
    out.route = route;
    return out;
  }

 private:
  // The cursor is opaque to clients: base64url of the next offset.
  static std::optional<size_t> offsetFrom(const Request& r) {
    if (!r.has("page[after]")) return 0;
    auto decoded = unbase64(r.param("page[after]"));
    if (!decoded || decoded->rfind("o:", 0) != 0) return std::nullopt;
    try {
      return static_cast<size_t>(std::stoull(decoded->substr(2)));
    } catch (...) {
      return std::nullopt;
    }
  }
  static Reply badCursor() {
    return jsonReply(400, json{{"error", {{"code", "BAD_REQUEST"}, {"message", "page[after] is not a cursor this API issued"}}}}.dump());
  }
  static size_t pageSize(const Request& r) { return static_cast<size_t>(r.integer("page[size]", 20, 1, 100)); }
  template <typename T, typename F>
  static json page(const std::vector<T>& rows, size_t offset, size_t size, F render) {
    json list = json::array();
    for (size_t i = offset; i < rows.size() && list.size() < size; ++i) list.push_back(render(rows[i]));
    size_t next = offset + list.size();
    return {{"data", list}, {"page", {{"next", next < rows.size() ? json(base64("o:" + std::to_string(next))) : json(nullptr)}}}};
  }

  Reply events(const Request& r, const Account& a) const {
    auto offset = offsetFrom(r);
    if (!offset) return badCursor();
    auto rows = sim_.world.eventsOf(sim_.world.accountIndex(a));
    return jsonReply(200, page(rows, *offset, pageSize(r), [](const Event* e) {
                            return json{{"id", e->id},
                                        {"title", e->name},
                                        {"startDate", isoUtc(e->start)},
                                        {"endDate", isoUtc(e->end)},
                                        {"timezone", e->time_zone},
                                        {"location", {{"city", e->city}, {"country", e->country}}},
                                        {"races", json::array({{{"id", e->race_id}, {"title", "Half Marathon"},
                                                                {"distance", {{"value", 21.1}, {"unit", "km"}}}}})},
                                        {"updatedAt", isoUtc(e->modified)}};
                          }).dump());
  }

  static void writeApplication(JsonOut& w, const Event& e, const Participant& p) {
    w.beginObject();
    w.key("id").string(p.id);
    w.key("eventId").string(e.id);
    w.key("raceId").string(e.race_id);
    w.key("ticketTitle").string(p.division);
    w.key("status").string(p.status == "active" ? "confirmed" : p.status);
    if (!p.new_registration_id.empty()) w.key("transferredToApplicationId").string(p.new_registration_id);
    w.key("userId").string(p.person_id);
    w.key("firstName").string(p.first_name);
    w.key("middleName").stringOrNull(p.middle_name);
    w.key("lastName").string(p.last_name);
    w.key("email").stringOrNull(p.email);
    w.key("dateOfBirth").stringOrNull(p.dob);
    w.key("age").numberOrNull(p.age, p.age >= 0);
    w.key("gender").string(genderWord(p.gender));
    w.key("bibNumber").stringOrNull(p.bib);
    w.key("chipNumber").stringOrNull(p.chip);
    w.key("teamName").stringOrNull(p.team);
    w.key("phone").stringOrNull(p.phone);
    w.key("address");
    if (p.city.empty()) {
      w.null();
    } else {
      w.beginObject().key("line1").string(p.street).key("city").string(p.city).key("region").stringOrNull(p.state)
          .key("postcode").string(p.zip).key("country").string(p.country).endObject();
    }
    w.key("emergencyContactName").stringOrNull(p.emergency_name);
    w.key("emergencyContactPhone").stringOrNull(p.emergency_phone);
    w.key("questions").beginArray();
    for (const auto& q : p.answers) w.beginObject().key("title").string(q.question).key("answer").string(q.answer).endObject();
    w.endArray();
    w.key("amountPaid");
    if (p.amount_paid_minor < 0) w.null();
    else w.beginObject().key("amount").number(p.amount_paid_minor).key("currency").string(p.currency).endObject();
    w.key("createdAt").string(isoUtc(p.registered));
    w.key("updatedAt").string(isoUtc(p.modified));
    w.endObject();
  }

  Reply applications(const Request& r, const Account& a) const {
    auto offset = offsetFrom(r);
    if (!offset) return badCursor();
    std::optional<Instant> after;
    if (r.has("updatedAt[after]") && !(after = parseIso(r.param("updatedAt[after]"))))
      return jsonReply(400, json{{"error", {{"code", "BAD_REQUEST"}, {"message", "updatedAt[after] must be ISO-8601"}}}}.dump());
    const std::string only_event = r.param("eventId");
    const size_t size = pageSize(r);
    // Walk the matching applications in order, writing only the requested page.
    std::string body;
    JsonOut w(body);
    w.beginObject().key("data").beginArray();
    size_t seen = 0, written = 0;
    bool more = false;
    for (const Event* e : sim_.world.eventsOf(sim_.world.accountIndex(a))) {
      if (!only_event.empty() && e->id != only_event) continue;
      for (const Participant& p : e->participants) {
        if (after && p.modified <= *after) continue;
        if (seen++ < *offset) continue;
        if (written == size) {
          more = true;
          break;
        }
        writeApplication(w, *e, p);
        ++written;
      }
      if (more) break;
    }
    w.endArray();
    w.key("page").beginObject().key("next");
    if (more) w.string(base64("o:" + std::to_string(*offset + written))); else w.null();
    w.endObject().endObject();
    return jsonReply(200, std::move(body));
  }
};

}  // namespace

std::unique_ptr<ProviderApi> makeLetsDoThisApi(Simulator& sim) { return std::make_unique<LetsDoThisApi>(sim); }

}  // namespace sim
