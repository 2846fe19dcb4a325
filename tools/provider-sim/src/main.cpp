// p88-provider-sim: RunSignUp, Race Roster, Haku and Let's Do This on loopback, one port each,
// for p88's tests, benchmarks and demo. See tools/provider-sim/README.md.
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server.h"
#include "simulator.h"

namespace {

const char* kUsage = R"(usage: p88-provider-sim [OPTIONS]
Serves RunSignUp, Race Roster, Haku and Let's Do This APIs on 127.0.0.1, one port each, with
deterministic data, changes over time, rate limits and injectable faults.

  --port N              first port (RunSignUp N, Race Roster N+1, Haku N+2, Let's Do This N+3);
                        0 (default) picks free ports
  --bind ADDR           address to listen on (default 127.0.0.1)
  --seed N              data seed (default 88)
  --partners N          timing partners, each with an account at every provider (default 2)
  --participants N      registrations per event (default 40)
  --large-event N       give the first upcoming event of each provider N registrations
  --extra-events N      N more races per account (0-40), starting from 2 minutes to --extra-within away
  --extra-within M      minutes (default 30)
  --mutation-rate N     background changes per minute (default 0)
  --rate-limit P=C/S    provider P allows C calls per S seconds per credential
                        (defaults: runsignup=1000/3600 raceroster=1000/3600 haku=500/3600
                        letsdothis=1000/3600); repeatable
  --token-ttl P=S       token lifetime in seconds for raceroster (86400) or haku (3600)
  --clock-scale X       simulated seconds per real second (default 1)
  --threads N           HTTP worker threads (default 16)
  --ready-file PATH     write the base URLs as JSON to PATH once listening
  --help
The base URLs are also printed as one JSON line on stdout. Control API: /_sim/ on every port.
)";

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr, "p88-provider-sim: %s\n%s", error.c_str(), kUsage);
  std::exit(64);
}

long number(const std::string& option, const std::string& value, long lo, long hi) {
  try {
    size_t used = 0;
    long v = std::stol(value, &used);
    if (used == value.size() && v >= lo && v <= hi) return v;
  } catch (...) {
  }
  usage(option + ": '" + value + "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
}

}  // namespace

