// p88host's HTTP listener (Poco, kept out of this header): GET /metrics (Prometheus), GET /healthz
// and GET / (the race-morning status page). Off unless http.listen is set; a bare port binds
// loopback only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "engine/schedule.h"

namespace p88::store {
class Store;
}

namespace p88::status {

struct ListenerHooks {
  // "" while the process's engine and workers are alive, else what is wrong.
  std::function<std::string()> liveness;
  // A connection of the listener's own (opened again after a failure).
  std::function<std::unique_ptr<store::Store>()> open_store;
  engine::ScheduleConfig schedule;
  int64_t horizon_seconds = 24 * 3600;  // status.horizon
  std::string version, abi;
};

// "9188" or ":9188" (loopback), "127.0.0.1:9188", "0.0.0.0:9188", "[::1]:9188"; port 0 takes a
// free one. Throws std::invalid_argument naming the value.
std::pair<std::string, int> parseListenAddress(const std::string& text);

class HttpListener {
 public:
  // Binds and starts serving; throws std::runtime_error naming the address when it cannot bind.
  HttpListener(const std::string& listen, ListenerHooks hooks);
  ~HttpListener();  // stops serving
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;
  std::string address() const;  // "127.0.0.1:9188", the port as bound

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace p88::status
