#include "http/http_session.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

namespace p88::http {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void initializeSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

bool retryableStatus(const std::string& method, int status) {
  return method == "GET" && (status == 502 || status == 503 || status == 504);
}

using Clock = std::chrono::steady_clock;

// Watches one attempt from its own thread: when the call's deadline passes or the caller cancels,
// it shuts the socket down, which ends a blocked connect, send or read at once.
class Watchdog {
 public:
  enum class Fired { no, deadline, cancelled };
  Watchdog(Poco::Net::StreamSocket& socket, Clock::time_point deadline, const std::function<bool()>& cancelled)
      : thread_([this, &socket, deadline, &cancelled] {
          std::unique_lock<std::mutex> lock(m_);
          while (!done_) {
            const auto now = Clock::now();
            Fired why = now >= deadline ? Fired::deadline : cancelled && cancelled() ? Fired::cancelled : Fired::no;
            if (why != Fired::no) {
              fired_ = why;
              // The descriptor itself, not Poco's shutdown(): for TLS that would write a close_notify
              // from this thread while the caller's thread is inside the TLS library.
              const poco_socket_t fd = socket.impl()->sockfd();
              if (fd != POCO_INVALID_SOCKET) ::shutdown(fd, SHUT_RDWR);
              return;
            }
            wake_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(100)));
          }
        }) {}
  ~Watchdog() { stop(); }
  Fired stop() {
    {
      std::lock_guard<std::mutex> lock(m_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex m_;
  std::condition_variable wake_;
  bool done_ = false;
  Fired fired_ = Fired::no;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace

std::string Response::header(const std::string& lower_name) const {
  for (const auto& h : headers)
    if (h.first == lower_name) return h.second;
  return "";
}

std::string resolveUrl(const std::string& base, const std::string& url) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (url.empty()) return b;
  return url.front() == '/' ? b + url : b + "/" + url;
}

std::string describeUrl(const std::string& url) {
  try {
    Poco::URI uri(url);
    std::string out = uri.getScheme() + "://" + uri.getHost();
    if (uri.getPort() != 0 && uri.getPort() != Poco::URI(uri.getScheme() + "://x").getPort())
      out += ":" + std::to_string(uri.getPort());
    return out + uri.getPath();
  } catch (const Poco::Exception&) {
    return url.substr(0, url.find('?'));
  }
}

bool isLoopbackHost(const std::string& host) {
  std::string h = lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  if (h == "localhost" || (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0)) return true;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  Poco::Net::IPAddress ip;
  return Poco::Net::IPAddress::tryParse(h, ip) && ip.isLoopback();
}

struct Session::Pool {
  std::map<std::string, std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
  Poco::Net::Context::Ptr tls;
};

Session::Session(std::string base_url, Options options)
    : base_(std::move(base_url)), options_(std::move(options)), pool_(std::make_unique<Pool>()) {}

Session::~Session() = default;

Response Session::send(const Request& request, const std::function<bool()>& cancelled, int64_t deadline_ns) {
  const std::string url = resolveUrl(base_, request.url);
  const std::string shown = describeUrl(url);
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw TransportError("invalid URL " + shown + ": " + e.message());
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https")
    throw TransportError("unsupported URL scheme in " + shown + " (http or https only)", TransportError::Why::refused);
  if (uri.getScheme() == "http" && !options_.allow_insecure_http && !isLoopbackHost(uri.getHost()))
    throw TransportError("refusing to send credentials in the clear to " + shown + " (http:// to a host that is not "
                             "a loopback address); use https://, or set " + options_.insecure_http_setting + "=true",
                         TransportError::Why::refused);
  const std::string origin = uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options_.call_deadline_ms);
  if (deadline_ns > 0) deadline = std::min(deadline, Clock::time_point(Clock::duration(deadline_ns)));
  const auto abandoned = [&](Watchdog::Fired fired) {
    pool_->sessions.erase(origin);  // its socket is shut
    if (fired == Watchdog::Fired::cancelled)
      return TransportError("cancelled during the call to " + shown, TransportError::Why::cancelled);
    return TransportError("no complete response from " + shown + " within the call's deadline (" +
                              std::to_string(options_.call_deadline_ms / 1000) + " s, http.call_deadline, or the job's)",
                          TransportError::Why::deadline);
  };
  std::string why;
  for (int attempt = 1; attempt <= std::max(1, options_.attempts); ++attempt) {
    if (attempt > 1) {
      int wait = options_.retry_base_ms << (attempt - 2);
      for (int waited = 0; waited < wait; waited += 50) {
        if (cancelled && cancelled()) throw TransportError("cancelled while retrying " + shown, TransportError::Why::cancelled);
        if (Clock::now() >= deadline) throw abandoned(Watchdog::Fired::deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    auto& session = pool_->sessions[origin];
    std::optional<Watchdog> watchdog;
    const auto drop = [&] {  // the watchdog first: it holds the session's socket
      if (watchdog) watchdog->stop();
      session.reset();
    };
    try {
      if (!session) {
        if (uri.getScheme() == "https") {
          initializeSslOnce();
          if (!pool_->tls)
            pool_->tls = new Poco::Net::Context(
                Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.ca_file,
                options_.verify_tls ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE,
                9, true);
          session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), pool_->tls);
        } else {
          session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        }
        session->setKeepAlive(true);
        session->setTimeout(Poco::Timespan(options_.connect_timeout_ms * 1000LL),
                            Poco::Timespan(options_.io_timeout_ms * 1000LL),
                            Poco::Timespan(options_.io_timeout_ms * 1000LL));
      }
      watchdog.emplace(session->socket(), deadline, cancelled);
      Poco::Net::HTTPRequest req(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      req.set("Accept", "application/json");
      req.set("User-Agent", "p88host");
      for (const auto& h : request.headers) req.set(h.first, h.second);
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
      std::ostream& out = session->sendRequest(req);
      out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
      Poco::Net::HTTPResponse resp;
      std::istream& in = session->receiveResponse(resp);
      ++calls_;
      Response r;
      r.status = static_cast<int>(resp.getStatus());
      for (const auto& h : resp) r.headers.emplace_back(lower(h.first), h.second);
      char buf[65536];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        r.body.append(buf, static_cast<size_t>(in.gcount()));
        if (r.body.size() > options_.max_body_bytes) {
          drop();
          throw TransportError("the response from " + shown + " is larger than the cap of " +
                               std::to_string(options_.max_body_bytes) + " bytes");
        }
      }
      if (const auto fired = watchdog->stop(); fired != Watchdog::Fired::no) throw abandoned(fired);
      if (resp.hasContentLength() &&
          static_cast<int64_t>(r.body.size()) < static_cast<int64_t>(resp.getContentLength64())) {
        drop();
        why = "truncated response: " + std::to_string(r.body.size()) + " of " +
              std::to_string(resp.getContentLength64()) + " bytes";
        continue;
      }
      if (!resp.getKeepAlive()) drop();
      if (retryableStatus(request.method, r.status) && attempt < options_.attempts) {
        why = "HTTP " + std::to_string(r.status);
        std::string after = r.header("retry-after");
        if (!after.empty() && after.find_first_not_of("0123456789") == std::string::npos &&
            std::stol(after) > 30)
          return r;  // the provider asks for longer than a transport retry waits
        continue;
      }
      return r;
    } catch (const TransportError&) {
      throw;
    } catch (const Poco::Exception& e) {
      if (const auto fired = watchdog ? watchdog->stop() : Watchdog::Fired::no; fired != Watchdog::Fired::no)
        throw abandoned(fired);
      drop();
      why = e.displayText();
    } catch (const std::exception& e) {
      if (const auto fired = watchdog ? watchdog->stop() : Watchdog::Fired::no; fired != Watchdog::Fired::no)
        throw abandoned(fired);
      drop();
      why = e.what();
    }
  }
  throw TransportError("no response from " + shown + " after " + std::to_string(options_.attempts) +
                       " attempts: " + why);
}

}  // namespace p88::http
