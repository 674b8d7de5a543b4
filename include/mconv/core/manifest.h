#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mconv/core/catalog.h"
#include "mconv/core/conversion_options.h"
#include "mconv/core/image_lock.h"
#include "mconv/core/model_inspect.h"

namespace mconv::core {

// Paths inside the pod: the staging volume contains the model and the engine, and scratch is temporary.
inline constexpr std::string_view staging_mount = "/staging";
inline constexpr std::string_view scratch_mount = "/scratch";
inline constexpr std::string_view converter_container = "converter";

// The converter's exit codes for failures that a retry cannot fix: bad input, an
// unsupported model, accuracy beyond tolerance, and an upload that never came.
inline constexpr int deterministic_exit_codes[] = {10, 11, 12, 13};

// Everything needed to write the Job and its staging volume claim.
struct ConversionPlan {
  std::string job_name;
  std::string namespace_name;
  std::string user;
  std::string conversion_hash;
  std::string model_file_name;  // the file name users see, kept in an annotation
  std::string model_sha256;
  ModelInfo model;
  const GpuEntry* gpu = nullptr;
  const LockedImage* image = nullptr;
  ConversionOptions options;
  std::string storage_class;              // empty: the cluster's default
  std::int64_t deadline_seconds = 3600;   // activeDeadlineSeconds
  std::int64_t keep_seconds = 86400;      // ttlSecondsAfterFinished
  std::int64_t download_wait_seconds = 900;
  std::string mconv_version;
};

// The model's path inside the pod: the staging folder and a fixed name with the
// format's usual extension, so no user-chosen file name reaches the converter.
std::string staged_model_path(const ModelInfo& model);

nlohmann::ordered_json make_job(const ConversionPlan& plan);

// Returns the staging claim. It gets the Job as its owner once the Job exists, so
// deleting the Job removes it.
nlohmann::ordered_json make_staging_claim(const ConversionPlan& plan);

// Returns the Job that serves a finished conversion's outputs again: the original Job's
// pod with `mconv-converter serve`, owned by the original, so that it goes with it.
nlohmann::ordered_json make_fetch_job(const nlohmann::json& job, const std::string& user, std::int64_t wait_seconds);

// Returns the fetch Job's name: the original's, shortened, with "-fetch".
std::string fetch_job_name(const std::string& job_name);

// Returns the storage to request for the staging volume: room for the model, the
// intermediate ONNX file and the engine, rounded up to whole GiB.
std::string staging_size(std::uint64_t model_size);

}  // namespace mconv::core
