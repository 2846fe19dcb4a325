// Rows printed as columns for a terminal: separated by two spaces, the last column not padded.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace p88::app {

void printTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

}  // namespace p88::app
