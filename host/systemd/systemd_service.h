// p88host under systemd (libsystemd, kept out of this header): readiness, stopping and watchdog
// notifications for Type=notify, and the journal as a log destination. Outside systemd every
// call does nothing.
#pragma once

#include <chrono>
#include <string>

namespace p88::systemd {

// READY=1 with a status text, once the engine and workers run.
void notifyReady(const std::string& status);
// STOPPING=1 with a status text, when a shutdown begins.
void notifyStopping(const std::string& status);
// STATUS=... (shown by `systemctl status`).
void notifyStatus(const std::string& status);
// WATCHDOG=1: the host is alive.
void notifyWatchdog();
// How often to send WATCHDOG=1 (half the unit's WatchdogSec), or zero when it has none.
std::chrono::milliseconds watchdogPingInterval();

// True when standard error is connected to the journal (systemd's JOURNAL_STREAM names it).
bool stderrIsJournal();
// Sends one entry with a syslog priority (0 emergency .. 7 debug) and the logging component.
void journalWrite(int priority, const std::string& component, const std::string& message) noexcept;

}  // namespace p88::systemd
