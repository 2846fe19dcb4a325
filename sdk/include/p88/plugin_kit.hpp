// p88/plugin_kit.hpp: optional helpers for provider plugins: reading provider JSON into SDK
// records (fields, times, money), and turning HTTP answers into the SDK's error statuses.
//
// Needs nlohmann_json and Howard Hinnant's date/tz (link date::date-tz); plugin.hpp does not.
// Everything here treats bad data as data: a missing or null field is "no value"; a field of the
// wrong type, or a date that does not parse, is "no value" plus a FieldIssue naming the record and
// the field, so one bad value never costs the rest of the record or the page.
#ifndef P88_PLUGIN_KIT_HPP
#define P88_PLUGIN_KIT_HPP

// date.h's parser trips GCC 12's -Wmaybe-uninitialized (a false positive inside date::from_stream).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>
#include <date/tz.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <cctype>
#include <chrono>
#include <initializer_list>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "p88/page_parser.hpp"
#include "p88/plugin.hpp"

namespace p88 {

using json = nlohmann::json;

// A value of one record that could not be read; the plugin reports it with Job::record_error.
struct FieldIssue {
  std::string record_id;
  std::string field;
  std::string message;
};

// Time: every instant leaves a plugin as UTC "YYYY-MM-DDTHH:MM:SSZ".
namespace time {

using seconds = date::sys_seconds;

inline std::string format_utc(seconds t) { return date::format("%FT%TZ", t); }

inline std::string format_unix(int64_t unix_seconds) {
  return format_utc(seconds(std::chrono::seconds(unix_seconds)));
}

// ISO-8601 with "Z" or an offset, with or without fractions ("2026-05-10T08:00:00-04:00",
// "2026-05-10T12:00:00.250Z", "2026-05-10 12:00:00+00:00"). Without a zone it is not an instant:
// nullopt. Fractions are truncated to the second.
inline std::optional<seconds> parse_iso(std::string_view text) {
  std::string s(text);
  if (s.size() >= 11 && s[10] == ' ') s[10] = 'T';
  size_t dot = s.find('.', 19);
  if (dot == 19) {
    size_t end = s.find_first_not_of("0123456789", dot + 1);
    s.erase(dot, (end == std::string::npos ? s.size() : end) - dot);
  }
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.back() = 'Z';
  // "YYYY-MM-DDTHH:MM:SS" and at most a zone after it, checked before date::parse sees it (its
  // seconds field overflows on hostile input such as a run of thousands of digits).
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < 19 || s.size() > 25) return std::nullopt;
  for (size_t i = 0; i < 19; ++i)
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i]) return std::nullopt;
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez", "%FT%T%z"}) {
    std::istringstream in(s);
    seconds t{};
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return t;
  }
  return std::nullopt;
}

