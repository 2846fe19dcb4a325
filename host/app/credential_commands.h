// Credentials without SQL: --add-credential, --list-credentials, --disable-credential. Secrets
// come from standard input or a file, never from the command line (where ps and the shell's
// history would show them), and are sealed at once when a secret key is configured.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace p88::config {
struct Settings;
}

namespace p88::app {

struct AddCredential {
  std::string spec;                        // "PARTNER:PROVIDER": a partner id or company name
  std::optional<std::string> principal;    // --principal: API key, client id (not for a JWT key)
  std::optional<std::string> username;     // --username: an account login (Race Roster)
  std::optional<std::string> token_url;    // --token-url (OAuth 2 providers)
  std::optional<std::string> secret_file;  // --secret-file: the secret's first line, else stdin
  std::optional<std::string> password_file;  // --password-file: with --username, else stdin
};

int addCredential(const config::Settings& settings, const AddCredential& request, std::istream& in,
                  std::ostream& out, std::ostream& err);
int listCredentials(const config::Settings& settings, std::ostream& out);
int disableCredential(const config::Settings& settings, const std::string& id, std::ostream& out,
                      std::ostream& err);

}  // namespace p88::app
