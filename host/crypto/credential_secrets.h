// Which parts of a partner_provider_credentials row are secret, and sealing/opening them: the
// `secret` column; the `principal` (an API key, a client id, or the whole credential, as Let's Do
// This's JWT); and the string values in `additional_config` whose name ends in password, secret,
// token or key, e.g. Race Roster's {"username": ..., "password": ...}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/secret_box.h"

namespace p88::crypto {

bool isSecretKeyName(const std::string& json_key);

// Opens whatever is sealed, in place. Throws CryptoError naming the credential when a sealed part
// cannot be opened (no key configured, another key, damaged).
void openCredential(int64_t credential_id, std::string& principal, std::optional<std::string>& secret,
                    std::optional<std::string>& additional_config, const SecretBox* box);
// True when any secret part of the row is stored in the clear.
bool credentialInPlaintext(const std::string& principal, const std::optional<std::string>& secret,
                           const std::optional<std::string>& additional_config);
// Seals whatever is still plaintext, in place; true when anything changed.
bool sealCredential(std::string& principal, std::optional<std::string>& secret,
                    std::optional<std::string>& additional_config, const SecretBox& box);

}  // namespace p88::crypto
