// Race Roster's JSON -> p88 records (pure; tested on fixtures in tests/raceroster_records_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "p88/plugin_kit.hpp"

namespace raceroster {

struct Token {
  std::string access_token;
  std::optional<std::string> refresh_token;
  int64_t expires_in = 0;  // seconds; 0 when not said
};
// {"data":{"access_token":...}} (also a one-element "data" list, or no envelope). Throws
// Error(auth) for an error body, Error(transient) for one without a token.
Token parse_token(const p88::json& body);
// What the host caches: the access and refresh tokens together, and back.
std::string token_blob(const Token& token);
Token from_blob(const std::string& blob);
// "https://raceroster.com/api/v1" -> "https://raceroster.com/api/oauth/authorize".
std::string token_url(const std::string& base_url);

struct EventsPage {
  std::vector<p88::Event> events;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;
  std::optional<int64_t> total;  // metadata.totalResults
};
EventsPage parse_events(const p88::json& body);

struct ParticipantsPage {
  std::vector<p88::Participant> records;
  std::vector<p88::FieldIssue> issues;
  size_t rows = 0;
  std::optional<int64_t> total_pages;  // metadata.totalPages
};
ParticipantsPage parse_participants(const p88::json& body, const std::string& event_id);

}  // namespace raceroster
