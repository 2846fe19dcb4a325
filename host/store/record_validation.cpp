#include "store/record_validation.h"

#include <date/date.h>

#include <cstdio>
#include <nlohmann/json.hpp>

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

// Runs the checks shared by every text field of a record.
struct FieldChecker {
  Reason reason;

  void text(const char* field, const Text& value) {
    if (reason || !value) return;
    if (value->find('\0') != std::string::npos)
      reason = std::string(field) + ": contains a NUL byte";
    else if (!isValidUtf8(*value))
      reason = std::string(field) + ": not valid UTF-8";
  }
  void required(const char* field, const std::string& value) {
    if (reason) return;
    if (value.empty())
      reason = std::string(field) + ": required but empty";
    else
      text(field, value);
  }
  void timestamp(const char* field, Text& value) {
    text(field, value);
    if (reason || !value) return;
    auto canonical = canonicalTimestamp(*value);
    if (!canonical)
      reason = std::string(field) + ": '" + *value + "' is not an ISO-8601 date and time";
    else
      value = canonical;
  }
  void json(const char* field, const Text& value) {
    text(field, value);
    if (reason || !value) return;
    if (!nlohmann::json::accept(*value)) reason = std::string(field) + ": not valid JSON";
  }
  void oneOf(const char* field, const Text& value, std::initializer_list<const char*> allowed) {
    text(field, value);
    if (reason || !value) return;
    for (const char* a : allowed)
      if (*value == a) return;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    reason = std::string(field) + ": '" + *value + "' is not one of " + list;
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

bool isValidUtf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

std::optional<std::string> prepareRecord(EventRecord& r) {
  FieldChecker c;
  c.required("provider_event_id", r.provider_event_id);
  for (auto [field, value] : {std::pair<const char*, const Text*>{"provider_race_id", &r.provider_race_id},
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
  c.json("raw_json", r.raw_json);
  return c.reason;
}

std::optional<std::string> prepareRecord(ParticipantRecord& r) {
  FieldChecker c;
  c.required("provider_participant_id", r.provider_participant_id);
  c.required("provider_event_id", r.provider_event_id);
  for (auto [field, value] :
       {std::pair<const char*, const Text*>{"provider_person_id", &r.provider_person_id},
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
  c.oneOf("status", r.status, {"active", "cancelled", "removed", "transferred", "deferred"});
  if (!c.reason && r.date_of_birth) {
    c.text("date_of_birth", r.date_of_birth);
    if (!c.reason && !isCalendarDate(*r.date_of_birth))
      c.reason = "date_of_birth: '" + *r.date_of_birth + "' is not a date (YYYY-MM-DD)";
  }
  if (!c.reason && r.age && (*r.age < 0 || *r.age > 150))
    c.reason = "age: " + std::to_string(*r.age) + " is out of range (0 to 150)";
  c.timestamp("registration_date", r.registration_date);
  c.timestamp("last_modified", r.last_modified);
  c.json("address_json", r.address_json);
  c.json("emergency_contact_json", r.emergency_contact_json);
  c.json("answers_json", r.answers_json);
  c.json("raw_json", r.raw_json);
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

