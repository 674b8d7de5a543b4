#include "mconv/cli/conversion_commands.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/interrupt.h"
#include "mconv/cli/output.h"
#include "mconv/cli/progress_printer.h"
#include "mconv/core/convert_workflow.h"
#include "mconv/core/job_status.h"
#include "mconv/core/manifest.h"
#include "mconv/kube/pod_logs.h"
#include "mconv/kube/rfc3339.h"
#include "mconv/util/duration.h"
#include "mconv/util/text.h"

namespace mconv::cli {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string annotation(const json& object, const char* key) {
  const auto& metadata = object["metadata"];
  if (!metadata.contains("annotations") || !metadata["annotations"].contains(key)) return "";
  return metadata["annotations"][key].get<std::string>();
}

std::string state_text(const json& job) {
  auto status = core::job_status(job);
  switch (status.state) {
    case core::JobState::succeeded: return "Succeeded";
    case core::JobState::failed: return status.reason.empty() ? "Failed" : fmt::format("Failed ({})", status.reason);
    case core::JobState::active: break;
  }
  return job["status"].value("active", 0) > 0 ? "Running" : "Pending";
}

std::string age(const json& object) {
  auto created = kube::parse_rfc3339(object["metadata"].value("creationTimestamp", ""));
  if (!created) return "-";
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *created).count();
  return util::format_duration(std::max<std::int64_t>(seconds, 0));
}

std::optional<Error> check_output(const std::string& value, std::initializer_list<std::string_view> allowed) {
  if (std::ranges::find(allowed, value) != allowed.end()) return std::nullopt;
  std::vector<std::string> names(allowed.begin(), allowed.end());
  return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use one of {}", value, util::join(names, ", "))};
}

Result<json> require_job(core::JobStore& store, const std::string& name) {
  auto job = store.get_job(name);
  if (!job) return std::unexpected(static_cast<Error>(job.error()));
  if (!*job) {
    return fail(ErrorKind::usage, "job \"{}\" not found in namespace \"{}\"; run 'mconv list' to see your conversions", name, store.namespace_name());
  }
  return **job;
}

}  // namespace

ordered_json describe_job(const json& job) {
  return {
      {"name", job["metadata"].value("name", "")},
      {"namespace", job["metadata"].value("namespace", "")},
      {"user", annotation(job, "mconv.dev/user")},
      {"model", annotation(job, "mconv.dev/model-name")},
      {"modelSha256", annotation(job, "mconv.dev/model-sha256")},
      {"gpu", annotation(job, "mconv.dev/gpu")},
      {"options", annotation(job, "mconv.dev/options")},
      {"image", annotation(job, "mconv.dev/image")},
      {"status", state_text(job)},
      {"created", job["metadata"].value("creationTimestamp", "")},
      {"age", age(job)},
  };
}

ListCommand::ListCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("list", "List your conversions in the namespace")), global_(global) {
  app_->add_option("-o,--output", output_, "Output format: table, json or yaml")->capture_default_str();
  app_->add_flag("--all-users", all_users_, "List every user's conversions, not only yours");
}

std::optional<Error> ListCommand::validate() const { return check_output(output_, {"table", "json", "yaml"}); }

Result<void> ListCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  auto user = current_user(*access->client);
  if (!user) return std::unexpected(user.error());

  core::JobStore store(*access->client, access->namespace_name);
  auto jobs = store.list_jobs();
  if (!jobs) return std::unexpected(static_cast<Error>(jobs.error()));

  ordered_json items = ordered_json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& job : *jobs) {
    if (!annotation(job, "mconv.dev/fetch-for").empty()) continue;  // a helper Job, not a conversion
    auto described = describe_job(job);
    if (!all_users_ && described["user"] != *user) continue;
    rows.push_back({described["name"], described["model"], described["gpu"], described["status"], described["age"]});
    items.push_back(std::move(described));
  }

  if (output_ == "json") {
    streams.out << ordered_json{{"conversions", items}}.dump(2) << "\n";
  } else if (output_ == "yaml") {
    streams.out << to_yaml(ordered_json{{"conversions", items}});
  } else if (rows.empty()) {
    streams.err << fmt::format("mconv: no conversions of yours in namespace \"{}\"\n", access->namespace_name);
  } else {
    streams.out << render_table({"name", "model", "gpu", "status", "age"}, rows);
  }
  return {};
}

StatusCommand::StatusCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("status", "Show one conversion's state, and why it waits or failed")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_option("-o,--output", output_, "Output format: text, json or yaml")->capture_default_str();
}

std::optional<Error> StatusCommand::validate() const { return check_output(output_, {"text", "json", "yaml"}); }

