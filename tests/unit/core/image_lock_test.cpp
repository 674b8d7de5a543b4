#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "mconv/core/image_lock.h"
#include "support/text_edit.h"

using Catch::Matchers::ContainsSubstring;
using mconv::test::replace;
using mconv::core::check_catalog_images;
using mconv::core::parse_catalog;
using mconv::core::parse_image_lock;
using mconv::core::parse_pinned_reference;

namespace {

const std::string digest = "sha256:" + std::string(64, 'a');

// A valid lock: line 3 starts the tensorrt image, line 9 the cpu image.
const std::string valid_lock = R"(version: 1
images:
  tensorrt:
    image: registry.example.com/mconv/trt@)" + digest + R"(
    backends: [tensorrt, onnx]
    tensorrt: "10.13.3"
    cuda: "13.0"
    computeCapabilities: ["7.5", "8.0"]
  cpu:
    image: registry.example.com:5000/mconv/cpu:2026.4@)" + digest + R"(
    backends: [openvino, onnx]
    openvino: "2026.4.1"
)";

const std::string catalog_text = R"(version: 1
gpus:
  - name: T4
    nodeLabels: [{nvidia.com/gpu.product: Tesla-T4}]
    resources: {nvidia.com/gpu: 1}
    computeCapability: "7.5"
    image: tensorrt
  - name: cpu
    nodeLabels: [{kubernetes.io/arch: amd64}]
    resources: {cpu: 1}
    image: cpu
)";

}  // namespace

TEST_CASE("image lock parses a valid file", "[image_lock]") {
  auto lock = parse_image_lock(valid_lock, "images.lock");
  REQUIRE(lock);
  REQUIRE(lock->images.size() == 2);

  const auto& trt = lock->images.at("tensorrt");
  CHECK(trt.repository == "registry.example.com/mconv/trt");
  CHECK(trt.digest == digest);
  CHECK(trt.has_backend("tensorrt"));
  CHECK_FALSE(trt.has_backend("openvino"));
  CHECK(trt.compute_capabilities == std::vector<std::string>{"7.5", "8.0"});
  CHECK(trt.line == 3);

  const auto& cpu = lock->images.at("cpu");
  CHECK(cpu.repository == "registry.example.com:5000/mconv/cpu");
  CHECK(cpu.openvino == "2026.4.1");
}

TEST_CASE("image lock shipped in the repository is valid", "[image_lock]") {
  auto lock = mconv::core::load_image_lock(MCONV_SOURCE_DIR "/images.lock");
  REQUIRE(lock);
  auto catalog = mconv::core::load_catalog(MCONV_SOURCE_DIR "/gpu-catalog.yaml");
  REQUIRE(catalog);
  CHECK_FALSE(check_catalog_images(*catalog, *lock));
}

