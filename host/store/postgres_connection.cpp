#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <string_view>

namespace p88::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::atomic<int64_t> reconnects{0};

constexpr milliseconds kFirstBackoff{1000};
constexpr milliseconds kMaxBackoff{30000};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// ROLLBACK (not ROLLBACK TO SAVEPOINT): what ends a transaction that died with its connection.
bool isRollback(const std::string& sql) {
  std::string head;
  for (char c : sql) {
    if (head.empty() && std::isspace(static_cast<unsigned char>(c))) continue;
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (head.size() >= 12) break;
  }
  return head.rfind("ROLLBACK", 0) == 0 && head.find("ROLLBACK TO") != 0;
}

SqlError lostError(const std::string& why, const std::string& sql) {
  return SqlError("PostgreSQL: " + why + " [in: " + statementSummary(sql) + "]", "08006", SqlErrorKind::connection);
}

std::string seconds(milliseconds ms) { return std::to_string((ms.count() + 999) / 1000) + " s"; }

}  // namespace

int64_t reconnectCount() { return reconnects.load(); }

std::unique_ptr<SqlConnection> connectPostgres(const PostgresParams& p) {
  const std::string timeout = std::to_string(p.connect_timeout_seconds);
  // Session settings travel in the startup packet, so a reconnected session has them too.
  std::string options = "-c TimeZone=UTC";
  if (p.statement_timeout_ms > 0) options += " -c statement_timeout=" + std::to_string(p.statement_timeout_ms);
  if (p.keepalive_idle_seconds > 0)
    options += " -c tcp_keepalives_idle=" + std::to_string(p.keepalive_idle_seconds) +
               " -c tcp_keepalives_interval=" + std::to_string(p.keepalive_interval_seconds) +
               " -c tcp_keepalives_count=" + std::to_string(p.keepalive_count);
  const std::string idle = std::to_string(p.keepalive_idle_seconds);
  const std::string interval = std::to_string(p.keepalive_interval_seconds);
  const std::string count = std::to_string(p.keepalive_count);
  // Unacknowledged data for longer than the keepalive would notice a dead peer ends the
  // connection too (a server that vanished mid-statement).
  const std::string user_timeout =
      std::to_string((p.keepalive_idle_seconds + p.keepalive_interval_seconds * p.keepalive_count) * 1000);
  std::vector<const char*> keys, values;
  std::deque<std::string> held;  // the values libpq reads: they live until it has connected
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;  // libpq falls back to PGHOST, PGPORT, ... and its defaults
    keys.push_back(k);
    values.push_back(held.emplace_back(v).c_str());
  };
  add("host", p.host);
  add("port", p.port);
  add("dbname", p.dbname);
  add("user", p.user);
  add("password", p.password);
  add("connect_timeout", timeout);
  add("application_name", p.application_name);
  add("options", options);
  if (p.keepalive_idle_seconds > 0) {
    add("keepalives", "1");
    add("keepalives_idle", idle);
    add("keepalives_interval", interval);
    add("keepalives_count", count);
    add("tcp_user_timeout", user_timeout);
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) throw SqlError("PostgreSQL: out of memory while connecting", "", SqlErrorKind::connection);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    // libpq's messages name host, port and user but never the password.
    throw SqlError("cannot connect to PostgreSQL: " + why, "08001", SqlErrorKind::connection);
  }
  // Quiet NOTICEs ("relation already exists, skipping"); errors still surface as exceptions.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::make_unique<PostgresConnection>(conn);
}

PostgresConnection::PostgresConnection(pg_conn* conn) : conn_(conn) {}
PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

bool PostgresConnection::inTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool PostgresConnection::ready(const std::string& sql) {
  if (lost_in_transaction_) {
    if (isRollback(sql)) {  // the server rolled it back when the session ended
      lost_in_transaction_ = false;
      return true;
    }
    throw lostError("the connection was lost inside this transaction, which the server rolled back", sql);
  }
  if (PQstatus(conn_) == CONNECTION_OK) return false;
  const auto now = steady_clock::now();
  if (now < next_attempt_)
    throw lostError("the connection is lost; the next reconnection attempt is in " +
                        seconds(std::chrono::duration_cast<milliseconds>(next_attempt_ - now)),
                    sql);
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    next_attempt_ = now + backoff_;
    throw lostError("the connection is lost and reconnecting failed (" + trimmed(PQerrorMessage(conn_)) +
                        "); next attempt in " + seconds(backoff_),
                    sql);
  }
  backoff_ = milliseconds(0);
  ++generation_;
  ++reconnects;
  return false;
}

void PostgresConnection::check(PGresult* res, const std::string& sql, bool in_transaction) {
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
  if (message.empty()) message = PQerrorMessage(conn_);
  message = trimmed(message);
  PQclear(res);
  SqlErrorKind kind = classifySqlstate(sqlstate);
  if (PQstatus(conn_) == CONNECTION_BAD) {
    kind = SqlErrorKind::connection;
    if (sqlstate.empty()) sqlstate = "08006";
    lost_in_transaction_ = in_transaction;
  }
  throw SqlError("PostgreSQL: " + message + " [in: " + statementSummary(sql) + "]", sqlstate, kind);
}

SqlRows PostgresConnection::query(const std::string& sql, const SqlParams& params) {
  if (ready(sql)) return {};
  const bool in_tx = inTransaction();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params) values.push_back(v ? v->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  check(res, sql, in_tx);
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
  if (ready(sql)) return;
  const bool in_tx = inTransaction();
  PGresult* res = PQexec(conn_, sql.c_str());
  check(res, sql, in_tx);
  PQclear(res);
}

std::string PostgresConnection::serverVersion() {
  return query("SELECT version()").rows.at(0).at(0).value_or("unknown");
}

std::string PostgresConnection::databaseName() {
  return query("SELECT current_database()").rows.at(0).at(0).value_or("unknown");
}

void PostgresConnection::copyIn(const std::string& copy_sql, const std::string& data) {
  if (ready(copy_sql)) return;
  const bool in_tx = inTransaction();
  PGresult* res = PQexec(conn_, copy_sql.c_str());
  check(res, copy_sql, in_tx);
  PQclear(res);
  constexpr size_t chunk = 1 << 20;
  std::string_view rest(data);
  while (!rest.empty()) {
    size_t n = std::min(chunk, rest.size());
    if (PQputCopyData(conn_, rest.data(), static_cast<int>(n)) != 1) break;
    rest.remove_prefix(n);
  }
  if (PQputCopyEnd(conn_, rest.empty() ? nullptr : "client failed to send COPY data") != 1) {
    const bool lost = PQstatus(conn_) == CONNECTION_BAD;
    if (lost) lost_in_transaction_ = in_tx;
    throw SqlError(std::string("PostgreSQL: COPY failed: ") + trimmed(PQerrorMessage(conn_)), lost ? "08006" : "",
                   lost ? SqlErrorKind::connection : SqlErrorKind::resource);
  }
  PGresult* done = PQgetResult(conn_);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  check(done, copy_sql, in_tx);
  PQclear(done);
}

}  // namespace p88::store
