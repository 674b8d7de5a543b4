#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mconv/error.h"

namespace mconv::core {

enum class JobState { active, succeeded, failed };

// A conversion Job's state as its conditions tell it.
struct JobStatus {
  JobState state = JobState::active;
  std::string reason;   // the condition's reason, such as DeadlineExceeded or PodFailurePolicy
  std::string message;  // the condition's message
};

// Reads the Job's conditions. The interim FailureTarget and SuccessCriteriaMet count as
// the final result, because the terminal condition follows only once every pod is gone.
JobStatus job_status(const nlohmann::json& job);

enum class StallKind {
  none,          // running, or starting normally
  waiting,       // it may resolve by itself, such as busy GPUs
  no_node,       // no node matches the GPU's labels; it resolves only if one is added
  fatal,         // it cannot resolve, such as an image that cannot be pulled
};

// The reason a conversion pod is not running, in the user's words.
struct PodDiagnosis {
  StallKind kind = StallKind::none;
  ErrorKind error_kind = ErrorKind::cluster;
  std::string message;
};

// Explains a pod that has not started from its conditions and container states: the
// scheduler's reasons (no such GPU, all such GPUs busy, volume claim not bound,
// untolerated taints) and the image pull and container configuration failures.
PodDiagnosis diagnose_pod(const nlohmann::json& pod, const std::string& gpu_name);

// Returns whether the converter container of a pod is running, so exec can reach it.
bool converter_running(const nlohmann::json& pod);

// Returns the exit code and reason of the converter container's last termination.
struct Termination {
  int exit_code = 0;
  std::string reason;
  std::string message;
};
std::optional<Termination> converter_termination(const nlohmann::json& pod);

// Explains the converter's exit code as its documentation defines it.
std::string describe_converter_exit(int exit_code);

}  // namespace mconv::core
