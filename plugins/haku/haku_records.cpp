#include "haku_records.h"

namespace haku {
namespace {

using p88::json;
using p88::Text;

std::optional<int64_t> meta_total(const json& body) {
  if (!body.is_object() || !body.contains("meta") || !body["meta"].is_object()) return std::nullopt;
  const json& t = body["meta"].value("total", json(nullptr));
  return t.is_number_integer() ? std::optional<int64_t>(t.get<int64_t>()) : std::nullopt;
}

// A Haku time: ISO-8601 with a zone, or local (no offset) in the event's zone.
Text utc(p88::FieldReader& r, const char* path, const std::string& zone) {
  Text s = r.text(path);
  if (!s) return s;
  if (auto t = p88::time::parse_iso(*s)) return p88::time::format_utc(*t);
  const char* format = s->size() == 10 ? "%F" : "%FT%T";
  if (auto t = p88::time::parse_local(*s, format, zone)) return p88::time::format_utc(*t);
  return r.bad(path, "'" + *s + "' is not a date and time");
}

}  // namespace

Token parse_token(const json& body) {
  if (body.is_object() && body.contains("access_token") && body["access_token"].is_string() &&
      !body["access_token"].get<std::string>().empty()) {
    Token t{body["access_token"].get<std::string>(), 0};
    if (body.contains("expires_in") && body["expires_in"].is_number()) t.expires_in = body["expires_in"].get<int64_t>();
    return t;
  }
  if (body.is_object() && body.contains("error"))
    throw p88::Error(p88::Status::auth, "Haku refused the client credentials: " +
                                            (body["error"].is_string() ? body["error"].get<std::string>() : body["error"].dump()));
  throw p88::Error(p88::Status::transient, "Haku's token response has no access_token");
}

std::string token_url(const std::string& base_url) {
  std::string b = base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (b == "https://api.hakuapp.com" || b == "https://api.hakuapp.com/v1") return "https://prod-auth.hakuapp.com/oauth2/token";
  return b + "/oauth2/token";
}

EventsPage parse_events(const json& body) {
  EventsPage page;
  const json* rows = p88::records_in(body, {"events", "data"}, "GET /events");
  page.total = meta_total(body);
  p88::for_each_record(rows, "id", page.issues, page.rows, "event ", [&](const json& row, const std::string& id,
                                                                       p88::FieldReader& r) {
    p88::Event e;
    e.provider_event_id = id;
    e.name = r.text("name");
    e.description = r.text("description");
    std::string zone = r.text("time_zone").value_or("");
    if (!zone.empty() && !p88::time::known_zone(zone)) {
      r.bad("time_zone", "'" + zone + "' is not an IANA time zone: local times are not placed");
      zone.clear();
    }
    if (!zone.empty()) e.time_zone = zone;
    e.start_time = utc(r, "event_date", zone);
    e.end_time = utc(r, "event_end_date", zone);
    e.location_name = r.text("location_name");
    e.city = r.text("location_city");
    e.state = r.text("location_state");
    e.country = r.text("location_country");
    e.event_type = r.text("event_type");
    e.distance = r.text("distance");
    e.registration_opens = utc(r, "registration_open_date", zone);
    e.registration_closes = utc(r, "registration_close_date", zone);
    e.status = r.text("status");
    e.last_modified = r.utc_iso("updated_at");
    e.raw_json = row.dump();
    page.events.push_back(std::move(e));
  });
  return page;
}

SummaryPage parse_summaries(const json& body) {
  SummaryPage page;
  const json* rows = p88::records_in(body, {"participants", "data"}, "GET /events/{id}/participants");
  page.total = meta_total(body);
  p88::for_each_record(rows, "registration_number", page.issues, page.count, "",
                       [&](const json& row, const std::string& id, p88::FieldReader& r) {
                         page.rows.push_back({id, r.utc_iso("updated_at").value_or(""), r.integer("age"), row});
                       });
  return page;
}

p88::Participant summary_participant(const Summary& summary, const std::string& event_id,
                                     std::vector<p88::FieldIssue>& issues) {
  p88::FieldReader r(summary.row, summary.id, issues);
  p88::Participant p;
  p.summary = true;
  p.provider_participant_id = summary.id;
  p.provider_event_id = event_id;
  if (p88::Text full = r.text("person_full_name")) {
    const size_t space = full->find(' ');
    if (space == std::string::npos) {
      p.first_name = *full;
    } else {
      p.first_name = full->substr(0, space);
      p.last_name = full->substr(space + 1);
    }
  }
  p.email = r.text("email");
  p.age = summary.age;
  p.gender_raw = r.text("gender");
  p.gender = p88::normalize_gender(p.gender_raw);
  p.team_name = r.text("team.name");
  p.division = r.text("event_category_info");
  p.registration_date = r.utc_iso("registered_at");
  p.status = r.boolean("is_cancelled").value_or(false) ? "cancelled" : "active";
  if (!summary.updated_at.empty()) p.last_modified = summary.updated_at;
  p.raw_json = json{{"summary", summary.row}}.dump();
  return p;
}

std::optional<Summary> stored_summary(const std::string& id, const std::string& raw_json) {
  json j = json::parse(raw_json, nullptr, false);
  if (!j.is_object() || !j.contains("summary") || !j["summary"].is_object()) return std::nullopt;
  std::vector<p88::FieldIssue> ignored;
  p88::FieldReader r(j["summary"], id, ignored);
  return Summary{id, r.utc_iso("updated_at").value_or(""), r.integer("age"), j["summary"]};
}

std::optional<p88::Participant> parse_registration(const json& detail, const Summary& summary,
                                                   const std::string& event_id,
                                                   std::vector<p88::FieldIssue>& issues) {
  p88::FieldReader r(detail, summary.id, issues);
  if (!detail.is_object()) {
    r.bad("(registration)", std::string("expected an object, got ") + detail.type_name() + ": skipped");
    return std::nullopt;
  }
  const std::string id = p88::id_text(detail.value("registration_number", json()));
  if (!id.empty() && id != summary.id) {
    r.bad("registration_number", "the detail is for '" + id + "': skipped");
    return std::nullopt;
  }
  p88::Participant p;
  p.provider_participant_id = summary.id;
  p.provider_event_id = event_id;
  r.object("participant");
  p.provider_person_id = r.text("participant.account_number");
  p.first_name = r.text("participant.first_name");
  p.middle_name = r.text("participant.middle_initial");
  p.last_name = r.text("participant.last_name");
  p.email = r.text("participant.email");
  p.phone = r.text("participant.phone");
  p.date_of_birth = r.date("participant.dob");
  p.gender_raw = r.text("participant.gender");
  p.gender = p88::normalize_gender(p.gender_raw);
  p.age = summary.age;
  if (const json* categories = r.array("event_categories"); categories && !categories->empty()) {
    p88::FieldReader c((*categories)[0], summary.id, issues);
    p.bib = c.text("tag_number");
    p.chip = c.text("chip_number");
    p.division = c.text("name");
  }
  p.team_name = r.text("team.name");
  p.new_registration_id = r.text("transferred_to_registration_number");
  if (p.new_registration_id) p.status = "transferred";
  else if (r.boolean("is_cancelled").value_or(false)) p.status = "cancelled";
  else p.status = "active";
  p.amount_paid_minor = r.money_minor("transaction_amount");
  if (p.amount_paid_minor) p.currency = r.text("currency");
  if (const json* address = r.object("participant.address")) {
    p.city = r.text("participant.address.city");
    p.state = r.text("participant.address.state");
    p.country = r.text("participant.address.country");
    p.address_json = address->dump();
  }
  p.emergency_contact_json = r.contact("emergency_contact_name", "emergency_contact_phone_number");
  json answers = json::array();
  r.answers_into("participant.additional_questions", "question", "answer", answers);
  r.answers_into("additional_questions", "question", "answer", answers);
  if (!answers.empty()) p.answers_json = answers.dump();
  p.registration_date = r.utc_iso("created_at");
  p.last_modified = r.utc_iso("updated_at");
  if (!p.last_modified && !summary.updated_at.empty()) p.last_modified = summary.updated_at;
  p.raw_json = json{{"summary", summary.row}, {"registration", detail}}.dump();
  return p;
}

std::optional<Cursor> parse_cursor(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("updated_since") || !j["updated_since"].is_string()) return std::nullopt;
  Cursor c;
  c.updated_since = j["updated_since"].get<std::string>();
  if (!c.updated_since.empty() && !p88::time::parse_iso(c.updated_since)) return std::nullopt;
  if (j.contains("ids") && j["ids"].is_array())
    for (const json& id : j["ids"])
      if (id.is_string()) c.ids.insert(id.get<std::string>());
  return c;
}

std::string format_cursor(const Cursor& cursor) {
  return json{{"updated_since", cursor.updated_since}, {"ids", cursor.ids}}.dump();
}

void advance(Cursor& cursor, const std::string& updated_at, const std::string& id) {
  if (updated_at.empty() || updated_at < cursor.updated_since) return;
  if (updated_at > cursor.updated_since) {
    cursor.updated_since = updated_at;
    cursor.ids.clear();
  }
  cursor.ids.insert(id);
}

}  // namespace haku
