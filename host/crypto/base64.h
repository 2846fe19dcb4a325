// Base64 (RFC 4648, standard alphabet, padded, no line breaks), through Poco (kept out of this
// header): sealed secrets are stored in it, and secrets are masked in it in logs.
#pragma once

#include <optional>
#include <string>

namespace p88::crypto {

std::string base64(const std::string& bytes);
std::optional<std::string> unbase64(const std::string& text);  // nullopt: not base64

}  // namespace p88::crypto
