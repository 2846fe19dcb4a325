#include "server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <thread>

namespace sim {
namespace {

constexpr size_t kMaxRequestBody = 1 << 20;

Request toRequest(Poco::Net::HTTPServerRequest& req) {
  Request r;
  r.method = req.getMethod();
  Poco::URI uri(req.getURI());
  r.path = uri.getPath();
  r.query = parseQuery(uri.getRawQuery());
  for (const auto& [name, value] : req) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[lower] = value;
  }
  std::istream& in = req.stream();
  char buf[8192];
  while (in && r.body.size() < kMaxRequestBody) {
    in.read(buf, sizeof buf);
    r.body.append(buf, static_cast<size_t>(in.gcount()));
  }
  return r;
}

void send(Poco::Net::HTTPServerResponse& resp, const Reply& reply, size_t send_bytes) {
  resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  resp.setContentType(reply.content_type);
  for (const auto& [k, v] : reply.headers) resp.set(k, v);
  resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
  std::ostream& out = resp.send();
  out.write(reply.body.data(), static_cast<std::streamsize>(std::min(send_bytes, reply.body.size())));
  out.flush();
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(Simulator& sim, ProviderApi& api) : sim_(sim), api_(api) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    Request r = toRequest(req);
    if (r.path.rfind("/_sim/", 0) == 0) {
      Reply reply = handleControl(sim_, r);
      send(resp, reply, reply.body.size());
      return;
    }
    auto fault = sim_.faults.take(api_.provider(), r.path);
    Reply reply;
    size_t send_bytes = std::string::npos;
    if (!fault) {
      reply = api_.handle(r);
    } else {
      switch (fault->kind) {
        case FaultKind::slow:
          std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
          reply = api_.handle(r);
          break;
        case FaultKind::status_500:
        case FaultKind::status_502:
        case FaultKind::status_503: {
          int code = fault->kind == FaultKind::status_500 ? 500 : fault->kind == FaultKind::status_502 ? 502 : 503;
          reply.status = code;
          reply.content_type = "text/html";
          reply.body = "<html><body><h1>" + std::to_string(code) + " " +
                       (code == 500 ? "Internal Server Error" : code == 502 ? "Bad Gateway" : "Service Unavailable") +
                       "</h1></body></html>";
          if (code == 503) reply.headers.emplace_back("Retry-After", "1");
          reply.route = "(fault)";
          break;
        }
        case FaultKind::reset: {
          sim_.stats.record(api_.provider(), "", "(fault)", false, true);
          auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req);
          impl.socket().setLinger(true, 0);  // close with RST, not FIN
          impl.socket().close();
          return;
        }
        case FaultKind::expired_token:
          reply = api_.unauthorized("The access token has expired.");
          reply.route = "(fault)";
          break;
        case FaultKind::unauthorized:
          reply = api_.unauthorized("Unauthorized.");
          reply.route = "(fault)";
          break;
        case FaultKind::truncate:
          reply = api_.handle(r);
          send_bytes = reply.body.size() / 2;  // Content-Length promises the whole body
          resp.setKeepAlive(false);
          break;
        case FaultKind::malformed:
          reply = api_.handle(r);
          reply.body = reply.body.substr(0, reply.body.size() / 2) + "\"<unterminated";
          break;
        case FaultKind::reset_after: {
          // The real answer, then a TCP reset of the keep-alive connection: the client's next
          // request on it writes to a socket the peer has reset.
          reply = api_.handle(r);
          sim_.stats.record(api_.provider(), reply.account, reply.route, reply.throttled, true);
          send(resp, reply, reply.body.size());
          auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req);
          impl.socket().setLinger(true, 0);
          impl.socket().close();
          return;
        }
        case FaultKind::other_next_key:
        case FaultKind::ignore_event_filter:
        case FaultKind::ignore_updated_after:
        case FaultKind::no_event_id:
          reply = surprisePage(api_, r, fault->kind);
          break;
        case FaultKind::hostile:
          reply = api_.handle(r);
          reply.body = hostilePage(api_.provider(), reply.body,
                                   std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
          break;
        case FaultKind::endless:
        case FaultKind::repeat_cursor:
          reply = endlessPage(api_, r, fault->kind == FaultKind::repeat_cursor);
          break;
        case FaultKind::trickle: {
          // The real answer, one byte at a time: every read gets something in time, the answer
          // is never complete. Ends when the client hangs up.
          reply = api_.handle(r);
          sim_.stats.record(api_.provider(), reply.account, reply.route, reply.throttled, true);
          resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
          resp.setContentType(reply.content_type);
          resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
          std::ostream& out = resp.send();
          for (char c : reply.body) {
            out.put(c);
            out.flush();
            if (!out) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
          }
          return;
        }
        case FaultKind::wrong_content_type:
          reply = api_.handle(r);
          reply.status = 200;
          reply.content_type = "text/html; charset=utf-8";
          reply.body = "<!DOCTYPE html><html><body><p>Our site is down for maintenance.</p></body></html>";
          break;
      }
    }
    sim_.stats.record(api_.provider(), reply.account, reply.route.empty() ? "(unknown)" : reply.route,
                      reply.throttled, fault.has_value());
    send(resp, reply, send_bytes);
  }

 private:
  Simulator& sim_;
  ProviderApi& api_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(Simulator& sim, ProviderApi& api) : sim_(sim), api_(api) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(sim_, api_);
  }

 private:
  Simulator& sim_;
  ProviderApi& api_;
};

}  // namespace

Poco::Net::HTTPRequestHandlerFactory* makeHandlerFactory(Simulator& sim, ProviderApi& api) {
  return new Factory(sim, api);
}

}  // namespace sim
