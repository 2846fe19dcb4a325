#include "store/record_columns.h"

namespace p88::store {
namespace {

SqlValue integer(const Integer& i) { return i ? SqlValue(std::to_string(*i)) : std::nullopt; }

std::string updateAll(const char* table, const std::vector<Column>& columns) {
  std::string set;
  for (const Column& c : columns) set += std::string(c.name) + " = excluded." + c.name + ", ";
  // A participant written again is one the provider returned: no longer vanished (marking it
  // vanished also emptied its content_hash, so the row is rewritten).
  const std::string seen = std::string(table) == "participants" ? "removal_reason = NULL, removal_noticed_at = NULL, " : "";
  return set + seen + "partner_provider_credential_id = excluded.partner_provider_credential_id, "
               "revision = " + table + ".revision + 1, updated_at = CURRENT_TIMESTAMP, "
               "fetched_date = CURRENT_TIMESTAMP "
               "WHERE " + table + ".content_hash IS DISTINCT FROM excluded.content_hash";
}

}  // namespace

const std::vector<Column>& eventColumns() {
  static const std::vector<Column> columns = {
      {"provider_event_id", "text"},     {"provider_race_id", "text"},
      {"name", "text"},                  {"race_name", "text"},
      {"description", "text"},           {"start_time", "timestamptz"},
      {"end_time", "timestamptz"},       {"time_zone", "text"},
      {"location_name", "text"},         {"city", "text"},
      {"state", "text"},                 {"country", "text"},
      {"event_type", "text"},            {"distance", "text"},
      {"registration_opens", "timestamptz"}, {"registration_closes", "timestamptz"},
      {"status", "text"},                {"last_modified", "timestamptz"},
      {"raw_json", "jsonb"},             {"content_hash", "text"}};
  return columns;
}

const std::vector<Column>& participantColumns() {
  static const std::vector<Column> columns = {
      {"provider_event_id", "text"},  {"provider_participant_id", "text"},
      {"provider_person_id", "text"}, {"first_name", "text"},
      {"middle_name", "text"},        {"last_name", "text"},
      {"email", "text"},              {"phone", "text"},
      {"date_of_birth", "date"},      {"gender", "text"},
      {"gender_raw", "text"},         {"age", "integer"},
      {"bib", "text"},                {"chip", "text"},
      {"team_name", "text"},          {"division", "text"},
      {"registration_date", "timestamptz"}, {"status", "text"},
      {"new_registration_id", "text"}, {"amount_paid_minor", "bigint"},
      {"currency", "text"},           {"city", "text"},
      {"state", "text"},              {"country", "text"},
      {"address", "jsonb"},           {"emergency_contact", "jsonb"},
      {"answers", "jsonb"},           {"last_modified", "timestamptz"},
      {"detail_status", "text"},      {"raw_json", "jsonb"},
      {"content_hash", "text"}};
  return columns;
}

SqlParams columnValues(const EventRecord& r, const std::string& hash) {
  return {r.provider_event_id, r.provider_race_id, r.name, r.race_name, r.description,
          r.start_time, r.end_time, r.time_zone, r.location_name, r.city, r.state, r.country,
          r.event_type, r.distance, r.registration_opens, r.registration_closes, r.status,
          r.last_modified, r.raw_json, hash};
}

SqlParams columnValues(const ParticipantRecord& r, const std::string& hash) {
  return {r.provider_event_id, r.provider_participant_id, r.provider_person_id, r.first_name,
          r.middle_name, r.last_name, r.email, r.phone, r.date_of_birth, r.gender, r.gender_raw,
          integer(r.age), r.bib, r.chip, r.team_name, r.division, r.registration_date, r.status,
          r.new_registration_id, integer(r.amount_paid_minor), r.currency, r.city, r.state,
          r.country, r.address_json, r.emergency_contact_json, r.answers_json, r.last_modified,
          std::string(r.summary ? "pending" : "complete"), r.raw_json, hash};
}

std::string eventUpsertTail() {
  static const std::string tail =
      "ON CONFLICT (timing_partner_id, provider_id, provider_event_id) DO UPDATE SET " +
      updateAll("events", eventColumns());
  return tail;
}

std::string participantUpsertTail(bool status_only) {
  static const std::string full =
      "ON CONFLICT (timing_partner_id, provider_id, provider_participant_id) DO UPDATE SET " +
      updateAll("participants", participantColumns());
  static const std::string status =
      "ON CONFLICT (timing_partner_id, provider_id, provider_participant_id) DO UPDATE SET "
      "status = excluded.status, new_registration_id = excluded.new_registration_id, "
      "last_modified = COALESCE(excluded.last_modified, participants.last_modified), "
      "first_name = COALESCE(excluded.first_name, participants.first_name), "
      "last_name = COALESCE(excluded.last_name, participants.last_name), "
      "email = COALESCE(excluded.email, participants.email), "
      "content_hash = excluded.content_hash, revision = participants.revision + 1, "
      "removal_reason = NULL, removal_noticed_at = NULL, "
      "updated_at = CURRENT_TIMESTAMP, fetched_date = CURRENT_TIMESTAMP "
      "WHERE participants.status IS DISTINCT FROM excluded.status "
      "OR participants.removal_reason IS NOT NULL "
      "OR participants.new_registration_id IS DISTINCT FROM excluded.new_registration_id "
      "OR (excluded.first_name IS NOT NULL AND participants.first_name IS DISTINCT FROM excluded.first_name) "
      "OR (excluded.last_name IS NOT NULL AND participants.last_name IS DISTINCT FROM excluded.last_name) "
      "OR (excluded.email IS NOT NULL AND participants.email IS DISTINCT FROM excluded.email)";
  return status_only ? status : full;
}

std::string participantSummaryUpsertTail() {
  // Only a summary newer than what is stored (or one of a registration without its detail, or
  // one the provider returns again after it vanished) changes anything; names fill in only where
  // none is stored; every field the summary lacks keeps its stored value. A registration whose
  // detail was complete becomes stale.
  static const std::string tail = [] {
    std::string set;
    for (const Column& c : participantColumns()) {
      const std::string n = c.name;
      if (n == "provider_event_id" || n == "provider_participant_id" || n == "detail_status" || n == "raw_json" ||
          n == "content_hash")
        continue;
      if (n == "first_name" || n == "middle_name" || n == "last_name")
        set += n + " = COALESCE(participants." + n + ", excluded." + n + "), ";
      else
        set += n + " = COALESCE(excluded." + n + ", participants." + n + "), ";
    }
    return "ON CONFLICT (timing_partner_id, provider_id, provider_participant_id) DO UPDATE SET " + set +
           "detail_status = CASE WHEN participants.detail_status = 'complete' THEN 'stale' ELSE "
           "participants.detail_status END, raw_json = excluded.raw_json, content_hash = excluded.content_hash, "
           "removal_reason = NULL, removal_noticed_at = NULL, "
           "partner_provider_credential_id = excluded.partner_provider_credential_id, "
           "revision = participants.revision + 1, updated_at = CURRENT_TIMESTAMP, fetched_date = CURRENT_TIMESTAMP "
           "WHERE participants.content_hash IS DISTINCT FROM excluded.content_hash AND "
           "(participants.detail_status <> 'complete' OR participants.removal_reason IS NOT NULL OR "
           "participants.last_modified IS NULL OR excluded.last_modified > participants.last_modified)";
  }();
  return tail;
}

}  // namespace p88::store
