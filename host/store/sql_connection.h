// A database connection as the store needs it: parameterized statements with text values, scripts,
// and the dialect. Implemented over libpq and sqlite3 (postgres_connection.cpp,
// sqlite_connection.cpp); everything above it is written once for both.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace p88::store {

using SqlValue = std::optional<std::string>;  // nullopt is SQL NULL
using SqlParams = std::vector<SqlValue>;

struct SqlRows {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  size_t affected = 0;  // rows changed by an INSERT/UPDATE/DELETE

  // The value at (row, column name); throws if the column does not exist.
  const SqlValue& at(size_t row, const std::string& column) const;
  bool empty() const { return rows.empty(); }
};

enum class Dialect { sqlite, postgresql };

// Whose fault a database error is, which decides what p88 does with it:
//   record      a constraint or data error of the row being written: that record is reported and
//               skipped, the rest of its batch is written (PostgreSQL classes 22, 23, 54; SQLite
//               CONSTRAINT, MISMATCH, TOOBIG)
//   connection  the connection is gone (class 08, 57P01-57P03, libpq's CONNECTION_BAD): the
//               connection reconnects by itself; the job is retried without using an attempt
//   transient   deadlock, serialization failure, statement timeout, lock not available, SQLite's
//               BUSY/LOCKED past the busy timeout: the batch fails and is retried soon
//   resource    everything else (disk full, out of memory, read-only, I/O error, a bug in our
//               SQL): the batch fails, the cursor stays, the job is retried with backoff
// Only `record` lets a batch commit without the row; everything else fails the whole batch and
// leaves the stream's cursor where it was, so nothing is skipped silently.
enum class SqlErrorKind { record, connection, transient, resource };
const char* sqlErrorKindName(SqlErrorKind kind);
// PostgreSQL's SQLSTATE (five characters) and SQLite's extended result code, classified.
SqlErrorKind classifySqlstate(const std::string& sqlstate);
SqlErrorKind classifySqliteCode(int extended_code);

// An error from the database, with the statement's first line for context (never parameters).
class SqlError : public std::runtime_error {
 public:
  SqlError(const std::string& message, std::string sqlstate = {},
           SqlErrorKind kind = SqlErrorKind::resource)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), kind_(kind) {}
  const std::string& sqlstate() const { return sqlstate_; }
  SqlErrorKind kind() const { return kind_; }
  bool recordFault() const { return kind_ == SqlErrorKind::record; }

 private:
  std::string sqlstate_;
  SqlErrorKind kind_;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // One statement, $1..$n placeholders (in SQLite each must first appear in ascending order).
  virtual SqlRows query(const std::string& sql, const SqlParams& params = {}) = 0;
  // Several statements separated by semicolons, no parameters (migrations, BEGIN/COMMIT).
  virtual void script(const std::string& sql) = 0;
  // "PostgreSQL 15.18 ..." or "SQLite 3.40.1".
  virtual std::string serverVersion() = 0;
  // The database's name (PostgreSQL) or file (SQLite).
  virtual std::string databaseName() = 0;
  // Counts the times this connection was re-established; anything tied to the session (an
  // advisory lock, temporary tables) is gone when it changes. SQLite: always 0.
  virtual int64_t generation() const { return 0; }
};

struct PostgresParams {
  std::string host, port, dbname, user, password;
  int connect_timeout_seconds = 10;
  std::string application_name = "p88host";
  // Server-side limit per statement (0: none), so a wedged statement cannot hold a lock or a
  // worker for hours.
  int statement_timeout_ms = 120000;
  // TCP keepalives on both ends: a half-open connection (a host that vanished, a NAT that forgot
  // it) is noticed within idle + interval * count seconds, and the server then ends the session
  // and releases its locks (the engine's advisory lock among them).
  int keepalive_idle_seconds = 30, keepalive_interval_seconds = 10, keepalive_count = 3;
};

// Connections that were lost and reconnected by themselves since the process started (every
// PostgreSQL connection of the process: workers, heartbeats, engine, status line).
int64_t reconnectCount();

// Both throw SqlError with a message that names what failed and never contains the password.
std::unique_ptr<SqlConnection> connectPostgres(const PostgresParams& params);
std::unique_ptr<SqlConnection> openSqlite(const std::string& path);

// The first line of a statement, shortened: context for error messages (never parameters).
std::string statementSummary(const std::string& sql);

// A transaction that rolls back unless committed.
class Transaction {
 public:
  // SQLite: BEGIN IMMEDIATE takes the write lock up front (waiting with the busy timeout), so two
  // connections never deadlock upgrading read transactions to write ones.
  explicit Transaction(SqlConnection& c) : c_(c) {
    c_.script(c_.dialect() == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (!done_) try {
        c_.script("ROLLBACK");
      } catch (...) {
      }
  }
  void commit() {
    c_.script("COMMIT");
    done_ = true;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  SqlConnection& c_;
  bool done_ = false;
};

}  // namespace p88::store
