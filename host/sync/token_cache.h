// Access tokens per credential, shared by every job of the process until they expire.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace p88::sync {

class TokenCache {
 public:
  struct Entry {
    std::string token;
    int64_t expires_at_ms = 0;  // 0: unknown lifetime
  };
  // A token still valid `margin_ms` from now.
  std::optional<std::string> valid(int64_t credential_id, int64_t now_ms, int64_t margin_ms = 60000);
  // Whatever is cached, valid or not (for a refresh grant).
  std::optional<std::string> any(int64_t credential_id);
  void put(int64_t credential_id, Entry entry);

 private:
  std::mutex mutex_;
  std::map<int64_t, Entry> entries_;
};

}  // namespace p88::sync
