#include "world.h"

#include <date/tz.h>

#include <algorithm>
#include <mutex>

namespace sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Realistic and hostile values: accents, apostrophes, quotes, non-Latin scripts, emoji.
const char* kFirst[] = {"Ana", "Margie", "José", "Zoë", "Søren", "Łukasz", "Nguyễn", "Aoife", "Chloé",
                        "Mohammed", "Olúwaṣeun", "Siobhán", "D'Arcy", "Jean-Luc", "Björk", "Ştefan",
                        "Renée", "Kai", "Amelia", "Liam", "Noah", "Emma", "Ava", "Lucas", "名前",
                        "Дмитрий", "Θεόδωρος", "Ng", "Al", "Mary Ann"};
const char* kLast[] = {"Diaz", "Stephens", "O'Brien", "Müller", "García Márquez", "Nakamura", "Smith",
                       "Johnson", "van der Berg", "D'Angelo", "Ó Súilleabháin", "Kowalski", "Nguyen",
                       "Ødegård", "Brown", "Lee", "MacDonald", "St. John", "Østergaard", "Li",
                       "Иванов", "Παπαδόπουλος", "Smith-Jones", "Y", "Okafor"};
const char* kTeams[] = {"Hartford Harriers", "Team \"Fast\" & Furious", "Les Coureurs d'Élite", "",
                        "Run Club 🏃", "Moms on the Run"};
const char* kCities[][3] = {{"Hartford", "CT", "US"}, {"Moorestown", "NJ", "US"}, {"Toronto", "ON", "CA"},
                            {"London", "", "GB"},     {"Austin", "TX", "US"},     {"Montréal", "QC", "CA"}};
const char* kZones[] = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                        "America/Toronto", "Europe/London", "America/Phoenix"};
const char* kShirt[] = {"XS", "S", "M", "L", "XL"};

// Where the events of every account lie from the simulator's start: one just started (still in
// its last hour of syncing), minutes away, hours away, within the day, days away, weeks away,
// and one long past.
const long long kStartOffsetsMinutes[] = {-40, 12, 3 * 60, 20 * 60, 3 * 24 * 60, 30 * 24 * 60, -3 * 24 * 60};

const char* currencyOf(Provider p) {
  switch (p) {
    case Provider::raceroster: return "CAD";
    case Provider::letsdothis: return "GBP";
    default: return "USD";
  }
}

uint64_t mix(uint64_t a, uint64_t b) {
  Rng r(a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull));
  return r.next();
}

std::string digits(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + r.below(10));
  return s;
}

}  // namespace

