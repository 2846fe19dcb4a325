// Runs p88-provider-sim as a child process on free loopback ports for the duration of a test
// suite, and talks to its control API.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace p88::test {

class SimProcess {
 public:
  // Starts the simulator with these extra arguments and waits until it listens.
  explicit SimProcess(const std::vector<std::string>& args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // Base URL of a provider ("runsignup", "raceroster", "haku", "letsdothis") or "control".
  std::string url(const std::string& name) const { return urls_.at(name).get<std::string>(); }

  nlohmann::json control(const std::string& path) const;  // GET /_sim/<path>
  nlohmann::json control(const std::string& path, const nlohmann::json& body) const;  // POST
  void clearFaults() const;

  // The account of a provider for a partner (principal, secret, ...).
  nlohmann::json account(const std::string& provider, int partner = 1) const;
  // The events of a provider for a partner, from the ground truth.
  nlohmann::json events(const std::string& provider, int partner = 1) const;

 private:
  pid_t pid_ = -1;
  std::string dir_;
  nlohmann::json urls_;
};

}  // namespace p88::test
