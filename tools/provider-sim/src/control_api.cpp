// The simulator's control API under /_sim/ (on every port): ground truth, accounts, call
// counters, faults, rate limits, the clock, mutations. See tools/provider-sim/README.md.
#include <mutex>
#include <nlohmann/json.hpp>

#include "formats.h"
#include "simulator.h"

namespace sim {
namespace {

using nlohmann::json;

json nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

Reply ok(const json& body) { return jsonReply(200, body.dump()); }
Reply bad(const std::string& message) { return jsonReply(400, json{{"error", message}}.dump()); }

std::string genderRaw(Provider p, char g) {
  switch (p) {
    case Provider::raceroster: return std::to_string(g == 'M' ? 1 : g == 'F' ? 2 : g == 'X' ? 9 : 0);
    case Provider::letsdothis:
      return g == 'M' ? "male" : g == 'F' ? "female" : g == 'X' ? "non-binary" : "prefer-not-to-say";
    default: return g == 'U' ? "" : std::string(1, g);
  }
}

// A registration in p88's normalized form: what a correct sync must store.
json truthParticipant(const Event& e, const Participant& p) {
  return {{"provider_participant_id", p.id},
          {"provider_event_id", e.id},
          {"provider_person_id", nullable(p.person_id)},
          {"first_name", nullable(p.first_name)},
          {"middle_name", nullable(p.middle_name)},
          {"last_name", nullable(p.last_name)},
          {"email", nullable(p.email)},
          {"phone", nullable(p.phone)},
          {"date_of_birth", nullable(p.dob)},
          {"gender", std::string(1, p.gender)},
          {"gender_raw", nullable(genderRaw(e.provider, p.gender))},
          {"age", p.age < 0 ? json(nullptr) : json(p.age)},
          {"bib", nullable(p.bib)},
          {"chip", nullable(p.chip)},
          {"team_name", nullable(p.team)},
          {"division", nullable(p.division)},
          {"registration_date", isoUtc(p.registered)},
          {"status", p.status},
          {"new_registration_id", nullable(p.new_registration_id)},
          {"amount_paid_minor", p.amount_paid_minor < 0 ? json(nullptr) : json(p.amount_paid_minor)},
          {"currency", nullable(p.currency)},
          {"city", nullable(p.city)},
          {"state", nullable(p.state)},
          {"country", nullable(p.country)},
          {"last_modified", isoUtc(p.modified)}};
}

json truthEvent(const Event& e, const World& w) {
  return {{"provider_event_id", e.id},
          {"provider_race_id", nullable(e.race_id)},
          {"name", e.name},
          {"race_name", e.race_name},
          {"start_time", isoUtc(e.start)},
          {"end_time", isoUtc(e.end)},
          {"time_zone", e.time_zone},
          {"city", nullable(e.city)},
          {"state", nullable(e.state)},
          {"country", nullable(e.country)},
          {"distance", e.distance},
          {"partner", w.accounts().at(e.account).partner},
          {"account", w.accounts().at(e.account).label},
          {"participants", e.participants.size()}};
}

std::optional<Provider> providerParam(const Request& r, const json& body) {
  std::string s = r.param("provider");
  if (s.empty() && body.is_object() && body.contains("provider")) s = body["provider"].get<std::string>();
  return providerFromSlug(s);
}

}  // namespace

Reply handleControl(Simulator& sim, const Request& r) {
  json body = json::object();
  if (!r.body.empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return bad("the request body is not JSON");
  }
  const std::string path = r.path;
  const bool post = r.method == "POST";
  try {
    if (path == "/_sim/health") return ok({{"ok", true}, {"now", isoUtc(sim.clock.now())}});
    if (path == "/_sim/urls") return ok(sim.base_urls);

    if (path == "/_sim/accounts") {
      std::shared_lock<std::shared_mutex> lock(sim.world.mutex());
      json list = json::array();
      for (const Account& a : sim.world.accounts())
        list.push_back({{"provider", slug(a.provider)}, {"provider_name", displayName(a.provider)},
                        {"partner", a.partner}, {"label", a.label}, {"principal", a.principal},
                        {"secret", nullable(a.secret)}, {"username", nullable(a.username)},
                        {"password", nullable(a.password)}, {"organiser_id", nullable(a.organiser_id)},
                        {"base_url", sim.base_urls.count(slug(a.provider)) ? sim.base_urls.at(slug(a.provider)) : ""}});
      return ok(list);
    }

    if (path == "/_sim/events" || path == "/_sim/truth/events") {
      std::shared_lock<std::shared_mutex> lock(sim.world.mutex());
      auto provider = providerParam(r, body);
      const std::string partner = r.param("partner");
      json list = json::array();
      for (const Event& e : sim.world.events()) {
        if (provider && e.provider != *provider) continue;
        if (!partner.empty() && std::to_string(sim.world.accounts().at(e.account).partner) != partner) continue;
        json j = truthEvent(e, sim.world);
        j["provider"] = slug(e.provider);
        list.push_back(j);
      }
      return ok(list);
    }

    if (path == "/_sim/truth/participants") {
      std::shared_lock<std::shared_mutex> lock(sim.world.mutex());
      auto provider = providerParam(r, body);
      if (!provider) return bad("provider= must be runsignup, raceroster, haku or letsdothis");
      const Event* e = sim.world.findEvent(*provider, r.param("event_id"));
      if (e == nullptr) return jsonReply(404, json{{"error", "no such event"}}.dump());
      json list = json::array();
      for (const Participant& p : e->participants) list.push_back(truthParticipant(*e, p));
      return ok(list);
    }

    if (path == "/_sim/changes") {  // ?after=SEQ: the changes made since that one
      std::shared_lock<std::shared_mutex> lock(sim.world.mutex());
      const std::string after_text = r.param("after");
      uint64_t after = 0;
      try {
        after = after_text.empty() ? 0 : std::stoull(after_text);
      } catch (const std::exception&) {
        return bad("after= must be a change's seq (a number)");
      }
      const auto& all = sim.world.changes();
      json list = json::array();
      for (size_t i = std::min<uint64_t>(after, all.size()); i < all.size(); ++i)
        list.push_back({{"seq", all[i].seq}, {"provider", slug(all[i].provider)}, {"event_id", all[i].event_id},
                        {"participant_id", all[i].participant_id}, {"kind", all[i].kind}, {"at", isoUtc(all[i].at)}});
      return ok({{"changes", list}, {"last", all.size()}});
    }

    if (path == "/_sim/stats") return ok(sim.stats.toJson());
    if (path == "/_sim/stats/reset" && post) {
      sim.stats.reset();
      return ok({{"reset", true}});
    }

    if (path == "/_sim/faults") {
      if (r.method == "DELETE") {
        sim.faults.clear();
        return ok({{"cleared", true}});
      }
      if (post) {
        FaultRule rule;
        if (body.contains("provider") && body["provider"] != "*") {
          auto p = providerFromSlug(body["provider"].get<std::string>());
          if (!p) return bad("unknown provider " + body["provider"].dump());
          rule.provider = p;
        }
        auto kind = faultFromName(body.value("kind", ""));
        if (!kind)
          return bad("kind must be one of status_500, status_502, status_503, slow, reset, truncate, malformed, "
                     "wrong_content_type, expired_token, unauthorized, trickle, endless, repeat_cursor, hostile, reset_after, other_next_key, "
                     "ignore_event_filter, ignore_updated_after, no_event_id");
        rule.kind = *kind;
        rule.path_prefix = body.value("path_prefix", "");
        rule.probability = body.value("probability", 1.0);
        rule.remaining = body.value("count", body.contains("probability") ? -1 : 1);
        rule.delay_ms = body.value("delay_ms", 3000);
        sim.faults.add(rule);
      }
      return ok(sim.faults.toJson());
    }

    if (path == "/_sim/rate-limits") {
      if (post) {
        auto p = providerParam(r, body);
        if (!p) return bad("provider must be runsignup, raceroster, haku or letsdothis");
        RateLimits::Limit l{body.value("calls", 1000), body.value("window_seconds", 3600.0)};
        if (l.calls < 1 || l.window_seconds <= 0) return bad("calls must be >= 1 and window_seconds > 0");
        sim.limits.set(*p, l);
      }
      json out = json::object();
      for (Provider p : kProviders) out[slug(p)] = {{"calls", sim.limits.get(p).calls}, {"window_seconds", sim.limits.get(p).window_seconds}};
      return ok(out);
    }
    if (path == "/_sim/rate-limits/reset" && post) {
      sim.limits.reset();
      return ok({{"reset", true}});
    }

    if (path == "/_sim/clock") {
      if (post) sim.clock.adjust(body.value("scale", 0.0), body.value("advance_seconds", 0LL));
      return ok({{"now", isoUtc(sim.clock.now())}, {"scale", sim.clock.scale()}, {"offset_seconds", sim.clock.offsetSeconds()}});
    }

    if (path == "/_sim/tokens" && !post) return ok({{"tokens", sim.tokens.issued()}});

    if (path == "/_sim/tokens/expire" && post) {
      sim.tokens.expireAll(sim.clock.now());
      return ok({{"expired", true}});
    }

    if (path == "/_sim/mutate" && post) {
      std::unique_lock<std::shared_mutex> lock(sim.world.mutex());
      auto provider = providerParam(r, body);
      Event* event = nullptr;
      if (body.contains("event_id")) {
        if (!provider) return bad("event_id needs provider");
        event = sim.world.findEvent(*provider, body["event_id"].get<std::string>());
        if (event == nullptr) return jsonReply(404, json{{"error", "no such event"}}.dump());
      }
      const std::string kind = body.value("kind", "");
      if (!kind.empty() && kind != "new" && kind != "edit" && kind != "bib" && kind != "cancel" && kind != "transfer" &&
          kind != "delete")
        return bad("kind must be new, edit, bib, cancel, transfer or delete");
      json changes = json::array();
      for (int i = 0, n = body.value("count", 1); i < n; ++i) changes.push_back(sim.world.mutate(provider, event, kind));
      return ok({{"changes", changes}});
    }

    if (path == "/_sim/resize" && post) {
      std::unique_lock<std::shared_mutex> lock(sim.world.mutex());
      auto provider = providerParam(r, body);
      if (!provider) return bad("provider is required");
      Event* e = sim.world.findEvent(*provider, body.value("event_id", ""));
      if (e == nullptr) return jsonReply(404, json{{"error", "no such event"}}.dump());
      long n = body.value("participants", -1L);
      if (n < 0 || n > 5000000) return bad("participants must be 0 to 5000000");
      sim.world.resize(*e, static_cast<size_t>(n));
      return ok({{"event_id", e->id}, {"participants", e->participants.size()}});
    }
  } catch (const json::exception& e) {
    return bad(std::string("bad request body: ") + e.what());
  }
  return jsonReply(404, json{{"error", "no control route " + r.method + " " + path}}.dump());
}

}  // namespace sim
