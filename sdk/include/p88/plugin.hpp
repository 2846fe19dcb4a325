// p88 plugin SDK: a header-only C++17 layer over the C ABI in plugin.h.
//
// A plugin author writes one class and one macro:
//
//   class MyProvider : public p88::Plugin {
//    public:
//     static p88::PluginInfo info();                        // name, slug, streams, ...
//     void sync(p88::Job& job, const p88::SyncRequest& request) override;
//   };
//   P88_PLUGIN(MyProvider)
//
// and the macro compiles down to the C descriptor and the exported p88_plugin_entry(). Exceptions
// never cross the boundary: a p88::Error thrown from sync() or authenticate() becomes its status
// and message, any other exception becomes P88_ERR_INTERNAL with its what().
#ifndef P88_PLUGIN_HPP
#define P88_PLUGIN_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "p88/plugin.h"

namespace p88 {

enum class Status : int32_t {
  ok = P88_OK,
  auth = P88_ERR_AUTH,
  transient = P88_ERR_TRANSIENT,
  throttled = P88_ERR_THROTTLED,
  not_found = P88_ERR_NOT_FOUND,
  invalid = P88_ERR_INVALID,
  cancelled = P88_ERR_CANCELLED,
  internal = P88_ERR_INTERNAL,
};

// The error a plugin throws to end a sync with a given status.
class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message, int64_t retry_after_seconds = 0)
      : std::runtime_error(message), status_(status), retry_after_(retry_after_seconds) {}
  Status status() const { return status_; }
  int64_t retry_after_seconds() const { return retry_after_; }

 private:
  Status status_;
  int64_t retry_after_;
};

using Text = std::optional<std::string>;
using Integer = std::optional<int64_t>;

struct StreamInfo {
  std::string name;
  uint32_t modes = P88_MODE_FULL;
  p88_stream_scope scope = P88_SCOPE_ACCOUNT;
  // ABI 1.2: incremental syncs of several events may be one run (P88_COALESCE_RACE or
  // P88_COALESCE_ACCOUNT; 0: never), of at most coalesce_max events (0: any number).
  uint32_t coalesce = 0;
  uint32_t coalesce_max = 0;
  // The modes whose runs may be coalesced: incremental, or also full reads (P88_MODE_FULL |
  // P88_MODE_INCREMENTAL) where one request for several events costs no more than one for each.
  uint32_t coalesce_modes = P88_MODE_INCREMENTAL;
};

struct PluginInfo {
  std::string name;
  std::string slug;
  std::string version;
  std::string build_id;
  p88_auth_kind auth_kind = P88_AUTH_NONE;
  uint32_t default_calls_per_hour = 1000;
  uint32_t capabilities = 0;
  std::string default_base_url;
  std::vector<StreamInfo> streams;
};

struct Credential {
  int64_t id = 0;
  int64_t timing_partner_id = 0;
  std::string principal;
  Text secret;
  Text additional_config_json;
  Text previous_token;  // ABI 1.1: the host's last cached token, for refresh grants
};

// ABI 1.2: one event of a coalesced run, with its own cursor.
struct EventTarget {
  std::string provider_event_id;
  Text provider_race_id, event_name, cursor;
};

struct SyncRequest {
  std::string stream;
  uint32_t mode = P88_MODE_FULL;
  Text cursor;
  Text provider_event_id;
  Text provider_race_id;
  Text event_name;  // ABI 1.1
  Credential credential;
  // ABI 1.2: the events of a coalesced run (empty when it is not one); commit each with
  // Job::checkpoint_event().
  std::vector<EventTarget> events;
  bool full() const { return mode == P88_MODE_FULL; }
  bool coalesced() const { return !events.empty(); }
  // The events this run covers: the coalesced ones, or the one event of the request.
  std::vector<EventTarget> targets() const {
    if (!events.empty()) return events;
    if (!provider_event_id) return {};
    return {EventTarget{*provider_event_id, provider_race_id, event_name, cursor}};
  }
};

struct Header {
  std::string name;
  std::string value;
};