// A local wall-clock time in an IANA zone, parsed with a date::parse format ("%m/%d/%Y %H:%M" for
// RunSignUp's "9/7/2021 15:15", "%FT%T" for "2026-05-10T08:00:00"). A time that does not exist
// (spring forward) is the instant the clocks jump; one that exists twice (fall back) is the earlier
// of the two. nullopt when the text does not match or the zone is unknown.
inline std::optional<seconds> parse_local(std::string_view text, const char* format,
                                          std::string_view zone) {
  std::istringstream in{std::string(text)};
  date::local_seconds local{};
  in >> date::parse(format, local);
  if (in.fail()) return std::nullopt;
  in >> std::ws;
  if (in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  try {
    const date::time_zone* tz = date::locate_zone(std::string(zone));
    return date::zoned_seconds(tz, local, date::choose::earliest).get_sys_time();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// True when the IANA database knows the zone.
inline bool known_zone(std::string_view zone) {
  try {
    date::locate_zone(std::string(zone));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace time

// Money: "$55.00", "55", "1,234.50", "-3.10" or a JSON number 57.75 -> minor units (5775).
inline std::optional<int64_t> parse_money_minor(std::string_view text) {
  std::string digits;
  bool negative = false, seen_dot = false, any = false;
  int decimals = 0;
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && text[i] == '-') negative = true, ++i;
  if (i < text.size() && text[i] == '$') ++i;
  if (!negative && i < text.size() && text[i] == '-') negative = true, ++i;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      if (seen_dot && ++decimals > 2) return std::nullopt;
      digits += c;
      any = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (c == ',' && !seen_dot) {
      continue;
    } else {
      return std::nullopt;
    }
  }
  if (!any || digits.size() > 15) return std::nullopt;
  for (; decimals < 2; ++decimals) digits += '0';
  int64_t v = std::stoll(digits);
  return negative ? -v : v;
}

// Base64 (RFC 4648, with padding), e.g. for an HTTP Basic header.
inline std::string base64_encode(std::string_view in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Reads the fields of one record (a JSON object), collecting what it cannot read. Field names
// are dotted paths into nested objects: "user.address.city".
class FieldReader {
 public:
  // What parse_page noted in the record or anything inside it (a value replaced or dropped)
  // becomes its issues, once each.
  FieldReader(const json& record, std::string record_id, std::vector<FieldIssue>& issues)
      : record_(record), id_(std::move(record_id)), issues_(issues), first_issue_(issues.size()) {
    collect_noted(record_, "", 0);
  }

  const std::string& record_id() const { return id_; }

  // The value at the path, or nullptr when it (or an object on the way) is missing or null. A
  // value on the way that is not an object ("region": "ON" for region.code) is an issue.
  const json* find(std::string_view path) {
    const json* at = &record_;
    size_t start = 0;
    while (true) {
      if (!at->is_object()) {
        if (start > 0) wrong(path.substr(0, start - 1), *at, "an object");
        return nullptr;
      }
      size_t dot = path.find('.', start);
      std::string key(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
      auto it = at->find(key);
      if (it == at->end() || it->is_null()) return nullptr;
      at = &*it;
      if (dot == std::string_view::npos) return at;
      start = dot + 1;
    }
  }

  // A string; a number is written as text (a bib of 1042 is "1042"). Empty strings are kept
  // unless empty_is_null.
  Text text(std::string_view path, bool empty_is_null = true) {
    const json* v = find(path);
    if (v == nullptr) return std::nullopt;
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      if (s.empty() && empty_is_null) return std::nullopt;
      return s;
    }
    if (v->is_number_integer()) return v->dump();
    if (v->is_number_float()) return v->dump();
    return wrong(path, *v, "a string");
  }

  // An integer; a string of digits is accepted ("35").
  Integer integer(std::string_view path) {
    const json* v = find(path);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      return bad(path, v->dump() + " is out of range"), std::nullopt;
    if (v->is_number_integer()) return v->get<int64_t>();
    if (v->is_number_float()) {
      const double d = v->get<double>();
      // Only a whole number an int64 holds exactly (casting anything larger is undefined).
      if (!(d > -9.0e15 && d < 9.0e15)) return bad(path, v->dump() + " is out of range"), std::nullopt;
      if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    }
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      if (s.empty()) return std::nullopt;
      if (s.find_first_not_of("0123456789") == std::string::npos && s.size() < 19)
        return std::stoll(s);
    }
    return wrong(path, *v, "an integer"), std::nullopt;
  }

  // true/false, "T"/"F", "true"/"false", 1/0.
  std::optional<bool> boolean(std::string_view path) {
    const json* v = find(path);
    if (v == nullptr) return std::nullopt;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number_integer()) {
      auto i = v->get<int64_t>();
      if (i == 0 || i == 1) return i == 1;
    }
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      if (s == "T" || s == "true" || s == "1") return true;
      if (s == "F" || s == "false" || s == "0") return false;
    }
    return wrong(path, *v, "a boolean"), std::nullopt;
  }

  // An object or array, or nullptr (with an issue when present but of another type).
  const json* object(std::string_view path) { return typed(path, json::value_t::object, "an object"); }
  const json* array(std::string_view path) { return typed(path, json::value_t::array, "an array"); }

  // A calendar date "YYYY-MM-DD" (a longer ISO date-time keeps its date part).
  Text date(std::string_view path) {
    Text s = text(path);
    if (!s) return s;
    std::istringstream in(s->substr(0, 10));
    date::year_month_day ymd{};
    in >> date::parse("%F", ymd);
    if (in.fail() || !ymd.ok() || (s->size() > 10 && (*s)[10] != 'T' && (*s)[10] != ' '))
      return bad(path, "'" + *s + "' is not a date (YYYY-MM-DD)");
    return s->substr(0, 10);
  }

  // An ISO-8601 instant with a zone, as UTC.
  Text utc_iso(std::string_view path) {
    Text s = text(path);
    if (!s) return s;
    if (auto t = time::parse_iso(*s)) return time::format_utc(*t);
    return bad(path, "'" + *s + "' is not an ISO-8601 date and time with a zone");
  }

  // A local time in the given zone, as UTC (see time::parse_local).
  Text utc_local(std::string_view path, const char* format, std::string_view zone) {
    Text s = text(path);
    if (!s) return s;
    if (auto t = time::parse_local(*s, format, zone)) return time::format_utc(*t);
    return bad(path, "'" + *s + "' is not a local time (" + format + ") in " + std::string(zone));
  }

  // Unix seconds (a number or a string of digits), as UTC.
  Text utc_unix(std::string_view path) {
    Integer i = integer(path);
    if (!i) return std::nullopt;
    return time::format_unix(*i);
  }

  // Money in minor units: "$55.00", "55.00" or 55.0.
  Integer money_minor(std::string_view path) {
    const json* v = find(path);
    if (v == nullptr) return std::nullopt;
    if (v->is_number()) {
      const double d = v->get<double>() * 100.0;
      // More than any registration costs (1e300, inf): not an amount, and not castable.
      if (!(d > -9.0e15 && d < 9.0e15)) return bad(path, v->dump() + " is not an amount of money"), std::nullopt;
      return static_cast<int64_t>(d < 0 ? d - 0.5 : d + 0.5);
    }
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      if (s.empty()) return std::nullopt;
      if (auto m = parse_money_minor(s)) return m;
      return bad(path, "'" + s + "' is not an amount of money"), std::nullopt;
    }
    return wrong(path, *v, "an amount of money"), std::nullopt;
  }

  // A list of question objects as [{"question": ..., "answer": ...}] appended to `out`.
  void answers_into(std::string_view path, const char* question_key, const char* answer_key, json& out) {
    const json* list = array(path);
    if (list == nullptr) return;
    for (const json& q : *list)
      if (q.is_object())
        out.push_back({{"question", q.value(question_key, json(nullptr))}, {"answer", q.value(answer_key, json(nullptr))}});
  }
  // The same as JSON text, or nullopt when the list is absent.
  Text answers(std::string_view path, const char* question_key, const char* answer_key) {
    if (array(path) == nullptr) return std::nullopt;
    json out = json::array();
    answers_into(path, question_key, answer_key, out);
    return out.dump();
  }

  // {"name": ..., "phone": ...} from two fields, or nullopt when both are empty.
  Text contact(std::string_view name_path, std::string_view phone_path) {
    json out = json::object();
    if (Text n = text(name_path)) out["name"] = *n;
    if (Text p = text(phone_path)) out["phone"] = *p;
    return out.empty() ? Text() : Text(out.dump());
  }

  // Records an issue for this record (a value the plugin itself found wrong).
  std::nullopt_t bad(std::string_view path, const std::string& message) {
    for (size_t i = first_issue_; i < issues_.size(); ++i)
      if (issues_[i].field == path) return std::nullopt;  // once per field and record
    issues_.push_back({id_, std::string(path), message});
    return std::nullopt;
  }

 private:
  void collect_noted(const json& v, const std::string& prefix, int depth) {
    if (depth > kMaxDepth) return;
    if (v.is_array()) {
      for (const json& e : v) collect_noted(e, prefix, depth + 1);
      return;
    }
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() != kIssuesKey) {
        if (it->is_structured()) collect_noted(*it, prefix + it.key() + ".", depth + 1);
        continue;
      }
      if (!it->is_array()) continue;
      for (const json& n : *it) {
        if (!n.is_string()) continue;
        const std::string& text = n.get_ref<const std::string&>();
        const size_t colon = text.find(": ");
        FieldIssue issue{id_, prefix + text.substr(0, colon), colon == std::string::npos ? text : text.substr(colon + 2)};
        bool known = false;
        for (const FieldIssue& i : issues_)
          known = known || (i.record_id == issue.record_id && i.field == issue.field && i.message == issue.message);
        if (!known) issues_.push_back(std::move(issue));
      }
    }
  }
  std::nullopt_t wrong(std::string_view path, const json& v, const char* expected) {
    return bad(path, std::string("expected ") + expected + ", got " + v.type_name());
  }
  const json* typed(std::string_view path, json::value_t type, const char* expected) {
    const json* v = find(path);
    if (v == nullptr) return nullptr;
    if (v->type() == type) return v;
    wrong(path, *v, expected);
    return nullptr;
  }

  const json& record_;
  std::string id_;
  std::vector<FieldIssue>& issues_;
  size_t first_issue_;
};

