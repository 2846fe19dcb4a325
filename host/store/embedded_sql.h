// The .sql files compiled into the binary (see cmake/EmbedSql.cmake).
#pragma once

#include <string>
#include <vector>

namespace p88::sql {

struct EmbeddedFile {
  const char* path;  // relative to host/, e.g. "store/sql/001_core.sql"
  const char* text;
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace p88::sql
