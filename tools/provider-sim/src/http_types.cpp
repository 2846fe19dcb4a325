#include "http_types.h"

#include <Poco/URI.h>

#include <algorithm>

namespace sim {

std::string Request::param(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

long long Request::integer(const std::string& name, long long fallback, long long lo, long long hi) const {
  long long v = fallback;
  const std::string text = param(name);
  try {
    size_t used = 0;
    long long parsed = std::stoll(text, &used);
    if (used == text.size()) v = parsed;
  } catch (...) {
  }
  return std::clamp(v, lo, hi);
}

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::multimap<std::string, std::string> Request::form() const { return parseQuery(body); }

Reply jsonReply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::multimap<std::string, std::string> parseQuery(const std::string& raw) {
  std::multimap<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t amp = raw.find('&', pos);
    std::string pair = raw.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string k, v;
      Poco::URI::decode(pair.substr(0, eq), k, true);
      if (eq != std::string::npos) Poco::URI::decode(pair.substr(eq + 1), v, true);
      out.emplace(k, v);
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

std::vector<std::string> pathSegments(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

}  // namespace sim
