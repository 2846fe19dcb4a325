/*
 * p88 plugin ABI, version 1.2.
 *
 * This header is the whole contract between p88host and a provider plugin. It is plain C so that
 * any compiler can build a plugin and nothing from the host's C++ world (STL, exceptions, RTTI,
 * Poco, Boost) crosses the boundary.
 *
 * Rules of the boundary
 * - A plugin is a shared object exporting exactly one function, p88_plugin_entry(), which returns a
 *   pointer to a descriptor with static storage duration. The host calls it once, after dlopen.
 * - Every struct that crosses starts with `uint32_t struct_size`, set by whoever fills it in to
 *   sizeof the struct as that side compiled it. Fields are only ever appended (a minor version);
 *   a reader never touches a field that lies beyond the struct_size it was given.
 * - Strings are NUL-terminated UTF-8. A NULL string means "no value" (SQL NULL); an empty string
 *   is a value.
 * - Whoever allocates frees. Pointers handed to a callee are valid only for the duration of the
 *   call unless the field's documentation says otherwise; the callee copies what it keeps.
 * - Errors are p88_status codes; the message goes through p88_host_api.set_error().
 * - The host calls a plugin from several worker threads at once, each with its own p88_job. A
 *   plugin keeps no mutable global state; everything per-sync lives on the stack of sync().
 */
#ifndef P88_PLUGIN_H
#define P88_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/* The ABI this header describes. The host loads a plugin when the plugin's abi_major equals the
 * host's and the plugin's abi_minor is not greater than the host's. */
#define P88_ABI_MAJOR 1
#define P88_ABI_MINOR 2

/* The one symbol a plugin exports. */
#define P88_PLUGIN_ENTRY_SYMBOL "p88_plugin_entry"

#if defined(_WIN32)
#define P88_EXPORT __declspec(dllexport)
#else
#define P88_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every call across the boundary, in both directions. */
typedef enum p88_status {
  P88_OK = 0,
  P88_ERR_AUTH = 1,      /* credentials rejected by the provider: not retried until they change */
  P88_ERR_TRANSIENT = 2, /* network failure, 5xx, timeout, malformed page: retried with backoff */
  P88_ERR_THROTTLED = 3, /* provider said slow down: rescheduled after retry_after, no attempt used */
  P88_ERR_NOT_FOUND = 4, /* the event/race does not exist (any more) at the provider */
  P88_ERR_INVALID = 5,   /* bad argument, bad configuration, record refused: not retried */
  P88_ERR_CANCELLED = 6, /* the host asked the job to stop; return promptly */
  P88_ERR_INTERNAL = 7   /* a bug; the message says where */
} p88_status;

/* How the provider authenticates (informational for the host; shown by --list-plugins). */
typedef enum p88_auth_kind {
  P88_AUTH_NONE = 0,
  P88_AUTH_API_KEY = 1, /* principal/secret sent with every request (RunSignUp) */
  P88_AUTH_OAUTH2 = 2,  /* a token grant; the plugin implements authenticate() (Race Roster, Haku) */
  P88_AUTH_JWT = 3      /* the principal is itself a bearer JWT (Let's Do This) */
} p88_auth_kind;

/* Sync modes, as bits in p88_stream_info.modes and as the value of p88_sync_request.mode. */
#define P88_MODE_FULL 1u        /* read everything the provider has for the stream */
#define P88_MODE_INCREMENTAL 2u /* read what changed since the cursor */

/* What a stream is synced for. */
typedef enum p88_stream_scope {
  P88_SCOPE_ACCOUNT = 0, /* once per credential: event discovery */
  P88_SCOPE_EVENT = 1    /* once per event: participants, removed participants */
} p88_stream_scope;

/* Capability flags (p88_plugin_descriptor.capabilities). */
#define P88_CAP_SERVER_INCREMENTAL 0x1u /* the provider filters changes server-side */
#define P88_CAP_REMOVALS 0x2u           /* the plugin reports removed/transferred registrations */
#define P88_CAP_CUSTOM_QUESTIONS 0x4u   /* participant records carry custom question answers */

