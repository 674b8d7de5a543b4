#pragma once

namespace mconv::cli {

// Parses the command line, runs the chosen command and returns the exit code. The only
// place where errors become text and exit codes.
int run(int argc, char** argv);

}  // namespace mconv::cli
