// Measures the store's batch writer: participants per second for a first write (inserts), a
// replay of the same pages (unchanged) and a write where every record changed (updates), on
// SQLite and, when PGHOST/PGPORT/PGUSER are set (scripts/with-postgres.sh), on PostgreSQL.
// Usage: p88_store_write_bench [participants=100000] [batch=1000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/store.h"

using namespace p88::store;
using Clock = std::chrono::steady_clock;

namespace {

ParticipantRecord participant(int i, const std::string& bib) {
  ParticipantRecord p;
  p.provider_participant_id = std::to_string(1000000 + i);
  p.provider_event_id = std::to_string(100 + i / 5000);
  p.first_name = "Runner";
  p.last_name = "Number " + std::to_string(i);
  p.email = "runner" + std::to_string(i) + "@example.com";
  p.phone = "555-01" + std::to_string(i % 100);
  p.date_of_birth = "1990-04-02";
  p.gender = i % 2 ? "F" : "M";
  p.age = 20 + i % 50;
  p.bib = bib;
  p.registration_date = "2026-03-01T12:00:00Z";
  p.amount_paid_minor = 5775;
  p.currency = "USD";
  p.city = "Hartford";
  p.state = "CT";
  p.address_json = R"({"street":"1 Main St","city":"Hartford","state":"CT","zipcode":"06103"})";
  p.answers_json = R"([{"question":"T-shirt","answer":"M"}])";
  p.raw_json = R"({"registration_id":)" + p.provider_participant_id +
               R"(,"user":{"first_name":"Runner","last_name":"Number"},"bib_num":")" + bib + R"("})";
  return p;
}

double pass(Store& store, int total, int batch_size, const char* bib_prefix, WriteResult& sum) {
  auto start = Clock::now();
  for (int first = 0; first < total; first += batch_size) {
    Batch b;
    b.key = {1, 2, 0, "participants", "100"};
    for (int i = first; i < std::min(total, first + batch_size); ++i)
      b.participants.push_back(participant(i, bib_prefix + std::to_string(i)));
    b.cursor = std::to_string(first);
    WriteResult r = store.writeBatch(std::move(b));
    sum.inserted += r.inserted;
    sum.updated += r.updated;
    sum.unchanged += r.unchanged;
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void run(const char* label, Store& store, int total, int batch) {
  store.migrate();
  store.query("INSERT INTO timing_partners (timing_partner_id, company_name) VALUES (1, 'Bench')");
  const char* names[] = {"insert", "unchanged replay", "update"};
  const char* bibs[] = {"A", "A", "B"};
  for (int k = 0; k < 3; ++k) {
    WriteResult sum;
    double s = pass(store, total, batch, bibs[k], sum);
    std::printf("%-10s %-17s %7d rows in %6.2f s = %9.0f rows/s (inserted %zu, updated %zu, unchanged %zu)\n",
                label, names[k], total, s, total / s, sum.inserted, sum.updated, sum.unchanged);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int total = argc > 1 ? std::atoi(argv[1]) : 100000;
  int batch = argc > 2 ? std::atoi(argv[2]) : 1000;
  std::printf("participants=%d batch=%d\n", total, batch);
  {
    std::string path = (std::filesystem::temp_directory_path() / "p88-bench.db").string();
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    Store sqlite(openSqlite(path));
    run("SQLite", sqlite, total, batch);
  }
  if (std::getenv("PGHOST")) {
    PostgresParams admin{std::getenv("PGHOST"), std::getenv("PGPORT") ? std::getenv("PGPORT") : "",
                         "postgres", std::getenv("PGUSER") ? std::getenv("PGUSER") : "", "", 10, "p88-bench"};
    auto conn = connectPostgres(admin);
    conn->script("DROP DATABASE IF EXISTS p88_bench");
    conn->script("CREATE DATABASE p88_bench");
    PostgresParams p = admin;
    p.dbname = "p88_bench";
    {
      Store pg(connectPostgres(p));
      run("PostgreSQL", pg, total, batch);
    }
    conn->script("DROP DATABASE p88_bench");
  }
  return 0;
}
