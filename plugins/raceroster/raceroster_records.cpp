#include "raceroster_records.h"

namespace raceroster {
namespace {

using p88::json;
using p88::Text;

std::optional<int64_t> metadata(const json& body, const char* key) {
  if (!body.is_object() || !body.contains("metadata") || !body["metadata"].is_object()) return std::nullopt;
  const json& v = body["metadata"].value(key, json(nullptr));
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

// Race Roster's status words -> p88's.
std::string status_of(p88::FieldReader& r) {
  Text s = r.text("status");
  if (!s) return "active";
  std::string v;
  for (char c : *s) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "registered" || v == "active" || v == "confirmed" || v == "complete" || v == "completed") return "active";
  if (v == "cancelled" || v == "canceled" || v == "refunded" || v == "withdrawn") return "cancelled";
  if (v == "transferred") return "transferred";
  if (v == "deferred") return "deferred";
  if (v == "removed" || v == "deleted") return "removed";
  r.bad("status", "unknown status '" + *s + "': stored as active");
  return "active";
}

// Race Roster's gender is an integer: 0 undisclosed, 1 male, 2 female, 8 co-ed, 9 non-binary.
std::string gender_of(const Text& raw) {
  if (raw == "0" || raw == "8") return "U";
  return p88::normalize_gender(raw);
}

}  // namespace

Token parse_token(const json& body) {
  const json* t = &body;
  if (body.is_object() && body.contains("data")) {
    t = &body["data"];
    if (t->is_array() && t->size() == 1) t = &(*t)[0];
  }
  if (t->is_object() && t->contains("access_token") && (*t)["access_token"].is_string() &&
      !(*t)["access_token"].get<std::string>().empty()) {
    Token out;
    out.access_token = (*t)["access_token"].get<std::string>();
    if (t->contains("refresh_token") && (*t)["refresh_token"].is_string())
      out.refresh_token = (*t)["refresh_token"].get<std::string>();
    if (t->contains("expires_in") && (*t)["expires_in"].is_number()) out.expires_in = (*t)["expires_in"].get<int64_t>();
    return out;
  }
  if (body.is_object() && body.contains("error")) {
    std::string message = body["error"].is_string() ? body["error"].get<std::string>() : body["error"].dump();
    if (body.contains("error_description") && body["error_description"].is_string())
      message += ": " + body["error_description"].get<std::string>();
    throw p88::Error(p88::Status::auth, "Race Roster refused the token request: " + message);
  }
  throw p88::Error(p88::Status::transient, "Race Roster's token response has no access_token");
}

std::string token_blob(const Token& token) {
  json j = {{"access_token", token.access_token}};
  if (token.refresh_token) j["refresh_token"] = *token.refresh_token;
  return j.dump();
}

Token from_blob(const std::string& blob) {
  json j = json::parse(blob, nullptr, false);
  Token t;
  if (j.is_object() && j.contains("access_token") && j["access_token"].is_string()) {
    t.access_token = j["access_token"].get<std::string>();
    if (j.contains("refresh_token") && j["refresh_token"].is_string()) t.refresh_token = j["refresh_token"].get<std::string>();
  } else {
    t.access_token = blob;  // a bare token
  }
  return t;
}

std::string token_url(const std::string& base_url) {
  std::string b = base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  const size_t slash = b.find_last_of('/');
  if (slash != std::string::npos && b.compare(slash, std::string::npos, "/v1") == 0) b.erase(slash);
  return b + "/oauth/authorize";
}

EventsPage parse_events(const json& body) {
  EventsPage page;
  const json* rows = p88::records_in(body, {"data"}, "GET /events");
  page.total = metadata(body, "totalResults");
  p88::for_each_record(rows, "eventId", page.issues, page.rows, "event ", [&](const json& row, const std::string& id,
                                                                            p88::FieldReader& r) {
    p88::Event e;
    e.provider_event_id = id;
    e.name = r.text("name");
    e.race_name = r.text("name");
    e.start_time = r.utc_iso("startDate");
    e.end_time = r.utc_iso("endDate");
    e.time_zone = r.text("timeZone");
    if (e.time_zone && !p88::time::known_zone(*e.time_zone)) {
      r.bad("timeZone", "'" + *e.time_zone + "' is not an IANA time zone");
      e.time_zone.reset();
    }
    e.location_name = r.text("address");
    e.city = r.text("city");
    e.state = r.text("region.code");
    e.country = r.text("country.code");
    e.event_type = r.text("type");
    e.registration_opens = r.utc_iso("registrationOpenDate");
    e.registration_closes = r.utc_iso("registrationCloseDate");
    e.last_modified = r.utc_iso("lastModifiedDate");
    e.status = "active";
    if (const json* subs = r.array("subEvents.data"); subs && subs->size() == 1) {
      e.provider_race_id = (*subs)[0].is_object() ? p88::id_text((*subs)[0].value("subEventId", json())) : "";
      if (e.provider_race_id->empty()) e.provider_race_id.reset();
      p88::FieldReader s((*subs)[0], r.record_id(), page.issues);
      if (auto d = s.text("distance")) e.distance = *d + s.text("distanceType").value_or("");
    }
    e.raw_json = row.dump();
    page.events.push_back(std::move(e));
  });
  return page;
}

ParticipantsPage parse_participants(const json& body, const std::string& event_id) {
  ParticipantsPage page;
  const json* rows = p88::records_in(body, {"data"}, "GET /events/{id}/participants");
  page.total_pages = metadata(body, "totalPages");
  p88::for_each_record(rows, "participantId", page.issues, page.rows, "", [&](const json& row, const std::string& id,
                                                                            p88::FieldReader& r) {
    p88::Participant p;
    p.provider_participant_id = id;
    p.provider_event_id = event_id;
    p.provider_person_id = r.text("personId");
    p.first_name = r.text("firstName");
    p.middle_name = r.text("middleName");
    p.last_name = r.text("lastName");
    p.email = r.text("email");
    p.phone = r.text("phone");
    p.date_of_birth = r.date("dateOfBirth");
    p.gender_raw = r.text("gender");
    p.gender = gender_of(p.gender_raw);
    p.age = r.integer("age");
    p.bib = r.text("bibNumber");
    p.chip = r.text("chipNumber");
    p.team_name = r.text("teamName");
    p.division = r.text("subEventName");
    p.registration_date = r.utc_iso("registrationDate");
    p.status = status_of(r);
    p.new_registration_id = r.text("transferredToParticipantId");
    p.amount_paid_minor = r.money_minor("amountPaid");
    if (p.amount_paid_minor) p.currency = r.text("currency");
    p.city = r.text("city");
    p.state = r.text("region.code");
    p.country = r.text("country.code");
    json address = json::object();
    for (const auto& [key, value] : {std::pair<const char*, Text>{"street", r.text("address")},
                                     {"city", p.city}, {"region", p.state},
                                     {"postal_code", r.text("postalCode")}, {"country", p.country}})
      if (value) address[key] = *value;
    if (!address.empty()) p.address_json = address.dump();
    if (const json* ec = r.object("emergencyContact")) p.emergency_contact_json = ec->dump();
    p.answers_json = r.answers("questions", "question", "answer");
    p.last_modified = r.utc_iso("lastModifiedDate");
    p.raw_json = row.dump();
    page.records.push_back(std::move(p));
  });
  return page;
}

}  // namespace raceroster
