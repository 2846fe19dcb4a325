// Serves one provider API (plus the control API) over Poco's HTTP server, injecting the faults
// that are scripted for it and counting every call.
#pragma once

#include <memory>

#include "simulator.h"

namespace Poco::Net {
class HTTPRequestHandlerFactory;
}

namespace sim {

Poco::Net::HTTPRequestHandlerFactory* makeHandlerFactory(Simulator& sim, ProviderApi& api);

}  // namespace sim
