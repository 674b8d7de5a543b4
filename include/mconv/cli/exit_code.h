#pragma once

#include "mconv/error.h"

namespace mconv::cli {

// The exit codes that CI scripts can act on; docs/exit-codes.md lists them.
enum ExitCode : int {
  exit_success = 0,
  exit_internal = 1,
  exit_usage = 2,
  exit_config = 3,
  exit_model = 4,
  exit_io = 5,
  exit_cluster = 6,
  exit_access = 7,
  exit_conversion = 8,
  exit_timeout = 9,
  exit_interrupted = 130,
};

int exit_code_for(ErrorKind kind);

}  // namespace mconv::cli
