#include "mconv/core/convert_workflow.h"

#include <deque>

#include "mconv/core/job_status.h"
#include "mconv/core/pod_waiter.h"
#include "mconv/core/staging_transfer.h"
#include "mconv/kube/pod_logs.h"
#include "mconv/kube/reconnect.h"

namespace mconv::core {

namespace {

using nlohmann::json;

constexpr std::size_t kept_log_lines = 15;
constexpr std::size_t max_metadata_bytes = 4 << 20;
constexpr std::chrono::seconds deletion_limit{120};
// How long the Job controller may take to mark a Job failed after its pod failed.
constexpr std::chrono::seconds settle_time{10};

std::string pod_name(const json& pod) { return pod["metadata"].value("name", ""); }

bool being_deleted(const json& object) { return object["metadata"].contains("deletionTimestamp"); }

bool owned_by(const json& object, const json& owner) {
  if (!object["metadata"].contains("ownerReferences")) return false;
  for (const auto& reference : object["metadata"]["ownerReferences"]) {
    if (reference.value("uid", "") == owner["metadata"].value("uid", "")) return true;
  }
  return false;
}

std::string indent_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += "\n  " + line;
  return text;
}

}  // namespace

Result<ConversionResult> ConvertWorkflow::convert(const ConversionPlan& plan) {
  auto result = convert_steps(plan);
  if (result) return result;
  if (result.error().kind == ErrorKind::interrupted || cancel_.requested()) return std::unexpected(finish_interrupted());

  // A failure that mconv saw before the Job itself failed, such as an image that cannot
  // be pulled, would leave the Job waiting until its deadline: delete what this run made.
  if (!created_job_.empty() && !failed_in_cluster_ && !settings_.keep && !settings_.detach) {
    if (store_.delete_conversion(created_job_)) {
      result.error().message += fmt::format("\nmconv deleted job \"{}\"; pass --keep to keep it for inspection", created_job_);
    }
  }
  return result;
}

Result<ConversionResult> ConvertWorkflow::attach(const std::string& job_name, const std::string& user) {
  user_ = user;
  auto job = store_.get_job(job_name);
  if (!job) return std::unexpected(static_cast<Error>(job.error()));
  if (!*job) {
    return fail(ErrorKind::usage, "job \"{}\" not found in namespace \"{}\"; run 'mconv list' to see your conversions", job_name,
                store_.namespace_name());
  }
  auto reused = reuse_existing(**job);
  if (!reused) return std::unexpected(reused.error());

  auto gpu = (**job)["metadata"]["annotations"].value("mconv.dev/gpu", "the requested");
  auto result = follow_and_download(job_name, gpu, std::nullopt);
  if (!result && (result.error().kind == ErrorKind::interrupted || cancel_.requested())) return std::unexpected(finish_interrupted());
  return result;
}

Result<ConversionResult> ConvertWorkflow::convert_steps(const ConversionPlan& plan) {
  user_ = plan.user;
  observer_.step(fmt::format("conversion job \"{}\" in namespace \"{}\"", plan.job_name, store_.namespace_name()),
                 {{"job", plan.job_name}, {"namespace", store_.namespace_name()}});

  auto existing = store_.get_job(plan.job_name);
  if (!existing) return std::unexpected(static_cast<Error>(existing.error()));

  // A Job from an earlier run that is still being deleted cannot be reused or replaced yet.
  if (*existing && being_deleted(**existing)) {
    observer_.step(fmt::format("waiting for the earlier job \"{}\" to finish deleting", plan.job_name));
    if (auto gone = wait_until_deleted(plan.job_name); !gone) return std::unexpected(gone.error());
    existing->reset();
  }

  bool reused = false;
  if (*existing) {
    auto attach = reuse_existing(**existing);
    if (!attach) return std::unexpected(attach.error());
    reused = *attach;
  }
  if (!reused) {
    if (auto created = create_objects(plan); !created) return std::unexpected(created.error());
  }

  Upload upload{staged_model_path(plan.model), plan.model_sha256, plan.model.size};
  auto result = follow_and_download(plan.job_name, plan.gpu->name, upload);
  if (result) result->reused_job = reused;
  return result;
}

