// Let's Do This JSON -> p88 records (pure; tested on fixtures in tests/letsdothis_records_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <set>
#include <vector>

#include "p88/plugin_kit.hpp"

namespace letsdothis {

struct EventsPage {
  std::vector<p88::Event> events;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;
  std::optional<std::string> next;  // page.next: the cursor of the next page
  bool next_signal = false;         // page.next was there (a cursor, or null at the end)
};
EventsPage parse_events(const p88::json& body);

struct ApplicationsPage {
  std::vector<p88::Participant> records;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;
  std::optional<std::string> next;
  bool next_signal = false;
  size_t other_events = 0;  // account-wide: rows of events this run did not ask for (skipped)
};
// GET /applications?eventId=...: an application of another event (a server ignoring the filter),
// or one without an eventId, is reported and not stored under this event.
ApplicationsPage parse_applications(const p88::json& body, const std::string& event_id);
// GET /applications without eventId (the organiser's whole account, for a coalesced run): each
// row goes to its own event when that is one of `events`, is skipped when it is another of the
// account's; a row without an eventId is reported.
ApplicationsPage parse_applications(const p88::json& body, const std::set<std::string>& events);

// updatedAt[after] is strict: ask for what changed after one second before the newest change
// stored, so changes later in that same second are not missed.
std::string updated_after(const std::string& newest_utc);

}  // namespace letsdothis
