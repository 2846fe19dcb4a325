// The `hostile` fault: a participants page whose first rows each carry one value a real provider
// might send on a bad day, in that provider's own fields (an events page: its first event starts
// "TBD"). Everything else of the page is as the
// provider holds it, so a client that handles the bad values still stores every registration.
//   row 0  a field nested 200,000 arrays deep
//   row 1  a first name with invalid UTF-8 bytes
//   row 2  a last name ending in a lone UTF-16 surrogate escape (\ud83c)
//   row 3  a change time in milliseconds where seconds (or an ISO string) belong
//   row 4  a change time in the year 2100
//   row 5  an age of 999
//   row 6  an amount of 1e300
#include <nlohmann/json.hpp>

#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

// Placeholders, replaced in the text once dumped: json cannot hold what they stand for.
const std::string kDeep = "@@p88-sim-deep@@", kBadBytes = "@@p88-sim-bad-utf8@@", kLone = "@@p88-sim-lone@@";

struct Fields {
  const char* list_key;  // where the rows are ("" for RunSignUp's [0].participants)
  const char* first, *last, *changed, *age, *amount;
  bool changed_is_unix;
};

Fields fieldsOf(Provider p) {
  switch (p) {
    case Provider::runsignup: return {"", "user.first_name", "user.last_name", "last_modified", "age", "amount_paid", true};
    case Provider::raceroster: return {"data", "firstName", "lastName", "lastModifiedDate", "age", "amountPaid", false};
    case Provider::haku: return {"participants", "person_full_name", "person_full_name", "updated_at", "age", "transaction_amount", false};
    case Provider::letsdothis: return {"data", "firstName", "lastName", "updatedAt", "age", "amountPaid.amount", false};
  }
  return {"data", "firstName", "lastName", "updatedAt", "age", "amount", false};
}

json& at(json& row, const std::string& path) {
  json* v = &row;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    v = &(*v)[path.substr(start, dot == std::string::npos ? std::string::npos : dot - start)];
    if (dot == std::string::npos) return *v;
    start = dot + 1;
  }
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

}  // namespace

// An events page: the first event's start is "TBD"; false when `page` is not one.
bool spoilEventStart(Provider provider, json& page) {
  json* first = nullptr;
  const char* field = "startDate";
  if (provider == Provider::runsignup && page.contains("races") && !page["races"].empty() &&
      page["races"][0]["race"].contains("events") && !page["races"][0]["race"]["events"].empty()) {
    first = &page["races"][0]["race"]["events"][0];
    field = "start_time";
  } else if (provider == Provider::haku && page.contains("events") && !page["events"].empty()) {
    first = &page["events"][0];
    field = "event_date";
  } else if (page.contains("data") && page["data"].is_array() && !page["data"].empty() &&
             page["data"][0].contains("startDate")) {
    first = &page["data"][0];
  }
  if (first == nullptr) return false;
  (*first)[field] = "TBD";
  return true;
}

std::string hostilePage(Provider provider, const std::string& body, long long now_unix) {
  json page = json::parse(body, nullptr, false);
  if (page.is_object() && spoilEventStart(provider, page)) return page.dump();
  const Fields f = fieldsOf(provider);
  json* rows = nullptr;
  if (page.is_array() && !page.empty() && page[0].contains("participants"))
    rows = &page[0]["participants"];
  else if (page.is_object() && *f.list_key && page.contains(f.list_key))
    rows = &page[f.list_key];
  if (rows == nullptr || !rows->is_array()) return body;
  json& r = *rows;
  const auto row = [&](size_t i) -> json* { return i < r.size() && r[i].is_object() ? &r[i] : nullptr; };
  if (json* x = row(0)) (*x)["evil"] = kDeep;
  if (json* x = row(1)) at(*x, f.first) = "Zo" + kBadBytes + "e";
  if (json* x = row(2)) at(*x, f.last) = "Nguy" + kLone;
  if (json* x = row(3)) at(*x, f.changed) = now_unix * 1000;  // milliseconds
  if (json* x = row(4))
    at(*x, f.changed) = f.changed_is_unix ? json(4102444800LL) : json("2100-01-01T00:00:00.000Z");
  if (json* x = row(5)) at(*x, f.age) = 999;
  if (json* x = row(6)) at(*x, f.amount) = 1e300;
  std::string text = page.dump();
  replaceAll(text, "\"" + kDeep + "\"", std::string(200000, '[') + std::string(200000, ']'));
  replaceAll(text, kBadBytes, "\xFF\xC3");
  replaceAll(text, kLone, "\\ud83c");
  return text;
}

}  // namespace sim
