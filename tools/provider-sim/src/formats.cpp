#include "formats.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <sstream>

namespace sim {
namespace {

struct Local {
  int year, month, day, hour, minute, second;
  long offset_seconds;
};

Local local(Instant t, const std::string& zone) {
  const date::time_zone* tz = date::locate_zone(zone);
  auto info = tz->get_info(t);
  auto lt = date::local_seconds((t + info.offset).time_since_epoch());
  auto days = date::floor<date::days>(lt);
  date::year_month_day ymd(days);
  date::hh_mm_ss<std::chrono::seconds> hms(lt - days);
  return {int(ymd.year()), static_cast<int>(unsigned(ymd.month())), static_cast<int>(unsigned(ymd.day())),
          static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count()), static_cast<long>(info.offset.count())};
}

}  // namespace

std::string isoUtc(Instant t) { return date::format("%FT%TZ", t); }

std::string isoLocal(Instant t, const std::string& zone) {
  Local l = local(t, zone);
  long off = l.offset_seconds;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", l.year, l.month, l.day, l.hour,
                l.minute, l.second, sign, off / 3600, (off % 3600) / 60);
  return buf;
}

std::string naiveLocal(Instant t, const std::string& zone) {
  Local l = local(t, zone);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", l.year, l.month, l.day, l.hour, l.minute, l.second);
  return buf;
}

std::string usDateTime(Instant t, const std::string& zone) {
  Local l = local(t, zone);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d/%d/%04d %02d:%02d", l.month, l.day, l.year, l.hour, l.minute);
  return buf;
}

std::string usDate(Instant t, const std::string& zone) {
  Local l = local(t, zone);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", l.month, l.day, l.year);
  return buf;
}

std::string sqlDateTime(Instant t, const std::string& zone) {
  Local l = local(t, zone);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", l.year, l.month, l.day, l.hour, l.minute, l.second);
  return buf;
}

std::string decimal(long long minor) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", minor / 100, minor % 100);
  return buf;
}

std::string dollars(long long minor) { return "$" + decimal(minor); }

std::optional<Instant> parseIso(const std::string& text) {
  // Fractions of a second are dropped: every instant here is whole seconds.
  std::string whole = text;
  size_t dot = whole.find('.', 10);
  if (dot != std::string::npos) {
    size_t end = whole.find_first_not_of("0123456789", dot + 1);
    whole.erase(dot, (end == std::string::npos ? whole.size() : end) - dot);
  }
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez", "%FT%T%z", "%F %T%Ez", "%FT%T"}) {
    std::istringstream in(whole);
    Instant t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == EOF) return t;
  }
  return std::nullopt;
}

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc << bytes;
  enc.close();
  return out.str();
}

std::optional<std::string> unbase64(const std::string& text) {
  try {
    std::istringstream in(text);
    Poco::Base64Decoder dec(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    std::string out((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace sim
