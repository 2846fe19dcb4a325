// Runs one stream of one plugin for one credential (and event): builds the job context the
// plugin sees through p88_host_api (HTTP session, token cache, record sink, cursor), calls the
// plugin's sync(), and writes what it emits in batches, each with its cursor in one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "p88/plugin.h"
#include "store/sql_connection.h"

namespace p88::store {
class Store;
}
namespace p88::http {
class Session;
}

namespace p88::sync {

class TokenCache;

// A row of partner_provider_credentials, secret in clear (never logged).
struct Credential {
  int64_t id = 0;
  int64_t timing_partner_id = 0;
  int64_t provider_id = 0;
  std::string principal;
  std::optional<std::string> secret;
  std::optional<std::string> additional_config;  // JSON object text
};

struct StreamRun {
  const p88_plugin_descriptor* plugin = nullptr;
  const Credential* credential = nullptr;
  std::string stream;
  uint32_t mode = P88_MODE_FULL;
  std::optional<std::string> cursor;   // handed to the plugin on incremental runs
  std::string provider_event_id;       // "" for account-scoped streams
  std::optional<std::string> provider_race_id;
  std::optional<std::string> event_name;
  // A coalesced run (ABI 1.2, incremental only): the events it covers, the first being the one
  // above, each with its own cursor and its own batches and checkpoints. Empty otherwise.
  struct Target {
    std::string provider_event_id;
    std::optional<std::string> provider_race_id, event_name, cursor;
  };
  std::vector<Target> targets;
};

struct StreamResult {
  int32_t status = P88_OK;
  std::string error;             // redacted
  int64_t retry_after_seconds = 0;
  size_t emitted = 0;            // records the plugin handed over
  size_t inserted = 0, updated = 0, unchanged = 0;
  size_t status_changes = 0;     // cancelled/removed/transferred records inserted or changed
  size_t rejected = 0;           // refused by validation or the database
  size_t skipped = 0;            // reported by the plugin (record_error)
  std::vector<std::string> problems;  // the first few rejections and record errors
  int64_t api_calls = 0;
  // Of api_calls, those spent on registration details (after the plugin asked pending_details())
  // and the details handed to the plugin for fetching.
  int64_t detail_calls = 0;
  size_t details_asked = 0;
  bool checkpointed = false;
  std::optional<std::string> cursor;  // the last committed cursor
  // The run failed because the database did (not the provider, not a record): what kind of
  // fault. Nothing after the last committed checkpoint was kept; the job is to be retried.
  std::optional<store::SqlErrorKind> database_fault;
  size_t unidentified = 0;       // rows the plugin reported without a usable id
  size_t vanished = 0;           // registrations a completed full read marked removed (vanished)
  bool vanish_guarded = false;   // ... or would have, had there not been too many
  bool ok() const { return status == P88_OK; }
};

struct JobEnvironment {
  store::Store* store = nullptr;
  http::Session* session = nullptr;
  TokenCache* tokens = nullptr;
  std::function<int64_t()> now_ms;       // default: the system clock
  std::function<bool()> cancelled;       // default: never
  std::function<void(const StreamResult&)> progress;  // after each written batch
  std::function<bool()> before_request;  // before each HTTP call (rate limit, lease); false: cancel
  size_t batch_size = 1000;
  // The job's deadline (steady clock, nanoseconds since its epoch; 0: none): no call starts after
  // it and a call in flight is abandoned at it. worker.job_deadline.
  int64_t deadline = 0;
  std::string deadline_setting;          // what set it, for the error ("worker.job_deadline = 3600 s")
  // A stream run that asks for more pages than this is stopped (sync.max_pages).
  size_t max_requests = 10000;
  // When set: the ids of the participants each event of the run returned (full reads, which
  // reconcile what is stored against them), by provider_event_id.
  std::map<std::string, std::unordered_set<std::string>>* seen = nullptr;
  // How many of `wanted` pending registration details this run may fetch now (ABI 1.2
  // pending_details; the engine's spare budget, engine/detail_budget.h). Unset: all of them.
  std::function<size_t(size_t wanted)> detail_allowance;
  size_t details_max_per_run = 100000;  // details.max_per_run
  // A full read marks no more than this share of an event vanished (reconcile.max_vanished_share).
  double max_vanished_share = 0.2;
  std::string label;                     // "RunSignUp partner=1 credential=3": for log lines
};

// `by_event`, for a coalesced run: each event's counts and checkpoint (api_calls stay in the
// total: one request served them all).
StreamResult runStream(const StreamRun& run, JobEnvironment& env,
                       std::map<std::string, StreamResult>* by_event = nullptr);

// Adds r's counts to total; total takes the status and error of the first failure.
void accumulate(StreamResult& total, const StreamResult& r);

// "ok", "auth", "transient", ...
const char* statusName(int32_t status);

}  // namespace p88::sync
