#include "sync/token_cache.h"

namespace p88::sync {

std::optional<std::string> TokenCache::valid(int64_t credential_id, int64_t now_ms, int64_t margin_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(credential_id);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= now_ms + margin_ms) return std::nullopt;
  return it->second.token;
}

std::optional<std::string> TokenCache::any(int64_t credential_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(credential_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.token;
}

void TokenCache::put(int64_t credential_id, Entry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[credential_id] = std::move(entry);
}

}  // namespace p88::sync
