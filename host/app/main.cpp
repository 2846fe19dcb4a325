// p88host: the plugin host. See docs/operations.md.
#include <Poco/Exception.h>

#include <csignal>
#include <iostream>

#include "app/host_application.h"

int main(int argc, char** argv) {
  // A write to a connection the peer has reset (a keep-alive session to a provider, a database
  // socket) must be an error to handle, not a signal that kills the process.
  std::signal(SIGPIPE, SIG_IGN);
  p88::app::HostApplication app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "p88host: " << e.displayText() << " (try --help)\n";
    return Poco::Util::Application::EXIT_USAGE;
  }
  return app.run();
}