/* Log levels for p88_host_api.log. */
typedef enum p88_log_level {
  P88_LOG_DEBUG = 0,
  P88_LOG_INFO = 1,
  P88_LOG_WARNING = 2,
  P88_LOG_ERROR = 3
} p88_log_level;

/* "No value" for the integer fields of records. */
#define P88_NULL_INT INT64_MIN

/* A stream the plugin can sync. */
typedef struct p88_stream_info {
  uint32_t struct_size;
  const char* name; /* "events", "participants", "removed_participants", ... ([a-z_]+) */
  uint32_t modes;   /* P88_MODE_* bits this stream supports */
  uint32_t scope;   /* p88_stream_scope */
} p88_stream_info;

/* One HTTP header. */
typedef struct p88_header {
  const char* name;
  const char* value;
} p88_header;

/* A credential row of partner_provider_credentials, with its secret decrypted. */
typedef struct p88_credential {
  uint32_t struct_size;
  int64_t credential_id;      /* partner_provider_credential_id */
  int64_t timing_partner_id;
  const char* principal;      /* API key, client id, or the JWT itself */
  const char* secret;         /* API secret or client secret; NULL if none. Never log it. */
  const char* additional_config_json; /* the row's additional_config (a JSON object) or NULL */
  /* ABI 1.1: the token the host last cached for this credential (expired, or refused by the
   * provider), or NULL. Lets authenticate() use a refresh grant. Never log it. */
  const char* previous_token;
} p88_credential;

/* An HTTP request made through the host (p88_host_api.http). */
typedef struct p88_http_request {
  uint32_t struct_size;
  const char* method; /* "GET", "POST", ... */
  /* "/path?query" is resolved against the provider's configured base URL; an absolute
   * "https://host/path" is used as is (e.g. a separate token host). Query values must be
   * percent-encoded by the plugin. The host redacts the credential's principal, secret and token
   * wherever a URL or header appears in a log line or error message. */
  const char* url;
  const p88_header* headers;
  size_t header_count;
  const char* body; /* may be NULL */
  size_t body_length;
} p88_http_request;

/* An HTTP response, owned by the host. Valid until http_release() or the end of the job. */
typedef struct p88_http_response {
  uint32_t struct_size;
  int32_t status;   /* the HTTP status code */
  const char* body; /* body_length bytes, followed by a NUL the length does not count */
  size_t body_length;
  const p88_header* headers; /* names lower-cased */
  size_t header_count;
} p88_http_response;

/* A provider event (one race of a race day: RunSignUp expands a race into its events). */
typedef struct p88_event_record {
  uint32_t struct_size;
  const char* provider_event_id; /* required, the provider's id of the event */
  const char* provider_race_id;  /* the grouping id where the provider has one (RunSignUp race) */
  const char* name;
  const char* race_name;         /* the grouping's name */
  const char* description;
  const char* start_time;        /* UTC, "YYYY-MM-DDTHH:MM:SSZ"; the plugin converts local times */
  const char* end_time;          /* UTC, same format */
  const char* time_zone;         /* IANA name of the race's zone, e.g. "America/Chicago" */
  const char* location_name;
  const char* city;
  const char* state;
  const char* country;           /* ISO 3166 alpha-2 where known */
  const char* event_type;
  const char* distance;          /* as the provider states it, e.g. "5K", "26.2 mi" */
  const char* registration_opens;  /* UTC */
  const char* registration_closes; /* UTC */
  const char* status;            /* provider's status text, e.g. "active", "draft" */
  const char* last_modified;     /* UTC */
  const char* raw_json;          /* required: the provider's JSON for this record, verbatim */
} p88_event_record;

