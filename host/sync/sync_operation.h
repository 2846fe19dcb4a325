// One sync operation, as the queue knows it: "events" (discovery: the plugin's account-scoped
// streams) or "participants" of one event (its event-scoped streams, e.g. participants and
// removed_participants). Chooses full or incremental per stream from the saved cursor, runs the
// streams, and writes one sync_history row.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sync/stream_runner.h"

namespace p88::store {
class Store;
}

namespace p88::sync {

struct EventRef {
  std::string provider_event_id;
  std::optional<std::string> provider_race_id, name, start_time;
};

struct Operation {
  const p88_plugin_descriptor* plugin = nullptr;
  const Credential* credential = nullptr;
  std::string operation;            // "events" or "participants"
  std::optional<EventRef> event;    // for "participants"
  bool force_full = false;          // a reconciliation: read everything
  std::string reason = "manual";
  std::optional<int64_t> sync_queue_id;
  // A coalesced operation ("participants", incremental): more events of the credential, each
  // with its own queue job. Streams the plugin coalesces (ABI 1.2) run once for a group of them,
  // the others event by event; every event gets its own sync_history row.
  std::vector<EventRef> more_events;
  std::vector<std::optional<int64_t>> more_queue_ids;  // aligned with more_events
};

struct OperationResult {
  std::string mode;  // "full" when any stream ran full, else "incremental"
  std::vector<std::pair<std::string, StreamResult>> streams;
  StreamResult total;  // sums; status and error of the first failed stream
  double seconds = 0;
  std::string status() const;  // sync_history vocabulary: success, partial, failed
  // A coalesced operation: each event's own result (its share of the calls of the requests it
  // was served by), in the order of the operation's events; `total` sums them.
  std::string event_id;
  std::vector<OperationResult> per_event;
};

// The coalescing an ABI 1.2 plugin declares for `stream`, or nullptr.
const p88_coalescing* coalescingOf(const p88_plugin_descriptor* plugin, const std::string& stream);

OperationResult runOperation(const Operation& op, JobEnvironment& env);

// What identifies a sync_history row's stream, for a job that failed before its operation could
// start (no plugin, a credential that cannot be opened, an event nobody discovered).
struct HistoryKey {
  int64_t timing_partner_id = 0, provider_id = 0, credential_id = 0;
  std::optional<std::string> event_id;
  std::string operation, reason;
  std::optional<int64_t> sync_queue_id;
};
// Writes that job's one sync_history row: failed, with status and error in error_details.
void recordFailureBeforeStart(store::Store& store, const HistoryKey& key, int32_t status, const std::string& error);

// The newest sync_history row of queue job `job` after row `after` (0: any), read back as the
// result runOperation returned (streams are summed); nullopt when there is none yet.
std::optional<OperationResult> jobResult(store::Store& store, int64_t job, int64_t after);
// The newest sync_history_id (0 when the table is empty).
int64_t lastHistoryId(store::Store& store);

}  // namespace p88::sync
