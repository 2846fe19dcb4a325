#include "store/sql_dialect.h"

#include <map>
#include <stdexcept>
#include <vector>

namespace p88::store {
namespace {

std::vector<std::string> splitArgs(const std::string& args) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= args.size()) {
    size_t comma = args.find(',', start);
    std::string a = args.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t b = a.find_first_not_of(' '), e = a.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : a.substr(b, e - b + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string expand(const std::string& token, Dialect d) {
  const bool pg = d == Dialect::postgresql;
  static const std::map<std::string, std::pair<const char*, const char*>> fixed = {
      {"serial_pk", {"SERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT"}},
      {"bigserial_pk", {"BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT"}},
      {"timestamp", {"TIMESTAMPTZ", "TEXT"}},
      {"date", {"DATE", "TEXT"}},
      {"json", {"JSONB", "TEXT"}},
      {"json_object", {"jsonb_build_object", "json_object"}},
      {"as_json", {"", "json"}},
  };
  auto f = fixed.find(token);
  if (f != fixed.end()) return pg ? f->second.first : f->second.second;

  size_t open = token.find('(');
  if (open == std::string::npos || token.back() != ')')
    throw std::invalid_argument("unknown SQL token {{" + token + "}}");
  const std::string name = token.substr(0, open);
  const std::vector<std::string> args = splitArgs(token.substr(open + 1, token.size() - open - 2));
  auto need = [&](size_t n) {
    if (args.size() != n || args[0].empty())
      throw std::invalid_argument("SQL token {{" + token + "}} takes " + std::to_string(n) + " argument(s)");
  };
  if (name == "json_check") {
    need(1);
    return pg ? "" : "CHECK (" + args[0] + " IS NULL OR json_valid(" + args[0] + "))";
  }
  if (name == "date_check") {
    need(1);
    return pg ? "" : "CHECK (" + args[0] + " IS NULL OR date(" + args[0] + ") = " + args[0] + ")";
  }
  if (name == "reserve_ids") {
    need(3);
    const long next = std::stol(args[2]);
    return pg ? "SELECT setval(pg_get_serial_sequence('" + args[0] + "', '" + args[1] + "'), " +
                    std::to_string(next) + ", false)"
              : "UPDATE sqlite_sequence SET seq = " + std::to_string(next - 1) + " WHERE name = '" +
                    args[0] + "'";
  }
  if (name == "int") {
    need(1);
    const std::string& x = args[0];
    return "(CASE WHEN trim(" + x + ", '0123456789') = '' AND length(" + x +
           ") BETWEEN 1 AND 18 THEN CAST(" + x + " AS BIGINT) END)";
  }
  throw std::invalid_argument("unknown SQL token {{" + token + "}}");
}

}  // namespace

std::string renderForDialect(const std::string& sql, Dialect dialect) {
  std::string out;
  out.reserve(sql.size());
  size_t pos = 0;
  for (;;) {
    size_t open = sql.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = sql.find("}}", open);
    if (close == std::string::npos) throw std::invalid_argument("unterminated SQL token {{");
    out.append(sql, pos, open - pos);
    out += expand(sql.substr(open + 2, close - open - 2), dialect);
    pos = close + 2;
  }
  out.append(sql, pos, std::string::npos);
  return out;
}

}  // namespace p88::store
