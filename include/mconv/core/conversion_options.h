#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mconv/core/model_inspect.h"
#include "mconv/error.h"

namespace mconv::core {

// The shape range of one model input: min, opt and max are equal for a static shape.
struct ShapeSpec {
  std::string input;
  std::vector<std::int64_t> min;
  std::vector<std::int64_t> opt;
  std::vector<std::int64_t> max;

  // Writes the spec back as the converter reads it: NAME=DIMS or NAME=MIN:OPT:MAX.
  std::string to_string() const;
};

// Parses "NAME=1x3x224x224" or "NAME=1x3x224x224:8x3x224x224:32x3x224x224".
Result<ShapeSpec> parse_shape(std::string_view text);

inline constexpr std::string_view precisions[] = {"fp32", "fp16", "int8", "best"};

// The options of one conversion beyond the model and the GPU, as the user requested them.
struct ConversionOptions {
  std::string backend;  // tensorrt, openvino or onnx
  std::string precision = "fp32";
  std::vector<ShapeSpec> shapes;
  std::optional<std::int64_t> workspace_mib;
  std::vector<std::string> builder_flags;
  std::optional<double> tolerance_abs;
  std::optional<double> tolerance_rel;

  // Returns the options as one stable line: equal options give equal text whatever
  // order the flags came in, so they hash to the same Job name.
  std::string canonical() const;

  // Returns the arguments that pass these options to the converter's run command.
  std::vector<std::string> converter_args() const;
};

// Checks the options against each other and, for ONNX models, against the model's
// declared inputs: every shape names an input, with the input's rank and fixed sizes.
std::optional<Error> check_options(const ConversionOptions& options, const ModelInfo& model);

}  // namespace mconv::core