Result<void> StatusCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  core::JobStore store(*access->client, access->namespace_name);
  auto job = require_job(store, name_);
  if (!job) return std::unexpected(job.error());

  auto described = describe_job(*job);
  auto job_state = core::job_status(*job);
  if (!job_state.message.empty()) described["message"] = job_state.message;

  auto pods = store.list_pods(name_);
  if (pods && !pods->empty()) {
    const auto& pod = pods->front();
    described["pod"] = pod["metadata"].value("name", "");
    described["node"] = pod["spec"].value("nodeName", "");
    auto diagnosis = core::diagnose_pod(pod, annotation(*job, "mconv.dev/gpu"));
    if (diagnosis.kind != core::StallKind::none) described["waiting"] = diagnosis.message;
    if (auto termination = core::converter_termination(pod)) {
      described["exitCode"] = termination->exit_code;
      if (termination->exit_code != 0) described["exitMeaning"] = core::describe_converter_exit(termination->exit_code);
    }
  }

  if (output_ == "json") {
    streams.out << described.dump(2) << "\n";
  } else if (output_ == "yaml") {
    streams.out << to_yaml(described);
  } else {
    for (const auto& [key, value] : described.items()) {
      streams.out << fmt::format("{:<12} {}\n", key + ":", value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return {};
}

LogsCommand::LogsCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("logs", "Print the converter's log of a conversion")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_flag("-f,--follow", follow_, "Keep printing new lines until the converter exits");
  app_->add_flag("--events", events_, "Also print the converter's MCONV-EVENT lines");
}

Result<void> LogsCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  InterruptGuard interrupt;
  kube::Cancellation cancel(interrupt.flag());
  core::JobStore store(*access->client, access->namespace_name, cancel);
  if (auto job = require_job(store, name_); !job) return std::unexpected(job.error());

  auto pods = store.list_pods(name_);
  if (!pods) return std::unexpected(static_cast<Error>(pods.error()));
  if (pods->empty()) return fail(ErrorKind::usage, "job \"{}\" has no pod yet; run 'mconv status {}' to see why", name_, name_);
  auto pod = pods->front()["metadata"].value("name", "");

  auto print = [&](std::string_view line) {
    if (events_ || !line.starts_with("MCONV-EVENT ")) streams.out << fmt::format("{}\n", line) << std::flush;
    return true;
  };
  kube::LogOptions options;
  options.container = std::string(core::converter_container);
  kube::ApiResult<void> streamed;
  if (follow_) {
    kube::FollowOptions follow;
    follow.on_waiting = [](const kube::ApiError&) { return true; };
    streamed = kube::follow_pod_logs(*access->client, access->namespace_name, pod, options, follow, print, cancel);
  } else {
    streamed = kube::stream_pod_logs(*access->client, access->namespace_name, pod, options, print, cancel);
  }
  if (!streamed) return std::unexpected(static_cast<Error>(streamed.error()));
  return {};
}

AttachCommand::AttachCommand(CLI::App& parent, const GlobalOptions& global, bool show_log)
    : Command(parent.add_subcommand(show_log ? "attach" : "fetch",
                                    show_log ? "Follow a running conversion and download its engine"
                                             : "Download the engine of a conversion, waiting for it to finish")),
      global_(global),
      show_log_(show_log) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_option("-o,--output", output_, "json prints events as JSON lines");
  app_->add_option("--output-file", output_file_, "Where to write the engine (default: MODEL.GPU.EXT in the current folder)");
  app_->add_flag("--force", force_, "Overwrite an existing output file");
}

std::optional<Error> AttachCommand::validate() const {
  if (!output_.empty() && output_ != "json") {
    return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use json for JSON lines, or leave it out", output_)};
  }
  return std::nullopt;
}

// Hides the converter's log lines, for fetch.
class StepsOnly : public core::WorkflowObserver {
 public:
  explicit StepsOnly(core::WorkflowObserver& inner) : inner_(inner) {}
  void step(std::string_view message, const nlohmann::json& details) override { inner_.step(message, details); }
  void warning(std::string_view message) override { inner_.warning(message); }
  void converter_line(std::string_view) override {}
  void converter_stage(std::string_view stage) override { inner_.converter_stage(stage); }
  void transfer(std::string_view what, std::uint64_t done, std::uint64_t total) override { inner_.transfer(what, done, total); }

 private:
  core::WorkflowObserver& inner_;
};

Result<void> AttachCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  InterruptGuard interrupt;
  kube::Cancellation cancel(interrupt.flag());
  core::JobStore store(*access->client, access->namespace_name, cancel);
  auto job = require_job(store, name_);
  if (!job) return std::unexpected(job.error());

  core::WorkflowSettings settings;
  settings.output_path = output_file_;
  settings.overwrite = force_;
  auto model = std::filesystem::path(annotation(*job, "mconv.dev/model-name")).stem().string();
  settings.output_stem = fmt::format("{}.{}", model.empty() ? name_ : model, util::to_lower(annotation(*job, "mconv.dev/gpu")));

  bool json_lines = output_ == "json";
  ProgressPrinter printer(streams.out, streams.err, streams.terminal, json_lines);
  StepsOnly quiet(printer);
  core::WorkflowObserver& observer = show_log_ ? static_cast<core::WorkflowObserver&>(printer) : quiet;
  auto user = current_user(*access->client, cancel);
  if (!user) return std::unexpected(user.error());
  auto result = core::ConvertWorkflow(store, settings, observer, cancel).attach(name_, *user);
  if (!result) return std::unexpected(result.error());
  print_result(*result, printer, streams.out, json_lines);
  return {};
}

CancelCommand::CancelCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("cancel", "Stop a conversion and delete its Job, pods and staging volume")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
}

Result<void> CancelCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  core::JobStore store(*access->client, access->namespace_name);
  if (auto job = require_job(store, name_); !job) return std::unexpected(job.error());

  auto deleted = store.delete_conversion(name_);
  if (!deleted) return std::unexpected(static_cast<Error>(deleted.error()));
  streams.out << fmt::format("job \"{}\" deleted, with its pods and staging volume\n", name_);
  return {};
}

}  // namespace mconv::cli
