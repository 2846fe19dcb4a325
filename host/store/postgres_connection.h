// The PostgreSQL connection (libpq). Kept out of widely included headers: only the store's
// PostgreSQL parts include it.
//
// A lost connection (a restart, a failover, a killed backend, a network blip) re-establishes
// itself: the statement that met the loss throws SqlError of kind `connection`, and the next
// statement reconnects first, with capped backoff between failed attempts (1 s doubling to 30 s;
// until then statements throw at once without touching the network). A transaction cut off by
// the loss is never continued on the new session: until its ROLLBACK, every statement throws.
#pragma once

#include <chrono>

#include "store/sql_connection.h"

struct pg_conn;
struct pg_result;

namespace p88::store {

class PostgresConnection : public SqlConnection {
 public:
  explicit PostgresConnection(pg_conn* conn);
  ~PostgresConnection() override;
  Dialect dialect() const override { return Dialect::postgresql; }
  SqlRows query(const std::string& sql, const SqlParams& params = {}) override;
  void script(const std::string& sql) override;
  std::string serverVersion() override;
  std::string databaseName() override;
  int64_t generation() const override { return generation_; }
  // COPY ... FROM STDIN with `data` in COPY's text format, in one round trip per MiB.
  void copyIn(const std::string& copy_sql, const std::string& data);

 private:
  // Before a statement: reconnects a lost connection (or throws while backing off, or while a
  // cut-off transaction awaits its ROLLBACK). True when `sql` is that ROLLBACK, now answered.
  bool ready(const std::string& sql);
  // Throws SqlError (classified) unless `res` succeeded; frees it on throw. A lost connection is
  // remembered, and whether a transaction (`in_transaction` before the statement) died with it.
  void check(pg_result* res, const std::string& sql, bool in_transaction);
  bool inTransaction() const;

  pg_conn* conn_;
  int64_t generation_ = 0;
  bool lost_in_transaction_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace p88::store