struct Response {
  int32_t status = 0;
  std::string body;
  std::vector<Header> headers;  // names lower-cased by the host
  // The value of a header (name in lower case), or nullopt.
  Text header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return std::nullopt;
  }
};

struct Event {
  std::string provider_event_id;
  Text provider_race_id, name, race_name, description, start_time, end_time, time_zone,
      location_name, city, state, country, event_type, distance, registration_opens,
      registration_closes, status, last_modified;
  std::string raw_json;
};

struct Participant {
  std::string provider_participant_id;
  std::string provider_event_id;
  Text provider_person_id, first_name, middle_name, last_name, email, phone, date_of_birth, gender,
      gender_raw;
  Integer age;
  Text bib, chip, team_name, division, registration_date, status, new_registration_id;
  Integer amount_paid_minor;
  Text currency, city, state, country, address_json, emergency_contact_json, answers_json,
      last_modified;
  std::string raw_json;
  bool status_only = false;
  // ABI 1.2: a list row, not the registration's detail (P88_RECORD_SUMMARY).
  bool summary = false;
};

namespace detail {
inline const char* c_str(const Text& t) { return t ? t->c_str() : nullptr; }
inline int64_t c_int(const Integer& i) { return i ? *i : P88_NULL_INT; }
inline Text text(const char* s) { return s ? Text(s) : std::nullopt; }
}  // namespace detail

// Percent-encodes a query value (RFC 3986 unreserved characters are kept).
inline std::string url_encode(std::string_view in) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The host's services for one sync, as C++.
class Job {
 public:
  Job(const p88_host_api* host, p88_job* job) : host_(host), job_(job) {}

  // Sends a request through the host (rate limited, TLS, retries on transport errors).
  // Throws Error(transient/cancelled) when no response arrived.
  Response request(const std::string& method, const std::string& url,
                   const std::vector<Header>& headers = {}, const std::string& body = {}) {
    std::vector<p88_header> c_headers;
    c_headers.reserve(headers.size());
    for (const auto& h : headers) c_headers.push_back({h.name.c_str(), h.value.c_str()});
    p88_http_request req{};
    req.struct_size = sizeof req;
    req.method = method.c_str();
    req.url = url.c_str();
    req.headers = c_headers.data();
    req.header_count = c_headers.size();
    req.body = body.empty() ? nullptr : body.data();
    req.body_length = body.size();
    const p88_http_response* resp = nullptr;
    int32_t rc = host_->http(job_, &req, &resp);
    if (rc != P88_OK || resp == nullptr) throw Error(static_cast<Status>(rc), last_error());
    Response out;
    out.status = resp->status;
    out.body.assign(resp->body, resp->body_length);
    out.headers.reserve(resp->header_count);
    for (size_t i = 0; i < resp->header_count; ++i)
      out.headers.push_back({resp->headers[i].name, resp->headers[i].value});
    host_->http_release(job_, resp);
    return out;
  }
  Response get(const std::string& url, const std::vector<Header>& headers = {}) {
    return request("GET", url, headers);
  }
  Response post(const std::string& url, const std::string& body,
                const std::vector<Header>& headers = {}) {
    return request("POST", url, headers, body);
  }

