// Upserts prepared rows into events or participants: the one part of the store that differs per
// backend (SQLite: a cached prepared statement per row; PostgreSQL: COPY into a staging table and
// one INSERT ... SELECT ... ON CONFLICT for the whole batch).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/record_columns.h"
#include "store/records.h"
#include "store/sql_connection.h"

namespace p88::store {

// Rows bound for one table, each with the id that names it in a rejection.
struct RowSet {
  std::string table;                   // "events" or "participants"
  const std::vector<Column>* columns;  // see record_columns.h
  std::string key_column;              // the provider's id: provider_event_id, ...
  std::string upsert_tail;             // ON CONFLICT ... DO UPDATE ... WHERE <changed>
  bool status_only = false;            // the rows are removal notices
  std::vector<std::string> ids;
  std::vector<SqlParams> values;
};

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  // Runs inside the caller's transaction. A row the database refuses for its own fault (a
  // constraint or data error) is added to result.rejected with the database's reason; the others
  // are written. Any other error is thrown: the caller's transaction, cursor included, fails.
  virtual void write(const StreamKey& key, const RowSet& rows, WriteResult& result) = 0;
};

std::unique_ptr<RecordWriter> makeRecordWriter(SqlConnection& connection);


}  // namespace p88::store
