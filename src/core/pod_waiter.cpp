#include "mconv/core/pod_waiter.h"

#include "mconv/core/job_status.h"
#include "mconv/kube/reconnect.h"
#include "mconv/kube/url.h"
#include "mconv/kube/watch.h"

namespace mconv::core {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// How long one watch request lasts before the waiter checks the Job and its events.
constexpr std::chrono::seconds check_interval{5};
constexpr std::chrono::seconds report_delay{3};

class PodWaiter {
 public:
  PodWaiter(JobStore& store, const std::string& job_name, const std::string& gpu_name, WorkflowObserver& observer,
            std::chrono::seconds no_node_limit, kube::Cancellation cancel)
      : store_(store), job_name_(job_name), gpu_name_(gpu_name), observer_(observer), no_node_limit_(no_node_limit), cancel_(cancel) {}

  Result<json> wait() {
    kube::WatchRequest request;
    request.path = kube::resource_path("v1", store_.namespace_name(), "pods");
    request.label_selector = fmt::format("{}={}", job_name_label, job_name_);
    request.server_timeout = check_interval;

    std::string resource_version;
    while (!running_pod_) {
      if (cancel_.requested()) return fail(ErrorKind::interrupted, "interrupted while waiting for the converter to start");
      if (auto error = check_job()) return std::unexpected(*error);

      if (resource_version.empty()) {
        auto listed = list_pods();
        if (!listed) return std::unexpected(listed.error());
        resource_version = *listed;
        continue;
      }
      auto end = kube::watch_once(store_.client(), request, resource_version, [&](const kube::WatchEvent& event) { return on_event(event); }, cancel_);
      if (!end && end.error().is_gone()) {
        resource_version.clear();
        continue;
      }
      if (!end && end.error().kind != ErrorKind::interrupted && end.error().is_retryable()) {
        kube::sleep_unless_cancelled(std::chrono::seconds(1), cancel_);
        continue;
      }
      if (!end) return std::unexpected(static_cast<Error>(end.error()));
      if (!end->resource_version.empty()) resource_version = end->resource_version;
      if (fatal_) return std::unexpected(*fatal_);
      report_pending();
      if (no_node_since_ && Clock::now() - *no_node_since_ > no_node_limit_) {
        return fail(ErrorKind::timeout, "{} (gave up after {} s)", pending_ ? pending_->message : last_message_, no_node_limit_.count());
      }
    }
    return *running_pod_;
  }

 private:
  Result<std::string> list_pods() {
    auto list = store_.get(kube::resource_path("v1", store_.namespace_name(), "pods"),
                           {{"labelSelector", fmt::format("{}={}", job_name_label, job_name_)}});
    if (!list) return std::unexpected(static_cast<Error>(list.error()));
    for (const auto& pod : (*list)["items"]) {
      if (on_event(kube::WatchEvent{"ADDED", pod, true}) == kube::WatchControl::stop) break;
    }
    if (fatal_) return std::unexpected(*fatal_);
    return (*list)["metadata"].value("resourceVersion", "");
  }

  kube::WatchControl on_event(const kube::WatchEvent& event) {
    if (event.type != "ADDED" && event.type != "MODIFIED") return kube::WatchControl::keep_going;
    const auto& pod = event.object;
    if (pod["status"].value("phase", "") == "Failed" || pod["status"].value("phase", "") == "Succeeded") {
      return kube::WatchControl::keep_going;  // the Job's conditions decide what a finished pod means
    }
    if (converter_running(pod)) {
      running_pod_ = pod;
      return kube::WatchControl::stop;
    }

    auto diagnosis = diagnose_pod(pod, gpu_name_);
    report(diagnosis);
    if (diagnosis.kind == StallKind::fatal) {
      fatal_ = Error{diagnosis.error_kind, diagnosis.message};
      return kube::WatchControl::stop;
    }
    if (diagnosis.kind == StallKind::no_node) {
      if (!no_node_since_) no_node_since_ = Clock::now();
      if (Clock::now() - *no_node_since_ > no_node_limit_) {
        fatal_ = Error{ErrorKind::timeout, fmt::format("{} (gave up after {} s)", diagnosis.message, no_node_limit_.count())};
        return kube::WatchControl::stop;
      }
    } else {
      no_node_since_.reset();
    }
    return kube::WatchControl::keep_going;
  }

  // Shows a reason for waiting once it has lasted a moment, because a pod is briefly
  // unschedulable while its volume claim is provisioned, which is normal.
  void report(const PodDiagnosis& diagnosis) {
    if (diagnosis.kind == StallKind::none) {
      pending_.reset();
      return;
    }
    if (!pending_ || pending_->message != diagnosis.message) {
      pending_ = diagnosis;
      pending_since_ = Clock::now();
    }
    report_pending();
  }

  void report_pending() {
    if (!pending_ || pending_->message == last_message_ || Clock::now() - pending_since_ < report_delay) return;
    last_message_ = pending_->message;
    if (pending_->kind == StallKind::waiting) {
      observer_.step(pending_->message);
    } else {
      observer_.warning(pending_->message);
    }
  }

  // Fails when the Job has failed, or when its controller cannot create pods.
  std::optional<Error> check_job() {
    auto job = store_.get_job(job_name_);
    if (!job) return static_cast<Error>(job.error());
    if (!*job) return Error{ErrorKind::conversion, fmt::format("job \"{}\" was deleted while waiting for its pod", job_name_)};

    auto status = job_status(**job);
    if (status.state == JobState::failed) {
      return Error{ErrorKind::conversion, fmt::format("job \"{}\" failed before the converter started: {} ({})", job_name_, status.message, status.reason)};
    }
    if (status.state == JobState::succeeded) {
      return Error{ErrorKind::conversion, fmt::format("job \"{}\" finished before the converter could be reached; run 'mconv fetch {}'", job_name_, job_name_)};
    }

    auto events = store_.events_for("Job", job_name_);
    if (!events) return std::nullopt;  // events only explain; a missing permission must not stop the conversion
    for (const auto& event : *events) {
      if (event.value("reason", "") != "FailedCreate") continue;
      auto message = event.value("message", "");
      if (message.find("exceeded quota") != std::string::npos) {
        return Error{ErrorKind::forbidden, fmt::format("the namespace's resource quota does not allow the conversion pod: {}", message)};
      }
      report({StallKind::no_node, ErrorKind::cluster, fmt::format("the Job controller cannot create the pod: {}", message)});
    }
    return std::nullopt;
  }

  JobStore& store_;
  const std::string& job_name_;
  const std::string& gpu_name_;
  WorkflowObserver& observer_;
  std::chrono::seconds no_node_limit_;
  kube::Cancellation cancel_;

  std::optional<json> running_pod_;
  std::optional<Error> fatal_;
  std::optional<Clock::time_point> no_node_since_;
  std::string last_message_;
  std::optional<PodDiagnosis> pending_;
  Clock::time_point pending_since_;
};

}  // namespace

Result<json> wait_for_converter(JobStore& store, const std::string& job_name, const std::string& gpu_name,
                                WorkflowObserver& observer, std::chrono::seconds no_node_limit, kube::Cancellation cancel) {
  return PodWaiter(store, job_name, gpu_name, observer, no_node_limit, cancel).wait();
}

}  // namespace mconv::core