/* Record flags (p88_participant_record.flags). */
#define P88_RECORD_STATUS_ONLY 0x1u /* a removal notice: status, new_registration_id,
                                       last_modified and any names and email it carries replace
                                       the stored ones; every other stored field is kept */
/* ABI 1.2: a registration as a provider's list shows it (Haku's participants page), before or
 * instead of its detail. Stored as the registration's summary: the fields it carries (non-NULL)
 * replace the stored ones when it is newer than what is stored (or no detail is stored yet), names
 * only fill in where none is stored (a list's names may be a guess from a full name), and every
 * other stored field is kept. The host marks the registration's detail pending (new) or stale
 * (changed since its detail was stored) until a record without this flag stores it in full; the
 * plugin fetches those details when host->pending_details() hands it their ids. */
#define P88_RECORD_SUMMARY 0x2u

/* A registration of a person for an event. */
typedef struct p88_participant_record {
  uint32_t struct_size;
  const char* provider_participant_id; /* required: the registration's id at the provider */
  const char* provider_event_id;       /* required */
  const char* provider_person_id;      /* the provider's id of the person/account, if any */
  const char* first_name;
  const char* middle_name;
  const char* last_name;
  const char* email;
  const char* phone;
  const char* date_of_birth; /* "YYYY-MM-DD" */
  const char* gender;        /* normalized: "M", "F", "X" (non-binary/other), "U" (undisclosed) */
  const char* gender_raw;    /* the provider's own value, as text */
  int64_t age;               /* P88_NULL_INT when unknown */
  const char* bib;
  const char* chip;
  const char* team_name;
  const char* division;      /* division, category or sub-event name */
  const char* registration_date; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
  const char* status;        /* "active", "cancelled", "removed", "transferred", "deferred" */
  const char* new_registration_id; /* set when status is "transferred" */
  int64_t amount_paid_minor; /* amount paid in minor units (cents, pence); P88_NULL_INT if unknown */
  const char* currency;      /* ISO 4217, e.g. "USD" */
  const char* city;
  const char* state;
  const char* country;
  const char* address_json;           /* JSON object or NULL */
  const char* emergency_contact_json; /* JSON object or NULL */
  const char* answers_json;           /* JSON array of custom question answers or NULL */
  const char* last_modified;          /* UTC */
  const char* raw_json;               /* required: the provider's JSON for this record */
  uint32_t flags;                     /* P88_RECORD_* bits */
} p88_participant_record;

/* ABI 1.2: how the events of a coalesced run belong together (p88_coalescing.group). */
#define P88_COALESCE_RACE 1u    /* events sharing one provider_race_id (RunSignUp: a race's events) */
#define P88_COALESCE_ACCOUNT 2u /* any events of the credential (Let's Do This: the organiser's) */

/* ABI 1.2: an event-scoped stream whose syncs of several events may be one run, one request
 * carrying all of them (the descriptor lists these). Incremental syncs only, unless `modes` (an
 * appended field: a shorter struct_size means it is absent) also has P88_MODE_FULL: then full
 * reads of several events (every one's cursor NULL) may be one run too, where that is no dearer
 * than reading them one by one (RunSignUp pages each event of event_id=ID1,ID2 on its own). */
typedef struct p88_coalescing {
  uint32_t struct_size;
  const char* stream;  /* the stream's name */
  uint32_t group;      /* P88_COALESCE_* */
  uint32_t max_events; /* at most this many events in one run (0: no limit of the plugin's) */
  uint32_t modes;      /* appended: P88_MODE_* bits of the runs that may be coalesced; absent or 0:
                        * P88_MODE_INCREMENTAL */
} p88_coalescing;

/* The least struct_size of a p88_coalescing (one built before `modes` was appended). */
#define P88_COALESCING_MIN_SIZE (offsetof(p88_coalescing, max_events) + sizeof(uint32_t))

