// Haku's JSON -> p88 records (pure; tested on fixtures in tests/haku_records_test.cpp).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "p88/plugin_kit.hpp"

namespace haku {

// {"access_token":..., "expires_in":N}; Error(auth) for an error body.
struct Token {
  std::string access_token;
  int64_t expires_in = 0;
};
Token parse_token(const p88::json& body);
// Production tokens come from prod-auth.hakuapp.com; a sandbox or the simulator serves
// /oauth2/token beside its API.
std::string token_url(const std::string& base_url);

struct EventsPage {
  std::vector<p88::Event> events;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;
  std::optional<int64_t> total;
};
EventsPage parse_events(const p88::json& body);

// A row of GET /events/{id}/participants: enough to decide whether to fetch the detail.
struct Summary {
  std::string id;          // registration_number
  std::string updated_at;  // UTC, "" when unreadable
  p88::Integer age;        // the summary has the age; the detail does not
  p88::json row;
};
struct SummaryPage {
  std::vector<Summary> rows;
  std::vector<p88::FieldIssue> issues;
  size_t count = 0;  // rows on the page, read or not
  std::optional<int64_t> total;
};
SummaryPage parse_summaries(const p88::json& body);

// A summary row as a summary record (P88_RECORD_SUMMARY): names (person_full_name split at its
// first space: a guess the host only uses where no names are stored), email, age, gender, team,
// division, registration date, status (is_cancelled: "cancelled") and updated_at; raw_json
// {"summary": row}. The start list is complete with these before any detail is read.
p88::Participant summary_participant(const Summary& summary, const std::string& event_id,
                                     std::vector<p88::FieldIssue>& issues);
// The summary row kept in a stored raw_json ({"summary": row, ...}); nullopt when there is none.
std::optional<Summary> stored_summary(const std::string& id, const std::string& raw_json);

// GET /events/{id}/registrations/{number} (with its summary row) -> a participant.
std::optional<p88::Participant> parse_registration(const p88::json& detail, const Summary& summary,
                                                   const std::string& event_id,
                                                   std::vector<p88::FieldIssue>& issues);

// The incremental cursor: the newest updated_at stored and the registrations stored at exactly
// that second (updated_since is inclusive; those are not fetched again unless they change).
struct Cursor {
  std::string updated_since;  // UTC ISO-8601, "" for none
  std::set<std::string> ids;
};
std::optional<Cursor> parse_cursor(const std::string& text);
std::string format_cursor(const Cursor& cursor);
// Folds one stored registration into the cursor.
void advance(Cursor& cursor, const std::string& updated_at, const std::string& id);

}  // namespace haku
