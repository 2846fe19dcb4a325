// Date, time and money as the providers write them.
#pragma once

#include <optional>
#include <string>

#include "sim_clock.h"

namespace sim {

std::string isoUtc(Instant t);                                   // 2026-05-10T13:00:00Z
std::string isoLocal(Instant t, const std::string& zone);        // 2026-05-10T08:00:00-05:00
std::string naiveLocal(Instant t, const std::string& zone);      // 2026-05-10T08:00:00
std::string usDateTime(Instant t, const std::string& zone);      // 5/10/2026 08:00 (RunSignUp)
std::string usDate(Instant t, const std::string& zone);          // 05/10/2026
std::string sqlDateTime(Instant t, const std::string& zone);     // 2026-05-10 08:00:00
std::string dollars(long long minor);                            // $57.75
std::string decimal(long long minor);                            // 57.75
// ISO-8601 with Z or an offset; nullopt when it is not one.
std::optional<Instant> parseIso(const std::string& text);
std::string base64(const std::string& bytes);
std::optional<std::string> unbase64(const std::string& text);

}  // namespace sim
