// The simulator's view of an HTTP exchange, independent of Poco: provider APIs are functions
// from Request to Reply, which keeps them easy to read and to test.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sim {

struct Request {
  std::string method;
  std::string path;                                  // decoded, without the query
  std::multimap<std::string, std::string> query;     // decoded ('+' is a space)
  std::map<std::string, std::string> headers;        // names lower-cased
  std::string body;

  // The first value of a query parameter, or `fallback`.
  std::string param(const std::string& name, const std::string& fallback = "") const;
  bool has(const std::string& name) const { return query.count(name) > 0; }
  // A whole-number parameter clamped to [lo, hi]; `fallback` when absent or not a number.
  long long integer(const std::string& name, long long fallback, long long lo, long long hi) const;
  std::string header(const std::string& lower_name) const;
  // application/x-www-form-urlencoded body fields.
  std::multimap<std::string, std::string> form() const;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Who the call was made as (stats and rate limits), and the route ("/Rest/race/{id}") it took.
  std::string account;
  std::string route;
  bool throttled = false;
};

Reply jsonReply(int status, std::string body);

// Parses "a=1&b=x%20y" (with '+' as a space).
std::multimap<std::string, std::string> parseQuery(const std::string& raw);

// Splits "/Rest/race/12/participants" into {"Rest", "race", "12", "participants"}.
std::vector<std::string> pathSegments(const std::string& path);

}  // namespace sim