  // Hands a record to the host; false when the host refused it (already logged and counted).
  bool emit(const Event& e) {
    p88_event_record r{};
    r.struct_size = sizeof r;
    r.provider_event_id = e.provider_event_id.c_str();
    r.provider_race_id = detail::c_str(e.provider_race_id);
    r.name = detail::c_str(e.name);
    r.race_name = detail::c_str(e.race_name);
    r.description = detail::c_str(e.description);
    r.start_time = detail::c_str(e.start_time);
    r.end_time = detail::c_str(e.end_time);
    r.time_zone = detail::c_str(e.time_zone);
    r.location_name = detail::c_str(e.location_name);
    r.city = detail::c_str(e.city);
    r.state = detail::c_str(e.state);
    r.country = detail::c_str(e.country);
    r.event_type = detail::c_str(e.event_type);
    r.distance = detail::c_str(e.distance);
    r.registration_opens = detail::c_str(e.registration_opens);
    r.registration_closes = detail::c_str(e.registration_closes);
    r.status = detail::c_str(e.status);
    r.last_modified = detail::c_str(e.last_modified);
    r.raw_json = e.raw_json.c_str();
    return check_emit(host_->emit_event(job_, &r));
  }
  bool emit(const Participant& p) {
    p88_participant_record r{};
    r.struct_size = sizeof r;
    r.provider_participant_id = p.provider_participant_id.c_str();
    r.provider_event_id = p.provider_event_id.c_str();
    r.provider_person_id = detail::c_str(p.provider_person_id);
    r.first_name = detail::c_str(p.first_name);
    r.middle_name = detail::c_str(p.middle_name);
    r.last_name = detail::c_str(p.last_name);
    r.email = detail::c_str(p.email);
    r.phone = detail::c_str(p.phone);
    r.date_of_birth = detail::c_str(p.date_of_birth);
    r.gender = detail::c_str(p.gender);
    r.gender_raw = detail::c_str(p.gender_raw);
    r.age = detail::c_int(p.age);
    r.bib = detail::c_str(p.bib);
    r.chip = detail::c_str(p.chip);
    r.team_name = detail::c_str(p.team_name);
    r.division = detail::c_str(p.division);
    r.registration_date = detail::c_str(p.registration_date);
    r.status = detail::c_str(p.status);
    r.new_registration_id = detail::c_str(p.new_registration_id);
    r.amount_paid_minor = detail::c_int(p.amount_paid_minor);
    r.currency = detail::c_str(p.currency);
    r.city = detail::c_str(p.city);
    r.state = detail::c_str(p.state);
    r.country = detail::c_str(p.country);
    r.address_json = detail::c_str(p.address_json);
    r.emergency_contact_json = detail::c_str(p.emergency_contact_json);
    r.answers_json = detail::c_str(p.answers_json);
    r.last_modified = detail::c_str(p.last_modified);
    r.raw_json = p.raw_json.c_str();
    r.flags = (p.status_only ? P88_RECORD_STATUS_ONLY : 0u) | (p.summary ? P88_RECORD_SUMMARY : 0u);
    return check_emit(host_->emit_participant(job_, &r));
  }

  void record_error(const std::string& record_id, const std::string& field,
                    const std::string& message) {
    host_->record_error(job_, record_id.c_str(), field.c_str(), message.c_str());
  }

  // Commits everything emitted so far with the cursor; throws when the commit failed.
  void checkpoint(const std::string& cursor) {
    int32_t rc = host_->checkpoint(job_, cursor.c_str());
    if (rc != P88_OK) throw Error(static_cast<Status>(rc), last_error());
  }
  // ABI 1.2: commits what was emitted for one event with that event's cursor (each event of a
  // coalesced run on its own). A host older than 1.2 runs one event at a time: checkpoint().
  void checkpoint_event(const std::string& provider_event_id, const std::string& cursor) {
    if (host_->struct_size < offsetof(p88_host_api, checkpoint_event) + sizeof(host_->checkpoint_event) ||
        host_->checkpoint_event == nullptr)
      return checkpoint(cursor);
    int32_t rc = host_->checkpoint_event(job_, provider_event_id.c_str(), cursor.c_str());
    if (rc != P88_OK) throw Error(static_cast<Status>(rc), last_error());
  }
  // ABI 1.2: whether the host keeps summary records (Participant::summary) and hands out the
  // registrations whose detail it lacks. A host older than 1.2 does not: emit full records only.
  bool keeps_summaries() const {
    return host_->struct_size >= offsetof(p88_host_api, pending_details) + sizeof(host_->pending_details) &&
           host_->pending_details != nullptr;
  }
  // ABI 1.2: the registrations whose detail the host lacks, as many as this run may fetch now,
  // each with the raw_json stored for it (see p88_host_api.pending_details). Call once per run,
  // after checkpointing the summaries; empty from a host that does not keep summaries.
  struct PendingDetail {
    std::string provider_participant_id;
    std::string stored_raw_json;
  };
  std::vector<PendingDetail> pending_details() {
    std::vector<PendingDetail> out;
    if (!keeps_summaries()) return out;
    int32_t rc = host_->pending_details(
        job_,
        [](void* user, const char* id, const char* raw) {
          static_cast<std::vector<PendingDetail>*>(user)->push_back({id ? id : "", raw ? raw : ""});
        },
        &out);
    if (rc != P88_OK) throw Error(static_cast<Status>(rc), last_error());
    return out;
  }