/* ABI 1.2: one of the events a coalesced run covers. */
typedef struct p88_event_target {
  uint32_t struct_size;
  const char* provider_event_id;
  const char* provider_race_id; /* as stored, or NULL */
  const char* event_name;       /* as stored, or NULL */
  const char* cursor;           /* the event's own cursor for the stream; NULL in a full run */
} p88_event_target;

/* What the host asks a plugin to sync. */
typedef struct p88_sync_request {
  uint32_t struct_size;
  const char* stream;            /* one of the descriptor's stream names */
  uint32_t mode;                 /* P88_MODE_FULL or P88_MODE_INCREMENTAL */
  const char* cursor;            /* the cursor last checkpointed for this stream; NULL on a full sync */
  const char* provider_event_id; /* for P88_SCOPE_EVENT streams; NULL otherwise */
  const char* provider_race_id;  /* the event's provider_race_id as stored, or NULL */
  const p88_credential* credential;
  /* ABI 1.1: the event's name as stored (RunSignUp's division is its event), or NULL. */
  const char* event_name;
  /* ABI 1.2: a coalesced run, only of a stream the descriptor's coalescing lists and only in
   * the modes it lists there (P88_MODE_INCREMENTAL unless it says more): the events it covers (event_count of them, 0 when not coalesced), each
   * with its own cursor; provider_event_id, provider_race_id, event_name and cursor above are
   * the first one's. The plugin emits every record under its own provider_event_id and commits
   * each event with host->checkpoint_event(); a record of an event not in the list is refused. */
  const p88_event_target* const* events;
  size_t event_count;
} p88_sync_request;

/* The opaque per-sync handle the host passes to every call. */
typedef struct p88_job p88_job;

/* What the host offers a plugin during a job. Every function takes the job it was called with. */
typedef struct p88_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;

  /* Sends an HTTP request through the host's session for this provider and credential: the host
   * applies the rate limit, TLS verification, timeouts, the response size cap and transport
   * retries. P88_OK means a response arrived (of any status) and *response is set; otherwise the
   * status says why (P88_ERR_TRANSIENT for network failures, P88_ERR_CANCELLED) and the reason is
   * in last_error(). */
  int32_t (*http)(p88_job* job, const p88_http_request* request,
                  const p88_http_response** response);
  /* Frees a response early (optional: all responses are freed at the end of the job). */
  void (*http_release)(p88_job* job, const p88_http_response* response);
  /* The reason for the last failed host call on this job. */
  const char* (*last_error)(p88_job* job);

  /* Writes a log line, attributed to the plugin, provider, partner and job. */
  void (*log)(p88_job* job, int32_t level, const char* message);

  /* Hands a normalized record to the host. The host validates it, buffers it and writes it in
   * batches. P88_ERR_INVALID means this record was refused (the reason is logged and counted);
   * carry on with the next one. */
  int32_t (*emit_event)(p88_job* job, const p88_event_record* record);
  int32_t (*emit_participant)(p88_job* job, const p88_participant_record* record);
  /* Reports a record the plugin itself could not read (skipped) or stored with a field nulled. */
  void (*record_error)(p88_job* job, const char* record_id, const char* field,
                       const char* message);
  /* Commits every record emitted so far together with the new cursor, in one transaction. The
   * cursor is opaque to the host and handed back on the next incremental sync. */
  int32_t (*checkpoint)(p88_job* job, const char* cursor);

  /* Non-zero when the host wants the job to stop (shutdown, lease lost). */
  int32_t (*is_cancelled)(p88_job* job);
  /* The host's clock in milliseconds since the Unix epoch, UTC (injected in tests). */
  int64_t (*now_ms)(p88_job* job);

  /* The access token for this job's credential, from the host's cache, calling the plugin's
   * authenticate() when none is cached, it has expired, or force_refresh is non-zero. *token stays
   * valid until the end of the job. */
  int32_t (*get_token)(p88_job* job, int32_t force_refresh, const char** token);
  /* Called by authenticate(): the token to cache, and its lifetime in seconds (0: unknown). */
  void (*set_token)(p88_job* job, const char* token, int64_t expires_in_seconds);

  /* Sets the message that explains a failed status returned to the host; retry_after_seconds > 0
   * with P88_ERR_THROTTLED says when the provider allows the next call. */
  void (*set_error)(p88_job* job, const char* message, int64_t retry_after_seconds);

  /* ABI 1.1: the provider base URL this job's relative URLs resolve against (configured per
   * provider, e.g. a sandbox or the simulator), for deriving a separate token URL. */
  const char* (*base_url)(p88_job* job);

  /* ABI 1.2: commits the records emitted so far for one event together with that event's new
   * cursor, in one transaction: in a coalesced run each event of p88_sync_request.events on its
   * own; otherwise only the run's event (the same as checkpoint()). */
  int32_t (*checkpoint_event)(p88_job* job, const char* provider_event_id, const char* cursor);

  /* ABI 1.2: the registrations of the run's event whose detail the host still lacks (stored
   * from P88_RECORD_SUMMARY records), most in need first (changed since their detail was stored,
   * then active ones, newest change first), and no more than the credential's budget lets this
   * run fetch now: visit(user, provider_participant_id, stored_raw_json) is called for each, with
   * the raw_json stored for it (the last summary record's). Commits what was emitted so far
   * first. Call it once per run, after the summaries' checkpoint; the plugin fetches each detail
   * and emits it as a full record (flags without P88_RECORD_SUMMARY); an id it cannot fetch it
   * reports with record_error(). P88_OK, or the status of a database fault. */
  int32_t (*pending_details)(p88_job* job,
                             void (*visit)(void* user, const char* provider_participant_id, const char* stored_raw_json),
                             void* user);
} p88_host_api;

