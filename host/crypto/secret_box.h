// Credential secrets at rest: AES-256-GCM with a key that lives outside the database (a key file
// or an environment variable). A sealed value is "enc:v1:" + base64(nonce | ciphertext | tag); a
// value without the prefix is plaintext (as the seed's INSERT writes it) and is used as is until
// `p88host --encrypt-secrets` seals it.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace p88::crypto {

class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SecretBox {
 public:
  // `key` is 32 raw bytes. Throws CryptoError otherwise.
  explicit SecretBox(const std::string& key);

  std::string seal(const std::string& plaintext) const;
  // Throws CryptoError when the value was sealed with another key or altered (never says more).
  std::string open(const std::string& sealed) const;

  static bool isSealed(const std::string& value);

 private:
  std::string key_;
};

// The key from base64 text (a key file's content or P88_SECRET_KEY); throws CryptoError naming
// `source` (never the key) when it is not 32 bytes of base64.
std::string decodeKey(const std::string& base64_text, const std::string& source);
// Reads a key file; refuses one that other users can read.
std::string readKeyFile(const std::string& path);
// A new random key, base64.
std::string generateKey();

// The configured key: `key_base64` (P88_SECRET_KEY) if set, else the file `key_file`
// (secrets.key_file) if set, else /etc/p88/secret.key if it exists; nullptr when none is
// configured. Throws CryptoError for a key that is unreadable or not a key.
std::unique_ptr<SecretBox> configuredSecretBox(const std::string& key_base64, const std::string& key_file);

}  // namespace p88::crypto
