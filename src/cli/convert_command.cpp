#include "mconv/cli/convert_command.h"

#include <cstdlib>
#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/config_files.h"
#include "mconv/cli/interrupt.h"
#include "mconv/cli/output.h"
#include "mconv/cli/progress_printer.h"
#include "mconv/core/convert_workflow.h"
#include "mconv/kube/validation.h"
#include "mconv/util/duration.h"
#include "mconv/util/text.h"

namespace mconv::cli {

namespace {

Result<std::int64_t> duration_flag(const std::string& value, std::string_view flag) {
  auto seconds = util::parse_duration_seconds(value);
  if (!seconds || *seconds <= 0) {
    return fail(ErrorKind::usage, "invalid {} '{}': give a duration such as 90s, 30m or 2h", flag, value);
  }
  return *seconds;
}

// Returns MODEL.GPU.EXT in the current folder, the extension by the engine's kind.
std::filesystem::path default_output_path(const std::filesystem::path& model, const core::GpuEntry& gpu, const std::string& backend) {
  std::string extension = ".onnx";
  if (backend == "tensorrt") extension = ".plan";
  if (backend == "openvino") extension = ".blob";
  return std::filesystem::path(fmt::format("{}.{}{}", model.stem().string(), util::to_lower(gpu.name), extension));
}

// Returns the identity a dry run puts in the Job name. A real run gets it from the API server.
std::string local_user_name() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

}  // namespace

ConvertCommand::ConvertCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("convert", "Convert a model into an engine for one GPU model, in the cluster")), global_(global) {
  app_->add_option("model", model_, "The model file: TorchScript (.pt), torch.export (.pt2) or ONNX (.onnx)")->required();
  app_->add_option("--gpu", gpu_, "The GPU to build for, as 'mconv list-gpus' names it (such as T4)")->required();
  app_->add_flag("--dry-run", dry_run_, "Check everything and print the objects that would be created, without contacting the cluster");
  app_->add_option("-o,--output", output_, "Output format: json prints events as JSON lines; with --dry-run, yaml (default) or json");
  app_->add_option("--output-file", output_file_, "Where to write the engine (default: MODEL.GPU.plan, .blob or .onnx in the current folder); metadata goes to PATH.json");
  app_->add_flag("--force", force_, "Overwrite an existing output file");
  app_->add_flag("--detach", detach_, "Return once the model is uploaded; 'mconv attach JOB' follows the conversion later");
  app_->add_flag("--keep", keep_, "On Ctrl-C or failure, keep the Job and its staging volume instead of deleting them");
  app_->add_flag("--rerun", rerun_, "Convert again when an identical conversion failed before, deleting its Job");
  app_->add_option("--backend", backend_, "Engine backend: tensorrt, openvino or onnx (default: the GPU's own)");
  app_->add_option("--precision", precision_, "Engine precision: fp32, fp16, int8 or best")->capture_default_str();
  app_->add_option("--shape", shapes_, "Input shape INPUT=DIMS (1x3x224x224) or INPUT=MIN:OPT:MAX for a dynamic range; repeatable");
  app_->add_option("--workspace", workspace_mib_, "Builder workspace limit in MiB (default: the backend's)");
  app_->add_option("--builder-flag", builder_flags_, "Extra TensorRT builder flag such as sparse-weights; repeatable");
  app_->add_option("--tolerance-abs", tolerance_abs_, "Largest absolute output difference from ONNX Runtime to accept");
  app_->add_option("--tolerance-rel", tolerance_rel_, "Largest relative output difference from ONNX Runtime to accept");
  app_->add_option("--storage-class", storage_class_, "Storage class of the staging volume (default: the cluster's default)");
  app_->add_option("--timeout", timeout_, "Time limit for the conversion in the cluster, such as 30m or 2h")->capture_default_str();
  app_->add_option("--schedule-timeout", schedule_timeout_, "How long to wait when no node has the GPU before giving up, such as 10m")->capture_default_str();
  app_->add_option("--keep-for", keep_for_, "How long the cluster keeps a finished conversion and its result, such as 24h")->capture_default_str();
}

std::optional<Error> ConvertCommand::validate() const {
  if (dry_run_ && !output_.empty() && output_ != "yaml" && output_ != "json") {
    return Error{ErrorKind::usage, fmt::format("invalid --output '{}' with --dry-run: use yaml or json", output_)};
  }
  if (!dry_run_ && !output_.empty() && output_ != "json") {
    return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use json for JSON lines, or leave it out", output_)};
  }
  if (!backend_.empty() && std::ranges::find(core::known_backends, backend_) == std::end(core::known_backends)) {
    return Error{ErrorKind::usage, fmt::format("invalid --backend '{}': use tensorrt, openvino or onnx", backend_)};
  }
  if (!global_.namespace_name.empty()) {
    if (auto reason = kube::check_dns1123_label(global_.namespace_name); !reason.empty()) {
      return Error{ErrorKind::usage, fmt::format("invalid --namespace '{}': {}", global_.namespace_name, reason)};
    }
  }
  for (auto [flag, value] : {std::pair{"--timeout", &timeout_}, {"--keep-for", &keep_for_}, {"--schedule-timeout", &schedule_timeout_}}) {
    if (auto seconds = duration_flag(*value, flag); !seconds) return seconds.error();
  }
  return std::nullopt;
}

