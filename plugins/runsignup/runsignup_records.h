// RunSignUp's JSON -> p88 records. Pure functions over parsed pages, so they are tested on fixture
// files without a host (tests/runsignup_records_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "p88/plugin_kit.hpp"

namespace runsignup {

// RunSignUp writes times in US Eastern unless it says otherwise.
constexpr const char* kEastern = "America/New_York";

// Throws the p88 error for a RunSignUp error body ({"error":{"error_code":N,"error_msg":...}},
// possibly inside an array), which comes with HTTP 200. `what` names the call.
void check_error(const p88::json& body, const std::string& what);

struct EventsPage {
  std::vector<p88::Event> events;
  std::vector<p88::FieldIssue> issues;
  size_t races = 0;  // races on the page (paging counts races, not events)
};
// GET /races?events=T: each race expands to its events.
EventsPage parse_races(const p88::json& body);

struct ParticipantsPage {
  std::vector<p88::Participant> records;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;                    // rows on the page, read or not (paging)
};
// GET /race/{id}/participants: rows beside "event" in the element for event_id. `division` is
// the event's name (RunSignUp's event is the division).
ParticipantsPage parse_participants(const p88::json& body, const std::string& event_id,
                                    const p88::Text& division);
// GET /race/{id}/removed-participants: rows inside "event"; status-only records.
ParticipantsPage parse_removed(const p88::json& body, const std::string& event_id);

}  // namespace runsignup