// Decides what to do with a Job of the same name: attach to it when it runs, replace
// it when it failed and --rerun allows, and explain otherwise. Returns true to attach,
// false when the caller should create a new Job.
Result<bool> ConvertWorkflow::reuse_existing(const json& job) {
  auto name = job["metadata"].value("name", "");
  auto status = job_status(job);

  if (status.state == JobState::active) {
    observer_.step(fmt::format("job \"{}\" already runs this conversion; following it", name));
    return true;
  }
  if (status.state == JobState::succeeded) {
    observer_.step(fmt::format("job \"{}\" already converted this model; fetching its result", name));
    finished_ = true;
    return true;
  }
  if (!settings_.rerun) {
    failed_in_cluster_ = true;
    auto error = explain_failure(name, fmt::format("an earlier run of this conversion failed (job \"{}\")", name));
    error.message += "\npass --rerun to delete it and convert again";
    return std::unexpected(error);
  }

  observer_.step(fmt::format("deleting failed job \"{}\" to convert again (--rerun)", name));
  if (auto deleted = store_.delete_conversion(name); !deleted) return std::unexpected(static_cast<Error>(deleted.error()));
  if (auto gone = wait_until_deleted(name); !gone) return std::unexpected(gone.error());
  return false;
}

Result<void> ConvertWorkflow::wait_until_deleted(const std::string& job_name) {
  auto deadline = std::chrono::steady_clock::now() + deletion_limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto job = store_.get_job(job_name);
    if (!job) return std::unexpected(static_cast<Error>(job.error()));
    if (!*job) return {};
    if (!kube::sleep_unless_cancelled(std::chrono::milliseconds(500), cancel_)) return fail(ErrorKind::interrupted, "interrupted");
  }
  return fail(ErrorKind::timeout, "job \"{}\" was not deleted within {} s; try again later", job_name, deletion_limit.count());
}

Result<void> ConvertWorkflow::create_objects(const ConversionPlan& plan) {
  observer_.step(fmt::format("creating job \"{}\" for {} with image {}", plan.job_name, plan.gpu->name, plan.image->reference));
  auto job = store_.create_job(make_job(plan));
  if (!job && job.error().is_already_exists()) {
    // Another run created it between the lookup and now: follow that one.
    observer_.step(fmt::format("job \"{}\" was just created by another run; following it", plan.job_name));
    return {};
  }
  if (!job) return std::unexpected(static_cast<Error>(job.error()));
  created_job_ = plan.job_name;

  // A claim of the same name left by a deleted Job may still be terminating: the new
  // pod could never mount it, so wait for it to go.
  auto old_claim = store_.get_claim(plan.job_name);
  if (!old_claim) return std::unexpected(static_cast<Error>(old_claim.error()));
  if (*old_claim && !owned_by(**old_claim, *job)) {
    observer_.step(fmt::format("waiting for the staging volume of an earlier run to finish deleting"));
    if (auto gone = wait_until_claim_deleted(plan.job_name); !gone) return std::unexpected(gone.error());
  }

  auto claim = store_.create_claim(make_staging_claim(plan), *job);
  if (!claim && !claim.error().is_already_exists()) return std::unexpected(static_cast<Error>(claim.error()));
  return {};
}

Result<void> ConvertWorkflow::wait_until_claim_deleted(const std::string& name) {
  auto deadline = std::chrono::steady_clock::now() + deletion_limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto claim = store_.get_claim(name);
    if (!claim) return std::unexpected(static_cast<Error>(claim.error()));
    if (!*claim) return {};
    if (!being_deleted(**claim)) {
      if (auto deleted = store_.delete_claim(name); !deleted) return std::unexpected(static_cast<Error>(deleted.error()));
    }
    if (!kube::sleep_unless_cancelled(std::chrono::milliseconds(500), cancel_)) return fail(ErrorKind::interrupted, "interrupted");
  }
  return fail(ErrorKind::timeout, "persistentvolumeclaim \"{}\" was not deleted within {} s; a pod may still use it; try again later",
              name, deletion_limit.count());
}

