#include "systemd/systemd_service.h"

#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace p88::systemd {
namespace {

void notify(const std::string& state) {
  // unset_environment = 0: the workers' threads may notify too.
  sd_notify(0, state.c_str());
}

std::string oneLine(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

void notifyReady(const std::string& status) { notify("READY=1\nSTATUS=" + oneLine(status)); }
void notifyStopping(const std::string& status) { notify("STOPPING=1\nSTATUS=" + oneLine(status)); }
void notifyStatus(const std::string& status) { notify("STATUS=" + oneLine(status)); }
void notifyWatchdog() { notify("WATCHDOG=1"); }

std::chrono::milliseconds watchdogPingInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(usec / 2000);
}

bool stderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

void journalWrite(int priority, const std::string& component, const std::string& message) noexcept {
  sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=p88host",
                  "P88_COMPONENT=%s", component.c_str(), nullptr);
}

}  // namespace p88::systemd
