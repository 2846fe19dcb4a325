#include "sync/stream_runner.h"

#include <algorithm>
#include <chrono>
#include <list>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "crypto/credential_secrets.h"
#include "http/http_session.h"
#include "logging/logging.h"
#include "store/record_validation.h"
#include "store/store.h"
#include "sync/token_cache.h"

namespace p88::sync {
namespace {

constexpr size_t kMaxProblems = 20;

std::optional<std::string> text(const char* s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}
std::optional<int64_t> integer(int64_t v) {
  return v == P88_NULL_INT ? std::nullopt : std::optional<int64_t>(v);
}

// Every secret string value in the credential's additional_config.
void registerConfigSecrets(const std::optional<std::string>& config) {
  if (!config) return;
  auto j = nlohmann::json::parse(*config, nullptr, false);
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string() && crypto::isSecretKeyName(it.key())) logging::addSecret(it->get<std::string>());
}

struct OwnedResponse {
  p88_http_response c{};
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<p88_header> c_headers;
};

}  // namespace
}  // namespace p88::sync

// The job handle a plugin holds: everything one stream run needs, on the stack of runStream().
struct p88_job {
  const p88::sync::StreamRun* run = nullptr;
  p88::sync::JobEnvironment* env = nullptr;
  p88::sync::StreamResult result;
  p88_credential credential{};
  std::string last_error;
  std::list<p88::sync::OwnedResponse> responses;
  p88::store::Batch batch;
  std::string token;                 // what get_token() last handed out
  std::optional<std::string> new_token;
  int64_t new_token_ttl = 0;
  bool in_authenticate = false;
  std::optional<std::string> previous_token;
  std::string database_error;  // why the database failed this run (see databaseFault)
  size_t requests = 0;          // HTTP calls the plugin asked for in this run
  std::unordered_set<size_t> answered;  // hashes of the requests answered 2xx in this run
  std::optional<int64_t> detail_calls_from;  // api_calls when the plugin first asked pending_details()
  // A coalesced run: a batch per event (the records of each are written under its own stream
  // key and committed with its own cursor), and each event's counts.
  std::map<std::string, p88::store::Batch> event_batches;
  std::map<std::string, p88::sync::StreamResult> event_results;
  bool coalesced() const { return !event_batches.empty(); }
  size_t buffered() const {
    size_t n = batch.events.size() + batch.participants.size();
    for (const auto& [id, b] : event_batches) n += b.events.size() + b.participants.size();
    return n;
  }
};