uint64_t Rng::next() {
  uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

const char* slug(Provider p) {
  switch (p) {
    case Provider::runsignup: return "runsignup";
    case Provider::raceroster: return "raceroster";
    case Provider::haku: return "haku";
    case Provider::letsdothis: return "letsdothis";
  }
  return "?";
}

const char* displayName(Provider p) {
  switch (p) {
    case Provider::runsignup: return "RunSignUp";
    case Provider::raceroster: return "Race Roster";
    case Provider::haku: return "Haku";
    case Provider::letsdothis: return "Let's Do This";
  }
  return "?";
}

std::optional<Provider> providerFromSlug(const std::string& s) {
  for (Provider p : kProviders)
    if (s == slug(p)) return p;
  return std::nullopt;
}

World::World(const WorldOptions& options, const SimClock& clock)
    : options_(options), clock_(clock), mutation_rng_(mix(options.seed, 0xC0FFEE)) {
  for (int partner = 1; partner <= options.partners; ++partner) {
    for (Provider p : kProviders) {
      Rng r(mix(options.seed, static_cast<uint64_t>(partner) * 16 + static_cast<uint64_t>(p)));
      Account a;
      a.provider = p;
      a.partner = partner;
      a.label = std::string(slug(p)) + "/partner-" + std::to_string(partner);
      switch (p) {
        case Provider::runsignup:
          a.principal = "rsu-key-" + std::to_string(partner) + "-" + digits(r, 8);
          a.secret = "rsu-secret-" + digits(r, 16);
          break;
        case Provider::raceroster:
          a.principal = "rr-client-" + std::to_string(partner) + "-" + digits(r, 6);
          a.secret = "rr-secret-" + digits(r, 16);
          a.username = "timer" + std::to_string(partner) + "@example.com";
          a.password = "rr-pass-" + digits(r, 10);
          break;
        case Provider::haku:
          a.principal = "haku-client-" + std::to_string(partner) + "-" + digits(r, 6);
          a.secret = "haku-secret-" + digits(r, 16);
          break;
        case Provider::letsdothis:
          a.organiser_id = "org_" + std::to_string(1000 + partner);
          // principal (the JWT) is signed by the Let's Do This API at start-up
          break;
      }
      accounts_.push_back(a);
    }
  }
  for (size_t i = 0; i < accounts_.size(); ++i) {
    Rng r(mix(options.seed, 1000 + i));
    addEvents(i, r);
  }
  if (options.large_event > 0) {
    for (Provider p : kProviders) {
      for (Event& e : events_) {
        if (e.provider == p && e.start > clock_.now()) {
          resize(e, static_cast<size_t>(options.large_event));
          break;
        }
      }
    }
  }
}

void World::addEvents(size_t account_index, Rng& rng) {
  const Account& a = accounts_[account_index];
  const Instant t0 = clock_.now();
  int k = 0;
  std::vector<long long> offsets(std::begin(kStartOffsetsMinutes), std::end(kStartOffsetsMinutes));
  // A busy race day: more races, starting evenly between 2 minutes and extra_within_minutes away.
  for (int i = 0; i < options_.extra_events; ++i)
    offsets.push_back(2 + static_cast<long long>(i) * std::max(0, options_.extra_within_minutes - 2) /
                              std::max(1, options_.extra_events));
  for (long long offset : offsets) {
    // Races start on the minute (RunSignUp cannot even write the seconds).
    const Instant start = std::chrono::floor<minutes>(t0 + minutes(offset));
    const auto* place = kCities[rng.below(std::size(kCities))];
    const std::string zone = a.provider == Provider::raceroster ? "America/Toronto"
                             : a.provider == Provider::letsdothis ? "Europe/London"
                                                                  : kZones[rng.below(std::size(kZones))];
    const int variants = a.provider == Provider::runsignup ? 2 : 1;  // a RunSignUp race has a 5K and a 10K
    const std::string race_name = std::string(place[0]) + " " + (k % 2 ? "Spring Classic" : "Turkey Trot") +
                                  " " + std::to_string(2026 + k / 4);
    for (int v = 0; v < variants; ++v) {
      Event e;
      e.provider = a.provider;
      e.account = account_index;
      const long long n = static_cast<long long>(account_index) * 100 + k * 2 + v;
      switch (a.provider) {
        case Provider::runsignup:
          e.race_id = std::to_string(100000 + account_index * 100 + k);
          e.id = std::to_string(500000 + n);
          e.name = v == 0 ? "5K" : "10K";
          e.distance = v == 0 ? "5K" : "10K";
          break;
        case Provider::raceroster:
          e.id = std::to_string(123000 + n);
          e.race_id = std::to_string(987000 + n);
          e.name = race_name;
          e.distance = "10 km";
          break;
        case Provider::haku:
          e.id = "evt_" + std::to_string(7000 + n);
          e.name = race_name + " Marathon";
          e.distance = "26.2 mi";
          break;
        case Provider::letsdothis:
          e.id = "evt_" + std::to_string(4200 + n);
          e.race_id = "race_" + std::to_string(900 + n);
          e.name = race_name + " Half";
          e.distance = "21.1 km";
          break;
      }
      e.race_name = race_name;
      e.time_zone = zone;
      e.city = place[0];
      e.state = place[1];
      e.country = place[2];
      e.event_type = "running_race";
      e.start = start + minutes(30 * v);
      e.end = e.start + hours(4);
      e.registration_opens = e.start - hours(24 * 120);
      e.registration_closes = e.start - hours(1);
      e.modified = t0 - hours(24 * (1 + static_cast<long long>(rng.below(30))));
      events_.push_back(std::move(e));
      Event& stored = events_.back();
      resize(stored, static_cast<size_t>(options_.participants));
    }
    ++k;
  }
}

Participant World::makeParticipant(Event& e, uint64_t index, Instant when) {
  const size_t event_index = static_cast<size_t>(&e - events_.data());
  Rng r(mix(options_.seed ^ 0xABCDEF, (static_cast<uint64_t>(event_index) << 32) + index));
  Participant p;
  const long long number = static_cast<long long>(event_index + 1) * 10000000 + static_cast<long long>(index);
  switch (e.provider) {
    case Provider::runsignup:
      p.id = std::to_string(2600000000LL + number);
      p.person_id = std::to_string(120000000 + r.below(900000000));
      break;
    case Provider::raceroster:
      p.id = std::to_string(number);
      p.person_id = std::to_string(7000000 + r.below(1000000));
      break;
    case Provider::haku:
      p.id = "R-" + std::to_string(number);
      p.person_id = "A-" + std::to_string(r.below(1000000));
      break;
    case Provider::letsdothis:
      p.id = "app_" + std::to_string(number);
      p.person_id = "usr_" + std::to_string(r.below(1000000));
      break;
  }
  p.first_name = r.pick(kFirst);
  p.last_name = r.pick(kLast);
  if (index % 17 == 3) p.last_name = std::string(r.pick(kLast)) + std::string(260, 'z');  // very long
  if (index % 11 == 5) p.first_name += " 🏃‍♀️";
  if (index % 19 == 8) p.first_name = "\"Speedy\" " + p.first_name;
  if (r.chance(0.2)) p.middle_name = std::string(1, static_cast<char>('A' + r.below(26)));
  const bool sparse = index % 13 == 7;  // optional fields missing
  if (!sparse) {
    std::string local;
    for (char c : p.first_name)
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) local += static_cast<char>(c | 0x20);
    p.email = (local.empty() ? "runner" : local) + "." + std::to_string(index) + "@example.com";
    p.phone = "555-" + digits(r, 3) + "-" + digits(r, 4);
    const int year = 1950 + static_cast<int>(r.below(58));
    const int month = 1 + static_cast<int>(r.below(12));
    const int day = 1 + static_cast<int>(r.below(28));
    char dob[40];  // room for any int, so the compiler need not warn
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", year, month, day);
    p.dob = dob;
    p.age = 2026 - year - (month > 5 ? 1 : 0);
    const auto* place = kCities[r.below(std::size(kCities))];
    p.street = std::to_string(1 + r.below(999)) + " Main St";
    p.city = place[0];
    p.state = place[1];
    p.country = place[2];
    p.zip = digits(r, 5);
    p.emergency_name = r.pick(kFirst);
    p.emergency_phone = "555-" + digits(r, 3) + "-" + digits(r, 4);
    p.answers = {{"T-shirt size", r.pick(kShirt)}, {"How did you hear about us?", "A friend's \"tip\""}};
  }
  const uint64_t g = r.below(20);
  p.gender = g < 9 ? 'F' : g < 18 ? 'M' : g == 18 ? 'X' : 'U';
  if (index % 7 != 2) p.bib = std::to_string(1000 + index);  // some bibs not assigned yet
  if (r.chance(0.5)) p.chip = "C" + digits(r, 6);
  p.team = r.pick(kTeams);
  p.division = e.name;
  p.amount_paid_minor = static_cast<long long>(2500 + r.below(12000));
  p.currency = currencyOf(e.provider);
  p.registered = std::chrono::floor<minutes>(when);  // providers show registration times to the minute
  // RunSignUp writes registration times in US Eastern without an offset, so the two 01:xx hours
  // of the night clocks fall back cannot be told apart (clients read the first); no registration
  // lands in the second.
  if (e.provider == Provider::runsignup) {
    const auto* eastern = date::locate_zone("America/New_York");
    const auto local = eastern->to_local(p.registered);
    if (eastern->to_sys(local, date::choose::earliest) != p.registered) p.registered -= hours(1);
  }
  p.modified = when;
  return p;
}

