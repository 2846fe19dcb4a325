// p88host as a service: the engine (scheduler) and/or workers, until SIGTERM or SIGINT. With
// PostgreSQL any number of processes may run; one engine schedules at a time (a session advisory
// lock), the others stand by and take over within a tick when it goes away.
#pragma once

#include <iosfwd>

namespace p88::config {
struct Settings;
}

namespace p88::engine {

enum class Role { engine_and_workers, engine_only, worker_only };

// Returns the exit code (0 after a clean shutdown). Throws config::ConfigError for bad settings.
int runService(const config::Settings& settings, Role role, std::ostream& out);

}  // namespace p88::engine
