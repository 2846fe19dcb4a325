// The PostgreSQL connection (libpq). Kept out of widely included headers: only the store's
// PostgreSQL parts include it.
#pragma once

#include "store/sql_connection.h"

struct pg_conn;

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
  // COPY ... FROM STDIN with `data` in COPY's text format, in one round trip per MiB.
  void copyIn(const std::string& copy_sql, const std::string& data);

 private:
  pg_conn* conn_;
};

}  // namespace p88::store
