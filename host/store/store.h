// The host-owned store: one interface, two backends (SQLite embedded, PostgreSQL), the same
// behaviour, checked by one conformance suite (tests/integration/store_conformance_test.cpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/records.h"
#include "store/sql_connection.h"

namespace p88::store {

struct DatabaseConfig {
  enum class Backend { sqlite, postgresql } backend = Backend::sqlite;
  std::string sqlite_path = "p88.db";
  PostgresParams postgres;
  // "SQLite database /var/lib/p88/p88.db" or "PostgreSQL database p88 on db:5432 as p88" —
  // never the password.
  std::string describe() const;
};

struct MigrationStep {
  int version;
  std::string name;
};

// A provider row as a plugin registers it.
struct ProviderRegistration {
  std::string name;  // providers.name, e.g. "RunSignUp"
  std::string slug;
  std::string default_base_url;
  int calls_per_hour = 1000;
  std::string plugin_version;
  std::string plugin_path;
};

class Store {
 public:
  explicit Store(std::unique_ptr<SqlConnection> connection);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Dialect dialect() const;
  SqlConnection& connection() { return *conn_; }

  // The migrations this build knows, and which of them the database has.
  static std::vector<MigrationStep> knownMigrations(Dialect dialect);
  int schemaVersion();
  // Applies every migration the database lacks, each in its own transaction, in order; returns
  // the ones applied. Refuses a database whose schema is newer than this build.
  std::vector<MigrationStep> migrate();

  // Inserts the provider row or refreshes its plugin columns; returns provider_id. Refuses a slug
  // already used by another provider.
  int64_t registerProvider(const ProviderRegistration& provider);
  std::optional<int64_t> providerId(const std::string& name);

  // Writes a batch and the stream's cursor in one transaction. Records that fail validation or a
  // database constraint (their own fault) are reported in the result and skipped; the rest of the
  // batch is written. Any other database error throws SqlError: nothing of the batch is written
  // and the cursor stays where it was.
  WriteResult writeBatch(Batch batch);
  std::optional<std::string> loadCursor(const StreamKey& key);

  struct Vanished {
    size_t stored = 0;     // the event's registrations looked at (those not already vanished)
    size_t missing = 0;    // of them, not returned by the full read
    size_t marked = 0;     // marked removed (vanished); 0 when the guard held
    bool guarded = false;  // too many missing to be believed: nothing marked
  };
  // After a full read of an event that completed, every page read: the event's stored
  // registrations the read did not return (`seen` holds those it did) are marked status
  // 'removed', removal_reason 'vanished', removal_noticed_at now; never deleted. When more than
  // `max_share` of them (and more than one) would be marked, none is: a provider that answers
  // with half a list is not believed.
  Vanished markVanished(const StreamKey& event, const std::unordered_set<std::string>& seen, double max_share);

  // The event's registrations whose detail is not in (detail_status 'stale' or 'pending', not
  // vanished), most in need first: stale ones (changed since their detail was stored), then
  // active ones, newest change first; at most `limit`. Each with its stored raw_json.
  struct PendingDetail {
    std::string provider_participant_id;
    std::string raw_json;
  };
  std::vector<PendingDetail> pendingDetails(const StreamKey& event, size_t limit);
  // How many of the event's registrations pendingDetails() would hand out, without a limit.
  size_t countPendingDetails(const StreamKey& event);

  // Runs any SQL (one statement) and returns its rows as text: the operator's and tests' door.
  SqlRows query(const std::string& sql, const SqlParams& params = {});

 private:
  std::unique_ptr<SqlConnection> conn_;
};

// Opens the configured backend (does not migrate). Throws SqlError naming the database.
std::unique_ptr<Store> openStore(const DatabaseConfig& config);

}  // namespace p88::store
