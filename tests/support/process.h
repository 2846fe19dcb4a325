// Starting child processes in tests, without a shell.
#pragma once

#include <string>
#include <vector>

namespace p88::test {

// Starts argv[0] with argv and exactly the environment `env` ("K=V"), stdin from `stdin_path`
// ("" for /dev/null) and stdout/stderr to the given files ("" for /dev/null). Returns the child's pid.
int spawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& stdout_path, const std::string& stderr_path,
                 const std::string& stdin_path = "");

// This process's environment, as "K=V" strings.
std::vector<std::string> currentEnvironment();

}  // namespace p88::test
