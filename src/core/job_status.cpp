#include "mconv/core/job_status.h"

#include <regex>

#include <fmt/format.h>

#include "mconv/core/manifest.h"

namespace mconv::core {

namespace {

using nlohmann::json;

bool condition_true(const json& condition, std::string_view type) {
  return condition.value("type", "") == type && condition.value("status", "") == "True";
}

const json* converter_status(const json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("containerStatuses")) return nullptr;
  for (const auto& status : pod["status"]["containerStatuses"]) {
    if (status.value("name", "") == converter_container) return &status;
  }
  return nullptr;
}

// Counts "N Insufficient nvidia.com/gpu"-style reasons in a scheduler message such as
// "0/5 nodes are available: 1 Insufficient nvidia.com/gpu, 4 node(s) didn't match
// Pod's node affinity/selector."
int count_nodes(const std::string& message, const std::string& reason) {
  std::regex pattern("([0-9]+) " + reason);
  int total = 0;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), pattern); it != std::sregex_iterator(); ++it) {
    total += std::stoi((*it)[1]);
  }
  return total;
}

PodDiagnosis diagnose_unschedulable(const std::string& message, const std::string& gpu_name) {
  if (message.find("unbound immediate PersistentVolumeClaims") != std::string::npos ||
      message.find("persistentvolumeclaim") != std::string::npos) {
    return {StallKind::waiting, ErrorKind::cluster,
            "the staging volume claim is not bound yet; check that the cluster has a default storage class, or pass --storage-class"};
  }

  int busy = count_nodes(message, "Insufficient nvidia\\.com/gpu");
  int other_resources = count_nodes(message, "Insufficient (cpu|memory)");
  int tainted = count_nodes(message, "node\\(s\\) had untolerated taint");
  if (busy > 0) {
    return {StallKind::waiting, ErrorKind::timeout,
            fmt::format("all {} {} GPU node(s) are busy; the conversion waits for a GPU to free up", busy, gpu_name)};
  }
  if (other_resources > 0) {
    return {StallKind::waiting, ErrorKind::timeout,
            fmt::format("{} node(s) for {} have too little CPU or memory free; the conversion waits", other_resources, gpu_name)};
  }
  if (tainted > 0 && message.find("didn't match Pod's node affinity") == std::string::npos) {
    return {StallKind::no_node, ErrorKind::cluster,
            fmt::format("the {} node(s) carry taints that the catalog's tolerations for {} do not cover: {}", tainted, gpu_name, message)};
  }
  return {StallKind::no_node, ErrorKind::cluster,
          fmt::format("no node in the cluster has a {} GPU: none carries the node labels that gpu-catalog.yaml lists for it "
                      "(scheduler: {}); ask an admin, or pick another GPU from 'mconv list-gpus'",
                      gpu_name, message)};
}

PodDiagnosis diagnose_waiting_container(const json& waiting, const json& pod) {
  auto reason = waiting.value("reason", "");
  auto message = waiting.value("message", "");
  if (reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName") {
    std::string image = pod["spec"]["containers"][0].value("image", "");
    return {StallKind::fatal, ErrorKind::conversion,
            fmt::format("cannot pull the converter image '{}' ({}: {}); check that this digest exists in the registry "
                        "and that the namespace has a pull secret for it, or ask an admin to update images.lock",
                        image, reason, message)};
  }
  if (reason == "CreateContainerConfigError" || reason == "CreateContainerError") {
    return {StallKind::fatal, ErrorKind::conversion, fmt::format("the converter container cannot start ({}: {})", reason, message)};
  }
  return {};
}

}  // namespace

JobStatus job_status(const json& job) {
  JobStatus status;
  if (!job.contains("status") || !job["status"].contains("conditions")) return status;

  for (const auto& condition : job["status"]["conditions"]) {
    if (condition_true(condition, "Failed") || condition_true(condition, "FailureTarget")) {
      return {JobState::failed, condition.value("reason", ""), condition.value("message", "")};
    }
    if (condition_true(condition, "Complete") || condition_true(condition, "SuccessCriteriaMet")) {
      status = {JobState::succeeded, condition.value("reason", ""), condition.value("message", "")};
    }
  }
  return status;
}

PodDiagnosis diagnose_pod(const json& pod, const std::string& gpu_name) {
  if (!pod.contains("status")) return {};
  const auto& status = pod["status"];

  if (status.contains("conditions")) {
    for (const auto& condition : status["conditions"]) {
      if (condition.value("type", "") == "PodScheduled" && condition.value("status", "") == "False" &&
          condition.value("reason", "") == "Unschedulable") {
        return diagnose_unschedulable(condition.value("message", ""), gpu_name);
      }
    }
  }
  if (const auto* container = converter_status(pod); container != nullptr && container->contains("state")) {
    const auto& state = (*container)["state"];
    if (state.contains("waiting")) return diagnose_waiting_container(state["waiting"], pod);
  }
  return {};
}

bool converter_running(const json& pod) {
  const auto* container = converter_status(pod);
  return container != nullptr && container->contains("state") && (*container)["state"].contains("running");
}

std::optional<Termination> converter_termination(const json& pod) {
  const auto* container = converter_status(pod);
  if (container == nullptr) return std::nullopt;

  for (const char* key : {"state", "lastState"}) {
    if (container->contains(key) && (*container)[key].contains("terminated")) {
      const auto& terminated = (*container)[key]["terminated"];
      return Termination{terminated.value("exitCode", 0), terminated.value("reason", ""), terminated.value("message", "")};
    }
  }
  return std::nullopt;
}

std::string describe_converter_exit(int exit_code) {
  switch (exit_code) {
    case 10: return "the model or an option is invalid";
    case 11: return "the model cannot be converted with this backend";
    case 12: return "the engine's outputs differ from ONNX Runtime's beyond the tolerance";
    case 13: return "the model upload never arrived";
    case 20: return "the node failed (no GPU visible, a CUDA or driver error, or out of memory)";
    case 137: return "the converter was killed, often for using more memory than its limit";
    default: return fmt::format("the converter exited with code {}", exit_code);
  }
}

}  // namespace mconv::core