Result<ConversionResult> ConvertWorkflow::follow_and_download(const std::string& job_name, const std::string& gpu_name,
                                                              const std::optional<Upload>& upload) {
  ConversionResult result;
  result.job_name = job_name;
  result.namespace_name = store_.namespace_name();
  std::string pod_owner = job_name;
  if (finished_) {
    auto fetch_job = start_fetch_job(job_name);
    if (!fetch_job) return std::unexpected(fetch_job.error());
    pod_owner = *fetch_job;
  }
  while (true) {
    observer_.step("waiting for the converter pod to start");
    auto pod = wait_for_converter(store_, pod_owner, gpu_name, observer_, settings_.no_node_limit, cancel_);
    if (!pod) {
      if (job_failed(job_name)) {
        failed_in_cluster_ = true;
        return std::unexpected(explain_failure(job_name, fmt::format("the conversion failed (job \"{}\")", job_name)));
      }
      if (!finished_ && !cancel_.requested() && job_succeeded(job_name)) {
        // The Job finished while this run waited, so its pod is gone: serve the result again.
        finished_ = true;
        auto fetch_job = start_fetch_job(job_name);
        if (!fetch_job) return std::unexpected(fetch_job.error());
        pod_owner = *fetch_job;
        continue;
      }
      return std::unexpected(pod.error());
    }
    auto name = pod_name(*pod);
    observer_.step(fmt::format("converter running in pod \"{}\" on node \"{}\"", name, (*pod)["spec"].value("nodeName", "")),
                   {{"pod", name}});

    auto stage = converter_stage_so_far(name);
    if (!stage) return std::unexpected(stage.error());
    if (*stage == "done" && !finished_) {
      // The converter has served its download and is exiting, so its pod cannot be
      // reached any more: fetch the result like that of a finished Job.
      observer_.step("the converter has already finished; fetching its result");
      finished_ = true;
      auto fetch_job = start_fetch_job(job_name);
      if (!fetch_job) return std::unexpected(fetch_job.error());
      pod_owner = *fetch_job;
      continue;
    }
    if (upload && !finished_) {
      if (stage->empty() || *stage == "waiting-input") {
        ConverterPod target{store_.client(), store_.namespace_name(), name};
        auto uploaded = upload_model(target, settings_.model_path, upload->staged_path, upload->sha256, upload->size, observer_, cancel_);
        if (!uploaded && !cancel_.requested() && job_failed(job_name, settle_time)) {
          // The upload broke because the Job failed, such as at its deadline, so report that cause.
          failed_in_cluster_ = true;
          return std::unexpected(explain_failure(job_name, fmt::format("the conversion failed (job \"{}\")", job_name)));
        }
        if (!uploaded) return std::unexpected(uploaded.error());
      }
    }
    if (settings_.detach) {
      result.detached = true;
      return result;
    }

    auto ready = follow_until_ready(name);
    if (!ready && !cancel_.requested() && job_failed(job_name, settle_time)) {
      failed_in_cluster_ = true;
      return std::unexpected(explain_failure(job_name, fmt::format("the conversion failed (job \"{}\")", job_name)));
    }
    if (!ready) return std::unexpected(ready.error());
    if (*ready) {
      auto downloaded = download(name, result);
      if (downloaded || finished_ || cancel_.requested() || converter_still_running(job_name, name)) return downloaded;
      // Another run acknowledged its download in the meantime and the converter exited:
      // serve the result again from a fetch Job.
      observer_.step("the converter finished while downloading; fetching its result again");
      finished_ = true;
      auto fetch_job = start_fetch_job(job_name);
      if (!fetch_job) return std::unexpected(fetch_job.error());
      pod_owner = *fetch_job;
      continue;
    }

    // The converter exited without a result. A deterministic failure fails the Job; any
    // other failure makes the Job start a new pod, which finds the model already staged.
    if (finished_) {
      return fail(ErrorKind::conversion, "the pod serving job \"{}\"'s result stopped before the download; run 'mconv fetch {}' again", job_name, job_name);
    }
    if (exited_deterministically(job_name, name) || job_failed(job_name, settle_time)) {
      failed_in_cluster_ = true;
      return std::unexpected(explain_failure(job_name, fmt::format("the conversion failed (job \"{}\")", job_name)));
    }
    observer_.warning(fmt::format("converter pod \"{}\" stopped without a result; the Job starts another", name));
    kube::sleep_unless_cancelled(std::chrono::seconds(2), cancel_);
  }
}

