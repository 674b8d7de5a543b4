#include "mconv/cli/job_description.h"

#include <algorithm>
#include <chrono>

#include "mconv/core/job_status.h"
#include "mconv/kube/rfc3339.h"
#include "mconv/util/duration.h"
#include "mconv/util/text.h"

namespace mconv::cli {

namespace {

using nlohmann::json;

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

}  // namespace

std::string annotation(const nlohmann::json& object, const char* key) {
  const auto& metadata = object["metadata"];
  if (!metadata.contains("annotations") || !metadata["annotations"].contains(key)) return "";
  return metadata["annotations"][key].get<std::string>();
}

std::optional<Error> check_output(const std::string& value, std::initializer_list<std::string_view> allowed) {
  if (std::ranges::find(allowed, value) != allowed.end()) return std::nullopt;
  std::vector<std::string> names(allowed.begin(), allowed.end());
  return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use one of {}", value, util::join(names, ", "))};
}

Result<nlohmann::json> require_job(core::JobStore& store, const std::string& name) {
  auto job = store.get_job(name);
  if (!job) return std::unexpected(static_cast<Error>(job.error()));
  if (!*job) {
    return fail(ErrorKind::usage, "job \"{}\" not found in namespace \"{}\"; run 'mconv list' to see your conversions", name, store.namespace_name());
  }
  return **job;
}

nlohmann::ordered_json describe_job(const nlohmann::json& job) {
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

}  // namespace mconv::cli
