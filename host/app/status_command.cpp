#include "app/status_command.h"

#include <date/date.h>

#include <ostream>
#include <stdexcept>

#include "app/text_table.h"
#include "config/settings.h"
#include "engine/engine_config.h"
#include "status/race_morning.h"
#include "store/store.h"

namespace p88::app {

int showStatus(const config::Settings& settings, std::ostream& out) {
  auto store = store::openStore(settings.database);
  // Read-only: a fleet's database is migrated by its hosts, not by someone looking at it.
  if (store->schemaVersion() == 0)
    throw std::runtime_error(settings.database.describe() + " has no p88 schema yet (p88host --migrate creates it)");
  const engine::EngineConfig config = engine::engineConfig(settings.merged);
  const status::RaceMorning view = status::readRaceMorning(*store, config.schedule, config.status_horizon.count());

  out << "p88 race morning, " << date::format("%Y-%m-%d %H:%M:%S UTC", view.now) << ": " << status::summaryOf(view)
      << " (starting within " << status::formatDuration(view.horizon_seconds) << ")\n\n";
  if (!view.events.empty()) {
    std::vector<std::vector<std::string>> events = {
        {"STATE", "START (LOCAL)", "PROVIDER", "EVENT", "PARTNER", "REGISTRATIONS", "CHANGES 1H", "DATA AGE",
         "NEXT SYNC", "LAST ERROR"}};
    for (const auto& e : view.events)
      events.push_back({status::stateOf(e), e.start_local, e.provider, e.event_id + " " + e.name, e.partner,
                        std::to_string(e.registrations), std::to_string(e.changes_last_hour),
                        status::formatDuration(e.age_seconds),
                        status::nextSyncOf(e),
                        e.last_error.substr(0, 120)});
    printTable(events, out);
    out << "\n";
  }
  std::vector<std::vector<std::string>> credentials = {
      {"CREDENTIAL", "PROVIDER", "PARTNER", "CALLS LAST HOUR", "BUDGET/H", "THROTTLES", "BLOCKED"}};
  for (const auto& c : view.credentials)
    credentials.push_back({std::to_string(c.id), c.provider, c.partner, std::to_string(c.calls_last_hour),
                           std::to_string(c.budget_per_hour), std::to_string(c.throttles),
                           c.blocked_seconds > 0 ? status::formatDuration(static_cast<int64_t>(c.blocked_seconds)) : "-"});
  printTable(credentials, out);
  out << "\nqueue:";
  for (const auto& [status, n] : view.queue) out << " " << status << "=" << n;
  out << "\n";
  return view.healthy() ? 0 : 1;
}

}  // namespace p88::app
