// A database connection as the store needs it: parameterized statements with text values, scripts,
// and the dialect. Implemented over libpq and sqlite3 (postgres_connection.cpp,
// sqlite_connection.cpp); everything above it is written once for both.
#pragma once

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

// An error from the database, with the statement's first line for context (never parameters).
class SqlError : public std::runtime_error {
 public:
  SqlError(const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
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
};

struct PostgresParams {
  std::string host, port, dbname, user, password;
  int connect_timeout_seconds = 10;
  std::string application_name = "p88host";
};

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
