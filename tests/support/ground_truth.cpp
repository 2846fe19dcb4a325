#include "support/ground_truth.h"

#include <ctime>
#include <map>
#include <set>

namespace p88::test {
namespace {

using nlohmann::json;

const char* kFields[] = {"provider_person_id", "first_name", "middle_name", "last_name", "email", "phone",
                         "date_of_birth", "gender", "gender_raw", "age", "bib", "chip", "team_name", "division",
                         "registration_date", "status", "new_registration_id", "amount_paid_minor", "currency",
                         "city", "state", "country", "last_modified"};

// What a RunSignUp removed-participants row says about a registration.
const std::set<std::string> kRemovedFields = {"provider_person_id", "first_name", "last_name", "email",
                                              "registration_date", "status", "new_registration_id", "last_modified"};

std::optional<std::string> truthValue(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string show(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "NULL"; }

std::string isoUtcSecondsAgo(int seconds) {
  std::time_t t = std::time(nullptr) - seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::vector<json> currentSimEvents(const SimProcess& sim, const std::string& slug, int partner) {
  std::vector<json> out;
  const std::string cutoff = isoUtcSecondsAgo(3600);
  for (const json& e : sim.events(slug, partner))
    if (e["start_time"].get<std::string>() >= cutoff) out.push_back(e);
  return out;
}

std::optional<std::string> isoFromDb(const std::optional<std::string>& v) {
  if (!v || v->size() < 19) return v;
  std::string s = v->substr(0, 19);
  s[10] = 'T';
  return s + "Z";
}

TruthComparison compareWithTruth(store::Store& store, const SimProcess& sim, const std::string& slug) {
  TruthComparison out;
  std::string columns = "provider_participant_id";
  for (const char* f : kFields) columns += std::string(", ") + f;
  for (const json& e : currentSimEvents(sim, slug)) {
    const std::string id = e["provider_event_id"];
    json expected = sim.control("truth/participants?provider=" + slug + "&event_id=" + id);
    // A registration p88 marked vanished is one the provider no longer has: not in the truth.
    auto rows = store.query("SELECT " + columns +
                                " FROM participants WHERE provider_id = (SELECT provider_id FROM providers "
                                "WHERE slug = $1) AND provider_event_id = $2 AND removal_reason IS NULL",
                            {slug, id});
    std::map<std::string, size_t> by_id;
    for (size_t i = 0; i < rows.rows.size(); ++i) by_id[rows.at(i, "provider_participant_id").value()] = i;
    if (rows.rows.size() != expected.size())
      out.differences.push_back("event " + id + ": " + std::to_string(rows.rows.size()) + " stored, " +
                                std::to_string(expected.size()) + " at the provider");
    for (const json& t : expected) {
      const std::string pid = t["provider_participant_id"];
      auto it = by_id.find(pid);
      if (it == by_id.end()) {
        out.differences.push_back("event " + id + " registration " + pid + ": not stored");
        continue;
      }
      const bool removal_notice = slug == "runsignup" && t["status"] != "active";
      for (const char* f : kFields) {
        if (removal_notice && !kRemovedFields.count(f)) continue;
        std::optional<std::string> stored = rows.at(it->second, f);
        const std::string field = f;
        if (field == "registration_date" || field == "last_modified") stored = isoFromDb(stored);
        if (stored != truthValue(t[f]))
          out.differences.push_back("event " + id + " registration " + pid + " field " + field + ": stored " +
                                    show(stored) + ", truth " + show(truthValue(t[f])));
      }
      ++out.registrations;
    }
  }
  return out;
}

void registerSimCredentials(store::Store& store, const SimProcess& sim, const std::vector<std::string>& slugs,
                            int partner) {
  // A fresh database numbers partners from 1.
  while (store.query("SELECT 1 FROM timing_partners WHERE timing_partner_id = $1", {std::to_string(partner)}).empty())
    store.query("INSERT INTO timing_partners (company_name) VALUES ('Test Timing')");
  for (const std::string& slug : slugs) {
    // The simulator limits calls only where a test says so, and so does p88: every sync goes
    // through the shared rate limiter, whose default budget (1,000 calls an hour) is the real
    // providers'.
    store.query("UPDATE providers SET rate_limit_per_hour = 3600000 WHERE slug = $1", {slug});
    json a = sim.account(slug, partner);
    store::SqlValue config;
    if (!a["username"].is_null()) config = json{{"username", a["username"]}, {"password", a["password"]}}.dump();
    store.query(
        "INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal, secret, "
        "additional_config) VALUES ($1, (SELECT provider_id FROM providers WHERE slug = $2), $3, $4, $5)",
        {std::to_string(partner), slug, a["principal"].get<std::string>(),
         a["secret"].is_null() ? store::SqlValue() : a["secret"].get<std::string>(), config});
  }
}

}  // namespace p88::test
