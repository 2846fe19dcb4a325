#include "store/store.h"

#include <algorithm>
#include <unordered_map>

#include "store/embedded_sql.h"
#include "store/record_validation.h"
#include "store/record_writer.h"
#include "store/sql_dialect.h"

namespace p88::store {
namespace {

struct Migration {
  MigrationStep step;
  std::string sql;
};

// Migrations are the files store/sql/NNN_name.sql, applied in order of NNN, rendered for the
// backend's dialect.
std::vector<Migration> migrationsFor(Dialect d) {
  const std::string folder = "store/sql/";
  std::vector<Migration> out;
  for (const auto& f : sql::embedded_files()) {
    std::string path = f.path;
    if (path.rfind(folder, 0) != 0) continue;
    std::string file = path.substr(folder.size());
    size_t underscore = file.find('_');
    if (underscore == std::string::npos) continue;
    int version = std::stoi(file.substr(0, underscore));
    std::string name = file.substr(underscore + 1);
    name = name.substr(0, name.rfind(".sql"));
    out.push_back({{version, name}, renderForDialect(f.text, d)});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.step.version < b.step.version; });
  return out;
}

// Keeps the last occurrence of each id: a page that repeats a record must not make one statement
// touch the same row twice.
template <typename R, typename IdOf>
std::vector<R*> lastOfEachId(std::vector<R>& records, IdOf id_of) {
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < records.size(); ++i) last[id_of(records[i])] = i;
  std::vector<R*> out;
  for (size_t i = 0; i < records.size(); ++i)
    if (last[id_of(records[i])] == i) out.push_back(&records[i]);
  return out;
}

}  // namespace

std::string DatabaseConfig::describe() const {
  if (backend == Backend::sqlite) return "SQLite database " + sqlite_path;
  std::string d = "PostgreSQL database " + (postgres.dbname.empty() ? "(default)" : postgres.dbname);
  d += " on " + (postgres.host.empty() ? std::string("(default host)") : postgres.host);
  if (!postgres.port.empty()) d += ":" + postgres.port;
  if (!postgres.user.empty()) d += " as " + postgres.user;
  return d;
}

Store::Store(std::unique_ptr<SqlConnection> connection) : conn_(std::move(connection)) {}
Store::~Store() = default;

Dialect Store::dialect() const { return conn_->dialect(); }

std::vector<MigrationStep> Store::knownMigrations(Dialect dialect) {
  std::vector<MigrationStep> out;
  for (const auto& m : migrationsFor(dialect)) out.push_back(m.step);
  return out;
}

int Store::schemaVersion() {
  // Read-only: a database p88 has never migrated is at version 0, and asking does not change it.
  try {
    SqlRows r = conn_->query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return std::stoi(r.rows.at(0).at(0).value_or("0"));
  } catch (const SqlError& e) {
    const bool no_table = e.sqlstate() == "42P01" || std::string(e.what()).find("no such table") != std::string::npos;
    if (no_table) return 0;
    throw;
  }
}

std::vector<MigrationStep> Store::migrate() {
  conn_->script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  int current = schemaVersion();
  auto all = migrationsFor(dialect());
  int newest = all.empty() ? 0 : all.back().step.version;
  if (current > newest)
    throw SqlError("the database schema is at version " + std::to_string(current) +
                   ", newer than this p88host knows (" + std::to_string(newest) +
                   "): upgrade p88host");
  std::vector<MigrationStep> applied;
  for (const auto& m : all) {
    if (m.step.version <= current) continue;
    Transaction tx(*conn_);
    try {
      conn_->script(m.sql);
    } catch (const SqlError& e) {
      throw SqlError("migration " + std::to_string(m.step.version) + " (" + m.step.name +
                     ") failed: " + e.what());
    }
    conn_->query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                 {std::to_string(m.step.version), m.step.name});
    tx.commit();
    applied.push_back(m.step);
  }
  return applied;
}

int64_t Store::registerProvider(const ProviderRegistration& p) {
  SqlRows other = conn_->query("SELECT name FROM providers WHERE slug = $1 AND name <> $2",
                               {p.slug, p.name});
  if (!other.empty())
    throw SqlError("provider slug '" + p.slug + "' of '" + p.name +
                   "' is already used by provider '" + other.rows[0][0].value_or("") + "'");
  // The rate limit and base URL are the operator's once the row exists: only the plugin columns
  // are refreshed.
  SqlRows r = conn_->query(
      "INSERT INTO providers (name, provider_type, api_base_url, rate_limit_per_hour, slug, "
      "plugin_version, plugin_path, plugin_seen_at) "
      "VALUES ($1, 'registration', $2, $3, $4, $5, $6, CURRENT_TIMESTAMP) "
      "ON CONFLICT (name) DO UPDATE SET slug = excluded.slug, plugin_version = "
      "excluded.plugin_version, plugin_path = excluded.plugin_path, plugin_seen_at = "
      "excluded.plugin_seen_at RETURNING provider_id",
      {p.name, p.default_base_url, std::to_string(p.calls_per_hour), p.slug, p.plugin_version,
       p.plugin_path});
  return std::stoll(r.rows.at(0).at(0).value());
}