void World::resize(Event& e, size_t n) {
  const Instant t0 = clock_.now();
  if (n < e.participants.size()) {
    e.participants.resize(n);
    return;
  }
  e.participants.reserve(n);
  Rng r(mix(options_.seed, 0x5EED0000ull + static_cast<uint64_t>(&e - events_.data())));
  for (size_t i = e.participants.size(); i < n; ++i) {
    // Registered over the 90 days before the simulator started, oldest first.
    Instant when = t0 - hours(24 * 90) + seconds(static_cast<long long>((24 * 90 * 3600.0 * i) / (n + 1))) +
                   seconds(static_cast<long long>(r.below(60)));
    e.participants.push_back(makeParticipant(e, i, when));
  }
  e.next_number = static_cast<long long>(n);
}

const Account* World::findAccount(Provider p, const std::string& principal) const {
  for (const auto& a : accounts_)
    if (a.provider == p && a.principal == principal) return &a;
  return nullptr;
}

const Account* World::findAccountByLabel(const std::string& label) const {
  for (const auto& a : accounts_)
    if (a.label == label) return &a;
  return nullptr;
}

const Event* World::findEvent(Provider p, const std::string& id) const {
  for (const auto& e : events_)
    if (e.provider == p && e.id == id) return &e;
  return nullptr;
}

