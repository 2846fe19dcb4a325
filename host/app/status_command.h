// p88host --status: the race-morning view in the terminal, read from the database alone.
#pragma once

#include <iosfwd>

namespace p88::config {
struct Settings;
}

namespace p88::app {

// Prints the view; returns 0 when no event is stale or failing, 1 otherwise (for an alert).
int showStatus(const config::Settings& settings, std::ostream& out);

}  // namespace p88::app