Result<core::ConversionRequest> ConvertCommand::make_request() const {
  core::ConversionRequest request;
  request.model_path = model_;
  request.gpu = gpu_;
  request.user = local_user_name();
  request.namespace_name = global_.namespace_name;
  request.storage_class = storage_class_;
  request.deadline_seconds = *duration_flag(timeout_, "--timeout");
  request.keep_seconds = *duration_flag(keep_for_, "--keep-for");

  auto& options = request.options;
  options.backend = backend_;
  options.precision = precision_;
  for (const auto& text : shapes_) {
    auto shape = core::parse_shape(text);
    if (!shape) return std::unexpected(shape.error());
    options.shapes.push_back(std::move(*shape));
  }
  if (app_->count("--workspace") > 0) options.workspace_mib = workspace_mib_;
  options.builder_flags = builder_flags_;
  if (app_->count("--tolerance-abs") > 0) options.tolerance_abs = tolerance_abs_;
  if (app_->count("--tolerance-rel") > 0) options.tolerance_rel = tolerance_rel_;
  return request;
}

Result<void> ConvertCommand::print_manifests(const core::ConversionPlan& plan, Streams& streams) const {
  nlohmann::ordered_json list = {
      {"apiVersion", "v1"},
      {"kind", "List"},
      {"items", {core::make_staging_claim(plan), core::make_job(plan)}},
  };
  if (output_ == "json") {
    streams.out << list.dump(2) << "\n";
  } else {
    streams.out << to_yaml(list);
  }
  return {};
}

Result<void> ConvertCommand::run(Streams& streams) { return dry_run_ ? run_dry(streams) : run_in_cluster(streams); }

Result<void> ConvertCommand::run_dry(Streams& streams) {
  auto config = load_admin_config(global_);
  if (!config) return std::unexpected(config.error());
  auto request = make_request();
  if (!request) return std::unexpected(request.error());

  auto plan = core::plan_conversion(*request, config->catalog, config->lock);
  if (!plan) return std::unexpected(plan.error());

  streams.err << fmt::format("mconv: dry run: job '{}' for user '{}' (taken from $USER; a real run asks the API server who you are)\n",
                             plan->job_name, plan->user);
  return print_manifests(*plan, streams);
}

Result<void> ConvertCommand::run_in_cluster(Streams& streams) {
  auto config = load_admin_config(global_);
  if (!config) return std::unexpected(config.error());
  auto request = make_request();
  if (!request) return std::unexpected(request.error());
  auto gpu = config->catalog.find(request->gpu);
  if (!gpu) return std::unexpected(gpu.error());

  // Check the model and the output path before contacting the cluster.
  auto model = core::inspect_model(request->model_path);
  if (!model) return std::unexpected(model.error());
  auto image = config->lock.images.at((*gpu)->image);
  auto backend = request->options.backend.empty() ? core::default_backend(**gpu, image) : request->options.backend;
  std::filesystem::path output = output_file_.empty() ? default_output_path(request->model_path, **gpu, backend) : std::filesystem::path(output_file_);
  if (!force_ && !detach_ && std::filesystem::exists(output)) {
    return fail(ErrorKind::io, "'{}' already exists; pass --force to overwrite it, or choose another path with --output-file", output.string());
  }

  auto access = connect(global_, *gpu);
  if (!access) return std::unexpected(access.error());
  InterruptGuard interrupt;
  kube::Cancellation cancel(interrupt.flag());
  auto user = current_user(*access->client, cancel);
  if (!user) return std::unexpected(user.error());

  request->user = *user;
  request->namespace_name = access->namespace_name;
  auto plan = core::plan_conversion(*request, config->catalog, config->lock);
  if (!plan) return std::unexpected(plan.error());

  core::WorkflowSettings settings;
  settings.model_path = request->model_path;
  settings.output_path = output;
  settings.overwrite = force_;
  settings.detach = detach_;
  settings.keep = keep_;
  settings.rerun = rerun_;
  settings.no_node_limit = std::chrono::seconds(*duration_flag(schedule_timeout_, "--schedule-timeout"));

  ProgressPrinter printer(streams.out, streams.err, streams.terminal, output_ == "json");
  core::JobStore store(*access->client, access->namespace_name, cancel);
  auto result = core::ConvertWorkflow(store, settings, printer, cancel).convert(*plan);
  if (!result) return std::unexpected(result.error());
  print_result(*result, printer, streams.out, output_ == "json");
  return {};
}

}  // namespace mconv::cli
