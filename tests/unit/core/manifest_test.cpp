#include <catch2/catch_test_macros.hpp>

#include "mconv/core/manifest.h"

using mconv::core::ConversionPlan;
using mconv::core::make_job;
using mconv::core::make_staging_claim;
using mconv::core::staging_size;

namespace {

struct PlanFixture {
  mconv::core::GpuEntry gpu;
  mconv::core::LockedImage image;
  ConversionPlan plan;

  PlanFixture() {
    gpu.name = "T4";
    gpu.node_labels = {{{"nvidia.com/gpu.product", {"Tesla-T4", "T4"}}}, {{"cloud.google.com/gke-accelerator", {"nvidia-tesla-t4"}}}};
    gpu.resources.emplace("nvidia.com/gpu", *mconv::kube::parse_quantity("1"));
    gpu.resources.emplace("memory", *mconv::kube::parse_quantity("8Gi"));
    gpu.tolerations.push_back({"nvidia.com/gpu", "Exists", "", "NoSchedule", std::nullopt});
    image.key = "tensorrt";
    image.reference = "registry.example.com/trt@sha256:" + std::string(64, 'a');

    plan.job_name = "mconv-alice-resnet-abcdefghijklmnop";
    plan.namespace_name = "ml";
    plan.user = "alice@example.com";
    plan.conversion_hash = std::string(64, 'b');
    plan.model_file_name = "resnet.onnx";
    plan.model_sha256 = std::string(64, 'c');
    plan.model.size = 100 << 20;
    plan.gpu = &gpu;
    plan.image = &image;
    plan.options.backend = "tensorrt";
    plan.deadline_seconds = 1800;
    plan.keep_seconds = 7200;
  }
};

}  // namespace

TEST_CASE("job runs the locked image without privileges", "[manifest]") {
  PlanFixture fixture;
  auto job = make_job(fixture.plan);
  const auto& pod = job["spec"]["template"]["spec"];
  const auto& container = pod["containers"][0];

  CHECK(job["metadata"]["name"] == fixture.plan.job_name);
  CHECK(job["metadata"]["namespace"] == "ml");
  CHECK(container["image"] == fixture.image.reference);
  CHECK(container["command"][0] == "mconv-converter");
  CHECK(pod["automountServiceAccountToken"] == false);
  CHECK(pod["securityContext"]["runAsNonRoot"] == true);
  CHECK(pod["restartPolicy"] == "Never");
  CHECK(container["securityContext"]["allowPrivilegeEscalation"] == false);
  CHECK(container["securityContext"]["readOnlyRootFilesystem"] == true);
  CHECK(container["securityContext"]["capabilities"]["drop"][0] == "ALL");
}

TEST_CASE("job selects nodes from the catalog entry", "[manifest]") {
  PlanFixture fixture;
  auto job = make_job(fixture.plan);
  const auto& pod = job["spec"]["template"]["spec"];
  const auto& terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];

  REQUIRE(terms.size() == 2);
  CHECK(terms[0]["matchExpressions"][0]["key"] == "nvidia.com/gpu.product");
  CHECK(terms[0]["matchExpressions"][0]["operator"] == "In");
  CHECK(terms[0]["matchExpressions"][0]["values"] == nlohmann::ordered_json({"Tesla-T4", "T4"}));
  CHECK(terms[1]["matchExpressions"][0]["key"] == "cloud.google.com/gke-accelerator");
  CHECK(pod["tolerations"][0]["key"] == "nvidia.com/gpu");
  CHECK(pod["tolerations"][0]["operator"] == "Exists");

  const auto& resources = pod["containers"][0]["resources"];
  CHECK(resources["limits"]["nvidia.com/gpu"] == "1");
  CHECK(resources["limits"]["memory"] == "8Gi");
  CHECK(resources["requests"]["memory"] == "8Gi");
  CHECK_FALSE(resources["requests"].contains("nvidia.com/gpu"));
}

TEST_CASE("job limits time and retries", "[manifest]") {
  PlanFixture fixture;
  auto job = make_job(fixture.plan);
  const auto& spec = job["spec"];

  CHECK(spec["activeDeadlineSeconds"] == 1800);
  CHECK(spec["ttlSecondsAfterFinished"] == 7200);
  CHECK(spec["backoffLimit"] == 2);
  const auto& rule = spec["podFailurePolicy"]["rules"][0];
  CHECK(rule["action"] == "FailJob");
  CHECK(rule["onExitCodes"]["containerName"] == "converter");
  CHECK(rule["onExitCodes"]["values"] == nlohmann::ordered_json({10, 11, 12, 13}));
}

TEST_CASE("job records who and what in annotations", "[manifest]") {
  PlanFixture fixture;
  auto job = make_job(fixture.plan);
  const auto& metadata = job["metadata"];

  CHECK(metadata["annotations"]["mconv.dev/user"] == "alice@example.com");
  CHECK(metadata["annotations"]["mconv.dev/model-sha256"] == fixture.plan.model_sha256);
  CHECK(metadata["annotations"]["mconv.dev/gpu"] == "T4");
  CHECK(metadata["labels"]["mconv.dev/user"] == "alice");
  CHECK(metadata["labels"]["mconv.dev/gpu"] == "t4");
  CHECK(metadata["labels"]["mconv.dev/conversion"].get<std::string>().size() == 40);
}

TEST_CASE("converter reads the model from the staging volume", "[manifest]") {
  PlanFixture fixture;
  auto job = make_job(fixture.plan);
  const auto& pod = job["spec"]["template"]["spec"];
  const auto& args = pod["containers"][0]["args"];

  CHECK(args[0] == "run");
  CHECK(args[1] == "--input");
  CHECK(args[2] == "/staging/in/model.onnx");
  CHECK(args[3] == "--sha256");
  CHECK(args[4] == fixture.plan.model_sha256);
  CHECK(pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == fixture.plan.job_name);
}

TEST_CASE("staging claim asks for room to spare", "[manifest]") {
  PlanFixture fixture;
  auto claim = make_staging_claim(fixture.plan);
  CHECK(claim["kind"] == "PersistentVolumeClaim");
  CHECK(claim["metadata"]["name"] == fixture.plan.job_name);
  CHECK(claim["spec"]["accessModes"][0] == "ReadWriteOnce");
  CHECK(claim["spec"]["resources"]["requests"]["storage"] == "2Gi");
  CHECK_FALSE(claim["spec"].contains("storageClassName"));

  CHECK(staging_size(0) == "1Gi");
  CHECK(staging_size(3ULL << 30) == "10Gi");
}
