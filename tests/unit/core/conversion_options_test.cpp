#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>

#include "mconv/core/conversion_options.h"

using Catch::Matchers::ContainsSubstring;
using mconv::core::check_options;
using mconv::core::ConversionOptions;
using mconv::core::ModelInfo;
using mconv::core::parse_shape;

namespace {

ModelInfo onnx_model() {
  ModelInfo model;
  model.inputs.push_back({"input", "float", {"batch", "3", "224", "224"}});
  model.inputs.push_back({"mask", "int64", {"batch", "16"}});
  return model;
}

}  // namespace

TEST_CASE("shape parses static and dynamic forms", "[conversion_options]") {
  auto fixed = parse_shape("input=1x3x224x224");
  REQUIRE(fixed);
  CHECK(fixed->input == "input");
  CHECK(fixed->min == std::vector<std::int64_t>{1, 3, 224, 224});
  CHECK(fixed->opt == fixed->min);
  CHECK(fixed->max == fixed->min);
  CHECK(fixed->to_string() == "input=1x3x224x224");

  auto range = parse_shape("input=1x3x224x224:8x3x224x224:32x3x224x224");
  REQUIRE(range);
  CHECK(range->min[0] == 1);
  CHECK(range->opt[0] == 8);
  CHECK(range->max[0] == 32);
  CHECK(range->to_string() == "input=1x3x224x224:8x3x224x224:32x3x224x224");
}

TEST_CASE("shape rejects malformed text", "[conversion_options]") {
  const std::pair<const char*, const char*> cases[] = {
      {"1x3x224x224", "write INPUT=DIMS"},
      {"=1x3", "write INPUT=DIMS"},
      {"input=", "'' is not a positive whole number"},
      {"input=1x0x3", "'0' is not a positive whole number"},
      {"input=1xx3", "'' is not a positive whole number"},
      {"input=1x3.5", "'3.5' is not a positive whole number"},
      {"input=1x3:2x3", "give one shape, or three (MIN:OPT:MAX)"},
      {"input=1x3:2x3x4:4x3", "must have the same number of dimensions"},
      {"input=8x3:4x3:16x3", "dimension 0 must satisfy MIN <= OPT <= MAX"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    auto shape = parse_shape(text);
    REQUIRE_FALSE(shape);
    CHECK(shape.error().kind == mconv::ErrorKind::usage);
    CHECK_THAT(shape.error().message, ContainsSubstring(message));
    CHECK_THAT(shape.error().message, ContainsSubstring(std::string("'") + text + "'"));
  }
}

TEST_CASE("options canonical text ignores flag order", "[conversion_options]") {
  ConversionOptions first;
  first.backend = "tensorrt";
  first.shapes = {*parse_shape("a=1x2"), *parse_shape("b=3x4")};
  first.builder_flags = {"sparse-weights", "refit"};

  ConversionOptions second = first;
  std::ranges::reverse(second.shapes);
  std::ranges::reverse(second.builder_flags);
  CHECK(first.canonical() == second.canonical());

  second.precision = "fp16";
  CHECK(first.canonical() != second.canonical());
}

TEST_CASE("options become converter arguments", "[conversion_options]") {
  ConversionOptions options;
  options.backend = "tensorrt";
  options.precision = "fp16";
  options.shapes = {*parse_shape("input=1x3x8x8:2x3x8x8:4x3x8x8")};
  options.workspace_mib = 2048;
  options.builder_flags = {"sparse-weights"};
  options.tolerance_abs = 0.01;

  std::vector<std::string> expected = {"--backend", "tensorrt", "--precision", "fp16", "--shape", "input=1x3x8x8:2x3x8x8:4x3x8x8",
                                       "--workspace", "2048", "--builder-flag", "sparse-weights", "--tolerance-abs", "0.01"};
  CHECK(options.converter_args() == expected);
}

TEST_CASE("options are checked against the model", "[conversion_options]") {
  auto model = onnx_model();
  ConversionOptions options;
  options.backend = "tensorrt";

  SECTION("valid dynamic batch") {
    options.shapes = {*parse_shape("input=1x3x224x224:8x3x224x224:16x3x224x224")};
    CHECK_FALSE(check_options(options, model));
  }
  SECTION("unknown input") {
    options.shapes = {*parse_shape("inputs=1x3x224x224")};
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("the model has no input 'inputs'; did you mean 'input'?"));
  }
  SECTION("wrong rank") {
    options.shapes = {*parse_shape("input=1x3x224")};
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("the model declares 4 dimensions (batchx3x224x224), the shape gives 3"));
  }
  SECTION("fixed dimension changed") {
    options.shapes = {*parse_shape("input=1x3x256x256")};
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("dimension 2 is fixed at 224"));
  }
  SECTION("same input twice") {
    options.shapes = {*parse_shape("mask=1x16"), *parse_shape("mask=2x16")};
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("input 'mask' is given twice"));
  }
  SECTION("unknown precision") {
    options.precision = "fp8";
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("invalid --precision 'fp8'"));
  }
  SECTION("int8 outside tensorrt") {
    options.backend = "openvino";
    options.precision = "int8";
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("--precision int8 needs the tensorrt backend"));
  }
  SECTION("int8 without calibration upload") {
    options.precision = "int8";
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("needs calibration data"));
  }
  SECTION("malformed builder flag") {
    options.builder_flags = {"SPARSE_WEIGHTS"};
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("invalid --builder-flag 'SPARSE_WEIGHTS'"));
  }
  SECTION("negative tolerance") {
    options.tolerance_rel = -0.5;
    auto error = check_options(options, model);
    REQUIRE(error);
    CHECK_THAT(error->message, ContainsSubstring("invalid --tolerance-rel '-0.5'"));
  }
}
