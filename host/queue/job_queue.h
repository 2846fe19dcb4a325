// The sync queue (table sync_queue), shared by every engine and worker of every host through the
// database: atomic enqueueing (one active job per stream, by a partial unique index and
// ON CONFLICT DO NOTHING, never check-then-insert), claiming with leases (PostgreSQL: FOR UPDATE
// SKIP LOCKED in a CTE; SQLite: one UPDATE ... RETURNING), heartbeats, retries, and the rescue of
// jobs whose worker vanished (a compare-and-set on the lapsed lease). Times are the database's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace p88::store {
class Store;
}

namespace p88::queue {

struct NewJob {
  int64_t timing_partner_id = 0;
  int64_t provider_id = 0;
  int64_t credential_id = 0;
  std::optional<std::string> event_id;  // for "participants"
  std::string operation;                // "events" or "participants"
  std::string sync_mode;                // "full", "incremental" or "reconcile"
  int priority = 5;                     // smaller first (engine::priorityFor)
  int delay_seconds = 0;                // scheduled this far after the database's now ...
  std::optional<std::string> scheduled_at;  // ... or at this UTC time ("YYYY-MM-DD HH:MM:SS")
  int max_retries = 3;
  std::optional<std::string> payload;   // JSON
};

struct Job {
  int64_t id = 0;
  int64_t timing_partner_id = 0, provider_id = 0, credential_id = 0;
  std::optional<std::string> event_id;
  std::string operation, sync_mode;
  int priority = 0, retry_count = 0, max_retries = 0, rescue_count = 0;
  std::string lease_owner;
};

class JobQueue {
 public:
  explicit JobQueue(store::Store& store) : store_(store) {}

  // False when the stream already has a pending or running job.
  bool enqueue(const NewJob& job);

  // A manual request for the stream of `job`: a new job, or the stream's pending job moved to the
  // front (its priority lowered to job.priority, due now). `running` when the stream's job is
  // already running: wait for it to end and ask again.
  struct Request {
    int64_t id = 0;
    bool running = false;
  };
  Request expedite(const NewJob& job);

  // Claims job `id` if it is pending, due or not (the manual sync runs its own request at once);
  // nullopt when it is running elsewhere or finished.
  std::optional<Job> claimJob(int64_t id, const std::string& worker, int lease_seconds);

  struct State {
    std::string status;  // pending, running, completed, failed
    int retry_count = 0;
    std::optional<std::string> scheduled_time, lease_owner, last_error;
  };
  std::optional<State> state(int64_t id);
  // The most urgent due job, now leased to `worker` for lease_seconds; nullopt when none is due.
  // Jobs of the credentials in `skip_credentials` (no rate budget left) are left for later.
  std::optional<Job> claim(const std::string& worker, int lease_seconds,
                           const std::vector<int64_t>& skip_credentials = {});
  // For a coalesced run led by `lead` (held by `worker`): claims up to `limit` more pending
  // jobs of its credential, operation and sync mode whose events are among `event_ids` and that
  // are due within `within_seconds`, most urgent first, leased like the lead.
  std::vector<Job> claimCompanions(const Job& lead, const std::string& worker, int lease_seconds,
                                   const std::vector<std::string>& event_ids, int within_seconds, size_t limit);
  // Extends the lease; false when the worker no longer holds it (rescued, finished elsewhere).
  bool heartbeat(int64_t job, const std::string& worker, int lease_seconds);
  // These end the worker's hold; each is false when the worker had lost the lease.
  bool complete(int64_t job, const std::string& worker);
  // Back to pending after delay_seconds; counts an attempt unless the provider throttled.
  bool retryLater(int64_t job, const std::string& worker, int delay_seconds, const std::string& error,
                  bool count_attempt);
  bool fail(int64_t job, const std::string& worker, const std::string& error);

  // Fails every pending job of the credential with `reason` (it was disabled); how many.
  size_t dropPending(int64_t credential_id, const std::string& reason);

  struct Rescued {
    size_t requeued = 0;
    size_t failed = 0;     // had already been rescued max_rescues times: a job that kills workers
    size_t completed = 0;  // its worker stopped after the run's sync_history row said it succeeded
  };
  Rescued rescueExpired(int max_rescues);

  // Deletes completed and failed jobs that finished more than keep_seconds ago, except each
  // stream's newest job (the engine schedules from it); returns how many went.
  size_t purgeFinished(int64_t keep_seconds);

  // Queue depth by status (the seed's first monitoring query, summed).
  std::map<std::string, int64_t> depthByStatus();

 private:
  // The new job's id; nullopt when the stream already has a pending or running job.
  std::optional<int64_t> insert(const NewJob& job);
  store::Store& store_;
};

}  // namespace p88::queue
