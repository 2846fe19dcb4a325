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
};

struct OperationResult {
  std::string mode;  // "full" when any stream ran full, else "incremental"
  std::vector<std::pair<std::string, StreamResult>> streams;
  StreamResult total;  // sums; status and error of the first failed stream
  double seconds = 0;
  std::string status() const;  // sync_history vocabulary: success, partial, failed
};

OperationResult runOperation(const Operation& op, JobEnvironment& env);

}  // namespace p88::sync
