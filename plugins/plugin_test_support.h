// Shared by the bundled plugins' unit tests: fixture files and record lookups.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "p88/plugin_kit.hpp"

namespace p88::testing {

inline std::string fixture_text(const std::string& name) {
  std::ifstream in(std::string(P88_FIXTURES_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline json fixture(const std::string& name) { return json::parse(fixture_text(name)); }

// The issues about one record and field, as "record/field: message" lines for failure output.
inline bool has_issue(const std::vector<FieldIssue>& issues, const std::string& record_id,
                      const std::string& field) {
  for (const auto& i : issues)
    if (i.record_id == record_id && i.field == field) return true;
  return false;
}

// The newest change time among a page's records (what a cursor may advance to).
template <typename Record>
std::string newest_of(const std::vector<Record>& records) {
  std::string newest;
  for (const auto& r : records)
    if (r.last_modified && *r.last_modified > newest) newest = *r.last_modified;
  return newest;
}

inline std::string describe(const std::vector<FieldIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += i.record_id + "/" + i.field + ": " + i.message + "\n";
  return out;
}

}  // namespace p88::testing
