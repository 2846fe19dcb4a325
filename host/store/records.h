// The host's normalized records: what the writer stores. Filled from the SDK's C records by the
// job context; the plugin side never sees these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace p88::store {

using Text = std::optional<std::string>;
using Integer = std::optional<int64_t>;

struct EventRecord {
  std::string provider_event_id;
  Text provider_race_id, name, race_name, description, start_time, end_time, time_zone,
      location_name, city, state, country, event_type, distance, registration_opens,
      registration_closes, status, last_modified;
  std::string raw_json;
  bool prepared = false;  // prepareRecord() already accepted it: writeBatch does not check again
};

struct ParticipantRecord {
  std::string provider_participant_id;
  std::string provider_event_id;
  Text provider_person_id, first_name, middle_name, last_name, email, phone, date_of_birth, gender,
      gender_raw;
  Integer age;
  Text bib, chip, team_name, division, registration_date;
  std::string status = "active";
  Text new_registration_id;
  Integer amount_paid_minor;
  Text currency, city, state, country, address_json, emergency_contact_json, answers_json,
      last_modified;
  std::string raw_json;
  bool status_only = false;  // a removal notice: keep the other stored fields
  bool summary = false;      // a list row (P88_RECORD_SUMMARY): its detail is still to come
  bool prepared = false;     // prepareRecord() already accepted it: writeBatch does not check again
};

// Identifies one stream of one credential: where its cursor is kept.
struct StreamKey {
  int64_t timing_partner_id = 0;
  int64_t provider_id = 0;
  int64_t credential_id = 0;
  std::string stream;             // "events", "participants", ...
  std::string provider_event_id;  // "" for account-scoped streams
};

// What one transaction writes: records of one stream plus, optionally, the stream's new cursor.
struct Batch {
  StreamKey key;
  std::vector<EventRecord> events;
  std::vector<ParticipantRecord> participants;
  std::optional<std::string> cursor;
};

struct RejectedRecord {
  std::string record_id;
  std::string reason;  // names the field where one is at fault
};

struct WriteResult {
  size_t inserted = 0;
  size_t updated = 0;
  size_t unchanged = 0;
  size_t status_changes = 0;  // not-active participants (cancelled, removed, ...) inserted or changed
  std::vector<RejectedRecord> rejected;
  std::vector<RejectedRecord> repaired;  // stored, with a field mended: "field: what was done"
  size_t written() const { return inserted + updated + unchanged; }
};

}  // namespace p88::store