TEST_CASE("image lock rejects each error with file and line", "[image_lock]") {
  struct Case {
    const char* name;
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"tag without digest", replace(valid_lock, "trt@" + digest, "trt:10.13"),
       "images.lock:4: image 'registry.example.com/mconv/trt:10.13' is not pinned by digest"},
      {"short digest", replace(valid_lock, "trt@" + digest, "trt@sha256:abc"),
       "images.lock:4: invalid digest 'sha256:abc' in image 'registry.example.com/mconv/trt@sha256:abc'"},
      {"uppercase digest", replace(valid_lock, "trt@" + digest, "trt@sha256:" + std::string(64, 'A')), "invalid digest"},
      {"other algorithm", replace(valid_lock, "trt@" + digest, "trt@md5:" + std::string(32, 'a')), "invalid digest 'md5:"},
      {"uppercase repository", replace(valid_lock, "mconv/trt@", "mconv/TRT@"),
       "images.lock:4: invalid repository 'registry.example.com/mconv/TRT'"},
      {"unknown backend", replace(valid_lock, "[tensorrt, onnx]", "[tensorrt, tvm]"),
       "images.lock:5: unknown backend 'tvm' in image 'tensorrt'"},
      {"missing backends", replace(valid_lock, "    backends: [openvino, onnx]\n", ""),
       "images.lock:9: image 'cpu' needs 'backends'"},
      {"tensorrt without versions", replace(valid_lock, "    cuda: \"13.0\"\n", ""),
       "images.lock:3: image 'tensorrt' offers the tensorrt backend, so it needs 'tensorrt', 'cuda' and 'computeCapabilities'"},
      {"openvino without version", replace(valid_lock, "    openvino: \"2026.4.1\"\n", ""),
       "images.lock:9: image 'cpu' offers the openvino backend, so it needs 'openvino'"},
      {"bad version", replace(valid_lock, "\"10.13.3\"", "ten"), "images.lock:6: invalid tensorrt version 'ten'"},
      {"bad compute capability", replace(valid_lock, "[\"7.5\", \"8.0\"]", "[\"sm75\"]"),
       "images.lock:8: invalid compute capability 'sm75' in image 'tensorrt'"},
      {"unknown key", replace(valid_lock, "    cuda:", "    cudnn: \"9\"\n    cuda:"),
       "images.lock:7: unknown key 'cudnn' in image 'tensorrt'; did you mean 'cuda'?"},
      {"unsupported version", replace(valid_lock, "version: 1", "version: 3"), "images.lock:1: unsupported image lock version '3'"},
      {"no images", "version: 1\nimages: {}\n", "images.lock:2: 'images' must map image names to pinned images"},
  };

  for (const auto& test : cases) {
    INFO(test.name);
    auto lock = parse_image_lock(test.text, "images.lock");
    REQUIRE_FALSE(lock);
    CHECK(lock.error().kind == mconv::ErrorKind::config);
    CHECK_THAT(lock.error().message, ContainsSubstring(test.message));
  }
}

TEST_CASE("pinned reference splits tag and digest", "[image_lock]") {
  auto plain = parse_pinned_reference("busybox@" + digest);
  REQUIRE(plain);
  CHECK(plain->repository == "busybox");
  CHECK(plain->tag.empty());

  auto tagged = parse_pinned_reference("localhost:5000/a/b:v1.2@" + digest);
  REQUIRE(tagged);
  CHECK(tagged->repository == "localhost:5000/a/b");
  CHECK(tagged->tag == "v1.2");
  CHECK(tagged->digest == digest);
}

TEST_CASE("catalog entries need a locked image that serves them", "[image_lock]") {
  auto lock = parse_image_lock(valid_lock, "images.lock");
  REQUIRE(lock);

  SECTION("all served") {
    auto catalog = parse_catalog(catalog_text, "gpu-catalog.yaml");
    REQUIRE(catalog);
    CHECK_FALSE(check_catalog_images(*catalog, *lock));
  }
  SECTION("unknown image name") {
    auto catalog = parse_catalog(replace(catalog_text, "image: tensorrt", "image: tensorrtt"), "gpu-catalog.yaml");
    REQUIRE(catalog);
    auto error = check_catalog_images(*catalog, *lock);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("gpu-catalog.yaml:3: GPU entry 'T4' names image 'tensorrtt', which images.lock does not pin; did you mean 'tensorrt'?"));
  }
  SECTION("compute capability not supported") {
    auto catalog = parse_catalog(replace(catalog_text, "\"7.5\"", "\"9.0\""), "gpu-catalog.yaml");
    REQUIRE(catalog);
    auto error = check_catalog_images(*catalog, *lock);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("gpu-catalog.yaml:3: GPU entry 'T4' has compute capability 9.0, which image 'tensorrt' in images.lock does not support (it supports 7.5, 8.0)"));
  }
  SECTION("gpu entry on an image without tensorrt") {
    auto catalog = parse_catalog(replace(catalog_text, "image: tensorrt", "image: cpu"), "gpu-catalog.yaml");
    REQUIRE(catalog);
    auto error = check_catalog_images(*catalog, *lock);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("GPU entry 'T4' needs the tensorrt backend, but image 'cpu' in images.lock offers only openvino, onnx"));
  }
}
