#include "store/record_validation.h"

#include <date/date.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "p88/utf8.hpp"

namespace p88::store {
namespace {

bool digits(const std::string& s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(const std::string& s, size_t pos, size_t n) { return std::stoi(s.substr(pos, n)); }

using Reason = std::optional<std::string>;

// Runs the checks shared by the fields of a record: `reason` refuses it, `repairs` mend a field.
struct FieldChecker {
  Reason reason;
  std::vector<FieldRepair> repairs;

  void repaired(const char* field, std::string message) { repairs.push_back({field, std::move(message)}); }

  // Text is kept: NUL bytes removed, invalid UTF-8 replaced by U+FFFD.
  void text(const char* field, Text& value) {
    if (reason || !value) return;
    if (value->find('\0') != std::string::npos) {
      value->erase(std::remove(value->begin(), value->end(), '\0'), value->end());
      repaired(field, "contained NUL bytes: removed");
    }
    if (!utf8::valid(*value)) {
      size_t n = 0;
      value = utf8::repaired(*value, n);
      repaired(field, "not valid UTF-8: " + std::to_string(n) + " bytes replaced by U+FFFD");
    }
  }
  // An id is stored exactly as given, or the record cannot be stored at all.
  void required(const char* field, const std::string& value) {
    if (reason) return;
    if (value.empty())
      reason = std::string(field) + ": required but empty";
    else if (value.find('\0') != std::string::npos)
      reason = std::string(field) + ": contains a NUL byte";
    else if (!utf8::valid(value))
      reason = std::string(field) + ": not valid UTF-8";
  }
  void nulled(const char* field, Text& value, const std::string& why) {
    repaired(field, why + ": stored as NULL");
    value.reset();
  }
  void timestamp(const char* field, Text& value) {
    text(field, value);
    if (reason || !value) return;
    if (auto canonical = canonicalTimestamp(*value))
      value = canonical;
    else
      nulled(field, value, "'" + *value + "' is not an ISO-8601 date and time");
  }
  void json(const char* field, Text& value) {
    text(field, value);
    if (reason || !value) return;
    if (jsonDepth(*value, kMaxStoredJsonDepth) > kMaxStoredJsonDepth)
      nulled(field, value, "nested deeper than " + std::to_string(kMaxStoredJsonDepth) + " levels");
    else if (!nlohmann::json::accept(*value))
      nulled(field, value, "not valid JSON");
  }
  // The raw JSON is the record's evidence: without it, the record is refused.
  void rawJson(std::string& value) {
    if (reason) return;
    if (!utf8::valid(value)) {
      size_t n = 0;
      value = utf8::repaired(value, n);
      repaired("raw_json", "not valid UTF-8: " + std::to_string(n) + " bytes replaced by U+FFFD");
    }
    if (jsonDepth(value, kMaxStoredJsonDepth) > kMaxStoredJsonDepth)
      reason = "raw_json: nested deeper than " + std::to_string(kMaxStoredJsonDepth) + " levels";
    else if (!nlohmann::json::accept(value))
      reason = "raw_json: not valid JSON";
  }
  bool isOneOf(const Text& value, std::initializer_list<const char*> allowed, std::string& list) {
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    for (const char* a : allowed)
      if (*value == a) return true;
    return false;
  }
  // A value outside its vocabulary: nulled (`refuse`: the record is refused, e.g. its status).
  void oneOf(const char* field, Text& value, std::initializer_list<const char*> allowed, bool refuse = false) {
    text(field, value);
    if (reason || !value) return;
    std::string list;
    if (isOneOf(value, allowed, list)) return;
    const std::string why = "'" + *value + "' is not one of " + list;
    if (refuse)
      reason = std::string(field) + ": " + why;
    else
      nulled(field, value, why);
  }
};

// FNV-1a, 64 bit: stable across builds and platforms, unlike std::hash.
class Hasher {
 public:
  void add(const std::string& s) {
    for (unsigned char c : s) mix(c);
    mix(0xff);  // field separator
  }
  void add(const Text& t) {
    if (t)
      add(*t);
    else
      mix(0xfe);
  }
  void add(const Integer& i) { add(i ? Text(std::to_string(*i)) : Text()); }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  void mix(unsigned char c) {
    h_ ^= c;
    h_ *= 1099511628211ull;
  }
  uint64_t h_ = 1469598103934665603ull;
};

}  // namespace

bool isCalendarDate(const std::string& s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2))
    return false;
  date::year_month_day ymd{date::year{number(s, 0, 4)},
                           date::month{static_cast<unsigned>(number(s, 5, 2))},
                           date::day{static_cast<unsigned>(number(s, 8, 2))}};
  return ymd.ok();
}

