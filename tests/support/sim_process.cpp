#include "support/sim_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/process.h"

namespace p88::test {

SimProcess::SimProcess(const std::vector<std::string>& args) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "p88-sim-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  const std::string ready = dir_ + "/ready.json";
  std::vector<std::string> argv = {P88_PROVIDER_SIM_PATH, "--port", "0", "--ready-file", ready};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawnProcess(argv, currentEnvironment(), "", dir_ + "/stderr.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(ready)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("p88-provider-sim exited before listening");
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("p88-provider-sim did not start in 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  urls_ = nlohmann::json::parse(std::ifstream(ready));
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 500 && !exited; ++i) {
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    // A clean stop exits 0; anything else (a crash, a sanitizer report) fails the suite.
    if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream err(dir_ + "/stderr.log");
      std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
      ADD_FAILURE() << "p88-provider-sim did not stop cleanly (status " << status << "):\n" << text;
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

nlohmann::json SimProcess::control(const std::string& path) const {
  HttpResult r = httpGet(url("control") + "/" + path);
  if (r.status != 200) throw std::runtime_error("GET /_sim/" + path + ": HTTP " + std::to_string(r.status) + " " + r.body);
  return nlohmann::json::parse(r.body);
}

nlohmann::json SimProcess::control(const std::string& path, const nlohmann::json& body) const {
  HttpResult r = httpPost(url("control") + "/" + path, body.dump(), "application/json");
  if (r.status != 200) throw std::runtime_error("POST /_sim/" + path + ": HTTP " + std::to_string(r.status) + " " + r.body);
  return nlohmann::json::parse(r.body);
}

void SimProcess::clearFaults() const { httpDelete(url("control") + "/faults"); }

nlohmann::json SimProcess::account(const std::string& provider, int partner) const {
  for (const auto& a : control("accounts"))
    if (a["provider"] == provider && a["partner"] == partner) return a;
  throw std::runtime_error("no " + provider + " account for partner " + std::to_string(partner));
}

nlohmann::json SimProcess::events(const std::string& provider, int partner) const {
  return control("events?provider=" + provider + "&partner=" + std::to_string(partner));
}

}  // namespace p88::test
