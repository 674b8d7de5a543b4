#include "mconv/cli/exit_code.h"

namespace mconv::cli {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return exit_usage;
    case ErrorKind::config: return exit_config;
    case ErrorKind::model: return exit_model;
    case ErrorKind::io: return exit_io;
    case ErrorKind::cluster: return exit_cluster;
    case ErrorKind::unauthorized:
    case ErrorKind::forbidden: return exit_access;
    case ErrorKind::conversion: return exit_conversion;
    case ErrorKind::timeout: return exit_timeout;
    case ErrorKind::interrupted: return exit_interrupted;
    case ErrorKind::internal: return exit_internal;
  }
  return exit_internal;
}

}  // namespace mconv::cli
