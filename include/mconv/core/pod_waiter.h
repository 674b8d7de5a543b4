#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "mconv/core/job_store.h"
#include "mconv/core/workflow_observer.h"
#include "mconv/error.h"

namespace mconv::core {

// Waits until the converter container of one of the Job's pods runs, watching the pods
// rather than polling, and reports to the observer, in the user's words, why it waits. Fails
// when the Job fails, when a pod can never start (an image that cannot be pulled, a
// Job controller that cannot create pods, such as over quota), or when no node has the
// GPU for longer than no_node_limit.
Result<nlohmann::json> wait_for_converter(JobStore& store, const std::string& job_name, const std::string& gpu_name,
                                          WorkflowObserver& observer, std::chrono::seconds no_node_limit,
                                          kube::Cancellation cancel);

}  // namespace mconv::core
