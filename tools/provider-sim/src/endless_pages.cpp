// The `endless` and `repeat_cursor` faults: pages whose paging never ends, in each provider's own
// terms, so a client's guard against a paging that goes on forever or in a circle can be tested.
#include <atomic>
#include <nlohmann/json.hpp>

#include "formats.h"
#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

// Repeats the rows until the page is full: a full page is what says "there may be more".
void fill(json& rows, size_t size) {
  if (!rows.is_array() || rows.empty()) return;
  const size_t n = rows.size();
  for (size_t i = 0; rows.size() < size; ++i) rows.push_back(rows[i % n]);
}

Request withParam(Request r, const std::string& name, const std::string& value) {
  r.query.erase(name);
  if (!value.empty()) r.query.emplace(name, value);
  return r;
}

}  // namespace

Reply endlessPage(ProviderApi& api, const Request& request, bool repeat) {
  static std::atomic<long> issued{0};
  switch (api.provider()) {
    case Provider::runsignup: {  // pages until a short one: every page is page 1, full
      Reply reply = api.handle(withParam(request, "page", "1"));
      json body = json::parse(reply.body, nullptr, false);
      if (!body.is_array() || body.empty() || !body[0].contains("participants")) return reply;
      fill(body[0]["participants"], static_cast<size_t>(request.integer("results_per_page", 50, 1, 2500)));
      reply.body = body.dump();
      return reply;
    }
    case Provider::raceroster: {  // pages until a short one or totalPages
      const long long page = request.integer("page", 1, 1, 1000000000);
      Reply reply = api.handle(withParam(request, "page", "1"));
      json body = json::parse(reply.body, nullptr, false);
      if (!body.is_object() || !body.contains("data")) return reply;
      fill(body["data"], static_cast<size_t>(request.integer("perPage", 25, 1, 250)));
      body["metadata"]["page"] = page;
      body["metadata"]["totalPages"] = page + 1;
      body["metadata"]["totalResults"] = (page + 1) * static_cast<long long>(body["data"].size());
      reply.body = body.dump();
      return reply;
    }
    case Provider::haku: {  // pages until a short one or meta.total
      Reply reply = api.handle(withParam(request, "page", "1"));
      json body = json::parse(reply.body, nullptr, false);
      if (!body.is_object()) return reply;
      for (const char* key : {"participants", "events"})
        if (body.contains(key)) fill(body[key], static_cast<size_t>(request.integer("per_page", 25, 1, 100)));
      body["meta"]["total"] = 1000000000;
      reply.body = body.dump();
      return reply;
    }
    case Provider::letsdothis: {  // follows page.next until null
      Reply reply = api.handle(withParam(request, "page[after]", ""));
      json body = json::parse(reply.body, nullptr, false);
      if (!body.is_object() || !body.contains("data")) return reply;
      fill(body["data"], static_cast<size_t>(request.integer("page[size]", 20, 1, 100)));
      const std::string again = request.param("page[after]");
      body["page"]["next"] = repeat && !again.empty() ? again
                             : repeat                 ? base64("o:0")
                                                      : base64("o:0:endless-" + std::to_string(++issued));
      reply.body = body.dump();
      return reply;
    }
  }
  return api.handle(request);
}

}  // namespace sim
