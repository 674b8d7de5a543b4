#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "mconv/core/catalog.h"
#include "support/text_edit.h"

using Catch::Matchers::ContainsSubstring;
using mconv::test::replace;
using Catch::Matchers::StartsWith;
using mconv::core::parse_catalog;

namespace {

// A valid catalog: line 3 starts the T4 entry, line 12 the CPU entry.
constexpr const char* valid_catalog = R"(version: 1
gpus:
  - name: T4
    aliases: [tesla-t4]
    nodeLabels:
      - nvidia.com/gpu.product: [Tesla-T4]
    resources:
      nvidia.com/gpu: 1
    computeCapability: "7.5"
    memory: 16Gi
    image: tensorrt
  - name: x86-cpu
    nodeLabels:
      - kubernetes.io/arch: amd64
    resources: {cpu: 500m, memory: 1Gi}
    image: cpu
)";

}  // namespace

TEST_CASE("catalog parses a valid file", "[catalog]") {
  auto catalog = parse_catalog(valid_catalog, "catalog.yaml");
  REQUIRE(catalog);
  REQUIRE(catalog->gpus.size() == 2);

  const auto& t4 = catalog->gpus[0];
  CHECK(t4.name == "T4");
  CHECK(t4.aliases == std::vector<std::string>{"tesla-t4"});
  CHECK(t4.node_labels.at(0).at("nvidia.com/gpu.product") == std::vector<std::string>{"Tesla-T4"});
  CHECK(t4.resources.at("nvidia.com/gpu").value == 1);
  CHECK(t4.compute_capability == "7.5");
  CHECK(t4.memory->value == 16.0L * (1ULL << 30));
  CHECK(t4.needs_nvidia_gpu());
  CHECK(t4.line == 3);

  const auto& cpu = catalog->gpus[1];
  CHECK_FALSE(cpu.needs_nvidia_gpu());
  CHECK(cpu.resources.at("cpu").value == 0.5L);
  CHECK(cpu.line == 12);
}

TEST_CASE("catalog finds names and aliases ignoring case", "[catalog]") {
  auto catalog = parse_catalog(valid_catalog, "catalog.yaml");
  REQUIRE(catalog);
  CHECK((*catalog->find("t4"))->name == "T4");
  CHECK((*catalog->find("TESLA-T4"))->name == "T4");
  CHECK((*catalog->find("X86-CPU"))->name == "x86-cpu");
}

TEST_CASE("catalog suggests the nearest name", "[catalog]") {
  auto catalog = parse_catalog(valid_catalog, "catalog.yaml");
  REQUIRE(catalog);

  auto missing = catalog->find("T5");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == mconv::ErrorKind::usage);
  CHECK_THAT(missing.error().message, StartsWith("unknown GPU 'T5'; did you mean 'T4'?"));
  CHECK_THAT(missing.error().message, ContainsSubstring("mconv list-gpus"));

  auto far = catalog->find("Radeon");
  REQUIRE_FALSE(far);
  CHECK_THAT(far.error().message, !ContainsSubstring("did you mean"));
}

TEST_CASE("catalog shipped in the repository is valid", "[catalog]") {
  auto catalog = mconv::core::load_catalog(MCONV_SOURCE_DIR "/gpu-catalog.yaml");
  REQUIRE(catalog);
  CHECK(catalog->gpus.size() >= 9);
  for (const auto& name : {"T4", "A10", "L4", "L40S", "A100-80GB", "H100", "H200"}) {
    CHECK(catalog->find(name));
  }
}

