#include "mconv/core/job_store.h"

#include <algorithm>

#include "mconv/kube/reconnect.h"
#include "mconv/kube/url.h"

namespace mconv::core {

namespace {

using nlohmann::json;

// Prefixes an API error with the operation, keeping the server's reason.
kube::ApiError in_context(kube::ApiError error, std::string_view operation) {
  error.message = fmt::format("{}: {}", operation, error.message);
  return error;
}

std::string creation_time(const json& object) {
  return object["metadata"].value("creationTimestamp", "");
}

// Returns when an event last happened: core/v1 events of the kubelet and controllers
// set lastTimestamp, newer ones set only eventTime, and either may be null.
std::string event_time(const json& event) {
  for (const char* key : {"lastTimestamp", "eventTime"}) {
    if (event.contains(key) && event[key].is_string()) return event[key].get<std::string>();
  }
  return "";
}

// How long reads keep retrying a server that sends no response.
constexpr std::chrono::seconds retry_limit{60};
constexpr std::chrono::seconds forbidden_retry_limit{20};

}  // namespace

kube::ApiResult<json> JobStore::get(const std::string& path, const kube::Query& query) {
  auto deadline = std::chrono::steady_clock::now() + retry_limit;
  auto pause = std::chrono::milliseconds(250);
  auto forbidden_deadline = std::chrono::steady_clock::now() + forbidden_retry_limit;
  while (true) {
    auto answer = client_.get(path, query, cancel_);
    if (answer) read_allowed_ = true;
    bool transient = !answer && answer.error().is_retryable() && answer.error().kind != ErrorKind::interrupted;
    // An API server that has just restarted can deny requests until its authorization
    // caches fill, so a denial after earlier reads succeeded is retried briefly.
    bool early_denial = !answer && read_allowed_ && answer.error().http_code == 403 && std::chrono::steady_clock::now() < forbidden_deadline;
    if (!(transient || early_denial) || std::chrono::steady_clock::now() + pause > deadline) return answer;
    if (!kube::sleep_unless_cancelled(pause, cancel_)) return answer;
    pause = std::min(pause * 2, std::chrono::milliseconds(4000));
  }
}

kube::ApiResult<std::optional<json>> JobStore::get_job(const std::string& name) {
  auto job = get(kube::resource_path("batch/v1", namespace_, "jobs", name));
  if (job) return std::optional<json>(std::move(*job));
  if (job.error().is_not_found()) return std::optional<json>();
  return std::unexpected(in_context(job.error(), fmt::format("getting job \"{}\" in namespace \"{}\"", name, namespace_)));
}

kube::ApiResult<json> JobStore::create_job(const json& job) {
  auto created = client_.post(kube::resource_path("batch/v1", namespace_, "jobs"), job, cancel_);
  if (created) return created;
  return std::unexpected(in_context(created.error(), fmt::format("creating job \"{}\" in namespace \"{}\"",
                                                                 job["metadata"].value("name", ""), namespace_)));
}

kube::ApiResult<std::optional<json>> JobStore::get_claim(const std::string& name) {
  auto claim = get(kube::resource_path("v1", namespace_, "persistentvolumeclaims", name));
  if (claim) return std::optional<json>(std::move(*claim));
  if (claim.error().is_not_found()) return std::optional<json>();
  return std::unexpected(in_context(claim.error(), fmt::format("getting persistentvolumeclaim \"{}\" in namespace \"{}\"", name, namespace_)));
}

kube::ApiResult<json> JobStore::create_claim(json claim, const json& job) {
  claim["metadata"]["ownerReferences"] = json::array({{
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"name", job["metadata"]["name"]},
      {"uid", job["metadata"]["uid"]},
  }});
  auto created = client_.post(kube::resource_path("v1", namespace_, "persistentvolumeclaims"), claim, cancel_);
  if (created) return created;
  return std::unexpected(in_context(created.error(), fmt::format("creating persistentvolumeclaim \"{}\" in namespace \"{}\"",
                                                                 claim["metadata"].value("name", ""), namespace_)));
}

kube::ApiResult<void> JobStore::delete_conversion(const std::string& name) {
  json background = {{"propagationPolicy", "Background"}};
  auto job = client_.remove(kube::resource_path("batch/v1", namespace_, "jobs", name), background, cancel_);
  if (!job && !job.error().is_not_found()) {
    return std::unexpected(in_context(job.error(), fmt::format("deleting job \"{}\" in namespace \"{}\"", name, namespace_)));
  }
  return delete_claim(name);
}

kube::ApiResult<void> JobStore::delete_claim(const std::string& name) {
  auto claim = client_.remove(kube::resource_path("v1", namespace_, "persistentvolumeclaims", name), nullptr, cancel_);
  if (!claim && !claim.error().is_not_found()) {
    return std::unexpected(in_context(claim.error(), fmt::format("deleting persistentvolumeclaim \"{}\" in namespace \"{}\"", name, namespace_)));
  }
  return {};
}

kube::ApiResult<std::vector<json>> JobStore::list(const std::string& path, const kube::Query& query) {
  auto list = get(path, query);
  if (!list) return std::unexpected(list.error());
  std::vector<json> items;
  for (auto& item : (*list)["items"]) items.push_back(std::move(item));
  return items;
}

kube::ApiResult<std::vector<json>> JobStore::list_jobs() {
  auto jobs = list(kube::resource_path("batch/v1", namespace_, "jobs"), {{"labelSelector", "app.kubernetes.io/managed-by=mconv"}});
  if (!jobs) return std::unexpected(in_context(jobs.error(), fmt::format("listing jobs in namespace \"{}\"", namespace_)));
  std::ranges::sort(*jobs, std::greater<>(), creation_time);
  return jobs;
}

kube::ApiResult<std::vector<json>> JobStore::list_pods(const std::string& job_name) {
  auto pods = list(kube::resource_path("v1", namespace_, "pods"), {{"labelSelector", fmt::format("{}={}", job_name_label, job_name)}});
  if (!pods) return std::unexpected(in_context(pods.error(), fmt::format("listing pods of job \"{}\"", job_name)));
  std::ranges::sort(*pods, std::greater<>(), creation_time);
  return pods;
}

kube::ApiResult<std::vector<json>> JobStore::events_for(const std::string& kind, const std::string& name) {
  auto selector = fmt::format("involvedObject.kind={},involvedObject.name={}", kind, name);
  auto events = list(kube::resource_path("v1", namespace_, "events"), {{"fieldSelector", selector}});
  if (!events) return std::unexpected(in_context(events.error(), fmt::format("listing events of {} \"{}\"", kind, name)));
  std::ranges::sort(*events, {}, event_time);
  return events;
}

}  // namespace mconv::core
