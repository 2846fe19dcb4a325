#include "letsdothis_records.h"

namespace letsdothis {
namespace {

using p88::json;
using p88::Text;

bool has_next_signal(const json& body) {
  return body.is_object() && body.contains("page") && body["page"].is_object() && body["page"].contains("next");
}

std::optional<std::string> next_of(const json& body) {
  if (!body.is_object() || !body.contains("page") || !body["page"].is_object()) return std::nullopt;
  const json& n = body["page"].value("next", json(nullptr));
  if (n.is_string() && !n.get<std::string>().empty()) return n.get<std::string>();
  return std::nullopt;
}

// A date-time with a zone, or a bare date (midnight in the event's zone, else UTC).
Text utc(p88::FieldReader& r, const char* path, const Text& zone) {
  Text s = r.text(path);
  if (!s) return s;
  if (auto t = p88::time::parse_iso(*s)) return p88::time::format_utc(*t);
  if (s->size() == 10)
    if (auto t = p88::time::parse_local(*s, "%F", zone.value_or("UTC"))) return p88::time::format_utc(*t);
  return r.bad(path, "'" + *s + "' is not an ISO-8601 date");
}

std::string status_of(p88::FieldReader& r) {
  Text s = r.text("status");
  if (!s || *s == "confirmed" || *s == "complete" || *s == "active") return "active";
  if (*s == "cancelled" || *s == "canceled" || *s == "refunded") return "cancelled";
  if (*s == "transferred") return "transferred";
  if (*s == "deferred") return "deferred";
  r.bad("status", "unknown status '" + *s + "': stored as active");
  return "active";
}

}  // namespace

EventsPage parse_events(const json& body) {
  EventsPage page;
  const json* rows = p88::records_in(body, {"data"}, "GET /events");
  page.next = next_of(body);
  page.next_signal = has_next_signal(body);
  p88::for_each_record(rows, "id", page.issues, page.rows, "event ", [&](const json& row, const std::string& id,
                                                                       p88::FieldReader& r) {
    p88::Event e;
    e.provider_event_id = id;
    e.name = r.text("title");
    e.time_zone = r.text("timezone");
    if (e.time_zone && !p88::time::known_zone(*e.time_zone)) {
      r.bad("timezone", "'" + *e.time_zone + "' is not an IANA time zone");
      e.time_zone.reset();
    }
    e.start_time = utc(r, "startDate", e.time_zone);
    e.end_time = utc(r, "endDate", e.time_zone);
    e.city = r.text("location.city");
    e.country = r.text("location.country");
    if (const json* races = r.array("races"); races && races->size() == 1 && (*races)[0].is_object()) {
      p88::FieldReader race((*races)[0], r.record_id(), page.issues);
      e.provider_race_id = race.text("id");
      e.race_name = race.text("title");
      if (auto v = race.text("distance.value")) e.distance = *v + race.text("distance.unit").value_or("");
    }
    e.status = r.text("status").value_or("active");
    e.last_modified = r.utc_iso("updatedAt");
    e.raw_json = row.dump();
    page.events.push_back(std::move(e));
  });
  return page;
}

namespace {
// `filtered`: asked with eventId= (one event); else account-wide, for the events in `wanted`.
ApplicationsPage parse(const json& body, const std::set<std::string>& wanted, bool filtered);
}  // namespace

ApplicationsPage parse_applications(const json& body, const std::string& event_id) {
  return parse(body, {event_id}, true);
}

ApplicationsPage parse_applications(const json& body, const std::set<std::string>& events) {
  return parse(body, events, false);
}

namespace {
ApplicationsPage parse(const json& body, const std::set<std::string>& wanted, bool filtered) {
  const std::string event_id = filtered && !wanted.empty() ? *wanted.begin() : std::string();
  ApplicationsPage page;
  const json* rows = p88::records_in(body, {"data"}, "GET /applications");
  page.next = next_of(body);
  page.next_signal = has_next_signal(body);
  p88::for_each_record(rows, "id", page.issues, page.rows, "", [&](const json& row, const std::string& id,
                                                                  p88::FieldReader& r) {
    // Asked for one event's applications: one without its event, or of another, is not stored
    // under this event (the API's eventId filter is a guess).
    Text event = r.text("eventId");
    if (!event) {
      r.bad("eventId", filtered ? "missing in an answer filtered by event " + event_id + ": not stored under that event"
                                : std::string("missing in the account's applications: not stored under any event"));
      return;
    }
    if (filtered && *event != event_id) {
      r.bad("eventId", "'" + *event + "' in an answer filtered by event " + event_id +
                           " (is the filter ignored?): not stored under that event");
      return;
    }
    if (!filtered && !wanted.count(*event)) {  // another event of the account: its own sync reads it
      ++page.other_events;
      return;
    }
    p88::Participant p;
    p.provider_participant_id = id;
    p.provider_event_id = *event;
    p.provider_person_id = r.text("userId");
    p.first_name = r.text("firstName");
    p.middle_name = r.text("middleName");
    p.last_name = r.text("lastName");
    p.email = r.text("email");
    p.phone = r.text("phone");
    p.date_of_birth = r.date("dateOfBirth");
    p.gender_raw = r.text("gender");
    p.gender = p88::normalize_gender(p.gender_raw);
    p.age = r.integer("age");
    p.bib = r.text("bibNumber");
    p.chip = r.text("chipNumber");
    p.team_name = r.text("teamName");
    p.division = r.text("ticketTitle");
    p.status = status_of(r);
    p.new_registration_id = r.text("transferredToApplicationId");
    if (r.object("amountPaid")) {
      p.amount_paid_minor = r.integer("amountPaid.amount");  // already in minor units
      if (p.amount_paid_minor) p.currency = r.text("amountPaid.currency");
    }
    if (const json* address = r.object("address")) {
      p.city = r.text("address.city");
      p.state = r.text("address.region");
      p.country = r.text("address.country");
      p.address_json = address->dump();
    }
    p.emergency_contact_json = r.contact("emergencyContactName", "emergencyContactPhone");
    p.answers_json = r.answers("questions", "title", "answer");
    p.registration_date = r.utc_iso("createdAt");
    p.last_modified = r.utc_iso("updatedAt");
    p.raw_json = row.dump();
    page.records.push_back(std::move(p));
  });
  return page;
}
}  // namespace

std::string updated_after(const std::string& newest_utc) {
  auto t = p88::time::parse_iso(newest_utc);
  if (!t) return newest_utc;
  return p88::time::format_utc(*t - std::chrono::seconds(1));
}

}  // namespace letsdothis