TEST_CASE("catalog rejects each error with file and line", "[catalog]") {
  struct Case {
    const char* name;
    std::string text;
    std::string message;
  };
  std::string base = valid_catalog;
  const Case cases[] = {
      {"unknown top-level key", base + "gpu: []\n", "catalog.yaml:17: unknown key 'gpu' in the catalog; did you mean 'gpus'?"},
      {"unsupported version", replace(base, "version: 1", "version: 2"), "catalog.yaml:1: unsupported catalog version '2'"},
      {"empty gpu list", "version: 1\ngpus: []\n", "catalog.yaml:2: 'gpus' must be a non-empty list"},
      {"unknown entry key", replace(base, "    memory: 16Gi", "    memroy: 16Gi"),
       "catalog.yaml:10: unknown key 'memroy' in GPU entry 'T4'; did you mean 'memory'?"},
      {"key given twice", replace(base, "    memory: 16Gi", "    memory: 16Gi\n    memory: 8Gi"),
       "catalog.yaml:11: key 'memory' is given twice in GPU entry 'T4'"},
      {"duplicate name", replace(base, "name: x86-cpu", "name: t4"),
       "catalog.yaml:12: GPU name or alias 't4' in GPU entry 't4' is already used on line 3"},
      {"alias clashes with name", replace(base, "aliases: [tesla-t4]", "aliases: [x86-CPU]"),
       "catalog.yaml:12: GPU name or alias 'x86-cpu' in GPU entry 'x86-cpu' is already used on line 4"},
      {"malformed name", replace(base, "name: T4", "name: \"T 4\""), "catalog.yaml:3: invalid GPU name 'T 4'"},
      {"missing node labels", replace(base, "    nodeLabels:\n      - nvidia.com/gpu.product: [Tesla-T4]\n", ""),
       "catalog.yaml:3: GPU entry 'T4' needs 'nodeLabels'"},
      {"malformed label key", replace(base, "nvidia.com/gpu.product:", "nvidia.com/gpu product:"),
       "catalog.yaml:6: invalid node label key 'nvidia.com/gpu product' in GPU entry 'T4'"},
      {"malformed label prefix", replace(base, "nvidia.com/gpu.product:", "NVIDIA.com/gpu.product:"),
       "catalog.yaml:6: invalid node label key 'NVIDIA.com/gpu.product' in GPU entry 'T4': prefix"},
      {"malformed label value", replace(base, "[Tesla-T4]", "[Tesla T4]"),
       "catalog.yaml:6: invalid value 'Tesla T4' for node label 'nvidia.com/gpu.product' in GPU entry 'T4'"},
      {"label value too long", replace(base, "[Tesla-T4]", "[" + std::string(64, 'a') + "]"),
       "must be at most 63 characters, not 64"},
      {"missing resources", replace(base, "    resources:\n      nvidia.com/gpu: 1\n", ""),
       "catalog.yaml:3: GPU entry 'T4' needs 'resources'"},
      {"bad quantity", replace(base, "nvidia.com/gpu: 1", "nvidia.com/gpu: one"),
       "catalog.yaml:8: invalid quantity 'one' for resource 'nvidia.com/gpu' in GPU entry 'T4'"},
      {"fractional gpu", replace(base, "nvidia.com/gpu: 1", "nvidia.com/gpu: 500m"),
       "catalog.yaml:8: invalid quantity '500m' for resource 'nvidia.com/gpu' in GPU entry 'T4': extended resources"},
      {"zero quantity", replace(base, "cpu: 500m", "cpu: 0"), "catalog.yaml:15: invalid quantity '0' for resource 'cpu'"},
      {"bad memory", replace(base, "memory: 16Gi", "memory: 16GB"), "catalog.yaml:10: invalid memory '16GB' in GPU entry 'T4'"},
      {"bad compute capability", replace(base, "\"7.5\"", "\"7.5.1\""),
       "catalog.yaml:9: invalid compute capability '7.5.1' in GPU entry 'T4'"},
      {"gpu without compute capability", replace(base, "    computeCapability: \"7.5\"\n", ""),
       "catalog.yaml:3: GPU entry 'T4' requests nvidia.com/gpu but has no 'computeCapability'"},
      {"missing image", replace(base, "    image: tensorrt\n", ""), "catalog.yaml:3: GPU entry 'T4' is missing 'image'"},
      {"bad toleration operator", replace(base, "    image: tensorrt", "    image: tensorrt\n    tolerations:\n      - {key: a, operator: Maybe}"),
       "catalog.yaml:13: invalid toleration operator 'Maybe' in GPU entry 'T4': use Equal or Exists"},
      {"bad toleration effect", replace(base, "    image: tensorrt", "    image: tensorrt\n    tolerations:\n      - {key: a, operator: Exists, effect: Never}"),
       "catalog.yaml:13: invalid toleration effect 'Never' in GPU entry 'T4'"},
      {"unknown toleration key", replace(base, "    image: tensorrt", "    image: tensorrt\n    tolerations:\n      - {key: a, operater: Exists}"),
       "catalog.yaml:13: unknown key 'operater' in a toleration of GPU entry 'T4'; did you mean 'operator'?"},
      {"bad namespace", replace(base, "    image: cpu", "    image: cpu\n    namespace: GPU_Jobs"),
       "catalog.yaml:17: invalid namespace 'GPU_Jobs' in GPU entry 'x86-cpu'"},
      {"invalid yaml", "version: 1\ngpus: [\n", "catalog.yaml:3: invalid YAML"},
      {"entry not a mapping", "version: 1\ngpus:\n  - T4\n", "catalog.yaml:3: each GPU entry must be a mapping"},
  };

  for (const auto& test : cases) {
    INFO(test.name);
    auto catalog = parse_catalog(test.text, "catalog.yaml");
    REQUIRE_FALSE(catalog);
    CHECK(catalog.error().kind == mconv::ErrorKind::config);
    CHECK_THAT(catalog.error().message, ContainsSubstring(test.message));
  }
}