// An id as text: a JSON string, or an integer written in decimal; "" for anything else.
inline std::string id_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  return "";
}

// The id of a record (`key` holding a string or an integer), or nullopt after reporting why the
// record is skipped: it is not an object, or it has no usable id. Issues name the record
// `label + "?"` ("event ?").
inline std::optional<std::string> record_id(const json& record, const char* key, std::vector<FieldIssue>& issues,
                                            const std::string& label = "") {
  if (!record.is_object()) {
    issues.push_back({label + "?", "(row)", std::string("expected an object, got ") + record.type_name() + ": skipped"});
    return std::nullopt;
  }
  std::string id = record.contains(key) ? id_text(record[key]) : "";
  if (id.empty()) {
    issues.push_back({label + "?", key, "missing or not an id: skipped"});
    return std::nullopt;
  }
  return id;
}

// Calls f(record, id, reader) for each record of a page (a list, or nullptr for none) that has a
// usable id under `id_key`; reports the others (see record_id). Counts every element in
// `elements`, read or not, for paging. The reader names the record `label + id`.
template <typename F>
void for_each_record(const json* records, const char* id_key, std::vector<FieldIssue>& issues, size_t& elements,
                     const std::string& label, F f) {
  if (records == nullptr) return;
  for (const json& record : *records) {
    ++elements;
    std::optional<std::string> id = record_id(record, id_key, issues, label);
    if (!id) continue;
    FieldReader reader(record, label + *id, issues);
    f(record, *id, reader);
  }
}

