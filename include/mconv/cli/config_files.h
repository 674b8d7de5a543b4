#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mconv/cli/command.h"
#include "mconv/core/catalog.h"
#include "mconv/core/image_lock.h"
#include "mconv/error.h"

namespace mconv::cli {

// The admins' files, loaded and checked against each other.
struct AdminConfig {
  core::Catalog catalog;
  core::ImageLock lock;
};

// Returns the places searched for an admin file, in order: the flag, the environment
// variable, /etc/mconv, the share folder of the installation, the source tree of a
// development build.
std::vector<std::filesystem::path> config_candidates(const std::string& flag_value, const char* env_name,
                                                     const std::string& file_name);

Result<AdminConfig> load_admin_config(const GlobalOptions& global);

}  // namespace mconv::cli
