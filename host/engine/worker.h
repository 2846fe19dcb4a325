// A worker: claims the most urgent due job whose credential has rate budget, runs it (the same
// sync operation --manual-sync runs), keeps its lease alive while it runs, and records the
// outcome: completed; retried with backoff (transient errors, up to retry.max); rescheduled for
// the provider's time without using an attempt (throttled, and the credential is blocked); or
// failed (credentials refused, bad configuration, event gone, retries used up).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/engine_config.h"

namespace p88::config {
struct Settings;
}
namespace p88::plugins {
class PluginRegistry;
}
namespace p88::crypto {
class SecretBox;
}
namespace p88::store {
class Store;
}
namespace p88::sync {
class TokenCache;
struct StreamResult;
}
namespace p88::queue {
struct Job;
}

namespace p88::engine {

// Shared by the workers of one process.
struct WorkerShared {
  const config::Settings* settings = nullptr;
  const plugins::PluginRegistry* registry = nullptr;
  const crypto::SecretBox* secrets = nullptr;
  sync::TokenCache* tokens = nullptr;
  EngineConfig config;
  std::atomic<bool> stop_claiming{false};  // shutdown: finish what runs, take nothing new
  std::atomic<bool> cancel_running{false};  // the grace period is over: stop running jobs
  std::atomic<int64_t> jobs_done{0}, jobs_failed{0}, throttles{0};
  std::atomic<int64_t> database_faults{0};  // jobs a database fault sent back to the queue
  // Registration details take from each credential's detail allowance (rate_limits, set by the
  // leading engine from its plans); false (--manual-sync): as many as details.max_per_run allows.
  bool budget_details = false;
  // Opens the heartbeat's own connection (default: openStore(settings->database)).
  std::function<std::unique_ptr<store::Store>()> open_heartbeat_store;
};

class Worker {
 public:
  using Progress = std::function<void(const sync::StreamResult&)>;

  Worker(std::string id, WorkerShared& shared, std::unique_ptr<store::Store> store);
  ~Worker();
  // Claims and runs jobs until stop_claiming.
  void run();
  // Claims and runs one job; false when none was due.
  bool runOnce();
  // Claims job `id` if it is pending, due or not, and runs it, reporting progress after each
  // written batch: --manual-sync runs its own requests. False when the job is running elsewhere
  // or finished.
  bool runJob(int64_t id, const Progress& progress = {});
  const std::string& id() const { return id_; }

 private:
  void execute(const queue::Job& job, const Progress& progress);
  std::string id_;
  WorkerShared& shared_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace p88::engine
