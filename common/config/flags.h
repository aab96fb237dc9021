// Command-line flags with environment fallbacks: every absl flag `--foo_bar` can also be
// given as HIRESYNC_FOO_BAR; the command line wins.
#pragma once

#include <string>
#include <vector>

namespace hiresync::config {

// Applies HIRESYNC_* environment variables to the registered flags, then parses argv.
// Exits with a clear message on a bad value. Returns the positional arguments.
std::vector<std::string> ParseFlags(int argc, char** argv, const std::string& usage);

}  // namespace hiresync::config
