#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <unordered_map>

#include "store/sql_connection.h"

namespace p88::store {
namespace {

class SqliteConnection : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, prepared] : cache_) sqlite3_finalize(prepared.stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  SqlRows query(const std::string& sql, const SqlParams& params) override {
    const Prepared& prepared = prepare(sql);
    sqlite3_stmt* stmt = prepared.stmt;
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = i < prepared.index_of.size() ? prepared.index_of[i] : 0;
      if (idx == 0) continue;  // the statement does not use this parameter
      const SqlValue& v = params[i];
      int rc = v ? sqlite3_bind_text(stmt, idx, v->data(), static_cast<int>(v->size()),
                                     SQLITE_TRANSIENT)
                 : sqlite3_bind_null(stmt, idx);
      if (rc != SQLITE_OK) fail(sql);
    }
    SqlRows out;
    int ncol = sqlite3_column_count(stmt);
    for (int c = 0; c < ncol; ++c) out.columns.emplace_back(sqlite3_column_name(stmt, c));
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(sql);
      std::vector<SqlValue> row;
      row.reserve(ncol);
      for (int c = 0; c < ncol; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const unsigned char* t = sqlite3_column_text(stmt, c);
          row.emplace_back(std::string(reinterpret_cast<const char*>(t),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
      out.rows.push_back(std::move(row));
    }
    out.affected = static_cast<size_t>(sqlite3_changes(db_));
    return out;
  }

  void script(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      const int code = sqlite3_extended_errcode(db_);
      throw SqlError("SQLite: " + message + " [in: " + statementSummary(sql) + "]", std::to_string(code),
                     classifySqliteCode(code));
    }
  }

  std::string serverVersion() override { return std::string("SQLite ") + sqlite3_libversion(); }
  std::string databaseName() override { return path_; }

 private:
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> index_of;  // $k (k = position + 1) -> SQLite's parameter index, 0 if unused
  };

  // Prepared statements are cached by their text: the writer runs the same statements per row.
  const Prepared& prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    Prepared p;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &p.stmt, nullptr) !=
        SQLITE_OK)
      fail(sql);
    if (p.stmt == nullptr) throw SqlError("SQLite: empty statement");
    for (int i = 1; i <= sqlite3_bind_parameter_count(p.stmt); ++i) {
      const char* name = sqlite3_bind_parameter_name(p.stmt, i);
      if (name == nullptr || name[0] != '$') continue;
      size_t k = std::strtoul(name + 1, nullptr, 10);
      if (k == 0) continue;
      if (p.index_of.size() < k) p.index_of.resize(k, 0);
      p.index_of[k - 1] = i;
    }
    if (cache_.size() >= 64) {
      for (auto& [text, cached] : cache_) sqlite3_finalize(cached.stmt);
      cache_.clear();
    }
    return cache_.emplace(sql, std::move(p)).first->second;
  }

  [[noreturn]] void fail(const std::string& sql) {
    const int code = sqlite3_extended_errcode(db_);
    throw SqlError("SQLite: " + std::string(sqlite3_errmsg(db_)) + " [in: " + statementSummary(sql) + "]",
                   std::to_string(code), classifySqliteCode(code));
  }

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, Prepared> cache_;
};

}  // namespace

std::unique_ptr<SqlConnection> openSqlite(const std::string& path) {
  // A new database file is readable by its owner only (it holds registrants' personal data and
  // credentials), whatever the umask; SQLite gives its -wal and -shm files the same mode.
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw SqlError("cannot open SQLite database '" + path + "': " + why);
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::make_unique<SqliteConnection>(db, path);
  conn->script(
      "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return conn;
}

}  // namespace p88::store
