// RunSignUp: /Rest/races, /Rest/race/{id}, /Rest/race/{id}/participants,
// /Rest/race/{id}/removed-participants. Key and secret as query parameters, format=json, errors
// as HTTP 200 with {"error":{"error_code":N,"error_msg":...}}, times in the race's zone (event
// start/end) or US Eastern (registration dates), money as "$55.00", booleans as "T"/"F".
#include <algorithm>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>

#include "formats.h"
#include "json_out.h"
#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

constexpr const char* kEastern = "America/New_York";

Reply rsuError(int code, const std::string& message) {
  return jsonReply(200, json{{"error", {{"error_code", code}, {"error_msg", message}}}}.dump());
}


long long toNumber(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (...) {
    return -1;
  }
}

class RunSignUpApi : public ProviderApi {
 public:
  using ProviderApi::ProviderApi;
  Provider provider() const override { return Provider::runsignup; }
  std::string basePath() const override { return "/Rest"; }

  Reply unauthorized(const std::string& message) const override { return rsuError(6, message); }
  Reply throttled(double) const override {
    // RunSignUp documents no Retry-After: the throttle is error 14 on an HTTP 200.
    return rsuError(14, "Request throttled. Please slow down your API requests.");
  }

  Reply handle(const Request& r) override {
    auto seg = pathSegments(r.path);
    if (seg.empty()) return notFound();
    std::string root = seg[0];
    std::transform(root.begin(), root.end(), root.begin(), [](unsigned char c) { return std::tolower(c); });
    if (root != "rest") return notFound();
    if (r.param("format") != "json") {
      Reply x;
      x.content_type = "application/xml";
      x.body = "<?xml version=\"1.0\"?>\n<error><error_code>3</error_code><error_msg>This simulator "
               "answers only format=json</error_msg></error>";
      return x;
    }
    std::string route;
    if (seg.size() == 2 && seg[1] == "races") route = "/Rest/races";
    else if (seg.size() == 3 && seg[1] == "race") route = "/Rest/race/{race_id}";
    else if (seg.size() == 4 && seg[1] == "race" && seg[3] == "participants") route = "/Rest/race/{race_id}/participants";
    else if (seg.size() == 4 && seg[1] == "race" && seg[3] == "removed-participants")
      route = "/Rest/race/{race_id}/removed-participants";
    else return notFound();

    std::shared_lock<std::shared_mutex> lock(sim_.world.mutex());
    const Account* account = sim_.world.findAccount(Provider::runsignup, r.param("api_key"));
    if (account == nullptr || account->secret != r.param("api_secret")) {
      Reply x = rsuError(6, "Invalid API key or secret.");
      x.route = route;
      return x;
    }
    if (auto t = admit(*account)) {
      t->route = route;
      return *t;
    }
    Reply out = route == "/Rest/races" ? races(r, *account)
                : route == "/Rest/race/{race_id}" ? race(seg[2], *account)
                : participants(r, seg[2], *account, route.find("removed") != std::string::npos);
    out.account = account->label;
    out.route = route;
    return out;
  }

 private:
  static Reply notFound() {
    Reply x = rsuError(1, "Unknown method.");
    x.route = "(unknown)";
    return x;
  }

  std::vector<const Event*> raceEvents(const std::string& race_id, const Account& a) const {
    std::vector<const Event*> out;
    for (const Event* e : sim_.world.eventsOf(sim_.world.accountIndex(a)))
      if (e->race_id == race_id) out.push_back(e);
    return out;
  }

  static json eventJson(const Event& e) {
    return {{"event_id", toNumber(e.id)},
            {"race_event_days_id", toNumber(e.id) + 7},
            {"name", e.name},
            {"details", nullptr},
            {"start_time", usDateTime(e.start, e.time_zone)},
            {"end_time", usDateTime(e.end, e.time_zone)},
            {"age_calc_base_date", nullptr},
            {"registration_opens", usDateTime(e.registration_opens, e.time_zone)},
            {"event_type", e.event_type},
            {"distance", e.distance},
            {"volunteer", "F"},
            {"require_dob", "T"},
            {"require_phone", "T"},
            {"registration_periods",
             json::array({{{"registration_opens", usDateTime(e.registration_opens, e.time_zone)},
                           {"registration_closes", usDateTime(e.registration_closes, e.time_zone)},
                           {"race_fee", "$45.00"},
                           {"processing_fee", "$3.25"}}})},
            {"giveaway", nullptr}};
  }

