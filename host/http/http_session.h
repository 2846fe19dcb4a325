// HTTP for plugins: one keep-alive session per provider origin (Poco, kept out of this header),
// bounded timeouts, a response size cap, TLS verified against the system's CAs, and transport
// retries for what a retry can fix (connection failures, truncated bodies, 502/503/504 on GET).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace p88::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;  // absolute, or "/path?query" relative to the base URL
  Headers headers;
  std::string body;
};

struct Response {
  int status = 0;
  std::string body;
  Headers headers;  // names lower-cased
  std::string header(const std::string& lower_name) const;
};

struct Options {
  int connect_timeout_ms = 10000;
  int io_timeout_ms = 60000;
  // The whole call, all attempts included: a server that trickles bytes (each read in time, the
  // answer never complete) is abandoned here. http.call_deadline.
  int call_deadline_ms = 300000;
  size_t max_body_bytes = 256u << 20;
  int attempts = 3;          // transport attempts per request
  int retry_base_ms = 500;   // doubles per attempt
  bool verify_tls = true;
  // Plain http:// carries keys and tokens in the clear: refused unless to a loopback address or
  // allowed here (the setting named in the refusal, e.g. providers.haku.allow_insecure_http).
  bool allow_insecure_http = false;
  std::string insecure_http_setting = "allow_insecure_http";
  std::string ca_file;       // extra CA file (empty: the system's)
};

// No response arrived (after the transport retries); the message never contains the query string.
class TransportError : public std::runtime_error {
 public:
  enum class Why { failed, deadline, cancelled, refused };
  explicit TransportError(const std::string& message, Why why = Why::failed)
      : std::runtime_error(message), why_(why) {}
  Why why() const { return why_; }

 private:
  Why why_;
};

// "https://host:port/base" + "/path?q" -> "https://host:port/base/path?q"; absolute URLs pass.
std::string resolveUrl(const std::string& base, const std::string& url);
// The URL without its query string and userinfo: what may appear in a message.
std::string describeUrl(const std::string& url);
// localhost, 127.0.0.0/8, ::1.
bool isLoopbackHost(const std::string& host);

class Session {
 public:
  Session(std::string base_url, Options options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends the request. A watchdog polls `cancelled` (from another thread: it must be safe to call
  // there) and abandons the call, mid-read too, once it says so or once the call's deadline
  // passes (the earlier of Options::call_deadline_ms and `deadline`, a steady-clock time in
  // nanoseconds since its epoch; 0: none). Every attempt that reached the server counts in calls().
  Response send(const Request& request, const std::function<bool()>& cancelled = {}, int64_t deadline = 0);
  int64_t calls() const { return calls_; }
  const std::string& baseUrl() const { return base_; }

 private:
  struct Pool;
  std::string base_;
  Options options_;
  std::unique_ptr<Pool> pool_;
  int64_t calls_ = 0;
};

}  // namespace p88::http
