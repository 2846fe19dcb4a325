#include "status/http_listener.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <mutex>
#include <stdexcept>

#include "logging/logging.h"
#include "status/metrics.h"
#include "status/race_morning.h"
#include "store/store.h"

namespace p88::status {

std::pair<std::string, int> parseListenAddress(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("http.listen '" + text + "': " + why +
                                 " (expected PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9188)");
  };
  std::string host = "127.0.0.1", port = text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find("]:");
    if (close == std::string::npos) throw bad("an IPv6 address needs its port after ']:'");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (colon > 0) host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    throw bad("the port is not a number");
  const int p = std::stoi(port);
  if (p > 65535) throw bad("the port is above 65535");
  return {host, p};
}

namespace {

constexpr int64_t kEverySyncedEvent = 10LL * 366 * 24 * 3600;  // a horizon no race is beyond

// One connection for every request (they take turns), opened when first needed and again after
// the database went away.
class SharedStore {
 public:
  explicit SharedStore(std::function<std::unique_ptr<store::Store>()> open) : open_(std::move(open)) {}
  template <typename F>
  auto with(F f) {
    std::lock_guard<std::mutex> lock(m_);
    try {
      if (!store_) store_ = open_();
      return f(*store_);
    } catch (...) {
      store_.reset();
      throw;
    }
  }

 private:
  std::function<std::unique_ptr<store::Store>()> open_;
  std::mutex m_;
  std::unique_ptr<store::Store> store_;
};

void reply(Poco::Net::HTTPServerResponse& resp, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& type,
           const std::string& body) {
  resp.setStatusAndReason(status);
  resp.setContentType(type);
  resp.set("Cache-Control", "no-store");
  resp.setContentLength(static_cast<std::streamsize>(body.size()));
  resp.send() << body;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const ListenerHooks& hooks, SharedStore& store) : hooks_(hooks), store_(store) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    using S = Poco::Net::HTTPResponse;
    const std::string path = Poco::URI(req.getURI()).getPath();
    try {
      if (req.getMethod() != "GET" && req.getMethod() != "HEAD") {
        resp.set("Allow", "GET, HEAD");
        return reply(resp, S::HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET\n");
      }
      if (path == "/healthz") return healthz(resp);
      if (path == "/metrics") return metricsPage(resp);
      if (path == "/" || path == "/index.html") return statusPage(resp);
      reply(resp, S::HTTP_NOT_FOUND, "text/plain", "not found: try /, /metrics or /healthz\n");
    } catch (const std::exception& e) {
      const std::string why = logging::redact(e.what());
      logging::warning(logging::Component::main, "http: " + path + " failed: " + why);
      if (!resp.sent()) reply(resp, S::HTTP_SERVICE_UNAVAILABLE, "text/plain", "unavailable: " + why + "\n");
    }
  }

 private:
  void healthz(Poco::Net::HTTPServerResponse& resp) {
    std::string problem = hooks_.liveness ? hooks_.liveness() : "";
    if (problem.empty()) {
      try {
        store_.with([](store::Store& s) { return s.query("SELECT 1").rows.size(); });
      } catch (const std::exception& e) {
        problem = "the database does not answer: " + logging::redact(e.what());
      }
    }
    if (problem.empty()) return reply(resp, Poco::Net::HTTPResponse::HTTP_OK, "text/plain", "ok\n");
    reply(resp, Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "text/plain", problem + "\n");
  }

  void metricsPage(Poco::Net::HTTPServerResponse& resp) {
    metrics::Sample sample;
    sample.version = hooks_.version;
    sample.abi = hooks_.abi;
    sample.db_reconnects = store::reconnectCount();
    std::optional<RaceMorning> view;
    try {
      // Every event still synced, however far off its start (the page and --status show the
      // horizon's): an alert or a dashboard picks the ones it cares about by p88_event_starts_in_seconds.
      view = store_.with([&](store::Store& s) { return readRaceMorning(s, hooks_.schedule, kEverySyncedEvent); });
      sample.view = &*view;
    } catch (const std::exception& e) {
      logging::warning(logging::Component::main, "http: /metrics without the database: " + logging::redact(e.what()));
    }
    reply(resp, Poco::Net::HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
          metrics::exposition(sample));
  }

  void statusPage(Poco::Net::HTTPServerResponse& resp) {
    const RaceMorning view = store_.with([&](store::Store& s) { return readRaceMorning(s, hooks_.schedule, hooks_.horizon_seconds); });
    reply(resp, Poco::Net::HTTPResponse::HTTP_OK, "text/html; charset=utf-8", renderHtml(view, hooks_.version));
  }

  const ListenerHooks& hooks_;
  SharedStore& store_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const ListenerHooks& hooks, SharedStore& store) : hooks_(hooks), store_(store) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(hooks_, store_);
  }

 private:
  const ListenerHooks& hooks_;
  SharedStore& store_;
};

}  // namespace

struct HttpListener::Impl {
  ListenerHooks hooks;
  SharedStore store;
  Poco::Net::ServerSocket socket;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  explicit Impl(ListenerHooks h) : hooks(std::move(h)), store(hooks.open_store) {}
};

HttpListener::HttpListener(const std::string& listen, ListenerHooks hooks) : impl_(std::make_unique<Impl>(std::move(hooks))) {
  const auto [host, port] = parseListenAddress(listen);
  try {
    impl_->socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true);
    impl_->socket.listen(64);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("http.listen " + listen + ": cannot listen: " + e.displayText());
  }
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  params->setMaxQueued(64);
  params->setKeepAlive(false);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->hooks, impl_->store), impl_->socket, params);
  impl_->server->start();
}

HttpListener::~HttpListener() {
  if (impl_ && impl_->server) impl_->server->stopAll(true);
}

std::string HttpListener::address() const { return impl_->socket.address().toString(); }

}  // namespace p88::status
