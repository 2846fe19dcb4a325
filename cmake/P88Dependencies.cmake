# Every dependency comes from Debian's packages through find_package; nothing is downloaded.

# Debian's Poco 1.11 names PostgreSQL::client in PocoDataPostgreSQL's link interface but never
# defines it (pocoproject/poco#3036, fixed upstream in 1.14). Define it from CMake's own module.
find_package(PostgreSQL REQUIRED)
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client INTERFACE IMPORTED)
  set_target_properties(PostgreSQL::client PROPERTIES INTERFACE_LINK_LIBRARIES PostgreSQL::PostgreSQL)
endif()

find_package(Poco 1.11 REQUIRED COMPONENTS Foundation Util Net NetSSL Crypto JWT Data DataSQLite DataPostgreSQL)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(date REQUIRED)
find_package(Threads REQUIRED)

# libsystemd: sd_notify (Type=notify, the watchdog) and the journal.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# prometheus-cpp (Debian's prometheus-cpp-dev): the metrics registry and the text exposition format.
find_package(prometheus-cpp REQUIRED COMPONENTS core)  # Debian 12: 1.0.1, no version file
