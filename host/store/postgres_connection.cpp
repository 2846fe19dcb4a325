#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <string_view>

namespace p88::store {
namespace {

// Throws SqlError unless the result is one of the accepted statuses; always frees on throw.
void check(PGresult* res, pg_conn* conn, const std::string& sql) {
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return;
  std::string message;
  std::string sqlstate;
  if (res != nullptr) {
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (primary) message = primary;
    if (detail) message += std::string(" (") + detail + ")";
    if (state) sqlstate = state;
  }
  if (message.empty()) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  PQclear(res);
  throw SqlError("PostgreSQL: " + message + " [in: " + statementSummary(sql) + "]", sqlstate);
}

}  // namespace

std::unique_ptr<SqlConnection> connectPostgres(const PostgresParams& p) {
  std::string timeout = std::to_string(p.connect_timeout_seconds);
  std::vector<const char*> keys, values;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;  // libpq falls back to PGHOST, PGPORT, ... and its defaults
    keys.push_back(k);
    values.push_back(v.c_str());
  };
  add("host", p.host);
  add("port", p.port);
  add("dbname", p.dbname);
  add("user", p.user);
  add("password", p.password);
  add("connect_timeout", timeout);
  add("application_name", p.application_name);
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) throw SqlError("PostgreSQL: out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(conn);
    // libpq's messages name host, port and user but never the password.
    throw SqlError("cannot connect to PostgreSQL: " + why);
  }
  // Quiet NOTICEs ("relation already exists, skipping"); errors still surface as exceptions.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  auto c = std::make_unique<PostgresConnection>(conn);
  c->script("SET TIME ZONE 'UTC'");
  return c;
}

PostgresConnection::PostgresConnection(pg_conn* conn) : conn_(conn) {}
PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

SqlRows PostgresConnection::query(const std::string& sql, const SqlParams& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params) values.push_back(v ? v->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  check(res, conn_, sql);
  SqlRows out;
  int nf = PQnfields(res);
  int nt = PQntuples(res);
  for (int f = 0; f < nf; ++f) out.columns.emplace_back(PQfname(res, f));
  out.rows.reserve(nt);
  for (int t = 0; t < nt; ++t) {
    std::vector<SqlValue> row;
    row.reserve(nf);
    for (int f = 0; f < nf; ++f) {
      if (PQgetisnull(res, t, f))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(std::string(PQgetvalue(res, t, f), PQgetlength(res, t, f)));
    }
    out.rows.push_back(std::move(row));
  }
  const char* affected = PQcmdTuples(res);
  if (affected && *affected) out.affected = std::stoul(affected);
  PQclear(res);
  return out;
}

void PostgresConnection::script(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  check(res, conn_, sql);
  PQclear(res);
}

std::string PostgresConnection::serverVersion() {
  return query("SELECT version()").rows.at(0).at(0).value_or("unknown");
}

std::string PostgresConnection::databaseName() {
  return query("SELECT current_database()").rows.at(0).at(0).value_or("unknown");
}

void PostgresConnection::copyIn(const std::string& copy_sql, const std::string& data) {
  PGresult* res = PQexec(conn_, copy_sql.c_str());
  check(res, conn_, copy_sql);
  PQclear(res);
  constexpr size_t chunk = 1 << 20;
  std::string_view rest(data);
  while (!rest.empty()) {
    size_t n = std::min(chunk, rest.size());
    if (PQputCopyData(conn_, rest.data(), static_cast<int>(n)) != 1) break;
    rest.remove_prefix(n);
  }
  if (PQputCopyEnd(conn_, rest.empty() ? nullptr : "client failed to send COPY data") != 1)
    throw SqlError(std::string("PostgreSQL: COPY failed: ") + PQerrorMessage(conn_));
  PGresult* done = PQgetResult(conn_);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  check(done, conn_, copy_sql);
  PQclear(done);
}

}  // namespace p88::store