std::optional<int64_t> Store::providerId(const std::string& name) {
  SqlRows r = conn_->query("SELECT provider_id FROM providers WHERE name = $1", {name});
  if (r.empty()) return std::nullopt;
  return std::stoll(r.rows[0][0].value());
}

WriteResult Store::writeBatch(Batch batch) {
  WriteResult result;
  RowSet events{"events", &eventColumns(), "provider_event_id", eventUpsertTail(), false, {}, {}};
  RowSet full{"participants", &participantColumns(), "provider_participant_id",
              participantUpsertTail(false), false, {}, {}};
  // Records that are not active (cancelled, removed, transferred) go in rows of their own, so
  // the result can say how many such changes this batch stored.
  RowSet inactive{"participants", &participantColumns(), "provider_participant_id",
                  participantUpsertTail(false), false, {}, {}};
  RowSet status_only{"participants", &participantColumns(), "provider_participant_id",
                     participantUpsertTail(true), true, {}, {}};
  // List rows before their detail (P88_RECORD_SUMMARY), active and not.
  RowSet summaries{"participants", &participantColumns(), "provider_participant_id",
                   participantSummaryUpsertTail(), false, {}, {}};
  RowSet inactive_summaries{"participants", &participantColumns(), "provider_participant_id",
                            participantSummaryUpsertTail(), false, {}, {}};

  for (EventRecord* r :
       lastOfEachId(batch.events, [](const EventRecord& e) { return e.provider_event_id; })) {
    EventRecord rec = std::move(*r);  // the batch is ours (taken by value)
    std::vector<FieldRepair> repairs;
    if (auto reason = rec.prepared ? std::nullopt : prepareRecord(rec, &repairs)) {
      result.rejected.push_back({rec.provider_event_id, *reason});
      continue;
    }
    for (const auto& f : repairs) result.repaired.push_back({rec.provider_event_id, f.field + ": " + f.message});
    events.ids.push_back(rec.provider_event_id);
    events.values.push_back(columnValues(rec, contentHash(rec)));
  }
  for (ParticipantRecord* r : lastOfEachId(
           batch.participants, [](const ParticipantRecord& p) { return p.provider_participant_id; })) {
    ParticipantRecord rec = std::move(*r);
    std::vector<FieldRepair> repairs;
    if (auto reason = rec.prepared ? std::nullopt : prepareRecord(rec, &repairs)) {
      result.rejected.push_back({rec.provider_participant_id, *reason});
      continue;
    }
    for (const auto& f : repairs)
      result.repaired.push_back({rec.provider_participant_id, f.field + ": " + f.message});
    RowSet& target = rec.status_only ? status_only
                     : rec.summary    ? (rec.status == "active" ? summaries : inactive_summaries)
                     : rec.status == "active" ? full : inactive;
    target.ids.push_back(rec.provider_participant_id);
    target.values.push_back(columnValues(rec, contentHash(rec)));
  }

  auto writer = makeRecordWriter(*conn_);
  Transaction tx(*conn_);
  for (RowSet* rows : {&events, &full, &inactive, &status_only, &summaries, &inactive_summaries}) {
    if (rows->values.empty()) continue;
    const size_t changed_before = result.inserted + result.updated;
    writer->write(batch.key, *rows, result);
    if (rows != &events && rows != &full && rows != &summaries)
      result.status_changes += result.inserted + result.updated - changed_before;
  }
  if (batch.cursor) {
    conn_->query(
        "INSERT INTO sync_cursors (timing_partner_id, provider_id, partner_provider_credential_id, "
        "stream, provider_event_id, cursor, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, CURRENT_TIMESTAMP) "
        "ON CONFLICT (timing_partner_id, provider_id, partner_provider_credential_id, stream, "
        "provider_event_id) DO UPDATE SET cursor = excluded.cursor, updated_at = "
        "excluded.updated_at",
        {std::to_string(batch.key.timing_partner_id), std::to_string(batch.key.provider_id),
         std::to_string(batch.key.credential_id), batch.key.stream, batch.key.provider_event_id,
         *batch.cursor});
  }
  tx.commit();
  return result;
}

