#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"

namespace mconv::core {

// The label that the Job controller puts on a Job's pods.
inline constexpr std::string_view job_name_label = "batch.kubernetes.io/job-name";

// A conversion's objects in one namespace: its Job, its staging claim, its pods and
// their events. Errors keep the server's reason and name the verb and object that failed.
class JobStore {
 public:
  JobStore(kube::Client& client, std::string namespace_name, kube::Cancellation cancel = {})
      : client_(client), namespace_(std::move(namespace_name)), cancel_(cancel) {}

  const std::string& namespace_name() const { return namespace_; }
  kube::Client& client() { return client_; }

  // Returns the Job, or nothing when it does not exist.
  kube::ApiResult<std::optional<nlohmann::json>> get_job(const std::string& name);
  kube::ApiResult<nlohmann::json> create_job(const nlohmann::json& job);

  // Returns the staging claim, or nothing when it does not exist.
  kube::ApiResult<std::optional<nlohmann::json>> get_claim(const std::string& name);

  // Creates the staging claim owned by the Job, so that the garbage collector deletes
  // it with the Job.
  kube::ApiResult<nlohmann::json> create_claim(nlohmann::json claim, const nlohmann::json& job);

  // Deletes the Job with its pods, and the staging claim in case its owner reference
  // was never set. Objects already gone count as deleted.
  kube::ApiResult<void> delete_conversion(const std::string& name);
  kube::ApiResult<void> delete_claim(const std::string& name);

  // Lists mconv's Jobs in the namespace, newest first.
  kube::ApiResult<std::vector<nlohmann::json>> list_jobs();
  kube::ApiResult<std::vector<nlohmann::json>> list_pods(const std::string& job_name);

  // Returns the events about one object, oldest first.
  kube::ApiResult<std::vector<nlohmann::json>> events_for(const std::string& kind, const std::string& name);

  // Sends a GET, retrying for a while when no response came or the server was busy, as
  // after a restarted API server or a cut connection. Reads are safe to repeat.
  kube::ApiResult<nlohmann::json> get(const std::string& path, const kube::Query& query = {});

 private:
  kube::ApiResult<std::vector<nlohmann::json>> list(const std::string& path, const kube::Query& query);

  kube::Client& client_;
  std::string namespace_;
  kube::Cancellation cancel_;
  bool read_allowed_ = false;  // set after the first successful read
};

}  // namespace mconv::core
