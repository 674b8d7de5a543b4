#include "mconv/core/manifest.h"

#include <algorithm>

#include "mconv/core/job_name.h"
#include "mconv/util/text.h"

namespace mconv::core {

namespace {

using json = nlohmann::ordered_json;

constexpr std::int64_t converter_uid = 1000;
constexpr std::int64_t backoff_limit = 2;

json common_labels(const ConversionPlan& plan) {
  return {
      {"app.kubernetes.io/name", "mconv"},
      {"app.kubernetes.io/managed-by", "mconv"},
      {"mconv.dev/user", readable_user(plan.user)},
      {"mconv.dev/gpu", util::to_lower(plan.gpu->name)},
      {"mconv.dev/conversion", plan.conversion_hash.substr(0, 40)},
  };
}

json annotations(const ConversionPlan& plan) {
  return {
      {"mconv.dev/user", plan.user},
      {"mconv.dev/model-name", plan.model_file_name},
      {"mconv.dev/model-sha256", plan.model_sha256},
      {"mconv.dev/model-format", std::string(format_name(plan.model.format))},
      {"mconv.dev/gpu", plan.gpu->name},
      {"mconv.dev/options", plan.options.canonical()},
      {"mconv.dev/image", plan.image->reference},
      {"mconv.dev/conversion-hash", plan.conversion_hash},
      {"mconv.dev/version", plan.mconv_version},
  };
}

json node_affinity(const GpuEntry& gpu) {
  json terms = json::array();
  for (const auto& term : gpu.node_labels) {
    json expressions = json::array();
    for (const auto& [key, values] : term) {
      expressions.push_back({{"key", key}, {"operator", "In"}, {"values", values}});
    }
    terms.push_back({{"matchExpressions", expressions}});
  }
  return {{"nodeAffinity", {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", terms}}}}}};
}

json tolerations(const GpuEntry& gpu) {
  json list = json::array();
  for (const auto& toleration : gpu.tolerations) {
    json item = {{"operator", toleration.op}};
    if (!toleration.key.empty()) item["key"] = toleration.key;
    if (!toleration.value.empty()) item["value"] = toleration.value;
    if (!toleration.effect.empty()) item["effect"] = toleration.effect;
    if (toleration.seconds) item["tolerationSeconds"] = *toleration.seconds;
    list.push_back(item);
  }
  return list;
}

// Extended resources such as GPUs go in limits only (requests default to limits);
// CPU and memory are requested at the same amount, so the pod is not throttled below it.
json resources(const GpuEntry& gpu) {
  json limits = json::object();
  json requests = json::object();
  for (const auto& [name, quantity] : gpu.resources) {
    limits[name] = quantity.text;
    if (name.find('/') == std::string::npos) requests[name] = quantity.text;
  }
  json result = {{"limits", limits}};
  if (!requests.empty()) result["requests"] = requests;
  return result;
}

// The converter names torch.export archives "export".
std::string converter_format(ModelFormat format) {
  return format == ModelFormat::torch_export ? "export" : std::string(format_name(format));
}

json converter_args(const ConversionPlan& plan) {
  json args = {"run",
               "--input", staged_model_path(plan.model),
               "--sha256", plan.model_sha256,
               "--format", converter_format(plan.model.format),
               "--output-dir", std::string(staging_mount) + "/out",
               "--wait-download", std::to_string(plan.download_wait_seconds)};
  for (const auto& arg : plan.options.converter_args()) args.push_back(arg);
  return args;
}

json environment(const ConversionPlan& plan) {
  json list = json::array();
  for (auto [name, value] : {std::pair<std::string_view, std::string_view>{"MCONV_IMAGE", plan.image->reference},
                             {"TMPDIR", scratch_mount}, {"HOME", scratch_mount}}) {
    list.push_back(json::object({{"name", name}, {"value", value}}));
  }
  return list;
}

json converter_container_spec(const ConversionPlan& plan) {
  return {
      {"name", converter_container},
      {"image", plan.image->reference},
      {"imagePullPolicy", "IfNotPresent"},
      {"command", {"mconv-converter"}},
      {"args", converter_args(plan)},
      {"env", environment(plan)},
      {"resources", resources(*plan.gpu)},
      {"volumeMounts", {{{"name", "staging"}, {"mountPath", staging_mount}}, {{"name", "scratch"}, {"mountPath", scratch_mount}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"capabilities", {{"drop", {"ALL"}}}}}},
  };
}

}  // namespace

std::string staged_model_path(const ModelInfo& model) {
  std::string_view extension = ".onnx";
  if (model.format == ModelFormat::torchscript) extension = ".pt";
  if (model.format == ModelFormat::torch_export) extension = ".pt2";
  return fmt::format("{}/in/model{}", staging_mount, extension);
}

std::string staging_size(std::uint64_t model_size) {
  constexpr std::uint64_t gib = 1ULL << 30;
  std::uint64_t needed = model_size * 3 + gib;
  return fmt::format("{}Gi", (needed + gib - 1) / gib);
}

json make_job(const ConversionPlan& plan) {
  auto labels = common_labels(plan);
  json pod_labels = labels;

  json pod_spec = {
      {"restartPolicy", "Never"},
      {"automountServiceAccountToken", false},
      {"enableServiceLinks", false},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", converter_uid},
        {"runAsGroup", converter_uid},
        {"fsGroup", converter_uid},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"affinity", node_affinity(*plan.gpu)},
      {"containers", {converter_container_spec(plan)}},
      {"volumes",
       {{{"name", "staging"}, {"persistentVolumeClaim", {{"claimName", plan.job_name}}}},
        {{"name", "scratch"}, {"emptyDir", json::object()}}}},
  };
  if (!plan.gpu->tolerations.empty()) pod_spec["tolerations"] = tolerations(*plan.gpu);

  json exit_codes = json::array();
  for (int code : deterministic_exit_codes) exit_codes.push_back(code);
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", plan.job_name}, {"namespace", plan.namespace_name}, {"labels", labels}, {"annotations", annotations(plan)}}},
      {"spec",
       {{"backoffLimit", backoff_limit},
        {"activeDeadlineSeconds", plan.deadline_seconds},
        {"ttlSecondsAfterFinished", plan.keep_seconds},
        {"podFailurePolicy",
         {{"rules",
           {{{"action", "FailJob"}, {"onExitCodes", {{"containerName", converter_container}, {"operator", "In"}, {"values", exit_codes}}}},
            {{"action", "Ignore"}, {"onPodConditions", {{{"type", "DisruptionTarget"}}}}}}}}},
        {"template", {{"metadata", {{"labels", pod_labels}}}, {"spec", pod_spec}}}}},
  };
}

json make_staging_claim(const ConversionPlan& plan) {
  json spec = {
      {"accessModes", {"ReadWriteOnce"}},
      {"resources", {{"requests", {{"storage", staging_size(plan.model.size)}}}}},
  };
  if (!plan.storage_class.empty()) spec["storageClassName"] = plan.storage_class;
  return {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", {{"name", plan.job_name}, {"namespace", plan.namespace_name}, {"labels", common_labels(plan)}}},
      {"spec", spec},
  };
}

}  // namespace mconv::core

namespace mconv::core {

namespace {

// Drops the labels that the API server adds to a Job's pod template and selector.
nlohmann::json without_controller_labels(nlohmann::json labels) {
  for (const char* key : {"batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name"}) {
    labels.erase(key);
  }
  return labels;
}

}  // namespace

std::string fetch_job_name(const std::string& job_name) {
  constexpr std::string_view suffix = "-fetch";
  constexpr std::size_t max_name = 63;
  return job_name.substr(0, max_name - suffix.size()) + std::string(suffix);
}

nlohmann::ordered_json make_fetch_job(const nlohmann::json& job, const std::string& user, std::int64_t wait_seconds) {
  const auto& metadata = job["metadata"];
  auto name = metadata.value("name", "");
  auto annotations = metadata.value("annotations", nlohmann::json::object());
  annotations["mconv.dev/user"] = user;
  annotations["mconv.dev/fetch-for"] = name;
  auto labels = without_controller_labels(metadata.value("labels", nlohmann::json::object()));

  auto pod = job["spec"]["template"];
  pod["metadata"]["labels"] = without_controller_labels(pod["metadata"].value("labels", nlohmann::json::object()));
  pod["spec"]["containers"][0]["args"] = {"serve", "--output-dir", std::string(staging_mount) + "/out", "--wait-download",
                                          std::to_string(wait_seconds)};

  constexpr std::int64_t grace_seconds = 300;
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", fetch_job_name(name)},
        {"namespace", metadata.value("namespace", "")},
        {"labels", labels},
        {"annotations", annotations},
        {"ownerReferences", {{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"name", name}, {"uid", metadata.value("uid", "")}}}}}},
      {"spec",
       {{"backoffLimit", 0},
        {"activeDeadlineSeconds", wait_seconds + grace_seconds},
        {"ttlSecondsAfterFinished", grace_seconds},
        {"template", pod}}},
  };
}

}  // namespace mconv::core