  json raceJson(const std::vector<const Event*>& events, bool with_events) const {
    const Event& first = *events.front();
    json race = {{"race_id", toNumber(first.race_id)},
                 {"name", first.race_name},
                 {"last_date", usDate(first.start, first.time_zone)},
                 {"last_end_date", usDate(first.end, first.time_zone)},
                 {"next_date", usDate(first.start, first.time_zone)},
                 {"next_end_date", usDate(first.end, first.time_zone)},
                 {"is_draft_race", "F"},
                 {"is_private_race", "F"},
                 {"is_registration_open", first.start > sim_.clock.now() ? "T" : "F"},
                 {"created", usDateTime(first.registration_opens, kEastern)},
                 {"last_modified", usDateTime(first.modified, kEastern)},
                 {"description", "<p>A race of the p88 simulator.</p>"},
                 {"url", "https://runsignup.com/Race/Sim/" + first.race_id},
                 {"external_race_url", nullptr},
                 {"address",
                  {{"street", "1 Park Ave"}, {"city", first.city}, {"state", first.state},
                   {"zipcode", "06103"}, {"country_code", first.country}}},
                 {"timezone", first.time_zone},
                 {"real_time_notifications_enabled", "F"}};
    if (with_events) {
      json list = json::array();
      for (const Event* e : events) list.push_back(eventJson(*e));
      race["events"] = list;
    }
    return race;
  }

  Reply races(const Request& r, const Account& a) const {
    std::vector<std::string> race_ids;
    for (const Event* e : sim_.world.eventsOf(sim_.world.accountIndex(a)))
      if (std::find(race_ids.begin(), race_ids.end(), e->race_id) == race_ids.end()) race_ids.push_back(e->race_id);
    long page = r.integer("page", 1, 1, 1000000000);
    long per = r.integer("results_per_page", 50, 1, 1000);
    const bool with_events = r.param("events", "F") == "T";
    json list = json::array();
    for (size_t i = static_cast<size_t>((page - 1) * per); i < race_ids.size() && list.size() < static_cast<size_t>(per); ++i)
      list.push_back({{"race", raceJson(raceEvents(race_ids[i], a), with_events)}});
    return jsonReply(200, json{{"races", list}}.dump());
  }

  Reply race(const std::string& race_id, const Account& a) const {
    auto events = raceEvents(race_id, a);
    if (events.empty()) return rsuError(201, "Race not found.");
    json race = raceJson(events, true);
    race["questions"] = json::array({{{"question_id", 2}, {"question_text", "T-shirt size"},
                                      {"question_type_code", "S"}, {"standard_question_type", nullptr}},
                                     {{"question_id", 3}, {"question_text", "How did you hear about us?"},
                                      {"question_type_code", "F"}, {"standard_question_type", nullptr}}});
    return jsonReply(200, json{{"race", race}}.dump());
  }

  static void writeParticipant(JsonOut& w, const Participant& p, const Event& e, bool questions) {
    const long long id = toNumber(p.id);
    w.beginObject();
    w.key("user").beginObject();
    w.key("user_id").number(toNumber(p.person_id));
    w.key("first_name").string(p.first_name);
    w.key("middle_name").stringOrNull(p.middle_name);
    w.key("last_name").string(p.last_name);
    w.key("email").stringOrNull(p.email);
    w.key("address");
    if (p.city.empty()) {
      w.null();
    } else {
      w.beginObject().key("street").string(p.street).key("city").string(p.city).key("state").string(p.state)
          .key("zipcode").string(p.zip).key("country_code").string(p.country).endObject();
    }
    w.key("dob").stringOrNull(p.dob);
    w.key("gender");
    if (p.gender == 'U') w.null(); else w.string(std::string(1, p.gender));
    w.key("phone").stringOrNull(p.phone);
    w.key("profile_image_url").null();
    w.endObject();
    w.key("registration_id").number(id);
    w.key("event_id").number(toNumber(e.id));
    w.key("rsu_transaction_id").number(id / 3);
    w.key("transaction_id").string("ay_" + p.id);
    w.key("bib_num").stringOrNull(p.bib);
    w.key("chip_num").stringOrNull(p.chip);
    w.key("age").numberOrNull(p.age, p.age >= 0);
    w.key("registration_date").string(usDateTime(p.registered, kEastern));
    w.key("team_id").numberOrNull(4400 + static_cast<long long>(p.team.size()), !p.team.empty());
    w.key("team_name").stringOrNull(p.team);
    w.key("team_type_id").null().key("team_type").null().key("team_gender").null().key("team_bib_num").null();
    w.key("last_modified").number(p.modified.time_since_epoch().count());
    w.key("imported").string("F");
    w.key("race_fee").string(dollars(p.amount_paid_minor - 275));
    w.key("offline_payment_amount").string("$0.00");
    w.key("processing_fee").string("$2.75");
    w.key("processing_fee_paid_by_user").string("$2.75");
    w.key("processing_fee_paid_by_race").string("$0.00");
    w.key("partner_fee").string("$0.00");
    w.key("affiliate_profit").string("$0.00");
    w.key("extra_fees").string("$0.00");
    w.key("amount_paid");
    if (p.amount_paid_minor < 0) w.null(); else w.string(dollars(p.amount_paid_minor));
    w.key("usatf_discount_amount_in_cents").string("$0.00");
    w.key("giveaway").null();
    if (questions) {
      w.key("question_responses").beginArray();
      int qid = 2;
      for (const auto& a : p.answers)
        w.beginObject().key("question_id").string(std::to_string(qid++)).key("question_text").string(a.question)
            .key("response").string(a.answer).endObject();
      w.endArray();
    }
    w.endObject();
  }

