#include "crypto/secret_box.h"

#include "crypto/base64.h"

#include <Poco/Crypto/Cipher.h>
#include <Poco/Crypto/CipherFactory.h>
#include <Poco/Crypto/CipherKey.h>
#include <Poco/Crypto/CryptoTransform.h>
#include <Poco/Exception.h>
#include <Poco/RandomStream.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace p88::crypto {
namespace {

constexpr const char* kPrefix = "enc:v1:";
constexpr size_t kKeySize = 32, kNonceSize = 12, kTagSize = 16;

std::string randomBytes(size_t n) {
  Poco::RandomInputStream random;
  std::string out(n, '\0');
  random.read(out.data(), static_cast<std::streamsize>(n));
  return out;
}

// Runs a transform over the whole input.
std::string run(Poco::Crypto::CryptoTransform& t, const std::string& in) {
  std::vector<unsigned char> out(in.size() + 2 * t.blockSize() + 16);
  std::streamsize n = t.transform(reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<std::streamsize>(in.size()), out.data(),
                                  static_cast<std::streamsize>(out.size()));
  n += t.finalize(out.data() + n, static_cast<std::streamsize>(out.size()) - n);
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
}

Poco::Crypto::Cipher* cipherFor(const std::string& key, const std::string& nonce) {
  Poco::Crypto::CipherKey::ByteVec k(key.begin(), key.end()), iv(nonce.begin(), nonce.end());
  return Poco::Crypto::CipherFactory::defaultFactory().createCipher(
      Poco::Crypto::CipherKey("aes-256-gcm", k, iv));
}

}  // namespace

SecretBox::SecretBox(const std::string& key) : key_(key) {
  if (key_.size() != kKeySize)
    throw CryptoError("the secret key must be " + std::to_string(kKeySize) + " bytes, not " +
                      std::to_string(key_.size()));
}

bool SecretBox::isSealed(const std::string& value) { return value.rfind(kPrefix, 0) == 0; }

std::string SecretBox::seal(const std::string& plaintext) const {
  const std::string nonce = randomBytes(kNonceSize);
  std::unique_ptr<Poco::Crypto::Cipher> cipher(cipherFor(key_, nonce));
  auto enc = cipher->createEncryptor();
  std::string body = run(*enc, plaintext);
  return kPrefix + base64(nonce + body + enc->getTag(kTagSize));
}

std::string SecretBox::open(const std::string& sealed) const {
  if (!isSealed(sealed)) return sealed;
  auto raw = unbase64(sealed.substr(std::string(kPrefix).size()));
  if (!raw || raw->size() < kNonceSize + kTagSize) throw CryptoError("a sealed secret is damaged (not enc:v1 base64)");
  const std::string nonce = raw->substr(0, kNonceSize);
  const std::string tag = raw->substr(raw->size() - kTagSize);
  const std::string body = raw->substr(kNonceSize, raw->size() - kNonceSize - kTagSize);
  try {
    std::unique_ptr<Poco::Crypto::Cipher> cipher(cipherFor(key_, nonce));
    auto dec = cipher->createDecryptor();
    dec->setTag(tag);
    return run(*dec, body);
  } catch (const Poco::Exception&) {
    throw CryptoError("a sealed secret does not open with this key (another key, or the value was altered)");
  }
}

std::string decodeKey(const std::string& base64_text, const std::string& source) {
  std::string text;
  for (char c : base64_text)
    if (!std::isspace(static_cast<unsigned char>(c))) text += c;
  auto key = unbase64(text);
  if (!key || key->size() != kKeySize)
    throw CryptoError(source + " does not hold a secret key (expected " + std::to_string(kKeySize) +
                      " bytes in base64, as p88host --generate-secret-key writes)");
  return *key;
}

std::string readKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw CryptoError("cannot read the secret key file " + path);
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    throw CryptoError("the secret key file " + path + " is accessible to other users; chmod 600 it");
  std::ifstream in(path);
  if (!in) throw CryptoError("cannot read the secret key file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decodeKey(text, "the secret key file " + path);
}

std::string generateKey() { return base64(randomBytes(kKeySize)); }

std::unique_ptr<SecretBox> configuredSecretBox(const std::string& key_base64, const std::string& key_file) {
  const std::string default_file = "/etc/p88/secret.key";
  if (!key_base64.empty()) return std::make_unique<SecretBox>(decodeKey(key_base64, "P88_SECRET_KEY (secrets.key)"));
  if (!key_file.empty()) return std::make_unique<SecretBox>(readKeyFile(key_file));
  struct stat st {};
  if (::stat(default_file.c_str(), &st) == 0) return std::make_unique<SecretBox>(readKeyFile(default_file));
  return nullptr;
}

}  // namespace p88::crypto
