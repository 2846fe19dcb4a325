// p88/page_parser.hpp: parsing a provider's page when the provider may send anything. Part of the
// optional plugin kit (needs nlohmann_json); plugin_kit.hpp's parse_page uses it.
//
// One bad value must not cost the page, and no page may cost the process:
//  - Invalid UTF-8 (a stray byte, a truncated sequence, an overlong form) and lone UTF-16
//    surrogate escapes ("\ud83c" without its pair) are replaced by U+FFFD before parsing, so the
//    page parses and the field keeps the rest of its text.
//  - A value nested deeper than kMaxDepth levels is dropped while parsing (nothing of it is built,
//    so nothing recurses into it later: not dump(), not a copy, not a destructor).
// Each such problem is noted in the nearest enclosing record (an object that is an element of a
// list, else the page's root object) under the member kIssuesKey, as "field: problem" strings;
// FieldReader reports them as the record's FieldIssues, naming the record and the field.
#ifndef P88_PAGE_PARSER_HPP
#define P88_PAGE_PARSER_HPP

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "p88/utf8.hpp"

namespace p88 {

constexpr int kMaxDepth = 64;
constexpr const char* kIssuesKey = "__p88_issues";

namespace detail {

inline bool hex4(std::string_view s, size_t at, uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    out <<= 4;
    if (c >= '0' && c <= '9')
      out |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      out |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      out |= static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
  }
  return true;
}

}  // namespace detail

// The page with every invalid UTF-8 sequence and every lone surrogate escape replaced by U+FFFD;
// `replaced` counts them. Escapes are recognized inside strings only, where JSON allows them.
inline std::string sanitize_utf8(std::string_view in, size_t& replaced) {
  replaced = 0;
  std::string out;
  out.reserve(in.size());
  bool in_string = false;
  for (size_t i = 0; i < in.size();) {
    const char c = in[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t n = utf8::sequence(in, i);
      if (n == 0) {
        out += utf8::kReplacement;
        ++replaced;
        ++i;
      } else {
        out.append(in.substr(i, n));
        i += n;
      }
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (in_string && c == '\\' && i + 1 < in.size()) {
      uint32_t unit = 0;
      if (in[i + 1] == 'u' && detail::hex4(in, i + 2, unit) && unit >= 0xD800 && unit <= 0xDFFF) {
        uint32_t low = 0;
        const bool paired = unit <= 0xDBFF && i + 12 <= in.size() && in.substr(i + 6, 2) == "\\u" &&
                            detail::hex4(in, i + 8, low) && low >= 0xDC00 && low <= 0xDFFF;
        if (paired) {
          out.append(in.substr(i, 12));
          i += 12;
        } else {
          out += "\\ufffd";
          ++replaced;
          i += 6;
        }
        continue;
      }
      out.append(in.substr(i, 2));  // any other escape, \" and \\ included
      i += 2;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

// Parses a page as described at the top of this file; a page that is not JSON at all comes back
// discarded (is_discarded()).
inline nlohmann::json parse_hostile(std::string_view body) {
  using json = nlohmann::json;
  size_t replaced = 0;
  const std::string text = sanitize_utf8(body, replaced);
  struct Frame {
    bool object = false, record = false;
    std::string key;
    std::vector<std::string> issues;  // for a record
  };
  std::vector<Frame> frames;
  // The path from the nearest record down to the value being read: the keys of the objects on
  // the way (list positions are left out).
  const auto note = [&](const std::string& problem) {
    size_t record = frames.size();
    while (record > 0 && !frames[record - 1].record) --record;
    if (record == 0) return;  // no object to note it in (a root list of lists)
    std::string path;
    for (size_t i = record - 1; i < frames.size(); ++i)
      if (frames[i].object && !frames[i].key.empty()) path += (path.empty() ? "" : ".") + frames[i].key;
    frames[record - 1].issues.push_back((path.empty() ? std::string("(value)") : path) + ": " + problem);
  };
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        if (depth >= kMaxDepth) {
          if (depth == kMaxDepth)
            note("nested deeper than " + std::to_string(kMaxDepth) + " levels: dropped");
          return false;
        }
        Frame f;
        f.object = event == json::parse_event_t::object_start;
        f.record = f.object && (frames.empty() || !frames.back().object);
        frames.push_back(std::move(f));
        return true;
      }
      case json::parse_event_t::key:  // also called inside a dropped container: not ours then
        if (!frames.empty() && static_cast<size_t>(depth) == frames.size()) frames.back().key = parsed.get<std::string>();
        return true;
      case json::parse_event_t::value:
        if (replaced > 0 && parsed.is_string() &&
            parsed.get_ref<const std::string&>().find(utf8::kReplacement) != std::string::npos)
          note("invalid UTF-8 replaced by U+FFFD");
        return true;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames.empty()) {
          Frame f = std::move(frames.back());
          frames.pop_back();
          if (f.record && !f.issues.empty() && parsed.is_object()) parsed[kIssuesKey] = f.issues;
        }
        return true;
    }
    return true;
  };
  return json::parse(text, cb, false);
}

}  // namespace p88

#endif  // P88_PAGE_PARSER_HPP
