// Whose fault a database error is decides whether a record is skipped or the whole batch fails
// and is retried: the table below is that decision.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sql_connection.h"

namespace p88::store {
namespace {

TEST(SqlErrorKinds, PostgresStatesOfOneRowAreTheRecordsFault) {
  for (const char* s : {"23505", "23502", "23514", "22001", "22003", "22021", "22P02", "54000"})
    EXPECT_EQ(classifySqlstate(s), SqlErrorKind::record) << s;
}

TEST(SqlErrorKinds, PostgresConnectionLossIsAConnectionFault) {
  for (const char* s : {"08006", "08003", "08001", "57P01", "57P02", "57P03", "53300"})
    EXPECT_EQ(classifySqlstate(s), SqlErrorKind::connection) << s;
}

TEST(SqlErrorKinds, DeadlocksSerializationAndTimeoutsPass) {
  for (const char* s : {"40P01", "40001", "57014", "55P03"})
    EXPECT_EQ(classifySqlstate(s), SqlErrorKind::transient) << s;
}

TEST(SqlErrorKinds, EverythingElseFailsTheBatch) {
  // Disk full, out of memory, read-only, system and internal errors, a trigger's bare RAISE, our
  // own SQL, and no state at all: never a reason to skip a record.
  for (const char* s : {"53100", "53200", "25006", "58030", "XX000", "P0001", "42P01", "42601", "", "2"})
    EXPECT_EQ(classifySqlstate(s), SqlErrorKind::resource) << s;
}

TEST(SqlErrorKinds, SqliteCodes) {
  EXPECT_EQ(classifySqliteCode(SQLITE_CONSTRAINT_UNIQUE), SqlErrorKind::record);
  EXPECT_EQ(classifySqliteCode(SQLITE_CONSTRAINT_NOTNULL), SqlErrorKind::record);
  EXPECT_EQ(classifySqliteCode(SQLITE_CONSTRAINT_TRIGGER), SqlErrorKind::record);
  EXPECT_EQ(classifySqliteCode(SQLITE_TOOBIG), SqlErrorKind::record);
  EXPECT_EQ(classifySqliteCode(SQLITE_MISMATCH), SqlErrorKind::record);
  EXPECT_EQ(classifySqliteCode(SQLITE_BUSY), SqlErrorKind::transient);
  EXPECT_EQ(classifySqliteCode(SQLITE_BUSY_SNAPSHOT), SqlErrorKind::transient);
  EXPECT_EQ(classifySqliteCode(SQLITE_LOCKED), SqlErrorKind::transient);
  for (int c : {SQLITE_FULL, SQLITE_IOERR, SQLITE_IOERR_WRITE, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_CORRUPT,
                SQLITE_CANTOPEN, SQLITE_ERROR})
    EXPECT_EQ(classifySqliteCode(c), SqlErrorKind::resource) << c;
}

}  // namespace
}  // namespace p88::store
