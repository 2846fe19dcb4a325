// Faults that answer in a shape the client did not expect, where the notes call a provider's
// paging or fields a guess (Let's Do This above all): a renamed next-page key, a filter the
// server ignores, rows without their event id. A client must fail or report them, never lose
// data quietly.
#include <nlohmann/json.hpp>

#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

Request without(Request r, std::initializer_list<const char*> names) {
  for (const char* n : names) r.query.erase(n);
  return r;
}

// The list of rows in a page: {"data": [...]}, {"participants": [...]}, or RunSignUp's
// [{"participants": [...]}].
json* rowsOf(json& page) {
  if (page.is_array() && !page.empty() && page[0].contains("participants")) return &page[0]["participants"];
  for (const char* k : {"data", "participants"})
    if (page.is_object() && page.contains(k) && page[k].is_array()) return &page[k];
  return nullptr;
}

}  // namespace

Reply surprisePage(ProviderApi& api, const Request& request, FaultKind kind) {
  switch (kind) {
    case FaultKind::ignore_event_filter:  // every event's rows of the account
      return api.handle(without(request, {"eventId", "event_id"}));
    case FaultKind::ignore_updated_after:  // every row, changed or not
      return api.handle(without(request, {"updatedAt[after]", "lastModifiedDate", "updated_since",
                                          "modified_after_timestamp"}));
    case FaultKind::other_next_key: {  // {"page": {"next": c}} becomes {"links": {"next": c}}
      Reply reply = api.handle(request);
      json body = json::parse(reply.body, nullptr, false);
      if (body.is_object() && body.contains("page") && body["page"].is_object()) {
        body["links"] = {{"next", body["page"].value("next", json(nullptr))}};
        body.erase("page");
        reply.body = body.dump();
      }
      return reply;
    }
    case FaultKind::no_event_id: {
      Reply reply = api.handle(request);
      json body = json::parse(reply.body, nullptr, false);
      if (json* rows = rowsOf(body)) {
        for (json& row : *rows)
          if (row.is_object()) {
            row.erase("eventId");
            row.erase("event_id");
          }
        reply.body = body.dump();
      }
      return reply;
    }
    default:
      return api.handle(request);
  }
}

}  // namespace sim
