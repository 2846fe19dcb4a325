// Checks and canonicalizes records before they are written, the same way for every backend, so a
// bad record is refused with a reason that names its field and never reaches the database.
#pragma once

#include <optional>
#include <string>

#include "store/records.h"

namespace p88::store {

// Canonical UTC form "YYYY-MM-DD HH:MM:SS[.fff]" of an ISO-8601 instant ("2026-05-10T08:00:00Z",
// "2026-05-10 08:00:00+02:00", "2026-05-10T08:00:00.25Z"; no offset means UTC), or nullopt.
std::optional<std::string> canonicalTimestamp(const std::string& text);

// True for a real calendar date written "YYYY-MM-DD".
bool isCalendarDate(const std::string& text);

bool isValidUtf8(const std::string& text);

// Canonicalizes the record in place; returns why it is refused, or nullopt when it is fine.
std::optional<std::string> prepareRecord(EventRecord& record);
std::optional<std::string> prepareRecord(ParticipantRecord& record);

// A stable hash of every stored field: equal hashes mean an upsert would change nothing.
std::string contentHash(const EventRecord& record);
std::string contentHash(const ParticipantRecord& record);

}  // namespace p88::store