int main(int argc, char** argv) {
  sim::SimOptions options;
  long port = 0, threads = 16;
  double clock_scale = 1;
  std::string bind = "127.0.0.1", ready_file;
  std::vector<std::pair<sim::Provider, sim::RateLimits::Limit>> limits;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) usage("unknown option or missing value: " + a);
    std::string v = argv[++i];
    if (a == "--port") port = number(a, v, 0, 65532);
    else if (a == "--bind") bind = v;
    else if (a == "--seed") options.world.seed = static_cast<uint64_t>(number(a, v, 0, 1L << 62));
    else if (a == "--partners") options.world.partners = static_cast<int>(number(a, v, 1, 1000));
    else if (a == "--participants") options.world.participants = static_cast<int>(number(a, v, 0, 5000000));
    else if (a == "--large-event") options.world.large_event = static_cast<int>(number(a, v, 0, 5000000));
    else if (a == "--extra-events") options.world.extra_events = static_cast<int>(number(a, v, 0, 40));
    else if (a == "--extra-within") options.world.extra_within_minutes = static_cast<int>(number(a, v, 3, 100000));
    else if (a == "--mutation-rate") options.mutations_per_minute = static_cast<double>(number(a, v, 0, 1000000));
    else if (a == "--threads") threads = number(a, v, 1, 256);
    else if (a == "--ready-file") ready_file = v;
    else if (a == "--clock-scale") {
      try {
        clock_scale = std::stod(v);
      } catch (...) {
        clock_scale = -1;
      }
      if (clock_scale <= 0) usage("--clock-scale: '" + v + "' is not a positive number");
    } else if (a == "--rate-limit") {
      size_t eq = v.find('='), slash = v.find('/');
      auto p = sim::providerFromSlug(v.substr(0, eq));
      if (eq == std::string::npos || slash == std::string::npos || slash < eq || !p)
        usage("--rate-limit: expected PROVIDER=CALLS/SECONDS, got '" + v + "'");
      limits.push_back({*p, {static_cast<int>(number(a, v.substr(eq + 1, slash - eq - 1), 1, 100000000)),
                             static_cast<double>(number(a, v.substr(slash + 1), 1, 100000000))}});
    } else if (a == "--token-ttl") {
      size_t eq = v.find('=');
      std::string p = v.substr(0, eq == std::string::npos ? 0 : eq);
      long s = eq == std::string::npos ? -1 : number(a, v.substr(eq + 1), 1, 100000000);
      if (p == "raceroster") options.raceroster_token_ttl = s;
      else if (p == "haku") options.haku_token_ttl = s;
      else usage("--token-ttl: expected raceroster=SECONDS or haku=SECONDS, got '" + v + "'");
    } else usage("unknown option " + a);
  }

  signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-answer (the trickle fault) is not fatal
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // threads started below inherit the mask

  auto simulator = std::make_unique<sim::Simulator>(options);
  if (clock_scale != 1) simulator->clock.adjust(clock_scale, 0);
  for (const auto& [p, l] : limits) simulator->limits.set(p, l);

  std::vector<std::unique_ptr<sim::ProviderApi>> apis;
  apis.push_back(sim::makeRunSignUpApi(*simulator));
  apis.push_back(sim::makeRaceRosterApi(*simulator));
  apis.push_back(sim::makeHakuApi(*simulator));
  apis.push_back(sim::makeLetsDoThisApi(*simulator));

  Poco::ThreadPool pool(4, static_cast<int>(threads) * 4);
  std::vector<std::unique_ptr<Poco::Net::HTTPServer>> servers;
  nlohmann::json urls;
  try {
    for (size_t i = 0; i < apis.size(); ++i) {
      Poco::Net::SocketAddress address(bind, static_cast<Poco::UInt16>(port == 0 ? 0 : port + static_cast<long>(i)));
      Poco::Net::ServerSocket socket(address, 128);
      auto* params = new Poco::Net::HTTPServerParams;
      params->setMaxThreads(static_cast<int>(threads));
      params->setMaxQueued(256);
      params->setKeepAlive(true);
      params->setMaxKeepAliveRequests(0);
      params->setKeepAliveTimeout(Poco::Timespan(30, 0));
      // Poco 1.11's TCPServerDispatcher can miss its stop notification when the server stops
      // (a race in TCPServerDispatcher::stop); such a thread leaves after its idle time, and the
      // pool's destructor waits for it. Keep that wait short so SIGTERM exits promptly.
      params->setThreadIdleTime(Poco::Timespan(0, 500000));
      const std::string base = "http://" + bind + ":" + std::to_string(socket.address().port()) + apis[i]->basePath();
      servers.push_back(std::make_unique<Poco::Net::HTTPServer>(sim::makeHandlerFactory(*simulator, *apis[i]), pool, socket, params));
      simulator->base_urls[sim::slug(apis[i]->provider())] = base;
      urls[sim::slug(apis[i]->provider())] = base;
      if (i == 0) urls["control"] = "http://" + bind + ":" + std::to_string(socket.address().port()) + "/_sim";
    }
  } catch (const Poco::Exception& e) {
    std::fprintf(stderr, "p88-provider-sim: cannot listen on %s: %s\n", bind.c_str(), e.displayText().c_str());
    return 1;
  }
  for (auto& s : servers) s->start();

  std::atomic<bool> stopping{false};
  std::thread mutator;
  if (options.mutations_per_minute > 0) {
    mutator = std::thread([&] {
      double owed = 0;
      while (!stopping) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        owed += options.mutations_per_minute / 600.0;
        std::unique_lock<std::shared_mutex> lock(simulator->world.mutex());
        for (; owed >= 1; owed -= 1) simulator->world.mutate();
      }
    });
  }

  const std::string line = urls.dump();
  if (!ready_file.empty()) {
    std::ofstream(ready_file + ".tmp") << line << "\n";
    std::filesystem::rename(ready_file + ".tmp", ready_file);
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  stopping = true;
  if (mutator.joinable()) mutator.join();
  for (auto& s : servers) s->stopAll(true);
  return 0;
}
