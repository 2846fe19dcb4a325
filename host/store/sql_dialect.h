// Renders the store's .sql files for one backend. The files are written once, in the SQL both
// PostgreSQL and SQLite understand, with double-brace tokens where the two differ:
//   {{serial_pk}} {{bigserial_pk}}   an auto-numbered primary key
//   {{timestamp}} {{date}} {{json}}  column types (SQLite keeps instants as UTC text)
//   {{json_check(col)}}              SQLite: CHECK that col holds valid JSON (PostgreSQL's jsonb checks itself)
//   {{date_check(col)}}              SQLite: CHECK that col is a real date
//   {{reserve_ids(table, column, n)}} make the table's next generated id n
//   {{int(expr)}}                    expr as an integer when it is all digits, else NULL
//   {{json_object}} {{as_json}}      building JSON in a view
#pragma once

#include <string>

#include "store/sql_connection.h"

namespace p88::store {

// Throws std::invalid_argument naming an unknown or malformed token.
std::string renderForDialect(const std::string& sql, Dialect dialect);

}  // namespace p88::store