  void log(p88_log_level level, const std::string& message) {
    host_->log(job_, level, message.c_str());
  }
  void debug(const std::string& m) { log(P88_LOG_DEBUG, m); }
  void info(const std::string& m) { log(P88_LOG_INFO, m); }
  void warning(const std::string& m) { log(P88_LOG_WARNING, m); }

  bool cancelled() { return host_->is_cancelled(job_) != 0; }
  // Throws Error(cancelled) when the host asked the job to stop.
  void check_cancelled() {
    if (cancelled()) throw Error(Status::cancelled, "cancelled by the host");
  }
  int64_t now_ms() { return host_->now_ms(job_); }

  // The cached token for this credential (authenticating first when needed).
  std::string token(bool force_refresh = false) {
    const char* t = nullptr;
    int32_t rc = host_->get_token(job_, force_refresh ? 1 : 0, &t);
    if (rc != P88_OK || t == nullptr) throw Error(static_cast<Status>(rc), last_error());
    return t;
  }
  void set_token(const std::string& token, int64_t expires_in_seconds) {
    host_->set_token(job_, token.c_str(), expires_in_seconds);
  }

  // The base URL relative request URLs resolve against ("" from an ABI 1.0 host).
  std::string base_url() {
    if (host_->struct_size < offsetof(p88_host_api, base_url) + sizeof(host_->base_url) ||
        host_->base_url == nullptr)
      return "";
    const char* u = host_->base_url(job_);
    return u ? u : "";
  }

  std::string last_error() {
    const char* e = host_->last_error(job_);
    return e ? e : "unknown error";
  }

  const p88_host_api* host() const { return host_; }
  p88_job* handle() const { return job_; }

 private:
  bool check_emit(int32_t rc) {
    if (rc == P88_OK) return true;
    if (rc == P88_ERR_INVALID) return false;
    throw Error(static_cast<Status>(rc), last_error());
  }
  const p88_host_api* host_;
  p88_job* job_;
};

// Base class of a plugin. One instance serves every job on every thread: keep it stateless.
class Plugin {
 public:
  virtual ~Plugin() = default;
  // Obtains a token for the credential and calls job.set_token(). Only for P88_AUTH_OAUTH2.
  virtual void authenticate(Job& job, const Credential& credential) {
    (void)job;
    (void)credential;
    throw Error(Status::invalid, "this plugin does not authenticate with tokens");
  }
  virtual void sync(Job& job, const SyncRequest& request) = 0;
};

