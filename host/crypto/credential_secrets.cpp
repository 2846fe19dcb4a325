#include "crypto/credential_secrets.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace p88::crypto {
namespace {

const char* kNoKey =
    "is sealed (enc:v1) but no secret key is configured: set secrets.key_file (P88_SECRET_KEY_FILE) "
    "or P88_SECRET_KEY";

std::string openOne(int64_t id, const std::string& what, const std::string& value, const SecretBox* box) {
  if (!SecretBox::isSealed(value)) return value;
  const std::string who = "credential " + std::to_string(id) + ": its " + what + " ";
  if (box == nullptr) throw CryptoError(who + kNoKey);
  try {
    return box->open(value);
  } catch (const CryptoError& e) {
    throw CryptoError(who + "cannot be opened: " + e.what());
  }
}

// Applies f to every secret string value of the JSON object text; returns the new text.
template <typename F>
std::optional<std::string> mapConfigSecrets(const std::optional<std::string>& config, F f) {
  if (!config) return config;
  auto j = nlohmann::json::parse(*config, nullptr, false);
  if (!j.is_object()) return config;
  bool changed = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string() || !isSecretKeyName(it.key())) continue;
    std::string v = it->get<std::string>();
    std::string n = f(it.key(), v);
    if (n != v) {
      *it = n;
      changed = true;
    }
  }
  return changed ? std::optional<std::string>(j.dump()) : config;
}

}  // namespace

bool isSecretKeyName(const std::string& key) {
  // The last word of the name decides: "password", "client_secret", "refresh_token", "api_key"
  // are secret; "token_url" and "username" are not.
  std::string last = key.substr(key.find_last_of("_-. ") == std::string::npos ? 0 : key.find_last_of("_-. ") + 1);
  for (char& c : last) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"password", "passwd", "passphrase", "secret", "token", "key"})
    if (last == word) return true;
  return false;
}

void openCredential(int64_t id, std::string& principal, std::optional<std::string>& secret,
                    std::optional<std::string>& config, const SecretBox* box) {
  principal = openOne(id, "principal", principal, box);
  if (secret) secret = openOne(id, "secret", *secret, box);
  config = mapConfigSecrets(config, [&](const std::string& key, const std::string& v) {
    return openOne(id, "additional_config." + key, v, box);
  });
}

bool credentialInPlaintext(const std::string& principal, const std::optional<std::string>& secret,
                           const std::optional<std::string>& config) {
  if (!principal.empty() && !SecretBox::isSealed(principal)) return true;
  if (secret && !secret->empty() && !SecretBox::isSealed(*secret)) return true;
  bool plain = false;
  mapConfigSecrets(config, [&](const std::string&, const std::string& v) {
    plain = plain || (!v.empty() && !SecretBox::isSealed(v));
    return v;
  });
  return plain;
}

bool sealCredential(std::string& principal, std::optional<std::string>& secret, std::optional<std::string>& config,
                    const SecretBox& box) {
  bool changed = false;
  // The principal is sealed too: an API key (RunSignUp), a client id (Race Roster, Haku) or the
  // whole credential (Let's Do This's key is a JWT) is not for every reader of the database.
  if (!principal.empty() && !SecretBox::isSealed(principal)) {
    principal = box.seal(principal);
    changed = true;
  }
  if (secret && !secret->empty() && !SecretBox::isSealed(*secret)) {
    secret = box.seal(*secret);
    changed = true;
  }
  auto sealed = mapConfigSecrets(config, [&](const std::string&, const std::string& v) {
    return v.empty() || SecretBox::isSealed(v) ? v : box.seal(v);
  });
  if (sealed != config) {
    config = sealed;
    changed = true;
  }
  return changed;
}

}  // namespace p88::crypto
