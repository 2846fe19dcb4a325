// Checks and canonicalizes records before they are written, the same way for every backend, so a
// bad record is refused with a reason that names its field and never reaches the database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

namespace p88::store {

// Canonical UTC form "YYYY-MM-DD HH:MM:SS[.fff]" of an ISO-8601 instant ("2026-05-10T08:00:00Z",
// "2026-05-10 08:00:00+02:00", "2026-05-10T08:00:00.25Z"; no offset means UTC), or nullopt.
std::optional<std::string> canonicalTimestamp(const std::string& text);

// True for a real calendar date written "YYYY-MM-DD".
bool isCalendarDate(const std::string& text);

bool isValidUtf8(const std::string& text);

// A value prepareRecord mended instead of refusing the record: one bad field costs that field,
// never the registration. Invalid UTF-8 is replaced by U+FFFD and NUL bytes removed (the rest of
// the text is kept); a date, time, age, gender or JSON value that cannot be read is stored as
// NULL. Each is reported.
struct FieldRepair {
  std::string field, message;
};

// Canonicalizes the record in place, mending what can be mended (appended to `repairs`); returns
// why it is refused (no id, an unknown status, raw JSON that is not JSON), or nullopt.
std::optional<std::string> prepareRecord(EventRecord& record, std::vector<FieldRepair>* repairs = nullptr);
std::optional<std::string> prepareRecord(ParticipantRecord& record, std::vector<FieldRepair>* repairs = nullptr);

// How deeply the JSON text nests (outside strings); stops counting past `limit`.
int jsonDepth(const std::string& text, int limit);
constexpr int kMaxStoredJsonDepth = 128;

// A stable hash of every stored field: equal hashes mean an upsert would change nothing.
std::string contentHash(const EventRecord& record);
std::string contentHash(const ParticipantRecord& record);

}  // namespace p88::store
