#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "mconv/core/catalog.h"
#include "mconv/core/conversion_options.h"
#include "mconv/core/image_lock.h"
#include "mconv/core/manifest.h"
#include "mconv/error.h"
#include "mconv/util/sha256.h"

namespace mconv::core {

// A user's request to convert one model, as the command line collected it.
struct ConversionRequest {
  std::filesystem::path model_path;
  std::string gpu;
  std::string user;
  std::string namespace_name;  // empty: the catalog entry's, else "default"
  ConversionOptions options;   // backend empty: the catalog entry's default
  std::string storage_class;
  std::int64_t deadline_seconds = 3600;
  std::int64_t keep_seconds = 86400;
  std::int64_t download_wait_seconds = 900;
};

// Runs every check that needs no cluster (the GPU name, the locked image, the model
// file, the options) and returns the plan with its Job name. Hashing a large model
// takes a while, so progress reports the bytes hashed.
Result<ConversionPlan> plan_conversion(const ConversionRequest& request, const Catalog& catalog,
                                       const ImageLock& lock, const util::ProgressCallback& progress = {});

}  // namespace mconv::core
