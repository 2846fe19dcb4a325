#include "runsignup_records.h"

namespace runsignup {
namespace {

using p88::json;
using p88::Text;

// RunSignUp does not say how long to wait after error 14; a minute is what its support suggests
// for bursts.
constexpr int64_t kThrottleWaitSeconds = 60;

// The element of a participants answer for the event: an array of {"event":{...}, ...}, or a
// lone object as the documentation page shows it.
const json* element_for(const json& body, const std::string& event_id) {
  if (body.is_object()) return &body;
  if (!body.is_array()) return nullptr;
  for (const json& el : body)
    if (el.is_object() && el.contains("event") && el["event"].is_object() &&
        el["event"].contains("event_id") && p88::id_text(el["event"]["event_id"]) == event_id)
      return &el;
  if (body.size() == 1 && body[0].is_object()) return &body[0];
  return nullptr;
}

const json* rows_in(const json& el, bool removed) {
  const json* beside = el.contains("participants") && el["participants"].is_array() ? &el["participants"] : nullptr;
  const json* inside = el.contains("event") && el["event"].is_object() && el["event"].contains("participants") &&
                               el["event"]["participants"].is_array()
                           ? &el["event"]["participants"]
                           : nullptr;
  // Active rows sit beside "event" (its own list is a legacy, always empty); removed rows sit
  // inside it. Take the documented place first and the other when it alone has rows.
  const json* first = removed ? inside : beside;
  const json* second = removed ? beside : inside;
  if (first && !first->empty()) return first;
  if (second && !second->empty()) return second;
  return first ? first : second;
}

// question_responses -> [{"question_id","question","answer"}]
Text answers(p88::FieldReader& r, const char* path) {
  const json* list = r.array(path);
  if (list == nullptr) return std::nullopt;
  json out = json::array();
  for (const json& q : *list) {
    if (!q.is_object()) continue;
    json a = json::object();
    if (q.contains("question_id")) a["question_id"] = q["question_id"];
    a["question"] = q.value("question_text", json(nullptr));
    a["answer"] = q.value("response", json(nullptr));
    out.push_back(std::move(a));
  }
  return out.dump();
}

std::string removed_status(const Text& reason) {
  if (reason == "transferred") return "transferred";
  if (reason == "deferred") return "deferred";
  return "removed";  // "removed", "cleared" and anything new
}

}  // namespace

void check_error(const json& body, const std::string& what) {
  const json* e = nullptr;
  if (body.is_object() && body.contains("error")) e = &body["error"];
  else if (body.is_array() && !body.empty() && body[0].is_object() && body[0].contains("error"))
    e = &body[0]["error"];
  if (e == nullptr) return;
  int64_t code = 0;
  std::string message;
  if (e->is_object()) {
    const json& c = e->value("error_code", json(0));
    if (c.is_number_integer()) code = c.get<int64_t>();
    else if (c.is_string() && !c.get<std::string>().empty() &&
             c.get<std::string>().find_first_not_of("0123456789") == std::string::npos)
      code = std::stoll(c.get<std::string>());
    const json& m = e->value("error_msg", json(""));
    message = m.is_string() ? m.get<std::string>() : m.dump();
  } else {
    message = e->dump();
  }
  const std::string text = what + ": RunSignUp error " + std::to_string(code) + ": " + message;
  switch (code) {
    case 6: case 7: case 13: throw p88::Error(p88::Status::auth, text);
    case 14: throw p88::Error(p88::Status::throttled, text, kThrottleWaitSeconds);
    case 15: case 201: case 301: throw p88::Error(p88::Status::not_found, text);
    case 3: throw p88::Error(p88::Status::invalid, text);
    default: throw p88::Error(p88::Status::transient, text);
  }
}

EventsPage parse_races(const json& body) {
  EventsPage page;
  const json* races = body.is_object() && body.contains("races") ? &body["races"] : body.is_array() ? &body : nullptr;
  if (races == nullptr || races->is_null()) return page;
  if (!races->is_array())
    throw p88::Error(p88::Status::transient, "GET /races: \"races\" is a " + std::string(races->type_name()) + ", not a list");
  for (const json& item : *races) {
    ++page.races;
    const json& race = item.is_object() && item.contains("race") ? item["race"] : item;
    if (!race.is_object()) {
      page.issues.push_back({"?", "race", std::string("expected an object, got ") + race.type_name()});
      continue;
    }
    const std::string race_id = race.contains("race_id") ? p88::id_text(race["race_id"]) : "";
    p88::FieldReader r(race, race_id.empty() ? "race ?" : "race " + race_id, page.issues);
    if (race_id.empty()) {
      r.bad("race_id", "missing: race skipped");
      continue;
    }
    std::string zone = r.text("timezone").value_or("");
    if (zone.empty() || !p88::time::known_zone(zone)) {
      if (!zone.empty()) r.bad("timezone", "'" + zone + "' is not an IANA time zone; US Eastern assumed");
      zone = kEastern;
    }
    json race_only = race;
    race_only.erase("events");
    const json* events = r.array("events");
    if (events == nullptr) continue;
    for (const json& ev : *events) {
      if (!ev.is_object()) {
        r.bad("events", std::string("an event is a ") + ev.type_name() + ", not an object");
        continue;
      }
      auto event_id = p88::record_id(ev, "event_id", page.issues, "event ");
      if (!event_id) continue;
      p88::FieldReader e(ev, "event " + *event_id, page.issues);
      p88::Event out;
      out.provider_event_id = *event_id;
      out.provider_race_id = race_id;
      out.name = e.text("name");
      out.race_name = r.text("name");
      out.description = r.text("description");
      out.start_time = e.utc_local("start_time", "%m/%d/%Y %H:%M", zone);
      out.end_time = e.utc_local("end_time", "%m/%d/%Y %H:%M", zone);
      out.time_zone = zone;
      out.city = r.text("address.city");
      out.state = r.text("address.state");
      out.country = r.text("address.country_code");
      out.event_type = e.text("event_type");
      out.distance = e.text("distance");
      out.registration_opens = e.utc_local("registration_opens", "%m/%d/%Y %H:%M", zone);
      if (const json* periods = e.array("registration_periods"); periods && !periods->empty() &&
                                                                 periods->back().is_object()) {
        p88::FieldReader last(periods->back(), e.record_id(), page.issues);
        out.registration_closes = last.utc_local("registration_closes", "%m/%d/%Y %H:%M", zone);
      }
      out.status = r.boolean("is_draft_race").value_or(false) ? "draft" : "active";
      out.last_modified = r.utc_local("last_modified", "%m/%d/%Y %H:%M", kEastern);
      out.raw_json = json{{"race", race_only}, {"event", ev}}.dump();
      page.events.push_back(std::move(out));
    }
  }
  return page;
}

ParticipantsPage parse_participants(const json& body, const std::string& event_id, const Text& division) {
  ParticipantsPage page;
  const json* el = element_for(body, event_id);
  const json* rows = el ? rows_in(*el, false) : nullptr;
  if (rows) page.records.reserve(rows->size());
  p88::for_each_record(rows, "registration_id", page.issues, page.rows, "", [&](const json& row, const std::string& id,
                                                                              p88::FieldReader& r) {
    p88::Participant p;
    p.provider_participant_id = id;
    p.provider_event_id = r.text("event_id").value_or(event_id);
    r.object("user");
    p.provider_person_id = r.text("user.user_id");
    p.first_name = r.text("user.first_name");
    p.middle_name = r.text("user.middle_name");
    p.last_name = r.text("user.last_name");
    p.email = r.text("user.email");
    p.phone = r.text("user.phone");
    p.date_of_birth = r.date("user.dob");
    p.gender_raw = r.text("user.gender");
    p.gender = p88::normalize_gender(p.gender_raw);
    p.age = r.integer("age");
    p.bib = r.text("bib_num");
    p.chip = r.text("chip_num");
    p.team_name = r.text("team_name");
    p.division = division;
    p.registration_date = r.utc_local("registration_date", "%m/%d/%Y %H:%M", kEastern);
    p.status = "active";
    p.amount_paid_minor = r.money_minor("amount_paid");
    if (p.amount_paid_minor) p.currency = "USD";
    if (const json* address = r.object("user.address")) {
      p.city = r.text("user.address.city");
      p.state = r.text("user.address.state");
      p.country = r.text("user.address.country_code");
      p.address_json = address->dump();
    }
    p.answers_json = answers(r, "question_responses");
    if (auto modified = r.integer("last_modified")) p.last_modified = p88::time::format_unix(*modified);
    p.raw_json = row.dump();
    page.records.push_back(std::move(p));
  });
  return page;
}

ParticipantsPage parse_removed(const json& body, const std::string& event_id) {
  ParticipantsPage page;
  const json* el = element_for(body, event_id);
  const json* rows = el ? rows_in(*el, true) : nullptr;
  p88::for_each_record(rows, "registration_id", page.issues, page.rows, "", [&](const json& row, const std::string& id,
                                                                              p88::FieldReader& r) {
    p88::Participant p;
    p.status_only = true;
    p.provider_participant_id = id;
    p.provider_event_id = event_id;
    p.provider_person_id = r.text("user_id");
    p.first_name = r.text("first_name");
    p.last_name = r.text("last_name");
    p.email = r.text("email");
    p.registration_date = r.utc_local("registration_date", "%Y-%m-%d %H:%M:%S", kEastern);
    p.status = removed_status(r.text("removed_reason"));
    p.new_registration_id = r.text("new_registration_id");
    if (std::optional<int64_t> modified = r.integer("last_modified_ts"))
      p.last_modified = p88::time::format_unix(*modified);
    else
      p.last_modified = r.utc_local("last_modified", "%Y-%m-%d %H:%M:%S", kEastern);
    p.raw_json = row.dump();
    page.records.push_back(std::move(p));
  });
  return page;
}

}  // namespace runsignup