Event* World::findEvent(Provider p, const std::string& id) {
  for (auto& e : events_)
    if (e.provider == p && e.id == id) return &e;
  return nullptr;
}

std::vector<const Event*> World::eventsOf(size_t account) const {
  std::vector<const Event*> out;
  for (const auto& e : events_)
    if (e.account == account) out.push_back(&e);
  return out;
}

std::string World::mutate(std::optional<Provider> only, Event* event, const std::string& forced) {
  Rng& r = mutation_rng_;
  if (event == nullptr) {
    std::vector<Event*> candidates;
    for (auto& e : events_)
      if (!only || e.provider == *only) candidates.push_back(&e);
    if (candidates.empty()) return "no event to change";
    event = candidates[r.below(candidates.size())];
  }
  Event& e = *event;
  const Instant now = clock_.now();
  std::vector<size_t> active;
  for (size_t i = 0; i < e.participants.size(); ++i)
    if (e.participants[i].status == "active") active.push_back(i);
  const std::string where = std::string(slug(e.provider)) + " event " + e.id + ": ";
  if (forced == "delete") {  // gone without a trace: no cancelled status, no removal notice
    if (e.participants.empty()) return where + "no registration to delete";
    const size_t i = r.below(e.participants.size());
    const std::string id = e.participants[i].id;
    e.participants.erase(e.participants.begin() + static_cast<std::ptrdiff_t>(i));
    journal(e, id, "delete", now);
    return where + "deleted " + id;
  }
  uint64_t kind = active.empty() ? 0 : r.below(100);
  if (!forced.empty()) {
    kind = forced == "new" ? 0 : forced == "edit" ? 30 : forced == "bib" ? 55 : forced == "cancel" ? 75 : 90;
    if (active.empty() && kind != 0) return where + "no active registration to change";
  }
  if (kind < 30) {  // a new registration
    Participant p = makeParticipant(e, static_cast<uint64_t>(e.next_number++), now);
    std::string id = p.id;
    e.participants.push_back(std::move(p));
    journal(e, id, "new", now);
    return where + "new registration " + id;
  }
  Participant& p = e.participants[active[r.below(active.size())]];
  p.modified = now;
  if (kind < 55) {
    p.email = "changed." + std::to_string(r.below(100000)) + "@example.com";
    p.team = r.pick(kTeams);
    journal(e, p.id, "edit", now);
    return where + "edited " + p.id;
  }
  if (kind < 75) {
    p.bib = std::to_string(20000 + r.below(70000));
    journal(e, p.id, "bib", now);
    return where + "bib " + p.bib + " for " + p.id;
  }
  if (kind < 90) {
    p.status = e.provider == Provider::runsignup ? "removed" : "cancelled";
    journal(e, p.id, "cancel", now);
    return where + "cancelled " + p.id;
  }
  // A transfer: the registration moves to a new one (a new id), in the same event.
  Participant moved = makeParticipant(e, static_cast<uint64_t>(e.next_number++), now);
  moved.first_name = p.first_name;
  moved.last_name = p.last_name;
  p.status = "transferred";
  p.new_registration_id = moved.id;
  std::string from = p.id, to = moved.id;
  e.participants.push_back(std::move(moved));
  journal(e, from, "transfer", now);
  journal(e, to, "transfer_in", now);
  return where + "transferred " + from + " to " + to;
}

void World::journal(const Event& e, const std::string& participant_id, const std::string& kind, Instant at) {
  changes_.push_back({changes_.size() + 1, e.provider, e.id, participant_id, kind, at});
}

}  // namespace sim
