// The modes of p88host, one function each.
#pragma once

#include "app/host_application.h"

namespace p88::app {

// Exit codes beyond Poco's: 1 a check failed (refused plugin, no connection).
constexpr int EXIT_FAILED = 1;

int runCommand(const Invocation& invocation);

}  // namespace p88::app
