// p88host's command line: a Poco Util application whose options are declared in one place
// (defineOptions) and whose modes are small functions (commands.cpp).
#pragma once

#include <Poco/Util/Application.h>

#include <map>
#include <string>
#include <vector>

namespace p88::app {

// What the command line asked for.
struct Invocation {
  enum class Mode { run, help, version, list_plugins, migrate, test_connection, manual_sync,
                    engine_only, worker_only, encrypt_secrets, generate_secret_key, add_credential,
                    list_credentials, disable_credential, status } mode = Mode::run;
  std::string config_file;                   // --config
  std::map<std::string, std::string> flags;  // the flag layer of the configuration
  std::vector<std::string> plugin_dirs;      // --plugin-dir, repeatable
  std::string manual_sync;                   // --manual-sync argument
  bool enqueue_only = false;                 // --enqueue-only (with --manual-sync)
  bool reconcile = false;                    // --reconcile (with --manual-sync)
  std::string key_file;                      // --generate-secret-key argument
  std::string credential;                    // --add-credential SPEC, --disable-credential ID
  std::map<std::string, std::string> credential_options;  // --principal, --username, ... (with --add-credential)
};

class HostApplication : public Poco::Util::Application {
 public:
  HostApplication();

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  void setMode(Invocation::Mode mode, const std::string& option);
  void printHelp();
  Invocation inv_;
  std::string mode_option_;
};

}  // namespace p88::app
