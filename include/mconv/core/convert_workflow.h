#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mconv/core/converter_events.h"
#include "mconv/core/job_store.h"
#include "mconv/core/manifest.h"
#include "mconv/core/workflow_observer.h"
#include "mconv/error.h"

namespace mconv::core {

// The settings of one run of convert, attach or fetch beyond the plan.
struct WorkflowSettings {
  std::filesystem::path model_path;   // empty for attach and fetch, which upload nothing
  std::filesystem::path output_path;  // where the engine goes, with metadata beside it as PATH.json
  std::string output_stem;            // when output_path is empty: STEM plus the engine's extension
  bool overwrite = false;             // --force
  bool detach = false;                // return after the upload, leaving the Job to run
  bool keep = false;                  // on interrupt, keep what this run created
  bool rerun = false;                 // replace a failed Job with a new one
  std::chrono::seconds no_node_limit{300};  // give up when no node has the GPU for this long
  std::int64_t fetch_wait_seconds = 900;    // how long a fetch Job's pod waits for the download
};

// The outcome of a finished run: the Job and the files written.
struct ConversionResult {
  std::string job_name;
  std::string namespace_name;
  bool reused_job = false;  // an earlier run's Job was found and used
  bool detached = false;
  std::filesystem::path engine_path;
  std::filesystem::path metadata_path;
  ConverterFile engine;
};

// Runs one conversion in the cluster: finds or creates its Job and staging claim,
// waits for the converter pod, uploads the model, follows the converter's log and
// downloads the engine. Cancellation stops it at the next poll; objects this run
// created are then deleted unless settings.keep or settings.detach is set.
class ConvertWorkflow {
 public:
  ConvertWorkflow(JobStore& store, WorkflowSettings settings, WorkflowObserver& observer, kube::Cancellation cancel)
      : store_(store), settings_(std::move(settings)), observer_(observer), cancel_(cancel) {}

  // convert: the plan describes the Job to find or create.
  Result<ConversionResult> convert(const ConversionPlan& plan);

  // attach and fetch: follow an existing Job and download its engine.
  Result<ConversionResult> attach(const std::string& job_name, const std::string& user);

 private:
  // The model to upload when the converter waits for it; empty for attach and fetch.
  struct Upload {
    std::string staged_path;
    std::string sha256;
    std::uint64_t size = 0;
  };

  Result<ConversionResult> convert_steps(const ConversionPlan& plan);
  Result<void> create_objects(const ConversionPlan& plan);
  Result<bool> reuse_existing(const nlohmann::json& job);
  Result<void> wait_until_deleted(const std::string& job_name);
  Result<void> wait_until_claim_deleted(const std::string& name);
  Result<ConversionResult> follow_and_download(const std::string& job_name, const std::string& gpu_name,
                                               const std::optional<Upload>& upload);
  Result<std::string> start_fetch_job(const std::string& job_name);
  bool job_failed(const std::string& job_name, std::chrono::seconds wait = {});
  bool job_succeeded(const std::string& job_name);
  bool exited_deterministically(const std::string& job_name, const std::string& pod_name);
  bool converter_still_running(const std::string& job_name, const std::string& pod_name);
  Result<std::string> converter_stage_so_far(const std::string& pod);
  Result<bool> follow_until_ready(const std::string& pod);
  Result<ConversionResult> download(const std::string& pod, ConversionResult result);
  std::filesystem::path output_path_for(const ConverterFile& engine) const;
  Error explain_failure(const std::string& job_name, const std::string& headline);
  Error finish_interrupted();

  JobStore& store_;
  WorkflowSettings settings_;
  WorkflowObserver& observer_;
  kube::Cancellation cancel_;

  std::string created_job_;  // set once this run created the Job
  bool failed_in_cluster_ = false;
  bool finished_ = false;      // the Job succeeded earlier: serve its outputs with a fetch Job
  std::string user_;           // the caller, for the fetch Job's annotation
  std::vector<std::string> recent_lines_;
  std::optional<ConverterEvent> last_error_event_;
  std::optional<ConverterEvent> result_event_;
};

}  // namespace mconv::core
