// Classifying database errors: whose fault is it (see SqlErrorKind in sql_connection.h)?
#include <sqlite3.h>

#include "store/sql_connection.h"

namespace p88::store {

const char* sqlErrorKindName(SqlErrorKind kind) {
  switch (kind) {
    case SqlErrorKind::record: return "record";
    case SqlErrorKind::connection: return "connection";
    case SqlErrorKind::transient: return "transient";
    case SqlErrorKind::resource: return "resource";
  }
  return "resource";
}

SqlErrorKind classifySqlstate(const std::string& state) {
  if (state.size() != 5) return SqlErrorKind::resource;
  const std::string cls = state.substr(0, 2);
  // 22 data exception (a value too long, out of range, bad encoding), 23 integrity constraint
  // violation, 54 program limit exceeded (an index row too large): the row's own fault.
  if (cls == "22" || cls == "23" || cls == "54") return SqlErrorKind::record;
  // 08 connection exception; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
  // now (starting up, shutting down), 53300 too many connections.
  if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300")
    return SqlErrorKind::connection;
  // 40001 serialization failure, 40P01 deadlock, 57014 query canceled (statement_timeout),
  // 55P03 lock not available.
  if (cls == "40" || state == "57014" || state == "55P03") return SqlErrorKind::transient;
  // 53100 disk full, 53200 out of memory, 25006 read-only transaction, 58 system error, XX
  // internal, 42 our own SQL: not the record's fault, not going away by itself at once.
  return SqlErrorKind::resource;
}

SqlErrorKind classifySqliteCode(int extended) {
  switch (extended & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return SqlErrorKind::record;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SqlErrorKind::transient;
    default:  // SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_CORRUPT, ...
      return SqlErrorKind::resource;
  }
}

}  // namespace p88::store
