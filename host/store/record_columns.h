// The stored columns of each record table, in one place, so both backends' writers build their
// statements from the same list (and a new field is added once).
#pragma once

#include <string>
#include <vector>

#include "store/records.h"
#include "store/sql_connection.h"

namespace p88::store {

struct Column {
  const char* name;     // column in events / participants
  const char* pg_type;  // what a staged text value is cast to on PostgreSQL
};

// Columns after the three key columns (timing_partner_id, provider_id,
// partner_provider_credential_id), ending with content_hash.
const std::vector<Column>& eventColumns();
const std::vector<Column>& participantColumns();

// The values of a prepared record in the order of its columns (content_hash last).
SqlParams columnValues(const EventRecord& r, const std::string& content_hash);
SqlParams columnValues(const ParticipantRecord& r, const std::string& content_hash);

// "ON CONFLICT (...) DO UPDATE SET ... WHERE <changed>", valid on both dialects. A status-only upsert changes only status, new_registration_id and last_modified.
std::string eventUpsertTail();
std::string participantUpsertTail(bool status_only);
// For summary records (P88_RECORD_SUMMARY), see there and sql/005_registration_details.sql.
std::string participantSummaryUpsertTail();

}  // namespace p88::store
