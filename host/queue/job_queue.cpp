#include "queue/job_queue.h"

#include <stdexcept>

#include "store/store.h"

namespace p88::queue {
namespace {

using store::Dialect;
using store::SqlParams;
using store::SqlValue;

// The database's now, and now plus the seconds in parameter $n, in each dialect's timestamp form.
std::string now(Dialect d) {
  return d == Dialect::postgresql ? "now()" : "strftime('%Y-%m-%d %H:%M:%f', 'now')";
}
std::string nowPlus(Dialect d, int n) {
  const std::string p = "$" + std::to_string(n);
  return d == Dialect::postgresql ? "(now() + make_interval(secs => " + p + "::double precision))"
                                  : "strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || " + p + " || ' seconds')";
}

const char* kJobColumns =
    "sync_queue_id, timing_partner_id, provider_id, partner_provider_credential_id, event_id, "
    "operation_type, sync_mode, priority, retry_count, max_retries, rescue_count, lease_owner";

const char* kQualifiedJobColumns =
    "q.sync_queue_id, q.timing_partner_id, q.provider_id, q.partner_provider_credential_id, q.event_id, "
    "q.operation_type, q.sync_mode, q.priority, q.retry_count, q.max_retries, q.rescue_count, q.lease_owner";

Job jobFrom(const store::SqlRows& r, size_t row = 0) {
  auto i64 = [&](const char* c) { return std::stoll(r.at(row, c).value_or("0")); };
  Job j;
  j.id = i64("sync_queue_id");
  j.timing_partner_id = i64("timing_partner_id");
  j.provider_id = i64("provider_id");
  j.credential_id = i64("partner_provider_credential_id");
  j.event_id = r.at(row, "event_id");
  j.operation = r.at(row, "operation_type").value_or("");
  j.sync_mode = r.at(row, "sync_mode").value_or("");
  j.priority = static_cast<int>(i64("priority"));
  j.retry_count = static_cast<int>(i64("retry_count"));
  j.max_retries = static_cast<int>(i64("max_retries"));
  j.rescue_count = static_cast<int>(i64("rescue_count"));
  j.lease_owner = r.at(row, "lease_owner").value_or("");
  return j;
}

}  // namespace

std::optional<int64_t> JobQueue::insert(const NewJob& j) {
  const Dialect d = store_.dialect();
  auto r = store_.query(
      "INSERT INTO sync_queue (timing_partner_id, provider_id, partner_provider_credential_id, event_id, "
      "operation_type, sync_direction, priority, status, scheduled_time, retry_count, max_retries, payload, "
      "created_at, sync_mode) VALUES ($1, $2, $3, $4, $5, 'pull', $6, 'pending', " +
          (j.scheduled_at ? std::string("$7") : nowPlus(d, 7)) + ", 0, $8, $9, " + now(d) +
          ", $10) ON CONFLICT DO NOTHING RETURNING sync_queue_id",
      {std::to_string(j.timing_partner_id), std::to_string(j.provider_id), std::to_string(j.credential_id),
       j.event_id, j.operation, std::to_string(j.priority),
       j.scheduled_at ? *j.scheduled_at : std::to_string(j.delay_seconds), std::to_string(j.max_retries),
       j.payload, j.sync_mode});
  if (r.empty()) return std::nullopt;
  return std::stoll(r.rows[0][0].value());
}

bool JobQueue::enqueue(const NewJob& j) { return insert(j).has_value(); }

JobQueue::Request JobQueue::expedite(const NewJob& j) {
  const Dialect d = store_.dialect();
  const std::string stream =
      "timing_partner_id = $1 AND provider_id = $2 AND COALESCE(partner_provider_credential_id, 0) = CAST($3 AS INTEGER) AND "
      "COALESCE(event_id, '') = $4 AND operation_type = $5";
  const SqlParams key = {std::to_string(j.timing_partner_id), std::to_string(j.provider_id),
                         std::to_string(j.credential_id), j.event_id.value_or(""), j.operation};
  for (int round = 0; round < 3; ++round) {  // the stream's job may finish between two statements
    NewJob now_job = j;
    now_job.scheduled_at.reset();
    now_job.delay_seconds = 0;
    if (auto id = insert(now_job)) return {*id, false};
    SqlParams p = key;
    p.push_back(std::to_string(j.priority));
    p.push_back(j.sync_mode);
    // A reconciliation asked for makes the queued job one (a full read reads what any other would).
    auto r = store_.query("UPDATE sync_queue SET priority = " +
                              std::string(d == Dialect::postgresql ? "LEAST" : "MIN") +
                              "(priority, CAST($6 AS INTEGER)), scheduled_time = " + now(d) +
                              ", sync_mode = CASE WHEN CAST($7 AS TEXT) = 'reconcile' THEN 'reconcile' ELSE sync_mode END"
                              " WHERE " + stream +
                              " AND status = 'pending' RETURNING sync_queue_id",
                          p);
    if (!r.empty()) return {std::stoll(r.rows[0][0].value()), false};
    r = store_.query("SELECT sync_queue_id FROM sync_queue WHERE " + stream + " AND status = 'running'", key);
    if (!r.empty()) return {std::stoll(r.rows[0][0].value()), true};
  }
  throw std::runtime_error("the queue changed under three requests in a row for " + j.operation +
                           (j.event_id ? " of event " + *j.event_id : std::string()));
}

std::optional<Job> JobQueue::claimJob(int64_t id, const std::string& worker, int lease_seconds) {
  const Dialect d = store_.dialect();
  auto r = store_.query("UPDATE sync_queue SET status = 'running', lease_owner = $1, lease_expires_at = " +
                            nowPlus(d, 2) + ", started_at = " + now(d) +
                            " WHERE sync_queue_id = $3 AND status = 'pending' RETURNING " + kJobColumns,
                        {worker, std::to_string(lease_seconds), std::to_string(id)});
  if (r.empty()) return std::nullopt;
  return jobFrom(r);
}

std::optional<JobQueue::State> JobQueue::state(int64_t id) {
  auto r = store_.query(
      "SELECT status, retry_count, scheduled_time, lease_owner, last_error FROM sync_queue WHERE sync_queue_id = $1",
      {std::to_string(id)});
  if (r.empty()) return std::nullopt;
  State s;
  s.status = r.at(0, "status").value_or("");
  s.retry_count = std::stoi(r.at(0, "retry_count").value_or("0"));
  s.scheduled_time = r.at(0, "scheduled_time");
  s.lease_owner = r.at(0, "lease_owner");
  s.last_error = r.at(0, "last_error");
  return s;
}

size_t JobQueue::purgeFinished(int64_t keep_seconds) {
  const Dialect d = store_.dialect();
  const std::string cutoff = d == Dialect::postgresql
                                 ? "(now() - make_interval(secs => $1::double precision))"
                                 : "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || $1 || ' seconds')";
  return store_
      .query("DELETE FROM sync_queue WHERE status IN ('completed', 'failed') AND completed_at < " + cutoff +
                 " AND EXISTS (SELECT 1 FROM sync_queue n WHERE n.sync_queue_id > sync_queue.sync_queue_id AND "
                 "n.timing_partner_id = sync_queue.timing_partner_id AND n.provider_id = sync_queue.provider_id AND "
                 "COALESCE(n.partner_provider_credential_id, 0) = COALESCE(sync_queue.partner_provider_credential_id, 0) "
                 "AND COALESCE(n.event_id, '') = COALESCE(sync_queue.event_id, '') AND "
                 "n.operation_type = sync_queue.operation_type)",
             {std::to_string(keep_seconds)})
      .affected;
}

std::optional<Job> JobQueue::claim(const std::string& worker, int lease_seconds,
                                   const std::vector<int64_t>& skip_credentials) {
  const Dialect d = store_.dialect();
  std::string skip;
  for (int64_t c : skip_credentials) skip += (skip.empty() ? "" : ", ") + std::to_string(c);
  const std::string due = "status = 'pending' AND scheduled_time <= " + now(d) +
                          (skip.empty() ? "" : " AND partner_provider_credential_id NOT IN (" + skip + ")");
  const std::string order = " ORDER BY priority, scheduled_time, sync_queue_id ";
  const std::string set = "status = 'running', lease_owner = $1, lease_expires_at = " + nowPlus(d, 2) +
                          ", started_at = " + now(d);
  store::SqlRows r;
  if (d == Dialect::postgresql) {
    r = store_.query("WITH c AS (SELECT sync_queue_id FROM sync_queue WHERE " + due + order +
                         "LIMIT 1 FOR UPDATE SKIP LOCKED) UPDATE sync_queue q SET " + set +
                         " FROM c WHERE q.sync_queue_id = c.sync_queue_id RETURNING " + kQualifiedJobColumns,
                     {worker, std::to_string(lease_seconds)});
  } else {
    r = store_.query("UPDATE sync_queue SET " + set + " WHERE sync_queue_id = (SELECT sync_queue_id FROM sync_queue WHERE " +
                         due + order + "LIMIT 1) RETURNING " + kJobColumns,
                     {worker, std::to_string(lease_seconds)});
  }
  if (r.empty()) return std::nullopt;
  return jobFrom(r);
}

std::vector<Job> JobQueue::claimCompanions(const Job& lead, const std::string& worker, int lease_seconds,
                                           const std::vector<std::string>& event_ids, int within_seconds,
                                           size_t limit) {
  std::vector<Job> out;
  if (event_ids.empty() || limit == 0) return out;
  const Dialect d = store_.dialect();
  std::vector<store::SqlValue> params = {worker, std::to_string(lease_seconds), std::to_string(within_seconds),
                                         std::to_string(lead.credential_id), lead.operation,
                                         std::to_string(lead.id), lead.sync_mode};
  std::string in;
  for (const auto& e : event_ids) {
    params.push_back(e);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  const std::string soon = d == Dialect::postgresql
                               ? "(now() + make_interval(secs => $3::double precision))"
                               : "strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || $3 || ' seconds')";
  const std::string pick = "status = 'pending' AND sync_mode = $7 AND scheduled_time <= " + soon +
                           " AND partner_provider_credential_id = $4 AND operation_type = $5 AND sync_queue_id <> $6 "
                           "AND event_id IN (" + in + ") ORDER BY priority, scheduled_time, sync_queue_id LIMIT " +
                           std::to_string(limit);
  const std::string set = "status = 'running', lease_owner = $1, lease_expires_at = " + nowPlus(d, 2) +
                          ", started_at = " + now(d);
  store::SqlRows r;
  if (d == Dialect::postgresql)
    r = store_.query("WITH c AS (SELECT sync_queue_id FROM sync_queue WHERE " + pick +
                         " FOR UPDATE SKIP LOCKED) UPDATE sync_queue q SET " + set +
                         " FROM c WHERE q.sync_queue_id = c.sync_queue_id RETURNING " + kQualifiedJobColumns,
                     params);
  else
    r = store_.query("UPDATE sync_queue SET " + set + " WHERE sync_queue_id IN (SELECT sync_queue_id FROM sync_queue "
                         "WHERE " + pick + ") RETURNING " + kJobColumns,
                     params);
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(jobFrom(r, i));
  return out;
}

bool JobQueue::heartbeat(int64_t job, const std::string& worker, int lease_seconds) {
  return store_
             .query("UPDATE sync_queue SET lease_expires_at = " + nowPlus(store_.dialect(), 3) +
                        " WHERE sync_queue_id = $1 AND lease_owner = $2 AND status = 'running'",
                    {std::to_string(job), worker, std::to_string(lease_seconds)})
             .affected == 1;
}

bool JobQueue::complete(int64_t job, const std::string& worker) {
  return store_
             .query("UPDATE sync_queue SET status = 'completed', completed_at = " + now(store_.dialect()) +
                        ", lease_owner = NULL, lease_expires_at = NULL, last_error = NULL "
                        "WHERE sync_queue_id = $1 AND lease_owner = $2 AND status = 'running'",
                    {std::to_string(job), worker})
             .affected == 1;
}

bool JobQueue::retryLater(int64_t job, const std::string& worker, int delay_seconds, const std::string& error,
                          bool count_attempt) {
  return store_
             .query("UPDATE sync_queue SET status = 'pending', scheduled_time = " + nowPlus(store_.dialect(), 3) +
                        ", retry_count = retry_count + " + (count_attempt ? "1" : "0") +
                        ", last_error = $4, lease_owner = NULL, lease_expires_at = NULL "
                        "WHERE sync_queue_id = $1 AND lease_owner = $2 AND status = 'running'",
                    {std::to_string(job), worker, std::to_string(delay_seconds), error})
             .affected == 1;
}

bool JobQueue::fail(int64_t job, const std::string& worker, const std::string& error) {
  return store_
             .query("UPDATE sync_queue SET status = 'failed', completed_at = " + now(store_.dialect()) +
                        ", last_error = $3, lease_owner = NULL, lease_expires_at = NULL "
                        "WHERE sync_queue_id = $1 AND lease_owner = $2 AND status = 'running'",
                    {std::to_string(job), worker, error})
             .affected == 1;
}

size_t JobQueue::dropPending(int64_t credential_id, const std::string& reason) {
  return store_
      .query("UPDATE sync_queue SET status = 'failed', completed_at = " + now(store_.dialect()) +
                 ", last_error = $2 WHERE status = 'pending' AND partner_provider_credential_id = $1",
             {std::to_string(credential_id), reason})
      .affected;
}

JobQueue::Rescued JobQueue::rescueExpired(int max_rescues) {
  const std::string n = now(store_.dialect());
  Rescued out;
  // A worker that stopped between the run's sync_history row and its completion had finished
  // the job (the records are written before the row): completed, not read a second time. A job
  // runs successfully once; its earlier runs' rows, if any, are failed ones.
  out.completed = store_
                      .query("UPDATE sync_queue SET status = 'completed', completed_at = " + n +
                             ", lease_owner = NULL, lease_expires_at = NULL, last_error = NULL "
                             "WHERE status = 'running' AND lease_expires_at < " + n +
                             " AND EXISTS (SELECT 1 FROM sync_history h WHERE h.sync_queue_id = "
                             "sync_queue.sync_queue_id AND h.status <> 'failed')")
                      .affected;
  // A job that has already cost max_rescues workers is failed, not handed to another one.
  out.failed = store_
                   .query("UPDATE sync_queue SET status = 'failed', completed_at = " + n +
                              ", last_error = 'its worker stopped (lease lapsed) ' || (rescue_count + 1) || "
                              "' times; not retried', lease_owner = NULL, lease_expires_at = NULL "
                              "WHERE status = 'running' AND lease_expires_at < " + n + " AND rescue_count + 1 >= CAST($1 AS INTEGER)",
                          {std::to_string(max_rescues)})
                   .affected;
  // Compare-and-set: only a job still running with a lapsed lease is taken back, once.
  out.requeued = store_
                     .query("UPDATE sync_queue SET status = 'pending', rescue_count = rescue_count + 1, "
                            "scheduled_time = " + n + ", lease_owner = NULL, lease_expires_at = NULL, "
                            "last_error = 'rescued: the worker''s lease lapsed' "
                            "WHERE status = 'running' AND lease_expires_at < " + n)
                     .affected;
  return out;
}

std::map<std::string, int64_t> JobQueue::depthByStatus() {
  std::map<std::string, int64_t> out;
  auto r = store_.query("SELECT status, COUNT(*) AS n FROM sync_queue GROUP BY status");
  for (size_t i = 0; i < r.rows.size(); ++i) out[r.at(i, "status").value_or("")] = std::stoll(r.at(i, "n").value_or("0"));
  return out;
}

}  // namespace p88::queue
