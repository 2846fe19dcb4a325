#include "sync/manual_sync.h"

#include <chrono>
#include <cstdio>
#include <ostream>

#include "config/settings.h"
#include "crypto/secret_box.h"
#include "http/http_session.h"
#include "logging/logging.h"
#include "plugins/plugin_registry.h"
#include "store/store.h"
#include "sync/sync_catalog.h"
#include "sync/sync_operation.h"
#include "sync/token_cache.h"

namespace p88::sync {
namespace {

// Participants are synced until one hour after an event's start (the seed's last window).
constexpr int64_t kSyncUntilAfterStartSeconds = 3600;

std::string unquote(std::string s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    return s.substr(1, s.size() - 2);
  return s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string counts(const StreamResult& r) {
  std::string s = std::to_string(r.inserted) + " inserted, " + std::to_string(r.updated) +
                  " updated, " + std::to_string(r.unchanged) + " unchanged";
  if (r.status_changes) s += ", " + std::to_string(r.status_changes) + " cancelled/removed/transferred";
  if (r.rejected) s += ", " + std::to_string(r.rejected) + " refused";
  if (r.skipped) s += ", " + std::to_string(r.skipped) + " record errors";
  return s + "; " + std::to_string(r.api_calls) + " API call" + (r.api_calls == 1 ? "" : "s");
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<ManualSyncSpec> parseManualSyncSpec(const std::string& spec, std::string& why) {
  size_t first = spec.find(':');
  if (first == std::string::npos || first == 0) {
    why = "expected PARTNER:PROVIDER[:EVENT], got '" + spec + "'";
    return std::nullopt;
  }
  std::string partner = spec.substr(0, first);
  if (partner.find_first_not_of("0123456789") != std::string::npos || partner.size() > 12) {
    why = "the timing partner id '" + partner + "' is not a number";
    return std::nullopt;
  }
  std::string rest = spec.substr(first + 1);
  std::optional<std::string> event;
  // A quoted provider name may not contain a colon either, but skip over the quotes anyway.
  size_t search_from = 0;
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
    size_t close = rest.find(rest[0], 1);
    if (close != std::string::npos) search_from = close;
  }
  size_t second = rest.find(':', search_from);
  if (second != std::string::npos) {
    event = unquote(rest.substr(second + 1));
    rest = rest.substr(0, second);
    if (event->empty()) {
      why = "the event id after the second ':' is empty in '" + spec + "'";
      return std::nullopt;
    }
  }
  rest = unquote(rest);
  if (rest.empty()) {
    why = "no provider name in '" + spec + "'";
    return std::nullopt;
  }
  return ManualSyncSpec{std::stoll(partner), rest, event};
}

int runManualSync(const ManualSyncSpec& spec, const config::Settings& settings, store::Store& store,
                  const plugins::PluginRegistry& registry, const crypto::SecretBox* box, std::ostream& out,
                  std::ostream& err) {
  const std::string partner = std::to_string(spec.timing_partner_id);
  if (!timingPartnerExists(store, spec.timing_partner_id)) {
    err << "p88host: --manual-sync: timing partner " << partner << " does not exist (table timing_partners)\n";
    return 1;
  }
  auto provider = findProvider(store, spec.provider);
  if (!provider) {
    err << "p88host: --manual-sync: no provider named '" << spec.provider
        << "' (table providers; names are e.g. RunSignUp, Race Roster, Haku, Let's Do This)\n";
    return 1;
  }
  const plugins::PluginEntry* plugin = registry.find(provider->name);
  if (plugin == nullptr || !plugin->ok) {
    err << "p88host: --manual-sync: no loaded plugin serves provider '" << provider->name
        << "' (see p88host --list-plugins)\n";
    return 1;
  }
  std::vector<Credential> credentials;
  try {
    credentials = activeCredentials(store, spec.timing_partner_id, provider->id, box);
  } catch (const crypto::CryptoError& e) {
    err << "p88host: --manual-sync: " << e.what() << "\n";
    return 1;
  }
  if (credentials.empty()) {
    err << "p88host: --manual-sync: timing partner " << partner << " has no active credential for "
        << provider->name << " (table partner_provider_credentials)\n";
    return 1;
  }
  std::string base_url = settings.providerBaseUrl(provider->slug);
  if (base_url.empty()) base_url = provider->api_base_url;
  if (base_url.empty()) base_url = plugin->default_base_url;

  out << "manual sync: timing partner " << partner << ", " << provider->name << " (plugin "
      << plugin->path << " " << plugin->version << "), " << base_url << "\n";
  logging::info(logging::Component::main, "manual sync started partner=" + partner + " provider=" +
                                              provider->name + " base_url=" + http::describeUrl(base_url));

  const auto started = std::chrono::steady_clock::now();
  TokenCache tokens;
  StreamResult events_total, participants_total;
  size_t event_count = 0, failures = 0;
  for (const Credential& credential : credentials) {
    http::Session session(base_url);
    JobEnvironment env;
    env.store = &store;
    env.session = &session;
    env.tokens = &tokens;
    env.label = provider->name + " partner=" + partner + " credential=" + std::to_string(credential.id);
    auto last_print = std::chrono::steady_clock::now();
    std::string current = "events";  // what is being synced, for progress lines
    env.progress = [&](const StreamResult& r) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_print < std::chrono::seconds(2)) return;
      last_print = now;
      out << "    ... " << current << ": " << r.emitted << " records so far (" << counts(r) << ")\n" << std::flush;
    };
    const std::string who = "credential " + std::to_string(credential.id);

    Operation discovery{plugin->descriptor, &credential, "events", std::nullopt, false, "manual", std::nullopt};
    OperationResult d = runOperation(discovery, env);
    out << who << ": events (" << d.mode << "): " << d.total.emitted << " events, " << counts(d.total)
        << ", " << seconds(d.seconds) << "\n";
    if (!d.total.ok()) {
      ++failures;
      out << who << ": events FAILED (" << statusName(d.total.status) << "): " << d.total.error << "\n";
    }
    for (const auto& p : d.total.problems) out << "    " << p << "\n";
    accumulate(events_total, d.total);
    if (d.total.status == P88_ERR_AUTH || d.total.status == P88_ERR_THROTTLED) {
      out << who << ": participants not synced: "
          << (d.total.status == P88_ERR_AUTH ? "the provider refused the credential"
                                             : "the provider asks to wait " +
                                                   std::to_string(d.total.retry_after_seconds) + " s")
          << "\n";
      continue;
    }

    std::vector<EventRef> events;
    if (spec.event) {
      events = eventsById(store, credential, *spec.event);
      if (events.empty()) {
        ++failures;
        out << who << ": event " << *spec.event << " is not among the events of timing partner "
            << partner << " at " << provider->name << "\n";
        continue;
      }
    } else {
      events = currentEvents(store, credential, utcMinusSeconds(nowMs(), kSyncUntilAfterStartSeconds));
      out << who << ": " << events.size() << " current event" << (events.size() == 1 ? "" : "s")
          << " (starting after " << utcMinusSeconds(nowMs(), kSyncUntilAfterStartSeconds) << " UTC)\n";
    }
    for (const EventRef& e : events) {
      Operation op{plugin->descriptor, &credential, "participants", e, false, "manual", std::nullopt};
      current = "event " + e.provider_event_id;
      OperationResult r = runOperation(op, env);
      ++event_count;
      out << "  event " << e.provider_event_id << " \"" << e.name.value_or("") << "\""
          << (e.start_time ? " starts " + isoFromDatabase(e.start_time) : std::string()) << ": participants "
          << r.mode << ", " << r.total.emitted << (r.total.emitted == 1 ? " record (" : " records (") << counts(r.total) << "), "
          << seconds(r.seconds) << "\n";
      if (!r.total.ok()) {
        ++failures;
        out << "  event " << e.provider_event_id << " FAILED (" << statusName(r.total.status)
            << "): " << r.total.error << "\n";
      }
      for (const auto& p : r.total.problems) out << "    " << p << "\n";
      accumulate(participants_total, r.total);
    }
  }
  const double total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "summary: " << provider->name << ", timing partner " << partner << ": "
      << events_total.emitted << " events discovered (" << events_total.inserted << " new); "
      << event_count << " events synced: participants " << participants_total.inserted
      << " inserted, " << participants_total.updated << " updated, " << participants_total.unchanged
      << " unchanged, " << participants_total.status_changes << " cancelled/removed/transferred, "
      << participants_total.rejected << " refused, " << participants_total.skipped
      << " record errors; " << events_total.api_calls + participants_total.api_calls << " API calls; "
      << seconds(total_seconds) << "; " << failures << " failed\n";
  logging::info(logging::Component::main,
                "manual sync finished partner=" + partner + " provider=" + provider->name +
                    " events=" + std::to_string(event_count) + " failures=" + std::to_string(failures));
  return failures == 0 ? 0 : 1;
}

}  // namespace p88::sync
