// How fast p88-provider-sim serves one large event: every participant, paged at each provider's
// maximum page size, over one keep-alive connection, sequentially (the way one sync reads it).
// Usage (one shell line):
//   p88-provider-sim --large-event 100000 --ready-file /tmp/sim.json
//     --rate-limit runsignup=1000000/3600 --rate-limit raceroster=1000000/3600
//     --rate-limit haku=1000000/3600 --rate-limit letsdothis=1000000/3600 &
//   p88_provider_sim_bench /tmp/sim.json
// Reports the wall time and, apart, the time this client spent parsing JSON: the simulator's
// share is the difference.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

using nlohmann::json;

namespace {

struct Client {
  explicit Client(const std::string& base) : uri(base), session(uri.getHost(), uri.getPort()) {
    session.setKeepAlive(true);
  }
  std::string get(const std::string& path_and_query, const std::string& auth = "", int* status = nullptr) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPath() + path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!auth.empty()) req.set("Authorization", auth);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    if (status) *status = resp.getStatus();
    bytes += body.size();
    ++calls;
    return body;
  }
  std::string post(const std::string& path, const std::string& form, const std::string& auth = "") {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/x-www-form-urlencoded");
    req.setContentLength(static_cast<std::streamsize>(form.size()));
    if (!auth.empty()) req.set("Authorization", auth);
    session.sendRequest(req) << form;
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return body;
  }
  Poco::URI uri;
  Poco::Net::HTTPClientSession session;
  size_t bytes = 0, calls = 0;
};

double parse_seconds = 0;

json parse(const std::string& body) {
  auto start = std::chrono::steady_clock::now();
  json j = json::parse(body);
  parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return j;
}

json getJson(const std::string& url) {
  Client c(url);
  return json::parse(c.get(""));
}

std::string basic(const std::string& id, const std::string& secret) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = id + ":" + secret, out;
  int val = 0, bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(t[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(t[((val << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return "Basic " + out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: p88_provider_sim_bench READY_FILE\n");
    return 64;
  }
  json urls = json::parse(std::ifstream(argv[1]));
  const std::string control = urls["control"];
  json accounts = getJson(control + "/accounts");
  json events = getJson(control + "/events");
  for (const char* provider : {"runsignup", "raceroster", "haku", "letsdothis"}) {
    json event, account;
    for (const auto& e : events)
      if (e["provider"] == provider && (event.is_null() || e["participants"] > event["participants"])) event = e;
    for (const auto& a : accounts)
      if (a["label"] == event["account"]) account = a;
    Client c(urls[provider]);
    const std::string id = event["provider_event_id"];
    std::string auth;
    if (std::string(provider) == "raceroster") {
      json t = json::parse(c.post("/api/oauth/authorize",
                                  "grant_type=access_token&client_id=" + account["principal"].get<std::string>() +
                                      "&client_secret=" + account["secret"].get<std::string>() + "&username=" +
                                      Poco::URI(account["username"].get<std::string>()).toString() +
                                      "&password=" + account["password"].get<std::string>()));
      auth = "Bearer " + t["data"]["access_token"].get<std::string>();
    } else if (std::string(provider) == "haku") {
      json t = json::parse(c.post("/oauth2/token", "grant_type=client_credentials",
                                  basic(account["principal"], account["secret"])));
      auth = t["access_token"];
    } else if (std::string(provider) == "letsdothis") {
      auth = "Bearer " + account["principal"].get<std::string>();
    }
    c.bytes = c.calls = 0;
    parse_seconds = 0;
    size_t rows = 0;
    auto start = std::chrono::steady_clock::now();
    if (std::string(provider) == "runsignup") {
      const std::string keys = "?format=json&api_key=" + account["principal"].get<std::string>() + "&api_secret=" + account["secret"].get<std::string>();
      for (int page = 1;; ++page) {
        json body = parse(c.get("/race/" + event["provider_race_id"].get<std::string>() + "/participants" + keys +
                                      "&event_id=" + id + "&results_per_page=2500&include_questions=T&page=" + std::to_string(page)));
        size_t n = body[0]["participants"].size();
        rows += n;
        if (n < 2500) break;
      }
    } else if (std::string(provider) == "raceroster") {
      for (int page = 1;; ++page) {
        json body = parse(c.get("/events/" + id + "/participants?perPage=250&page=" + std::to_string(page), auth));
        size_t n = body["data"].size();
        rows += n;
        if (n < 250) break;
      }
    } else if (std::string(provider) == "haku") {
      for (int page = 1;; ++page) {
        json body = parse(c.get("/events/" + id + "/participants?per_page=100&page=" + std::to_string(page), auth));
        size_t n = body["participants"].size();
        rows += n;
        if (n < 100) break;
      }
    } else {
      std::string after;
      for (;;) {
        json body = parse(c.get("/applications?eventId=" + id + "&page[size]=100" + (after.empty() ? "" : "&page[after]=" + after), auth));
        rows += body["data"].size();
        if (body["page"]["next"].is_null()) break;
        after = body["page"]["next"];
      }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-11s event %-10s %7zu participants  %5zu calls  %6.1f MB  wall %5.2f s  client parsing %5.2f s  "
                "serving %5.2f s\n",
                provider, id.c_str(), rows, c.calls, c.bytes / 1e6, s, parse_seconds, s - parse_seconds);
  }
  return 0;
}