std::optional<std::string> canonicalTimestamp(const std::string& s) {
  if (s.size() < 10 || !isCalendarDate(s.substr(0, 10))) return std::nullopt;
  int hh = 0, mm = 0, ss = 0, millis = 0;
  size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2))
      return std::nullopt;
    hh = number(s, pos + 1, 2);
    mm = number(s, pos + 4, 2);
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2)) return std::nullopt;
      ss = number(s, pos + 1, 2);
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        size_t start = ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
        std::string frac = s.substr(start, std::min<size_t>(3, pos - start));
        while (frac.size() < 3) frac += '0';
        millis = std::stoi(frac);
      }
    }
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      if (!digits(s, pos + 1, 2)) return std::nullopt;
      int oh = number(s, pos + 1, 2), om = 0;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (digits(s, pos, 2)) {
        om = number(s, pos, 2);
        pos += 2;
      }
      if (oh > 18 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size() || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  using namespace std::chrono;
  date::sys_days day{date::year{number(s, 0, 4)} / number(s, 5, 2) / number(s, 8, 2)};
  date::sys_time<milliseconds> t = day + hours{hh} + minutes{mm} + seconds{ss} + milliseconds{millis} -
                             minutes{offset_minutes};
  return millis ? date::format("%F %T", t) : date::format("%F %T", floor<seconds>(t));
}

bool isValidUtf8(const std::string& s) { return utf8::valid(s); }

int jsonDepth(const std::string& text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::optional<std::string> prepareRecord(EventRecord& r, std::vector<FieldRepair>* repairs) {
  FieldChecker c;
  c.required("provider_event_id", r.provider_event_id);
  for (auto [field, value] : {std::pair<const char*, Text*>{"provider_race_id", &r.provider_race_id},
                              {"name", &r.name},
                              {"race_name", &r.race_name},
                              {"description", &r.description},
                              {"time_zone", &r.time_zone},
                              {"location_name", &r.location_name},
                              {"city", &r.city},
                              {"state", &r.state},
                              {"country", &r.country},
                              {"event_type", &r.event_type},
                              {"distance", &r.distance},
                              {"status", &r.status}})
    c.text(field, *value);
  c.timestamp("start_time", r.start_time);
  c.timestamp("end_time", r.end_time);
  c.timestamp("registration_opens", r.registration_opens);
  c.timestamp("registration_closes", r.registration_closes);
  c.timestamp("last_modified", r.last_modified);
  c.rawJson(r.raw_json);
  if (repairs && !c.reason) *repairs = std::move(c.repairs);
  return c.reason;
}

std::optional<std::string> prepareRecord(ParticipantRecord& r, std::vector<FieldRepair>* repairs) {
  FieldChecker c;
  c.required("provider_participant_id", r.provider_participant_id);
  c.required("provider_event_id", r.provider_event_id);
  for (auto [field, value] :
       {std::pair<const char*, Text*>{"provider_person_id", &r.provider_person_id},
        {"first_name", &r.first_name},
        {"middle_name", &r.middle_name},
        {"last_name", &r.last_name},
        {"email", &r.email},
        {"phone", &r.phone},
        {"gender_raw", &r.gender_raw},
        {"bib", &r.bib},
        {"chip", &r.chip},
        {"team_name", &r.team_name},
        {"division", &r.division},
        {"new_registration_id", &r.new_registration_id},
        {"currency", &r.currency},
        {"city", &r.city},
        {"state", &r.state},
        {"country", &r.country}})
    c.text(field, *value);
  c.oneOf("gender", r.gender, {"M", "F", "X", "U"});
  Text status = r.status;
  c.oneOf("status", status, {"active", "cancelled", "removed", "transferred", "deferred"}, true);
  if (status) r.status = *status;
  c.text("date_of_birth", r.date_of_birth);
  if (!c.reason && r.date_of_birth && !isCalendarDate(*r.date_of_birth))
    c.nulled("date_of_birth", r.date_of_birth, "'" + *r.date_of_birth + "' is not a date (YYYY-MM-DD)");
  if (!c.reason && r.age && (*r.age < 0 || *r.age > 150)) {
    c.repaired("age", std::to_string(*r.age) + " is out of range (0 to 150): stored as NULL");
    r.age.reset();
  }
  c.timestamp("registration_date", r.registration_date);
  c.timestamp("last_modified", r.last_modified);
  c.json("address_json", r.address_json);
  c.json("emergency_contact_json", r.emergency_contact_json);
  c.json("answers_json", r.answers_json);
  c.rawJson(r.raw_json);
  if (repairs && !c.reason) *repairs = std::move(c.repairs);
  return c.reason;
}

std::string contentHash(const EventRecord& r) {
  Hasher h;
  for (const Text* t : {&r.provider_race_id, &r.name, &r.race_name, &r.description, &r.start_time,
                        &r.end_time, &r.time_zone, &r.location_name, &r.city, &r.state, &r.country,
                        &r.event_type, &r.distance, &r.registration_opens, &r.registration_closes,
                        &r.status, &r.last_modified})
    h.add(*t);
  h.add(r.raw_json);
  return h.hex();
}

std::string contentHash(const ParticipantRecord& r) {
  Hasher h;
  h.add(r.provider_event_id);
  for (const Text* t : {&r.provider_person_id, &r.first_name, &r.middle_name, &r.last_name,
                        &r.email, &r.phone, &r.date_of_birth, &r.gender, &r.gender_raw, &r.bib,
                        &r.chip, &r.team_name, &r.division, &r.registration_date,
                        &r.new_registration_id, &r.currency, &r.city, &r.state, &r.country,
                        &r.address_json, &r.emergency_contact_json, &r.answers_json,
                        &r.last_modified})
    h.add(*t);
  h.add(r.age);
  h.add(r.amount_paid_minor);
  h.add(r.status);
  h.add(r.raw_json);
  return h.hex();
}

}  // namespace p88::store