std::optional<std::string> Store::loadCursor(const StreamKey& key) {
  SqlRows r = conn_->query(
      "SELECT cursor FROM sync_cursors WHERE timing_partner_id = $1 AND provider_id = $2 AND "
      "partner_provider_credential_id = $3 AND stream = $4 AND provider_event_id = $5",
      {std::to_string(key.timing_partner_id), std::to_string(key.provider_id),
       std::to_string(key.credential_id), key.stream, key.provider_event_id});
  if (r.empty()) return std::nullopt;
  return r.rows[0][0];
}

Store::Vanished Store::markVanished(const StreamKey& event, const std::unordered_set<std::string>& seen,
                                    double max_share) {
  const SqlParams key = {std::to_string(event.timing_partner_id), std::to_string(event.provider_id),
                         event.provider_event_id};
  SqlRows stored = conn_->query(
      "SELECT provider_participant_id FROM participants WHERE timing_partner_id = $1 AND provider_id = $2 AND "
      "provider_event_id = $3 AND removal_reason IS NULL",
      key);
  Vanished v;
  v.stored = stored.rows.size();
  std::vector<std::string> missing;
  for (const auto& row : stored.rows)
    if (row.at(0) && !seen.count(*row.at(0))) missing.push_back(*row.at(0));
  v.missing = missing.size();
  if (missing.empty()) return v;
  if (missing.size() > 1 && static_cast<double>(missing.size()) > max_share * static_cast<double>(v.stored)) {
    v.guarded = true;
    return v;
  }
  Transaction tx(*conn_);
  for (const std::string& id : missing) {
    SqlParams p = key;
    p.emplace_back(id);
    // An empty content_hash: the next time the provider returns it, it is rewritten (restored).
    v.marked += conn_->query(
                       "UPDATE participants SET status = 'removed', removal_reason = 'vanished', removal_noticed_at = "
                       "CURRENT_TIMESTAMP, content_hash = '', revision = revision + 1, updated_at = CURRENT_TIMESTAMP "
                       "WHERE timing_partner_id = $1 AND provider_id = $2 AND provider_event_id = $3 AND "
                       "provider_participant_id = $4 AND removal_reason IS NULL",
                       p)
                    .affected;
  }
  tx.commit();
  return v;
}

namespace {
// The registrations of an event whose detail is not in and that are still at the provider.
constexpr const char* kPendingDetailWhere =
    "WHERE timing_partner_id = $1 AND provider_id = $2 AND provider_event_id = $3 AND detail_status <> 'complete' "
    "AND removal_reason IS NULL";
}  // namespace

std::vector<Store::PendingDetail> Store::pendingDetails(const StreamKey& event, size_t limit) {
  std::vector<PendingDetail> out;
  if (limit == 0) return out;
  SqlRows r = conn_->query(
      std::string("SELECT provider_participant_id, raw_json FROM participants ") + kPendingDetailWhere +
          " ORDER BY CASE detail_status WHEN 'stale' THEN 0 ELSE 1 END, CASE status WHEN 'active' THEN 0 ELSE 1 END, "
          "CASE WHEN last_modified IS NULL THEN 1 ELSE 0 END, last_modified DESC, provider_participant_id LIMIT $4",
      {std::to_string(event.timing_partner_id), std::to_string(event.provider_id), event.provider_event_id,
       std::to_string(limit)});
  for (const auto& row : r.rows)
    if (row.at(0)) out.push_back({*row.at(0), row.at(1).value_or("")});
  return out;
}

size_t Store::countPendingDetails(const StreamKey& event) {
  SqlRows r = conn_->query(std::string("SELECT COUNT(*) FROM participants ") + kPendingDetailWhere,
                           {std::to_string(event.timing_partner_id), std::to_string(event.provider_id),
                            event.provider_event_id});
  return r.empty() ? 0 : static_cast<size_t>(std::stoll(r.rows[0][0].value_or("0")));
}

SqlRows Store::query(const std::string& sql, const SqlParams& params) {
  return conn_->query(sql, params);
}

std::unique_ptr<Store> openStore(const DatabaseConfig& config) {
  if (config.backend == DatabaseConfig::Backend::postgresql)
    return std::make_unique<Store>(connectPostgres(config.postgres));
  return std::make_unique<Store>(openSqlite(config.sqlite_path));
}

}  // namespace p88::store