/* The descriptor a plugin returns from p88_plugin_entry(). */
typedef struct p88_plugin_descriptor {
  uint32_t struct_size;         /* sizeof(p88_plugin_descriptor) as the plugin compiled it */
  uint32_t abi_major;           /* P88_ABI_MAJOR the plugin was built against */
  uint32_t abi_minor;           /* P88_ABI_MINOR the plugin was built against */
  const char* name;             /* providers.name, exactly, e.g. "RunSignUp", "Let's Do This" */
  const char* slug;             /* [a-z0-9_]+, for configuration keys: "runsignup" */
  const char* version;          /* the plugin's own version, e.g. "1.2.0" */
  const char* build_id;         /* anything that identifies the build: a git hash, a date */
  uint32_t auth_kind;           /* p88_auth_kind */
  uint32_t default_calls_per_hour; /* the provider's rate limit per credential */
  uint32_t capabilities;        /* P88_CAP_* bits */
  const char* default_base_url; /* e.g. "https://runsignup.com/Rest" */
  const p88_stream_info* streams;
  uint32_t stream_count;

  /* Obtains a token for the credential and reports it with host->set_token(). Required when
   * auth_kind is P88_AUTH_OAUTH2, NULL otherwise. */
  int32_t (*authenticate)(const p88_host_api* host, p88_job* job, const p88_credential* credential);
  /* Syncs one stream. Required. Emits records, checkpoints at least once at the end of a
   * successful sync, and returns P88_OK or an error status (after host->set_error()). */
  int32_t (*sync)(const p88_host_api* host, p88_job* job, const p88_sync_request* request);

  /* ABI 1.2: the event-scoped streams whose incremental syncs may be coalesced (an array of
   * coalescing_count pointers), or NULL. */
  const p88_coalescing* const* coalescing;
  uint32_t coalescing_count;
} p88_plugin_descriptor;

/* The smallest descriptor the host accepts: everything ABI 1.0 defines. */
#define P88_DESCRIPTOR_MIN_SIZE (offsetof(p88_plugin_descriptor, sync) + sizeof(void*))

/* The entry point every plugin exports. */
typedef const p88_plugin_descriptor* (*p88_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* P88_PLUGIN_H */