namespace p88::sync {
namespace {

void addProblem(p88_job* job, const std::string& problem) {
  if (job->result.problems.size() < kMaxProblems) job->result.problems.push_back(logging::redact(problem));
}

void log(p88_job* job, logging::Level level, const std::string& message) {
  logging::write(logging::Component::worker, level, job->env->label + " " + message);
}

// A field the host mended (store::FieldRepair) is reported like a plugin's record error.
void reportRepair(p88_job* job, const std::string& record_id, const std::string& what) {
  ++job->result.skipped;
  const std::string line = "record " + record_id + " field " + what;
  addProblem(job, line);
  log(job, logging::Level::warning, line);
}

int32_t fail(p88_job* job, int32_t status, const std::string& message) {
  job->last_error = logging::redact(message);
  return status;
}

// The database failed a write: the run stops writing (what it buffers is dropped, the cursor
// stays at the last committed checkpoint) and ends as a database fault, to be retried.
int32_t databaseFault(p88_job* job, store::SqlErrorKind kind, const std::string& what) {
  if (!job->result.database_fault) {
    job->result.database_fault = kind;
    job->database_error = logging::redact("database " + std::string(store::sqlErrorKindName(kind)) +
                                          " fault while " + what);
  }
  job->batch.events.clear();
  job->batch.participants.clear();
  for (auto& [id, b] : job->event_batches) {
    b.events.clear();
    b.participants.clear();
  }
  job->last_error = job->database_error;
  return P88_ERR_TRANSIENT;
}

// Writes one buffered batch, with the cursor when given; P88_OK, or the status of what stopped
// it (a database fault, or the job was cancelled: a job that may have lost its lease writes
// nothing). `event` (a coalesced run) also gets the counts.
int32_t flushBatch(p88_job* job, store::Batch& pending, const std::optional<std::string>& cursor, const char* what,
                   StreamResult* event) {
  if (job->result.database_fault) return P88_ERR_TRANSIENT;
  if (pending.events.empty() && pending.participants.empty() && !cursor) return P88_OK;
  if (job->env->cancelled && job->env->cancelled()) {
    pending.events.clear();
    pending.participants.clear();
    return fail(job, P88_ERR_CANCELLED, std::string("cancelled by the host before ") + what);
  }
  const store::StreamKey key = pending.key;
  store::Batch batch = std::move(pending);
  pending = store::Batch{};
  pending.key = key;
  batch.cursor = cursor;
  store::WriteResult w;
  try {
    w = job->env->store->writeBatch(std::move(batch));
  } catch (const store::SqlError& e) {
    return databaseFault(job, e.kind(), std::string(what) + ": " + e.what());
  } catch (const std::exception& e) {
    return databaseFault(job, store::SqlErrorKind::resource, std::string(what) + ": " + e.what());
  }
  for (StreamResult* r : {&job->result, event}) {
    if (r == nullptr) continue;
    r->inserted += w.inserted;
    r->updated += w.updated;
    r->unchanged += w.unchanged;
    r->status_changes += w.status_changes;
    r->rejected += w.rejected.size();
    if (cursor) {
      r->checkpointed = true;
      r->cursor = cursor;
    }
  }
  for (const auto& rej : w.rejected) {
    addProblem(job, "record " + rej.record_id + " refused: " + rej.reason);
    log(job, logging::Level::warning, "record refused id=" + rej.record_id + " reason=" + rej.reason);
  }
  for (const auto& fix : w.repaired) reportRepair(job, fix.record_id, fix.reason);
  if (job->env->progress) job->env->progress(job->result);
  return P88_OK;
}

// Writes everything buffered (every event's batch in a coalesced run), with the cursor when
// given (never in a coalesced run: each event has its own).
int32_t flush(p88_job* job, const std::optional<std::string>& cursor, const char* what) {
  if (!job->coalesced()) return flushBatch(job, job->batch, cursor, what, nullptr);
  int32_t rc = flushBatch(job, job->batch, std::nullopt, what, nullptr);
  for (auto& [id, b] : job->event_batches)
    if (rc == P88_OK) rc = flushBatch(job, b, std::nullopt, what, &job->event_results[id]);
  return rc;
}

int32_t hostHttp(p88_job* job, const p88_http_request* request, const p88_http_response** response) {
  if (request == nullptr || response == nullptr || request->url == nullptr)
    return fail(job, P88_ERR_INVALID, "http(): request, url and response are required");
  if (job->env->cancelled && job->env->cancelled()) return fail(job, P88_ERR_CANCELLED, "cancelled by the host");
  if (job->env->before_request && !job->env->before_request())
    return fail(job, P88_ERR_CANCELLED, "cancelled by the host while waiting for the rate limit");
  if (job->env->deadline > 0 && std::chrono::steady_clock::now().time_since_epoch().count() >= job->env->deadline)
    return fail(job, P88_ERR_TRANSIENT, "the job ran past its deadline (" + job->env->deadline_setting + ")");
  // A plugin whose paging never ends, or goes round in a circle, is stopped: a page asked for
  // again after a successful answer is a cursor that repeats.
  if (++job->requests > job->env->max_requests)
    return fail(job, P88_ERR_INVALID,
                "stopped after " + std::to_string(job->env->max_requests) + " requests in one run of stream " +
                    job->run->stream + " (sync.max_pages): the provider's paging did not end");
  http::Request req;
  req.method = request->method ? request->method : "GET";
  req.url = request->url;
  for (size_t i = 0; i < request->header_count; ++i)
    if (request->headers[i].name && request->headers[i].value)
      req.headers.emplace_back(request->headers[i].name, request->headers[i].value);
  if (request->body) req.body.assign(request->body, request->body_length);
  const std::string request_key = req.method + " " + req.url + "\n" + req.body;
  const size_t request_hash = std::hash<std::string>{}(request_key);
  if (job->answered.count(request_hash))
    return fail(job, P88_ERR_INVALID,
                "the plugin asked again for a page it already had (" + req.method + " " +
                    http::describeUrl(http::resolveUrl(job->env->session->baseUrl(), req.url)) +
                    "): a page cursor that repeats; stopped instead of reading in a circle");
  const int64_t before = job->env->session->calls();
  try {
    http::Response resp = job->env->session->send(req, job->env->cancelled, job->env->deadline);
    if (resp.status >= 200 && resp.status < 300) job->answered.insert(request_hash);
    job->result.api_calls += job->env->session->calls() - before;
    // Stopped while the call was in flight (Ctrl-C, the end of a shutdown's grace): nothing more
    // of this run is written; the job goes back to the queue.
    if (job->env->cancelled && job->env->cancelled())
      return fail(job, P88_ERR_CANCELLED, "cancelled by the host while a call was in flight");
    log(job, logging::Level::debug,
        req.method + " " + http::describeUrl(http::resolveUrl(job->env->session->baseUrl(), req.url)) +
            " -> " + std::to_string(resp.status) + " (" + std::to_string(resp.body.size()) + " bytes)");
    auto& owned = job->responses.emplace_back();
    owned.body = std::move(resp.body);
    owned.headers = std::move(resp.headers);
    for (const auto& h : owned.headers) owned.c_headers.push_back({h.first.c_str(), h.second.c_str()});
    owned.c.struct_size = sizeof owned.c;
    owned.c.status = resp.status;
    owned.c.body = owned.body.c_str();
    owned.c.body_length = owned.body.size();
    owned.c.headers = owned.c_headers.data();
    owned.c.header_count = owned.c_headers.size();
    *response = &owned.c;
    return P88_OK;
  } catch (const http::TransportError& e) {
    job->result.api_calls += job->env->session->calls() - before;
    const bool cancelled = e.why() == http::TransportError::Why::cancelled ||
                           (job->env->cancelled && job->env->cancelled());
    std::string why = e.what();
    if (e.why() == http::TransportError::Why::refused) return fail(job, P88_ERR_INVALID, why);
    if (e.why() == http::TransportError::Why::deadline && !job->env->deadline_setting.empty())
      why += " (the job's: " + job->env->deadline_setting + ")";
    return fail(job, cancelled ? P88_ERR_CANCELLED : P88_ERR_TRANSIENT, why);
  }
}

void hostHttpRelease(p88_job* job, const p88_http_response* response) {
  job->responses.remove_if([&](const OwnedResponse& r) { return &r.c == response; });
}

const char* hostLastError(p88_job* job) { return job->last_error.c_str(); }

void hostLog(p88_job* job, int32_t level, const char* message) {
  if (message == nullptr) return;
  logging::Level l = level <= P88_LOG_DEBUG     ? logging::Level::debug
                     : level == P88_LOG_INFO    ? logging::Level::information
                     : level == P88_LOG_WARNING ? logging::Level::warning
                                                : logging::Level::error;
  log(job, l, message);
}

int32_t refuse(p88_job* job, const std::string& id, const std::string& reason) {
  ++job->result.rejected;
  addProblem(job, "record " + id + " refused: " + reason);
  log(job, logging::Level::warning, "record refused id=" + id + " reason=" + reason);
  return fail(job, P88_ERR_INVALID, "record " + id + " refused: " + reason);
}

// Validates a record and buffers it, writing the buffer when it is full.
const std::string& recordId(const store::EventRecord& r) { return r.provider_event_id; }
const std::string& recordId(const store::ParticipantRecord& r) { return r.provider_participant_id; }

template <typename Record>
int32_t accept(p88_job* job, Record record, std::vector<Record>& buffer) {
  std::vector<store::FieldRepair> repairs;
  if (auto why = store::prepareRecord(record, &repairs)) return refuse(job, recordId(record), *why);
  for (const auto& f : repairs) reportRepair(job, recordId(record), f.field + ": " + f.message);
  if (job->result.database_fault) return fail(job, P88_ERR_TRANSIENT, job->database_error);
  record.prepared = true;
  buffer.push_back(std::move(record));
  if (job->buffered() < job->env->batch_size) return P88_OK;
  return flush(job, std::nullopt, "writing a batch");
}

int32_t hostEmitEvent(p88_job* job, const p88_event_record* r) {
  if (r == nullptr || r->struct_size < offsetof(p88_event_record, raw_json) + sizeof(void*))
    return fail(job, P88_ERR_INVALID, "emit_event(): record missing or struct_size too small");
  ++job->result.emitted;
  store::EventRecord e;
  e.provider_event_id = r->provider_event_id ? r->provider_event_id : "";
  e.provider_race_id = text(r->provider_race_id);
  e.name = text(r->name);
  e.race_name = text(r->race_name);
  e.description = text(r->description);
  e.start_time = text(r->start_time);
  e.end_time = text(r->end_time);
  e.time_zone = text(r->time_zone);
  e.location_name = text(r->location_name);
  e.city = text(r->city);
  e.state = text(r->state);
  e.country = text(r->country);
  e.event_type = text(r->event_type);
  e.distance = text(r->distance);
  e.registration_opens = text(r->registration_opens);
  e.registration_closes = text(r->registration_closes);
  e.status = text(r->status);
  e.last_modified = text(r->last_modified);
  e.raw_json = r->raw_json ? r->raw_json : "";
  return accept(job, std::move(e), job->batch.events);
}

int32_t hostEmitParticipant(p88_job* job, const p88_participant_record* r) {
  if (r == nullptr || r->struct_size < offsetof(p88_participant_record, flags) + sizeof(uint32_t))
    return fail(job, P88_ERR_INVALID, "emit_participant(): record missing or struct_size too small");
  ++job->result.emitted;
  store::ParticipantRecord p;
  p.provider_participant_id = r->provider_participant_id ? r->provider_participant_id : "";
  p.provider_event_id = r->provider_event_id ? r->provider_event_id : "";
  p.provider_person_id = text(r->provider_person_id);
  p.first_name = text(r->first_name);
  p.middle_name = text(r->middle_name);
  p.last_name = text(r->last_name);
  p.email = text(r->email);
  p.phone = text(r->phone);
  p.date_of_birth = text(r->date_of_birth);
  p.gender = text(r->gender);
  p.gender_raw = text(r->gender_raw);
  p.age = integer(r->age);
  p.bib = text(r->bib);
  p.chip = text(r->chip);
  p.team_name = text(r->team_name);
  p.division = text(r->division);
  p.registration_date = text(r->registration_date);
  p.status = r->status ? r->status : "active";
  p.new_registration_id = text(r->new_registration_id);
  p.amount_paid_minor = integer(r->amount_paid_minor);
  p.currency = text(r->currency);
  p.city = text(r->city);
  p.state = text(r->state);
  p.country = text(r->country);
  p.address_json = text(r->address_json);
  p.emergency_contact_json = text(r->emergency_contact_json);
  p.answers_json = text(r->answers_json);
  p.last_modified = text(r->last_modified);
  p.raw_json = r->raw_json ? r->raw_json : "";
  p.status_only = (r->flags & P88_RECORD_STATUS_ONLY) != 0;
  p.summary = !p.status_only && (r->flags & P88_RECORD_SUMMARY) != 0;
  // A registration without any name (and, for a plugin that says so, without a status) is most
  // likely a row whose fields the provider renamed: stored, and said.
  if (!p.status_only && !p.first_name && !p.middle_name && !p.last_name)
    reportRepair(job, p.provider_participant_id.empty() ? "?" : p.provider_participant_id,
                 std::string(r->status ? "names" : "status and names") +
                     ": none at all; stored, but the provider's fields may have changed");
  // Returned by the provider, even if refused below: not vanished.
  if (job->env->seen && !p.provider_participant_id.empty() &&
      (p.provider_event_id == job->run->provider_event_id || job->event_batches.count(p.provider_event_id)))
    (*job->env->seen)[p.provider_event_id].insert(p.provider_participant_id);
  if (job->coalesced()) {  // each event's records go to its own batch
    auto batch = job->event_batches.find(p.provider_event_id);
    if (batch == job->event_batches.end())
      return refuse(job, p.provider_participant_id,
                    "of event " + p.provider_event_id + ", which this coalesced run did not ask for");
    ++job->event_results[p.provider_event_id].emitted;
    return accept(job, std::move(p), batch->second.participants);
  }
  return accept(job, std::move(p), job->batch.participants);
}

void hostRecordError(p88_job* job, const char* record_id, const char* field, const char* message) {
  ++job->result.skipped;
  // A row without a usable id ("?", "event ?"): it may be one we hold, so vanished
  // registrations cannot be told apart in this read.
  const std::string id = record_id ? record_id : "";
  if (id.empty() || id.back() == '?') ++job->result.unidentified;
  std::string line = std::string("record ") + (record_id ? record_id : "?") + " field " +
                     (field ? field : "?") + ": " + (message ? message : "");
  addProblem(job, line);
  log(job, logging::Level::warning, line);
}

int32_t hostCheckpoint(p88_job* job, const char* cursor) {
  if (job->coalesced())
    return fail(job, P88_ERR_INVALID, "checkpoint() in a coalesced run: each event is committed with checkpoint_event()");
  return flush(job, std::string(cursor ? cursor : ""), "committing a checkpoint");
}

int32_t hostCheckpointEvent(p88_job* job, const char* provider_event_id, const char* cursor) {
  const std::string id = provider_event_id ? provider_event_id : "";
  if (!job->coalesced()) {
    if (id != job->run->provider_event_id)
      return fail(job, P88_ERR_INVALID, "checkpoint_event() for event '" + id + "' in a run of event '" +
                                            job->run->provider_event_id + "'");
    return flush(job, std::string(cursor ? cursor : ""), "committing a checkpoint");
  }
  auto batch = job->event_batches.find(id);
  if (batch == job->event_batches.end())
    return fail(job, P88_ERR_INVALID, "checkpoint_event() for event '" + id + "', which this coalesced run did not ask for");
  return flushBatch(job, batch->second, std::string(cursor ? cursor : ""), "committing a checkpoint",
                    &job->event_results[id]);
}

int32_t hostPendingDetails(p88_job* job, void (*visit)(void*, const char*, const char*), void* user) {
  if (visit == nullptr) return fail(job, P88_ERR_INVALID, "pending_details(): visit is required");
  if (job->coalesced() || job->run->provider_event_id.empty())
    return fail(job, P88_ERR_INVALID, "pending_details() outside a run of one event's stream");
  // What the plugin stored so far (its summaries) is committed first, so it is counted.
  if (int32_t rc = flush(job, std::nullopt, "writing before pending_details()"); rc != P88_OK) return rc;
  if (!job->detail_calls_from) job->detail_calls_from = job->result.api_calls;
  // The allowance is asked for what is pending (up to details.max_per_run), so no call of it is
  // taken for nothing; then that many registrations are read, most in need first.
  std::vector<store::Store::PendingDetail> pending;
  size_t wanted = 0;
  size_t allowed = 0;
  try {
    wanted = std::min(job->env->store->countPendingDetails(job->batch.key), job->env->details_max_per_run);
    allowed = job->env->detail_allowance ? std::min(wanted, job->env->detail_allowance(wanted)) : wanted;
    pending = job->env->store->pendingDetails(job->batch.key, allowed);
  } catch (const store::SqlError& e) {
    return databaseFault(job, e.kind(), std::string("reading the pending registration details: ") + e.what());
  }
  job->result.details_asked += pending.size();
  if (wanted > 0)
    log(job, logging::Level::debug,
        "registration details: " + std::to_string(pending.size()) + " of " + std::to_string(wanted) +
            (wanted == job->env->details_max_per_run ? " or more" : "") + " pending handed to the plugin" +
            (allowed < wanted ? " (the rest wait for spare budget)" : ""));
  for (const auto& d : pending) visit(user, d.provider_participant_id.c_str(), d.raw_json.c_str());
  return P88_OK;
}

int32_t hostIsCancelled(p88_job* job) { return job->env->cancelled && job->env->cancelled() ? 1 : 0; }

int64_t hostNowMs(p88_job* job) { return job->env->now_ms(); }

void hostSetToken(p88_job* job, const char* token, int64_t expires_in_seconds) {
  if (token == nullptr || *token == '\0') return;
  logging::addSecret(token);
  // A plugin may keep several tokens in one (Race Roster: {"access_token", "refresh_token"}):
  // each is sent on its own, so each is masked on its own.
  auto parts = nlohmann::json::parse(token, nullptr, false);
  if (parts.is_object())
    for (auto it = parts.begin(); it != parts.end(); ++it)
      if (it->is_string() && crypto::isSecretKeyName(it.key())) logging::addSecret(it->get<std::string>());
  job->new_token = token;
  job->new_token_ttl = expires_in_seconds;
}

void hostSetError(p88_job* job, const char* message, int64_t retry_after_seconds) {
  job->last_error = logging::redact(message ? message : "");
  job->result.retry_after_seconds = retry_after_seconds;
}

const char* hostBaseUrl(p88_job* job) { return job->env->session->baseUrl().c_str(); }

const p88_host_api* hostApi();

int32_t hostGetToken(p88_job* job, int32_t force_refresh, const char** token) {
  if (token == nullptr) return fail(job, P88_ERR_INVALID, "get_token(): token is required");
  const p88_plugin_descriptor* d = job->run->plugin;
  const int64_t cred = job->run->credential->id;
  if (d->authenticate == nullptr)
    return fail(job, P88_ERR_INVALID, "get_token(): this plugin has no authenticate() (auth kind is not oauth2)");
  if (job->in_authenticate) return fail(job, P88_ERR_INVALID, "get_token() called from authenticate()");
  if (!force_refresh) {
    if (auto t = job->env->tokens->valid(cred, job->env->now_ms())) {
      job->token = *t;
      *token = job->token.c_str();
      return P88_OK;
    }
  }
  job->previous_token = job->env->tokens->any(cred);
  job->credential.previous_token = job->previous_token ? job->previous_token->c_str() : nullptr;
  job->new_token.reset();
  job->in_authenticate = true;
  int32_t rc = d->authenticate(hostApi(), job, &job->credential);
  job->in_authenticate = false;
  job->credential.previous_token = nullptr;
  if (rc != P88_OK) return rc;  // the plugin set the error
  if (!job->new_token)
    return fail(job, P88_ERR_INTERNAL, "authenticate() returned ok without calling set_token()");
  const int64_t ttl = job->new_token_ttl;
  job->env->tokens->put(cred, {*job->new_token, ttl > 0 ? job->env->now_ms() + ttl * 1000 : 0});
  log(job, logging::Level::information,
      "token obtained for credential " + std::to_string(cred) +
          (ttl > 0 ? ", valid " + std::to_string(ttl) + " s" : ", lifetime unknown"));
  job->token = *job->new_token;
  *token = job->token.c_str();
  return P88_OK;
}

const p88_host_api* hostApi() {
  static const p88_host_api api = [] {
    p88_host_api a{};
    a.struct_size = sizeof a;
    a.abi_major = P88_ABI_MAJOR;
    a.abi_minor = P88_ABI_MINOR;
    a.http = &hostHttp;
    a.http_release = &hostHttpRelease;
    a.last_error = &hostLastError;
    a.log = &hostLog;
    a.emit_event = &hostEmitEvent;
    a.emit_participant = &hostEmitParticipant;
    a.record_error = &hostRecordError;
    a.checkpoint = &hostCheckpoint;
    a.is_cancelled = &hostIsCancelled;
    a.now_ms = &hostNowMs;
    a.get_token = &hostGetToken;
    a.set_token = &hostSetToken;
    a.set_error = &hostSetError;
    a.base_url = &hostBaseUrl;
    a.checkpoint_event = &hostCheckpointEvent;
    a.pending_details = &hostPendingDetails;
    return a;
  }();
  return &api;
}

}  // namespace

const char* statusName(int32_t status) {
  switch (status) {
    case P88_OK: return "ok";
    case P88_ERR_AUTH: return "auth";
    case P88_ERR_TRANSIENT: return "transient";
    case P88_ERR_THROTTLED: return "throttled";
    case P88_ERR_NOT_FOUND: return "not_found";
    case P88_ERR_INVALID: return "invalid";
    case P88_ERR_CANCELLED: return "cancelled";
    case P88_ERR_INTERNAL: return "internal";
    default: return "unknown";
  }
}

void accumulate(StreamResult& total, const StreamResult& r) {
  total.emitted += r.emitted;
  total.inserted += r.inserted;
  total.updated += r.updated;
  total.unchanged += r.unchanged;
  total.status_changes += r.status_changes;
  total.rejected += r.rejected;
  total.skipped += r.skipped;
  total.api_calls += r.api_calls;
  total.detail_calls += r.detail_calls;
  total.details_asked += r.details_asked;
  if (!total.database_fault) total.database_fault = r.database_fault;
  total.unidentified += r.unidentified;
  for (const auto& p : r.problems)
    if (total.problems.size() < kMaxProblems) total.problems.push_back(p);
  if (total.ok() && !r.ok()) {
    total.status = r.status;
    total.error = r.error;
    total.retry_after_seconds = r.retry_after_seconds;
  }
}

StreamResult runStream(const StreamRun& run, JobEnvironment& env, std::map<std::string, StreamResult>* by_event) {
  if (!env.now_ms)
    env.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  const Credential& c = *run.credential;
  logging::addSecret(c.principal);
  if (c.secret) {
    logging::addSecret(*c.secret);
    logging::addSecret(c.principal + ":" + *c.secret);  // HTTP Basic (Haku's token call), base64'd
  }
  registerConfigSecrets(c.additional_config);

  p88_job job;
  job.run = &run;
  job.env = &env;
  job.credential.struct_size = sizeof job.credential;
  job.credential.credential_id = c.id;
  job.credential.timing_partner_id = c.timing_partner_id;
  job.credential.principal = c.principal.c_str();
  job.credential.secret = c.secret ? c.secret->c_str() : nullptr;
  job.credential.additional_config_json = c.additional_config ? c.additional_config->c_str() : nullptr;
  job.batch.key = {c.timing_partner_id, c.provider_id, c.id, run.stream, run.provider_event_id};

  p88_sync_request req{};
  req.struct_size = sizeof req;
  req.stream = run.stream.c_str();
  req.mode = run.mode;
  req.cursor = run.mode == P88_MODE_INCREMENTAL && run.cursor ? run.cursor->c_str() : nullptr;
  req.provider_event_id = run.provider_event_id.empty() ? nullptr : run.provider_event_id.c_str();
  req.provider_race_id = run.provider_race_id ? run.provider_race_id->c_str() : nullptr;
  req.credential = &job.credential;
  req.event_name = run.event_name ? run.event_name->c_str() : nullptr;
  std::vector<p88_event_target> targets;
  std::vector<const p88_event_target*> target_list;
  if (!run.targets.empty()) {
    for (const auto& t : run.targets) {
      store::Batch b;
      b.key = {c.timing_partner_id, c.provider_id, c.id, run.stream, t.provider_event_id};
      job.event_batches.emplace(t.provider_event_id, std::move(b));
      job.event_results[t.provider_event_id];
      targets.push_back({sizeof(p88_event_target), t.provider_event_id.c_str(),
                         t.provider_race_id ? t.provider_race_id->c_str() : nullptr,
                         t.event_name ? t.event_name->c_str() : nullptr, t.cursor ? t.cursor->c_str() : nullptr});
    }
    for (const auto& t : targets) target_list.push_back(&t);
    req.events = target_list.data();
    req.event_count = target_list.size();
  }

  int32_t rc;
  try {
    rc = run.plugin->sync(hostApi(), &job, &req);
  } catch (...) {
    rc = fail(&job, P88_ERR_INTERNAL, "the plugin let an exception escape sync()");
  }
  job.result.status = rc;
  if (rc != P88_OK) job.result.error = job.last_error.empty() ? statusName(rc) : job.last_error;
  // Records emitted after the last checkpoint are kept (upserts are idempotent); the cursor stays
  // where the last checkpoint put it.
  const int32_t last = flush(&job, std::nullopt, "writing the last batch");
  if (last != P88_OK && job.result.ok()) {
    job.result.status = last;
    job.result.error = job.last_error;
  }
  // Whatever the plugin made of it, a run the database failed is a database fault.
  if (job.result.database_fault) {
    job.result.status = P88_ERR_TRANSIENT;
    job.result.error = job.database_error;
  }
  if (job.result.ok() && !job.result.checkpointed)
    log(&job, logging::Level::warning, "stream " + run.stream + " finished without a checkpoint");
  for (auto& [id, r] : job.event_results) {
    r.status = job.result.status;
    r.error = job.result.error;
    r.database_fault = job.result.database_fault;
    r.retry_after_seconds = job.result.retry_after_seconds;
    if (job.result.ok() && !r.checkpointed)
      log(&job, logging::Level::warning, "stream " + run.stream + " event " + id + " finished without a checkpoint");
  }
  if (job.detail_calls_from) job.result.detail_calls = job.result.api_calls - *job.detail_calls_from;
  if (by_event) *by_event = std::move(job.event_results);
  job.result.error = logging::redact(job.result.error);
  const StreamResult& r = job.result;
  log(&job, r.ok() ? logging::Level::information : logging::Level::error,
      "stream=" + run.stream + (run.provider_event_id.empty() ? "" : " event=" + run.provider_event_id) +
          (run.targets.size() > 1 ? " (and " + std::to_string(run.targets.size() - 1) + " more events, coalesced)" : "") +
          " mode=" + (run.mode == P88_MODE_INCREMENTAL ? "incremental" : "full") + " status=" + statusName(r.status) +
          " records=" + std::to_string(r.emitted) + " inserted=" + std::to_string(r.inserted) +
          " updated=" + std::to_string(r.updated) + " unchanged=" + std::to_string(r.unchanged) +
          " refused=" + std::to_string(r.rejected) + " record_errors=" + std::to_string(r.skipped) +
          " api_calls=" + std::to_string(r.api_calls) +
          (r.details_asked ? " details=" + std::to_string(r.details_asked) + " detail_calls=" + std::to_string(r.detail_calls) : "") +
          (r.ok() ? "" : " error=" + r.error));
  return job.result;
}

}  // namespace p88::sync