// The list of records in a page: under the first of `keys` present (an envelope such as
// {"data": [...]}), or the body itself when it is a list; nullptr when that key holds null or
// the body is an empty object. Throws Error(transient) naming `what` for anything else.
inline const json* records_in(const json& body, std::initializer_list<const char*> keys, const std::string& what) {
  if (body.is_array()) return &body;
  if (!body.is_object()) throw Error(Status::transient, what + ": the response is a " + body.type_name() + ", not an object");
  for (const char* k : keys) {
    auto it = body.find(k);
    if (it == body.end()) continue;
    if (it->is_array()) return &*it;
    if (it->is_null()) return nullptr;
    throw Error(Status::transient, what + ": \"" + k + "\" is a " + it->type_name() + ", not a list");
  }
  if (body.empty()) return nullptr;
  throw Error(Status::transient, what + ": no \"" + *keys.begin() + "\" list in the response");
}

// The keys of a response, one level into its objects ("data, page.next, links.next"): what a
// message about an unexpected shape names.
inline std::string keys_of(const json& body) {
  std::string out;
  if (!body.is_object()) return body.type_name();
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == kIssuesKey) continue;
    if (it->is_object() && !it->empty()) {
      for (auto in = it->begin(); in != it->end(); ++in) out += (out.empty() ? "" : ", ") + it.key() + "." + in.key();
    } else {
      out += (out.empty() ? "" : ", ") + it.key();
    }
  }
  return out.empty() ? "(none)" : out;
}

// Where a provider's paging is a guess, a surprise fails loudly: a full page whose next-page
// signal the plugin does not recognize could be the end of the stream or a renamed key, and
// taking it for the end would lose every later page without a word. Throws Error(invalid)
// naming the keys the response had; the stream's cursor stays where it was.
inline void expect_paging_signal(bool recognized, size_t rows, size_t page_size, const json& body,
                                 const std::string& what, const std::string& signal) {
  if (recognized || rows < page_size) return;
  throw Error(Status::invalid, what + ": a full page (" + std::to_string(rows) + " rows) without " + signal +
                                   ", the next-page signal this plugin knows; the response has: " + keys_of(body) +
                                   ". The provider's paging may have changed: not taken as the end");
}

// Parses a page body, or throws Error(transient) naming what was asked for (never pass a URL
// with secrets in it: give the path only).
inline json parse_page(const std::string& body, const std::string& what) {
  json j = parse_hostile(body);  // invalid UTF-8 and values nested too deep do not cost the page
  if (j.is_discarded()) {
    std::string head = body.substr(0, 80);
    for (char& c : head)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    throw Error(Status::transient, "malformed JSON in the response to " + what + " (" +
                                       std::to_string(body.size()) + " bytes, starting '" + head +
                                       "')");
  }
  return j;
}

// Change times and cursors. A provider's change time far ahead of the host's clock (milliseconds
// read as seconds, the year 2100, a clock gone wrong) must never become a cursor: the cursor would
// pass every change still to come. Such a time is reported as the record's issue and not used;
// the cursor stays at what the other records say.
constexpr int64_t kFutureSkewSeconds = 300;

