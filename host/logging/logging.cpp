#include "logging/logging.h"

#include "crypto/base64.h"
#include "systemd/systemd_service.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SplitterChannel.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <vector>

namespace p88::logging {
namespace {

std::mutex secrets_mutex;
std::set<std::string>& secrets() {
  static std::set<std::string> s;
  return s;
}

// Masks secrets before any formatter or file sees the text.
class RedactingChannel : public Poco::Channel {
 public:
  explicit RedactingChannel(Poco::Channel::Ptr next) : next_(std::move(next)) {}
  void log(const Poco::Message& msg) override {
    Poco::Message copy(msg);
    copy.setText(redact(msg.getText()));
    next_->log(copy);
  }

 private:
  Poco::Channel::Ptr next_;
};

std::atomic<int64_t> failed_writes{0};

// A log line that cannot be written (a full disk, a removed directory, /dev/full) is counted and
// reported once on stderr; it never throws into the code that logged it, which may be a catch
// handler already.
void logWriteFailed(const char* why) noexcept {
  if (failed_writes.fetch_add(1) == 0)
    std::fprintf(stderr, "p88host: a log write failed (%s); later failures are counted in the status line, not reported\n",
                 why);
}

// Runs a log write; whatever it throws is counted instead.
template <typename F>
void guarded(F write) noexcept {
  try {
    write();
  } catch (const Poco::Exception& e) {
    logWriteFailed(e.displayText().c_str());
  } catch (const std::exception& e) {
    logWriteFailed(e.what());
  } catch (...) {
    logWriteFailed("unknown error");
  }
}

class NeverThrowingChannel : public Poco::Channel {
 public:
  explicit NeverThrowingChannel(Poco::Channel::Ptr next) : next_(std::move(next)) {}
  void log(const Poco::Message& msg) override {
    guarded([&] { next_->log(msg); });
  }

 private:
  Poco::Channel::Ptr next_;
};

// Passes on only messages at or above a priority (the terminal gets warnings and errors).
class ThresholdChannel : public Poco::Channel {
 public:
  ThresholdChannel(Poco::Channel::Ptr next, Poco::Message::Priority p)
      : next_(std::move(next)), p_(p) {}
  void log(const Poco::Message& msg) override {
    if (msg.getPriority() <= p_) next_->log(msg);
  }

 private:
  Poco::Channel::Ptr next_;
  Poco::Message::Priority p_;
};

// Under systemd: every line to the journal too, with its syslog priority (Poco's priorities are
// syslog's, one step apart only at fatal and trace).
class JournalChannel : public Poco::Channel {
 public:
  explicit JournalChannel(std::string component) : component_(std::move(component)) {}
  void log(const Poco::Message& msg) override {
    int priority = static_cast<int>(msg.getPriority());
    if (priority < 2) priority = 2;  // fatal -> crit
    if (priority > 7) priority = 7;  // trace -> debug
    systemd::journalWrite(priority, component_, msg.getText());
  }

 private:
  std::string component_;
};

const char* loggerName(Component c) {
  switch (c) {
    case Component::engine: return "p88.engine";
    case Component::worker: return "p88.worker";
    default: return "p88";
  }
}

Poco::Channel::Ptr formatted(Poco::Channel::Ptr inner) {
  Poco::Formatter::Ptr f(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  return Poco::Channel::Ptr(new Poco::FormattingChannel(f, inner));
}

Poco::Channel::Ptr fileChannel(const std::filesystem::path& path) {
  Poco::Channel::Ptr file(new Poco::FileChannel(path.string()));
  file->open();
  return Poco::Channel::Ptr(new NeverThrowingChannel(formatted(file)));
}

// Can we create the directory and append to each file in it?
std::string probeDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ec.message();
  for (const char* name : {"provider_integration.log", "provider_sync.log", "sync_worker.log"}) {
    std::ofstream f(dir / name, std::ios::app);
    if (!f) return std::string(name) + ": " + std::strerror(errno);
  }
  return "";
}

}  // namespace

std::string configure(const Setup& setup) {
  const std::filesystem::path dir(setup.dir);
  std::string problem = probeDirectory(dir);
  std::string warning;
  Poco::Channel::Ptr console = formatted(Poco::Channel::Ptr(new Poco::ConsoleChannel()));
  // With standard error in the journal the journal gets every line at its priority, and the
  // terminal copy of warnings would only repeat them there.
  const bool journal = systemd::stderrIsJournal();
  for (Component c : {Component::main, Component::engine, Component::worker}) {
    Poco::AutoPtr<Poco::SplitterChannel> split(new Poco::SplitterChannel);
    const char* file = c == Component::engine   ? "provider_sync.log"
                       : c == Component::worker ? "sync_worker.log"
                                                : "provider_integration.log";
    if (problem.empty()) split->addChannel(fileChannel(dir / file));
    if (journal)
      split->addChannel(Poco::Channel::Ptr(new JournalChannel(loggerName(c))));
    else if (!problem.empty())
      split->addChannel(console);
    else if (setup.console)
      split->addChannel(Poco::Channel::Ptr(new ThresholdChannel(console, Poco::Message::PRIO_WARNING)));
    Poco::Logger& logger = Poco::Logger::get(loggerName(c));
    logger.setChannel(Poco::Channel::Ptr(new RedactingChannel(split)));
    logger.setLevel(setup.level);
  }
  if (!problem.empty()) {
    warning = "warning: cannot write logs to " + setup.dir + " (" + problem +
              "); logging to stderr instead";
    std::fprintf(stderr, "%s\n", warning.c_str());
  }
  return warning;
}

void write(Component component, Level level, const std::string& message) noexcept {
  guarded([&] {
    Poco::Logger& logger = Poco::Logger::get(loggerName(component));
    switch (level) {
      case Level::debug: logger.debug(message); break;
      case Level::information: logger.information(message); break;
      case Level::warning: logger.warning(message); break;
      case Level::error: logger.error(message); break;
    }
  });
}

int64_t failedWrites() { return failed_writes.load(); }

namespace {

// The forms a secret takes on its way out: in a URL or form body (percent-encoded, upper and
// lower case hex, '+' for a space) and in base64 (HTTP Basic, tokens).
std::vector<std::string> encodedForms(const std::string& s) {
  std::string upper, lower, plus;
  static const char* hex_upper = "0123456789ABCDEF";
  static const char* hex_lower = "0123456789abcdef";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      upper += static_cast<char>(c), lower += static_cast<char>(c), plus += static_cast<char>(c);
      continue;
    }
    upper += {'%', hex_upper[c >> 4], hex_upper[c & 15]};
    lower += {'%', hex_lower[c >> 4], hex_lower[c & 15]};
    if (c == ' ')
      plus += '+';
    else
      plus += {'%', hex_upper[c >> 4], hex_upper[c & 15]};
  }
  return {upper, lower, plus, crypto::base64(s)};
}

}  // namespace

void addSecret(const std::string& secret) {
  if (secret.size() < 4) return;  // masking "ab" everywhere would garble every line
  std::lock_guard<std::mutex> lock(secrets_mutex);
  secrets().insert(secret);
  for (std::string& form : encodedForms(secret))
    if (form.size() >= 4) secrets().insert(std::move(form));
}

std::string redact(const std::string& text) {
  std::lock_guard<std::mutex> lock(secrets_mutex);
  std::string out = text;
  for (const auto& s : secrets()) {
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3))
      out.replace(pos, s.size(), "***");
  }
  return out;
}

}  // namespace p88::logging
