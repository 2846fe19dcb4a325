// A small HTTP client for tests (Poco), on 127.0.0.1 only.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace p88::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string content_type;
};

struct HttpOptions {
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 10000;
};

// url is absolute ("http://127.0.0.1:1234/path?x=1"). Throws Poco exceptions on transport errors.
HttpResult httpGet(const std::string& url, const HttpOptions& options = {});
HttpResult httpPost(const std::string& url, const std::string& body, const std::string& content_type,
                    const HttpOptions& options = {});
HttpResult httpDelete(const std::string& url);

std::string urlEncode(const std::string& value);
std::string basicAuth(const std::string& user, const std::string& password);

}  // namespace p88::test