  static void writeRemoved(JsonOut& w, const Participant& p) {
    w.beginObject();
    w.key("registration_id").number(toNumber(p.id));
    w.key("user_id").number(toNumber(p.person_id));
    w.key("first_name").string(p.first_name);
    w.key("last_name").string(p.last_name);
    w.key("email").stringOrNull(p.email);
    w.key("registration_date").string(sqlDateTime(p.registered, kEastern));
    w.key("last_modified").string(sqlDateTime(p.modified, kEastern));
    w.key("last_modified_ts").number(p.modified.time_since_epoch().count());
    w.key("removed_reason").string(p.status == "transferred" ? "transferred" : "removed");
    if (!p.new_registration_id.empty()) w.key("new_registration_id").number(toNumber(p.new_registration_id));
    w.endObject();
  }

  Reply participants(const Request& r, const std::string& race_id, const Account& a, bool removed) const {
    auto events = raceEvents(race_id, a);
    if (events.empty()) return rsuError(201, "Race not found.");
    std::string wanted = r.param("event_id");
    if (wanted.empty()) return rsuError(3, "Invalid parameters: event_id is required.");
    const long page = r.integer("page", 1, 1, 1000000000);
    const long per = r.integer("results_per_page", 50, 1, 2500);
    const bool desc = r.param("sort", "registration_id ASC") == "registration_id DESC";
    const long long after = r.integer("after_registration_id", -1, -1, INT64_MAX);
    const long long since = r.integer("modified_after_timestamp", -1, -1, INT64_MAX);
    const bool questions = r.param("include_questions", "F") == "T";
    std::string body;
    JsonOut w(body);
    w.beginArray();
    size_t start = 0;
    while (start <= wanted.size()) {
      size_t comma = wanted.find(',', start);
      std::string id = wanted.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? wanted.size() + 1 : comma + 1;
      const Event* e = nullptr;
      for (const Event* x : events)
        if (x->id == id) e = x;
      if (e == nullptr) return rsuError(3, "Invalid parameters: event " + id + " is not an event of race " + race_id);
      std::vector<const Participant*> rows;
      for (const Participant& p : e->participants) {
        if ((p.status == "active") == removed) continue;
        if (after >= 0 && toNumber(p.id) <= after) continue;
        if (since >= 0 && p.modified.time_since_epoch().count() < since) continue;  // inclusive
        rows.push_back(&p);
      }
      if (desc) std::reverse(rows.begin(), rows.end());
      const size_t first = static_cast<size_t>((page - 1) * per);
      const size_t last = std::min(rows.size(), first + static_cast<size_t>(per));
      body.reserve(body.size() + (last > first ? last - first : 0) * 1600);
      // The event's own "participants" is always empty (a legacy quirk RunSignUp keeps); the rows
      // are its sibling. Removed rows, on the other hand, do sit inside "event".
      w.beginObject().key("event").beginObject().key("event_id").number(toNumber(e->id));
      w.key("participants").beginArray();
      if (removed)
        for (size_t i = first; i < last; ++i) writeRemoved(w, *rows[i]);
      w.endArray().endObject();
      if (!removed) {
        w.key("participants").beginArray();
        for (size_t i = first; i < last; ++i) writeParticipant(w, *rows[i], *e, questions);
        w.endArray();
      }
      w.endObject();
    }
    w.endArray();
    return jsonReply(200, std::move(body));
  }
};

}  // namespace

std::unique_ptr<ProviderApi> makeRunSignUpApi(Simulator& sim) { return std::make_unique<RunSignUpApi>(sim); }

}  // namespace sim