// True when `utc_iso`, the change time of record `record_id`, may advance a cursor.
inline bool usable_change_time(Job& job, const std::string& record_id, const Text& utc_iso) {
  if (!utc_iso || utc_iso->empty()) return false;
  const auto t = time::parse_iso(*utc_iso);
  if (!t) {
    job.record_error(record_id, "last_modified", "'" + *utc_iso + "' is not a time: not used for the cursor");
    return false;
  }
  if (t->time_since_epoch().count() > job.now_ms() / 1000 + kFutureSkewSeconds) {
    job.record_error(record_id, "last_modified",
                     "'" + *utc_iso + "' is ahead of the host's clock: not used for the cursor");
    return false;
  }
  return true;
}

// The newest usable change time (UTC ISO) among `records` and `current`.
template <typename Record>
std::string newest_change(Job& job, const std::vector<Record>& records, std::string current) {
  for (const Record& r : records)
    if (r.last_modified && *r.last_modified > current && usable_change_time(job, r.provider_participant_id, r.last_modified))
      current = *r.last_modified;
  return current;
}

// A gender code normalized to M, F, X (non-binary or other) or U (undisclosed/unknown).
inline std::string normalize_gender(const Text& raw) {
  if (!raw || raw->empty()) return "U";
  std::string g;
  for (char c : *raw) g += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (g == "m" || g == "male" || g == "man" || g == "1") return "M";
  if (g == "f" || g == "female" || g == "woman" || g == "2") return "F";
  if (g == "x" || g == "non-binary" || g == "nonbinary" || g == "nb" || g == "9" || g == "other")
    return "X";
  return "U";
}

// Seconds from a Retry-After header (delta-seconds); `fallback` when absent or an HTTP date.
inline int64_t retry_after_seconds(const Response& r, int64_t fallback = 60) {
  Text v = r.header("retry-after");
  if (!v || v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos)
    return fallback;
  return std::max<int64_t>(1, std::stoll(*v));
}

// Throws the SDK error an HTTP status means; returns for 2xx. `what` names the call without
// secrets ("GET /events/123/participants page 2").
inline void check_http(const Response& r, const std::string& what) {
  if (r.status >= 200 && r.status < 300) return;
  std::string excerpt = r.body.substr(0, 200);
  for (char& c : excerpt)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  const std::string message = what + ": HTTP " + std::to_string(r.status) + " " + excerpt;
  if (r.status == 401 || r.status == 403) throw Error(Status::auth, message);
  if (r.status == 404) throw Error(Status::not_found, message);
  if (r.status == 429) throw Error(Status::throttled, message, retry_after_seconds(r));
  if (r.status == 408 || r.status >= 500)
    throw Error(Status::transient, message, r.status == 503 ? retry_after_seconds(r, 0) : 0);
  throw Error(Status::invalid, message);
}

// GETs with the host's cached token for the credential; when the provider answers 401 the token
// is renewed once (authenticate() runs again) and the call repeated. `authorization` turns the
// cached token into the Authorization header's value.
template <typename Authorization>
Response get_with_token(Job& job, const std::string& url, Authorization authorization) {
  Response r = job.get(url, {{"Authorization", authorization(job.token())}});
  if (r.status != 401) return r;
  job.info("the provider refused the cached token (401); renewing it");
  return job.get(url, {{"Authorization", authorization(job.token(true))}});
}

// The credential's additional_config as a JSON object (empty when absent); throws Error(invalid)
// when it is not an object.
inline json additional_config(const Credential& c) {
  if (!c.additional_config_json || c.additional_config_json->empty()) return json::object();
  json j = json::parse(*c.additional_config_json, nullptr, false);
  if (!j.is_object())
    throw Error(Status::invalid, "the credential's additional_config is not a JSON object");
  return j;
}

// A string member of a JSON object, or "".
inline std::string string_member(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

// The cursor of an incremental request when it is an ISO-8601 instant (the newest change a plugin
// stored); nullopt on a full sync, or with a warning when the cursor is something else.
inline Text iso_cursor(Job& job, const SyncRequest& request) {
  if (request.full() || !request.cursor || request.cursor->empty()) return std::nullopt;
  if (time::parse_iso(*request.cursor)) return request.cursor;
  job.warning("cursor '" + *request.cursor + "' is not a date and time; reading everything");
  return std::nullopt;
}

// "key=value&key=value" with values percent-encoded.
inline std::string query(std::initializer_list<std::pair<std::string, std::string>> params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

}  // namespace p88

#endif  // P88_PLUGIN_KIT_HPP
