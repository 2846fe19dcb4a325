#include "support/http_client.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace p88::test {
namespace {

HttpResult send(const std::string& method, const std::string& url, const std::string* body,
                const std::string& content_type, const HttpOptions& options) {
  Poco::URI uri(url);
  if (uri.getHost() != "127.0.0.1" && uri.getHost() != "localhost")
    throw std::invalid_argument("tests only talk to 127.0.0.1, not " + uri.getHost());
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(options.timeout_ms / 1000, (options.timeout_ms % 1000) * 1000));
  Poco::Net::HTTPRequest req(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : options.headers) req.set(k, v);
  if (body) {
    req.setContentType(content_type);
    req.setContentLength(static_cast<std::streamsize>(body->size()));
    session.sendRequest(req) << *body;
  } else {
    session.sendRequest(req);
  }
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpResult r;
  r.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  for (const auto& [k, v] : resp) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[lower] = v;
  }
  r.content_type = resp.getContentType();
  if (resp.hasContentLength() && static_cast<std::streamsize>(r.body.size()) != resp.getContentLength())
    throw std::runtime_error("truncated body: got " + std::to_string(r.body.size()) + " of " +
                             std::to_string(resp.getContentLength()) + " bytes");
  return r;
}

}  // namespace

HttpResult httpGet(const std::string& url, const HttpOptions& options) {
  return send("GET", url, nullptr, "", options);
}

HttpResult httpPost(const std::string& url, const std::string& body, const std::string& content_type,
                    const HttpOptions& options) {
  return send("POST", url, &body, content_type, options);
}

HttpResult httpDelete(const std::string& url) { return send("DELETE", url, nullptr, "", {}); }

std::string urlEncode(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

std::string basicAuth(const std::string& user, const std::string& password) {
  std::ostringstream s;
  Poco::Base64Encoder enc(s);
  enc.rdbuf()->setLineLength(0);
  enc << user << ":" << password;
  enc.close();
  return "Basic " + s.str();
}

}  // namespace p88::test