// Starts (or finds) the Job whose pod serves a finished conversion's outputs, because a
// finished pod cannot be reached with exec. Returns its name.
Result<std::string> ConvertWorkflow::start_fetch_job(const std::string& job_name) {
  auto job = store_.get_job(job_name);
  if (!job) return std::unexpected(static_cast<Error>(job.error()));
  if (!*job) return fail(ErrorKind::usage, "job \"{}\" no longer exists; its result was deleted with it", job_name);

  auto name = fetch_job_name(job_name);
  auto existing = store_.get_job(name);
  if (!existing) return std::unexpected(static_cast<Error>(existing.error()));
  if (*existing && job_status(**existing).state == JobState::active) return name;
  if (*existing) {
    if (auto deleted = store_.delete_conversion(name); !deleted) return std::unexpected(static_cast<Error>(deleted.error()));
    if (auto gone = wait_until_deleted(name); !gone) return std::unexpected(gone.error());
  }

  observer_.step(fmt::format("starting job \"{}\" to serve the finished result", name));
  auto created = store_.create_job(make_fetch_job(**job, user_, settings_.fetch_wait_seconds));
  if (!created && !created.error().is_already_exists()) return std::unexpected(static_cast<Error>(created.error()));
  return name;
}

// Returns whether the Job has failed, waiting up to `wait` for its controller to say so.
bool ConvertWorkflow::job_failed(const std::string& job_name, std::chrono::seconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    auto job = store_.get_job(job_name);
    if (job && (!*job || job_status(**job).state == JobState::failed)) return job->has_value();
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (!kube::sleep_unless_cancelled(std::chrono::milliseconds(500), cancel_)) return false;
  }
}

bool ConvertWorkflow::job_succeeded(const std::string& job_name) {
  auto job = store_.get_job(job_name);
  return job && *job && job_status(**job).state == JobState::succeeded;
}

// Returns whether the converter container of the pod still runs.
bool ConvertWorkflow::converter_still_running(const std::string& job_name, const std::string& pod_name) {
  auto pods = store_.list_pods(job_name);
  if (!pods) return true;
  for (const auto& pod : *pods) {
    if (pod["metadata"].value("name", "") == pod_name) return converter_running(pod);
  }
  return false;
}

// Returns whether the pod's converter exited with a code that fails the Job at once.
bool ConvertWorkflow::exited_deterministically(const std::string& job_name, const std::string& pod_name) {
  auto pods = store_.list_pods(job_name);
  if (!pods) return false;
  for (const auto& pod : *pods) {
    if (pod["metadata"].value("name", "") != pod_name) continue;
    auto termination = converter_termination(pod);
    return termination && std::ranges::find(deterministic_exit_codes, termination->exit_code) != std::end(deterministic_exit_codes);
  }
  return false;
}

Result<std::string> ConvertWorkflow::converter_stage_so_far(const std::string& pod) {
  std::string stage;
  kube::LogOptions options;
  options.container = std::string(converter_container);
  auto streamed = kube::stream_pod_logs(store_.client(), store_.namespace_name(), pod, options, [&](std::string_view line) {
    if (auto event = parse_converter_event(line); event && event->event == "stage") stage = event->stage;
    return true;
  }, cancel_);
  if (!streamed && !kube::is_container_waiting(streamed.error())) return std::unexpected(static_cast<Error>(streamed.error()));
  return stage;
}

// Follows the converter's log until it reports the engine ready for download (true) or
// its container exits (false).
Result<bool> ConvertWorkflow::follow_until_ready(const std::string& pod) {
  bool ready = false;
  recent_lines_.clear();
  auto on_line = [&](std::string_view line) {
    auto event = parse_converter_event(line);
    if (!event) {
      if (recent_lines_.size() == kept_log_lines) recent_lines_.erase(recent_lines_.begin());
      recent_lines_.emplace_back(line);
      observer_.converter_line(line);
      return true;
    }
    if (event->event == "stage") observer_.converter_stage(event->stage);
    if (event->event == "error") last_error_event_ = event;
    if (event->event == "result") result_event_ = event;
    if (event->event == "stage" && (event->stage == "waiting-download" || event->stage == "done")) ready = true;
    return !ready;
  };

  kube::LogOptions options;
  options.container = std::string(converter_container);
  kube::FollowOptions follow;
  follow.on_waiting = [](const kube::ApiError&) { return true; };
  auto followed = kube::follow_pod_logs(store_.client(), store_.namespace_name(), pod, options, follow, on_line, cancel_);
  if (!followed) return std::unexpected(static_cast<Error>(followed.error()));
  return ready;
}

std::filesystem::path ConvertWorkflow::output_path_for(const ConverterFile& engine) const {
  if (!settings_.output_path.empty()) return settings_.output_path;
  return std::filesystem::path(settings_.output_stem + std::filesystem::path(engine.name).extension().string());
}

