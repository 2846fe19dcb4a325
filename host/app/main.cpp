// p88host: the plugin host. See docs/operations.md.
#include <Poco/Exception.h>

#include <iostream>

#include "app/host_application.h"

int main(int argc, char** argv) {
  p88::app::HostApplication app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "p88host: " << e.displayText() << " (try --help)\n";
    return Poco::Util::Application::EXIT_USAGE;
  }
  return app.run();
}
