// The simulator's world: timing partners' accounts at the four providers, their events and the
// registrations for each, generated deterministically from a seed, changing over time on request
// or at a rate. Providers render this one canonical model in their own formats; the control
// API's ground truth renders it in p88's normalized form.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "sim_clock.h"

namespace sim {

enum class Provider { runsignup, raceroster, haku, letsdothis };
constexpr Provider kProviders[] = {Provider::runsignup, Provider::raceroster, Provider::haku,
                                   Provider::letsdothis};
const char* slug(Provider p);
const char* displayName(Provider p);
std::optional<Provider> providerFromSlug(const std::string& s);

// splitmix64: deterministic on every platform (unlike std::uniform_*_distribution).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next();
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  bool chance(double p) { return static_cast<double>(next() >> 11) / 9007199254740992.0 < p; }
  template <typename T, size_t N>
  const T& pick(const T (&a)[N]) { return a[below(N)]; }

 private:
  uint64_t s_;
};

struct Account {
  Provider provider;
  int partner = 1;        // the timing partner this account belongs to, 1-based
  std::string label;      // "runsignup/partner-1": how stats and truth name it (never a secret)
  std::string principal;  // RunSignUp api_key, Race Roster / Haku client id, Let's Do This JWT
  std::string secret;     // RunSignUp api_secret, Race Roster / Haku client secret
  std::string username;   // Race Roster
  std::string password;   // Race Roster
  std::string organiser_id;  // Let's Do This (a claim of its JWT)
};

struct Answer {
  std::string question;
  std::string answer;
};

// A registration, as the provider holds it.
struct Participant {
  std::string id;         // the registration's id (RunSignUp registration_id, Haku registration_number, ...)
  std::string person_id;  // the person's/account's id
  std::string first_name, middle_name, last_name, email, phone;
  std::string dob;        // "YYYY-MM-DD", "" when not collected
  char gender = 'U';      // M, F, X (non-binary), U (undisclosed)
  int age = -1;
  std::string bib, chip, team, division;
  Instant registered{};
  Instant modified{};
  std::string status = "active";   // active, cancelled, removed, transferred
  std::string new_registration_id;  // when transferred
  long long amount_paid_minor = -1;  // -1: unknown
  std::string currency;
  std::string street, city, state, zip, country;
  std::string emergency_name, emergency_phone;
  std::vector<Answer> answers;
};

struct Event {
  Provider provider;
  size_t account = 0;  // index into World::accounts()
  std::string id;
  std::string race_id;    // RunSignUp race, Race Roster sub-event, Let's Do This race
  std::string race_name;
  std::string name;
  std::string time_zone;  // IANA
  std::string city, state, country, distance, event_type;
  Instant start{}, end{}, registration_opens{}, registration_closes{}, modified{};
  std::vector<Participant> participants;  // in registration order (ids ascending)
  long long next_number = 0;              // for new registration ids
};

// One change the world went through (World::mutate), for measuring how soon a client saw it.
struct Change {
  uint64_t seq = 0;  // 1, 2, ... in the order they happened
  Provider provider;
  std::string event_id, participant_id;
  std::string kind;  // new, edit, bib, cancel, transfer (the old registration), transfer_in (the new one), delete
  Instant at{};      // the registration's new modification time (the clock's now)
};

struct WorldOptions {
  uint64_t seed = 88;
  int partners = 2;
  int participants = 40;  // per event
  int large_event = 0;    // if > 0, the first upcoming event of each provider gets this many
  int extra_events = 0;   // more races per account (a busy race day), up to 40 ...
  int extra_within_minutes = 30;  // ... starting evenly from 2 minutes to this far away
};

class World {
 public:
  World(const WorldOptions& options, const SimClock& clock);

  // Readers take a shared lock, writers (mutations, resizing) a unique one.
  std::shared_mutex& mutex() const { return mutex_; }

  const std::vector<Account>& accounts() const { return accounts_; }
  // Let's Do This keys are JWTs the provider signs once the world exists.
  void setPrincipal(size_t account, const std::string& principal) { accounts_.at(account).principal = principal; }
  const std::vector<Event>& events() const { return events_; }
  const Account* findAccount(Provider p, const std::string& principal) const;
  const Account* findAccountByLabel(const std::string& label) const;
  const Event* findEvent(Provider p, const std::string& id) const;
  Event* findEvent(Provider p, const std::string& id);
  std::vector<const Event*> eventsOf(size_t account) const;
  size_t accountIndex(const Account& a) const { return static_cast<size_t>(&a - accounts_.data()); }

  // One change at the provider, stamped with the clock's now: a new registration, an edit, a bib
  // assignment, a cancellation or a transfer. Returns a one-line description. Caller holds the
  // unique lock. `only` restricts it to one provider, `event` to one event.
  // `kind` forces one kind of change: "new", "edit", "bib", "cancel" or "transfer".
  std::string mutate(std::optional<Provider> only = std::nullopt, Event* event = nullptr,
                     const std::string& kind = "");
  // Every change mutate() made, oldest first. Caller holds a lock.
  const std::vector<Change>& changes() const { return changes_; }
  // Grows (or shrinks) an event to n registrations. Caller holds the unique lock.
  void resize(Event& e, size_t n);

  const SimClock& clock() const { return clock_; }

 private:
  Participant makeParticipant(Event& e, uint64_t index, Instant when);
  void addEvents(size_t account_index, Rng& rng);

  WorldOptions options_;
  const SimClock& clock_;
  mutable std::shared_mutex mutex_;
  std::vector<Account> accounts_;
  std::vector<Event> events_;
  void journal(const Event& e, const std::string& participant_id, const std::string& kind, Instant at);

  Rng mutation_rng_;
  std::vector<Change> changes_;
};

}  // namespace sim
