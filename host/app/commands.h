// The modes of p88host, one function each.
#pragma once

#include "app/host_application.h"

namespace p88::app {

// Exit codes beyond Poco's: 1 a check failed (refused plugin, no connection), 2 not available.
constexpr int EXIT_FAILED = 1;
constexpr int EXIT_NOT_AVAILABLE = 2;

int runCommand(const Invocation& invocation);

}  // namespace p88::app