namespace detail {

inline Credential to_credential(const p88_credential* c) {
  Credential out;
  if (c == nullptr) return out;
  out.id = c->credential_id;
  out.timing_partner_id = c->timing_partner_id;
  out.principal = c->principal ? c->principal : "";
  out.secret = text(c->secret);
  out.additional_config_json = text(c->additional_config_json);
  if (c->struct_size >= offsetof(p88_credential, previous_token) + sizeof(c->previous_token))
    out.previous_token = text(c->previous_token);
  return out;
}

inline int32_t report(const p88_host_api* host, p88_job* job, const Error& e) {
  host->set_error(job, e.what(), e.retry_after_seconds());
  return static_cast<int32_t>(e.status());
}

template <typename F>
int32_t guarded(const p88_host_api* host, p88_job* job, F&& body) {
  try {
    body();
    return P88_OK;
  } catch (const Error& e) {
    return report(host, job, e);
  } catch (const std::exception& e) {
    host->set_error(job, e.what(), 0);
    return P88_ERR_INTERNAL;
  } catch (...) {
    host->set_error(job, "unknown exception in plugin", 0);
    return P88_ERR_INTERNAL;
  }
}

template <typename P>
P& instance() {
  static P plugin;
  return plugin;
}

template <typename P>
int32_t authenticate_trampoline(const p88_host_api* host, p88_job* job, const p88_credential* c) {
  return guarded(host, job, [&] {
    Job j(host, job);
    instance<P>().authenticate(j, to_credential(c));
  });
}

template <typename P>
int32_t sync_trampoline(const p88_host_api* host, p88_job* job, const p88_sync_request* r) {
  return guarded(host, job, [&] {
    SyncRequest req;
    req.stream = r->stream ? r->stream : "";
    req.mode = r->mode;
    req.cursor = text(r->cursor);
    req.provider_event_id = text(r->provider_event_id);
    req.provider_race_id = text(r->provider_race_id);
    req.credential = to_credential(r->credential);
    if (r->struct_size >= offsetof(p88_sync_request, event_name) + sizeof(r->event_name))
      req.event_name = text(r->event_name);
    if (r->struct_size >= offsetof(p88_sync_request, event_count) + sizeof(r->event_count) && r->events)
      for (size_t i = 0; i < r->event_count; ++i)
        if (const p88_event_target* t = r->events[i]; t && t->provider_event_id)
          req.events.push_back({t->provider_event_id, text(t->provider_race_id), text(t->event_name), text(t->cursor)});
    Job j(host, job);
    instance<P>().sync(j, req);
  });
}

// Builds the C descriptor once from P::info(); the strings it points into live as long as the
// process (function-local statics).
template <typename P>
const p88_plugin_descriptor* descriptor() {
  static const PluginInfo info = P::info();
  static const std::vector<p88_stream_info> streams = [] {
    std::vector<p88_stream_info> v;
    for (const auto& s : info.streams)
      v.push_back({sizeof(p88_stream_info), s.name.c_str(), s.modes, static_cast<uint32_t>(s.scope)});
    return v;
  }();
  static const std::vector<p88_coalescing> coalescing = [] {
    std::vector<p88_coalescing> v;
    for (const auto& s : info.streams)
      if (s.coalesce)
        v.push_back({sizeof(p88_coalescing), s.name.c_str(), s.coalesce, s.coalesce_max, s.coalesce_modes});
    return v;
  }();
  static const std::vector<const p88_coalescing*> coalescing_list = [] {
    std::vector<const p88_coalescing*> v;
    for (const auto& c : coalescing) v.push_back(&c);
    return v;
  }();
  static const p88_plugin_descriptor d = [] {
    p88_plugin_descriptor out{};
    out.struct_size = sizeof out;
    out.abi_major = P88_ABI_MAJOR;
    out.abi_minor = P88_ABI_MINOR;
    out.name = info.name.c_str();
    out.slug = info.slug.c_str();
    out.version = info.version.c_str();
    out.build_id = info.build_id.c_str();
    out.auth_kind = info.auth_kind;
    out.default_calls_per_hour = info.default_calls_per_hour;
    out.capabilities = info.capabilities;
    out.default_base_url = info.default_base_url.c_str();
    out.streams = streams.data();
    out.stream_count = static_cast<uint32_t>(streams.size());
    out.authenticate = info.auth_kind == P88_AUTH_OAUTH2 ? &authenticate_trampoline<P> : nullptr;
    out.sync = &sync_trampoline<P>;
    out.coalescing = coalescing_list.empty() ? nullptr : coalescing_list.data();
    out.coalescing_count = static_cast<uint32_t>(coalescing_list.size());
    return out;
  }();
  return &d;
}

}  // namespace detail
}  // namespace p88

// Exports p88_plugin_entry() for the plugin class P (which derives from p88::Plugin and has a
// static PluginInfo info()).
#define P88_PLUGIN(P)                                                       \
  extern "C" P88_EXPORT const p88_plugin_descriptor* p88_plugin_entry(void) { \
    return ::p88::detail::descriptor<P>();                                  \
  }

#endif  // P88_PLUGIN_HPP