Result<ConversionResult> ConvertWorkflow::download(const std::string& pod, ConversionResult result) {
  ConverterPod source{store_.client(), store_.namespace_name(), pod};
  auto metadata_path = std::string(staging_output_dir) + "/metadata.json";
  auto metadata_text = read_file(source, metadata_path, max_metadata_bytes, cancel_);
  if (!metadata_text) return std::unexpected(with_context(metadata_text.error(), "reading the conversion's metadata.json"));

  auto metadata = json::parse(*metadata_text, nullptr, false);
  auto engine = engine_from_metadata(metadata);
  if (!engine) return fail(ErrorKind::conversion, "the converter's metadata.json does not name an engine file; the converter image may not match this mconv");

  result.engine = *engine;
  result.engine_path = output_path_for(*engine);
  result.metadata_path = result.engine_path.string() + ".json";

  auto file = util::AtomicFile::create(result.engine_path, settings_.overwrite);
  if (!file) return std::unexpected(file.error());
  auto sha256 = download_file(source, engine->path, *file, engine->size, observer_, cancel_);
  if (!sha256) return std::unexpected(sha256.error());
  if (*sha256 != engine->sha256) {
    return fail(ErrorKind::io, "the downloaded engine's SHA-256 {} differs from the converter's {}; nothing was written; run 'mconv fetch {}' to try again",
                *sha256, engine->sha256, result.job_name);
  }

  auto metadata_file = util::AtomicFile::create(result.metadata_path, true);
  if (!metadata_file) return std::unexpected(metadata_file.error());
  if (auto written = metadata_file->write(*metadata_text); !written) return std::unexpected(written.error());
  if (auto committed = file->commit(); !committed) return std::unexpected(committed.error());
  if (auto committed = metadata_file->commit(); !committed) return std::unexpected(committed.error());

  if (auto acknowledged = acknowledge_download(source, cancel_); !acknowledged) {
    observer_.warning(fmt::format("could not tell the converter that the download finished ({}); its pod ends at its time limit", acknowledged.error().message));
  }
  return result;
}

Error ConvertWorkflow::explain_failure(const std::string& job_name, const std::string& headline) {
  std::string message = headline;
  auto job = store_.get_job(job_name);
  if (job && *job) {
    auto status = job_status(**job);
    if (!status.reason.empty()) message += fmt::format(": {} ({})", status.message, status.reason);
  }

  if (last_error_event_) message += fmt::format("\nconverter: {}", last_error_event_->message);
  if (auto pods = store_.list_pods(job_name); pods && !pods->empty()) {
    if (auto termination = converter_termination(pods->front())) {
      message += fmt::format("\nexit code {}: {}", termination->exit_code, describe_converter_exit(termination->exit_code));
    }
    if (recent_lines_.empty()) {
      kube::LogOptions options;
      options.container = std::string(converter_container);
      options.tail_lines = static_cast<std::int64_t>(kept_log_lines);
      (void)kube::stream_pod_logs(store_.client(), store_.namespace_name(), pod_name(pods->front()), options, [&](std::string_view line) {
        if (!parse_converter_event(line)) recent_lines_.emplace_back(line);
        return true;
      });
    }
  }
  if (!recent_lines_.empty()) message += "\nlast lines of the converter's log:" + indent_lines(recent_lines_);
  return Error{ErrorKind::conversion, message};
}

Error ConvertWorkflow::finish_interrupted() {
  if (created_job_.empty() || settings_.keep || settings_.detach) {
    auto name = created_job_.empty() ? std::string("the job") : fmt::format("job \"{}\"", created_job_);
    return Error{ErrorKind::interrupted, fmt::format("interrupted; {} stays in the cluster: 'mconv attach' follows it, 'mconv cancel' deletes it", name)};
  }
  // The run's cancellation has fired, so the clean-up uses a store that ignores it.
  JobStore cleanup(store_.client(), store_.namespace_name());
  auto deleted = cleanup.delete_conversion(created_job_);
  if (!deleted) {
    return Error{ErrorKind::interrupted, fmt::format("interrupted; deleting job \"{}\" failed ({}); run 'mconv cancel {}'", created_job_,
                                                     deleted.error().message, created_job_)};
  }
  return Error{ErrorKind::interrupted, fmt::format("interrupted; deleted job \"{}\" and its staging volume", created_job_)};
}

}  // namespace mconv::core
