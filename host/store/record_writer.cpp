#include "store/record_writer.h"

#include "store/postgres_connection.h"

namespace p88::store {
namespace {

SqlParams keyParams(const StreamKey& key) {
  return {std::to_string(key.timing_partner_id), std::to_string(key.provider_id),
          key.credential_id > 0 ? SqlValue(std::to_string(key.credential_id)) : std::nullopt};
}

std::string columnList(const std::vector<Column>& columns) {
  std::string list = "timing_partner_id, provider_id, partner_provider_credential_id";
  for (const Column& c : columns) list += std::string(", ") + c.name;
  return list;
}

// SQLite: statements per row are cheap (no round trip, statements cached by the connection),
// and a refused row rolls back only itself. The stored hash is read first, so an unchanged row
// costs one index lookup and no write.
class SqliteRecordWriter : public RecordWriter {
 public:
  explicit SqliteRecordWriter(SqlConnection& c) : conn_(c) {}

  void write(const StreamKey& key, const RowSet& rows, WriteResult& result) override {
    std::string placeholders;
    for (size_t i = 1; i <= rows.columns->size() + 3; ++i)
      placeholders += (i > 1 ? ", $" : "$") + std::to_string(i);
    const std::string upsert = "INSERT INTO " + rows.table + " (" + columnList(*rows.columns) +
                               ") VALUES (" + placeholders + ") " + rows.upsert_tail;
    const std::string stored = "SELECT content_hash FROM " + rows.table +
                               " WHERE timing_partner_id = $1 AND provider_id = $2 AND " +
                               rows.key_column + " = $3";
    const SqlParams key_params = keyParams(key);
    for (size_t i = 0; i < rows.values.size(); ++i) {
      try {
        SqlRows existing = conn_.query(stored, {key_params[0], key_params[1], rows.ids[i]});
        const SqlValue& hash = rows.values[i].back();  // content_hash is the last column
        if (!rows.status_only && !existing.empty() && existing.rows[0][0] == hash) {
          ++result.unchanged;
          continue;
        }
        SqlParams params = key_params;
        params.insert(params.end(), rows.values[i].begin(), rows.values[i].end());
        if (conn_.query(upsert, params).affected == 0)
          ++result.unchanged;
        else if (existing.empty())
          ++result.inserted;
        else
          ++result.updated;
      } catch (const SqlError& e) {
        if (!e.recordFault()) throw;  // the database's trouble, not this row's: the batch fails
        result.rejected.push_back({rows.ids[i], e.what()});
      }
    }
  }

 private:
  SqlConnection& conn_;
};

// COPY's text format: backslash escapes, \N for NULL.
void appendCopyField(std::string& out, const SqlValue& v) {
  if (!v) {
    out += "\\N";
    return;
  }
  for (char c : *v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

// PostgreSQL: never a round trip per row. The batch is COPYed into a temporary staging table and
// upserted by one INSERT ... SELECT. If the database refuses that statement, the range is split
// in halves under a savepoint until the refused rows are isolated: k bad rows cost O(k log n)
// statements, a clean batch costs one.
class PostgresRecordWriter : public RecordWriter {
 public:
  explicit PostgresRecordWriter(PostgresConnection& c) : conn_(c) {}

  void write(const StreamKey& key, const RowSet& rows, WriteResult& result) override {
    if (rows.values.empty()) return;
    const std::string stage = "p88_stage_" + rows.table;
    std::string data;
    for (size_t i = 0; i < rows.values.size(); ++i) {
      data += std::to_string(i);
      for (const SqlValue& v : rows.values[i]) {
        data += '\t';
        appendCopyField(data, v);
      }
      data += '\n';
    }
    std::string stage_columns = "ord";
    std::string select = "$1::integer, $2::integer, $3::integer";
    for (const Column& c : *rows.columns) {
      stage_columns += std::string(", ") + c.name;
      select += std::string(", s.") + c.name + "::" + c.pg_type;
    }
    // Temporary tables vanish with a rolled-back transaction, so (re)create it every time: one
    // round trip for both statements.
    std::string ddl = "CREATE TEMPORARY TABLE IF NOT EXISTS " + stage + " (ord integer";
    for (const Column& c : *rows.columns) ddl += std::string(", ") + c.name + " text";
    conn_.script(ddl + "); TRUNCATE " + stage);
    conn_.copyIn("COPY " + stage + " (" + stage_columns + ") FROM STDIN", data);
    const std::string insert = "INSERT INTO " + rows.table + " (" + columnList(*rows.columns) +
                               ") SELECT " + select + " FROM " + stage +
                               " s WHERE s.ord BETWEEN $4 AND $5 ORDER BY s.ord " +
                               rows.upsert_tail + " RETURNING revision";
    insertRange(key, rows, insert, 0, rows.values.size() - 1, result);
  }

 private:
  void insertRange(const StreamKey& key, const RowSet& rows, const std::string& insert, size_t lo,
                   size_t hi, WriteResult& result) {
    SqlParams params = keyParams(key);
    params.emplace_back(std::to_string(lo));
    params.emplace_back(std::to_string(hi));
    conn_.script("SAVEPOINT p88_rows");
    try {
      SqlRows returned = conn_.query(insert, params);
      conn_.script("RELEASE SAVEPOINT p88_rows");
      // RETURNING lists inserted (revision 1) and updated rows; the rest were unchanged.
      for (const auto& row : returned.rows) {
        if (row.at(0) && *row.at(0) == "1")
          ++result.inserted;
        else
          ++result.updated;
      }
      result.unchanged += (hi - lo + 1) - returned.rows.size();
    } catch (const SqlError& e) {
      // Only a row's own fault is looked for by splitting; anything else (connection lost, disk
      // full, deadlock, timeout) fails the whole batch, and with it the transaction.
      if (!e.recordFault()) throw;
      conn_.script("ROLLBACK TO SAVEPOINT p88_rows");
      conn_.script("RELEASE SAVEPOINT p88_rows");
      if (lo == hi) {
        result.rejected.push_back({rows.ids[lo], e.what()});
        return;
      }
      size_t mid = lo + (hi - lo) / 2;
      insertRange(key, rows, insert, lo, mid, result);
      insertRange(key, rows, insert, mid + 1, hi, result);
    }
  }

  PostgresConnection& conn_;
};

}  // namespace

std::unique_ptr<RecordWriter> makeRecordWriter(SqlConnection& connection) {
  if (connection.dialect() == Dialect::postgresql)
    return std::make_unique<PostgresRecordWriter>(dynamic_cast<PostgresConnection&>(connection));
  return std::make_unique<SqliteRecordWriter>(connection);
}

}  // namespace p88::store
