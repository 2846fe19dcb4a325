// Sealing credential secrets: AES-256-GCM round trips, tampering and wrong keys are refused, and
// a credential row's secret parts (secret, additional_config passwords) are found and sealed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/credential_secrets.h"
#include "crypto/secret_box.h"

namespace p88::crypto {
namespace {

SecretBox box() { return SecretBox(decodeKey(generateKey(), "test")); }

TEST(SecretBox, SealsAndOpens) {
  SecretBox b = box();
  const std::string secret = "rsu-secret-7960539531229176 ünïcode";
  std::string sealed = b.seal(secret);
  EXPECT_TRUE(SecretBox::isSealed(sealed));
  EXPECT_EQ(sealed.find("7960539531229176"), std::string::npos);
  EXPECT_EQ(b.open(sealed), secret);
  EXPECT_NE(b.seal(secret), sealed);  // a fresh nonce every time
  EXPECT_EQ(b.open(b.seal("")), "");
  EXPECT_EQ(b.open("plain"), "plain");  // plaintext passes through
}

TEST(SecretBox, RefusesAnotherKeyAndAlteredValues) {
  SecretBox b = box(), other = box();
  std::string sealed = b.seal("secret-value");
  EXPECT_THROW(other.open(sealed), CryptoError);
  std::string altered = sealed;
  altered[20] = altered[20] == 'A' ? 'B' : 'A';  // one sealed byte changed
  EXPECT_THROW(b.open(altered), CryptoError);
  EXPECT_THROW(b.open("enc:v1:AAAA"), CryptoError);
  try {
    other.open(sealed);
  } catch (const CryptoError& e) {
    EXPECT_EQ(std::string(e.what()).find("secret-value"), std::string::npos);
  }
}

TEST(SecretBox, KeysMustBe32BytesOfBase64) {
  EXPECT_EQ(decodeKey(generateKey(), "x").size(), 32u);
  EXPECT_EQ(decodeKey(" " + generateKey() + "\n", "x").size(), 32u);
  try {
    decodeKey("c2hvcnQ=", "P88_SECRET_KEY");
    FAIL();
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string(e.what()).find("P88_SECRET_KEY does not hold a secret key"), std::string::npos);
  }
  EXPECT_THROW(SecretBox("short"), CryptoError);
}

TEST(CredentialSecrets, SealsPrincipalSecretAndConfigPasswordsOnly) {
  SecretBox b = box();
  std::string principal = "client-id-1";
  std::optional<std::string> secret = "client-secret-1";
  std::optional<std::string> config = R"({"username":"timer@example.com","password":"pa ss","token_url":"https://x"})";
  EXPECT_TRUE(credentialInPlaintext(principal, secret, config));
  EXPECT_TRUE(sealCredential(principal, secret, config, b));
  EXPECT_TRUE(SecretBox::isSealed(principal)) << "an API key or client id is not for every reader either";
  EXPECT_TRUE(SecretBox::isSealed(*secret));
  EXPECT_FALSE(credentialInPlaintext(principal, secret, config));
  auto j = nlohmann::json::parse(*config);
  EXPECT_EQ(j["username"], "timer@example.com");
  EXPECT_EQ(j["token_url"], "https://x");
  EXPECT_TRUE(SecretBox::isSealed(j["password"].get<std::string>()));
  EXPECT_FALSE(sealCredential(principal, secret, config, b));  // nothing left to seal
  openCredential(7, principal, secret, config, &b);
  EXPECT_EQ(principal, "client-id-1");
  EXPECT_EQ(secret, "client-secret-1");
  EXPECT_EQ(nlohmann::json::parse(*config)["password"], "pa ss");
}

TEST(CredentialSecrets, ASealedSecretWithoutAKeyNamesTheCredential) {
  SecretBox b = box();
  std::string principal = "key";
  std::optional<std::string> secret = b.seal("s3cret"), config;
  try {
    openCredential(42, principal, secret, config, nullptr);
    FAIL();
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string(e.what()).find("credential 42: its secret is sealed (enc:v1) but no secret key"),
              std::string::npos)
        << e.what();
  }
  std::optional<std::string> plain = "plain", none;
  EXPECT_NO_THROW(openCredential(1, principal, plain, none, nullptr));
  EXPECT_TRUE(isSecretKeyName("api_key"));
  EXPECT_TRUE(isSecretKeyName("refresh_token"));
  EXPECT_FALSE(isSecretKeyName("token_url"));
  EXPECT_FALSE(isSecretKeyName("username"));
}

TEST(CredentialSecrets, AJwtPrincipalWithoutASecretIsSealed) {
  SecretBox b = box();
  std::string principal = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig";
  std::optional<std::string> secret, config;
  EXPECT_TRUE(sealCredential(principal, secret, config, b));
  EXPECT_TRUE(SecretBox::isSealed(principal));
  openCredential(3, principal, secret, config, &b);
  EXPECT_EQ(principal, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig");
}

}  // namespace
}  // namespace p88::crypto
