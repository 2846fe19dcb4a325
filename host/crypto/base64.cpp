#include "crypto/base64.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include <iterator>
#include <sstream>

namespace p88::crypto {

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

std::optional<std::string> unbase64(const std::string& text) {
  try {
    std::istringstream in(text);
    Poco::Base64Decoder dec(in);
    return std::string((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

}  // namespace p88::crypto
