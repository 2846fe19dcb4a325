// Logging for the whole host, through Poco (kept out of this header). The seed's three files:
//   provider_integration.log  the application (main)
//   provider_sync.log         the sync engine
//   sync_worker.log           the workers and the plugins they run
// Every line passes through redaction: registered secrets never reach a file or the terminal.
#pragma once

#include <string>

namespace p88::logging {

enum class Component { main, engine, worker };
enum class Level { debug, information, warning, error };

struct Setup {
  std::string dir = "/var/log/project88";
  std::string level = "information";  // Poco level name
  bool console = true;                // also copy warnings and errors to stderr
};

// Opens the log files; if the directory cannot be created or written, warns once on stderr and
// logs to stderr instead. Returns that warning ("" when the files are in use).
std::string configure(const Setup& setup);

// Never throws: a line that cannot be written is counted (failedWrites) and the first failure is
// reported on stderr.
void write(Component component, Level level, const std::string& message) noexcept;
int64_t failedWrites();
inline void debug(Component c, const std::string& m) noexcept { write(c, Level::debug, m); }
inline void info(Component c, const std::string& m) noexcept { write(c, Level::information, m); }
inline void warning(Component c, const std::string& m) noexcept { write(c, Level::warning, m); }
inline void error(Component c, const std::string& m) noexcept { write(c, Level::error, m); }

// Secrets (passwords, API keys and secrets, tokens) to mask as "***" wherever they appear, as
// they are and percent-encoded or base64-encoded.
void addSecret(const std::string& secret);
std::string redact(const std::string& text);

}  // namespace p88::logging
