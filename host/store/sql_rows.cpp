#include "store/sql_connection.h"

namespace p88::store {

const SqlValue& SqlRows::at(size_t row, const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == column) return rows.at(row).at(i);
  throw std::out_of_range("no column '" + column + "' in result");
}

std::string statementSummary(const std::string& sql) {
  size_t start = sql.find_first_not_of(" \n\t");
  if (start == std::string::npos) return "";
  size_t end = sql.find('\n', start);
  std::string line = sql.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return line.size() > 120 ? line.substr(0, 117) + "..." : line;
}

}  // namespace p88::store
