// p88/utf8.hpp: UTF-8 validity (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF) and repair by U+FFFD. No dependencies; the host and the plugin kit share it.
#ifndef P88_UTF8_HPP
#define P88_UTF8_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace p88::utf8 {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence starting at `at`, or 0 when there is none.
inline size_t sequence(std::string_view s, size_t at) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(at);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0, cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (at + n > s.size()) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(at + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(at + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

inline bool valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// `s` with each byte that starts no valid sequence replaced by U+FFFD; `replaced` counts them.
inline std::string repaired(std::string_view s, size_t& replaced) {
  replaced = 0;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = sequence(s, i);
    if (n == 0) {
      out += kReplacement;
      ++replaced;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace p88::utf8

#endif  // P88_UTF8_HPP
