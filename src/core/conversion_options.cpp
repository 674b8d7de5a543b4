#include "mconv/core/conversion_options.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mconv/util/text.h"

namespace mconv::core {

namespace {

const std::regex builder_flag_pattern("[a-z0-9]+(-[a-z0-9]+)*");

Result<std::vector<std::int64_t>> parse_dims(std::string_view text, std::string_view whole) {
  std::vector<std::int64_t> dims;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('x', start);
    if (end == std::string_view::npos) end = text.size();
    auto part = text.substr(start, end - start);
    std::int64_t value = 0;
    auto [next, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || next != part.data() + part.size() || value <= 0) {
      return fail(ErrorKind::usage, "invalid --shape '{}': '{}' is not a positive whole number; write sizes as 1x3x224x224", whole, part);
    }
    dims.push_back(value);
    start = end + 1;
  }
  return dims;
}

std::string dims_text(const std::vector<std::int64_t>& dims) { return fmt::format("{}", fmt::join(dims, "x")); }

std::optional<Error> check_shape(const ShapeSpec& shape, const ModelInfo& model) {
  auto input = std::ranges::find(model.inputs, shape.input, &TensorInfo::name);
  if (input == model.inputs.end()) {
    std::vector<std::string> names;
    for (const auto& known : model.inputs) names.push_back(known.name);
    return Error{ErrorKind::usage, fmt::format("invalid --shape: the model has no input '{}'{}; its inputs are: {}", shape.input,
                                               util::did_you_mean(shape.input, names), util::join(names, ", "))};
  }
  if (input->dims.size() != shape.opt.size()) {
    return Error{ErrorKind::usage, fmt::format("invalid --shape for input '{}': the model declares {} dimensions ({}), the shape gives {}",
                                               shape.input, input->dims.size(), util::join(input->dims, "x"), shape.opt.size())};
  }
  for (std::size_t i = 0; i < input->dims.size(); ++i) {
    const auto& declared = input->dims[i];
    bool fixed = !declared.empty() && std::ranges::all_of(declared, [](char c) { return c >= '0' && c <= '9'; });
    if (fixed && (shape.min[i] != std::stoll(declared) || shape.max[i] != std::stoll(declared))) {
      return Error{ErrorKind::usage, fmt::format("invalid --shape for input '{}': dimension {} is fixed at {} in the model", shape.input, i, declared)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ShapeSpec::to_string() const {
  if (min == opt && opt == max) return fmt::format("{}={}", input, dims_text(opt));
  return fmt::format("{}={}:{}:{}", input, dims_text(min), dims_text(opt), dims_text(max));
}

Result<ShapeSpec> parse_shape(std::string_view text) {
  auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return fail(ErrorKind::usage, "invalid --shape '{}': write INPUT=DIMS such as input=1x3x224x224, or INPUT=MIN:OPT:MAX for a dynamic range", text);
  }

  ShapeSpec shape;
  shape.input = std::string(text.substr(0, equals));
  auto ranges = text.substr(equals + 1);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    auto colon = ranges.find(':', start);
    parts.push_back(ranges.substr(start, colon == std::string_view::npos ? ranges.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 1 && parts.size() != 3) {
    return fail(ErrorKind::usage, "invalid --shape '{}': give one shape, or three (MIN:OPT:MAX)", text);
  }

  std::vector<std::vector<std::int64_t>> dims;
  for (auto part : parts) {
    auto parsed = parse_dims(part, text);
    if (!parsed) return std::unexpected(parsed.error());
    dims.push_back(std::move(*parsed));
  }
  shape.min = dims.front();
  shape.opt = dims[dims.size() / 2];
  shape.max = dims.back();

  if (shape.min.size() != shape.opt.size() || shape.opt.size() != shape.max.size()) {
    return fail(ErrorKind::usage, "invalid --shape '{}': MIN, OPT and MAX must have the same number of dimensions", text);
  }
  for (std::size_t i = 0; i < shape.opt.size(); ++i) {
    if (shape.min[i] > shape.opt[i] || shape.opt[i] > shape.max[i]) {
      return fail(ErrorKind::usage, "invalid --shape '{}': dimension {} must satisfy MIN <= OPT <= MAX", text, i);
    }
  }
  return shape;
}

std::string ConversionOptions::canonical() const {
  std::vector<std::string> shape_texts;
  for (const auto& shape : shapes) shape_texts.push_back(shape.to_string());
  std::ranges::sort(shape_texts);
  auto flags = builder_flags;
  std::ranges::sort(flags);
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());

  return fmt::format("backend={};precision={};shapes={};workspace={};flags={};atol={};rtol={}", backend, precision,
                     fmt::join(shape_texts, ","), workspace_mib ? std::to_string(*workspace_mib) : "",
                     fmt::join(flags, ","), tolerance_abs ? fmt::format("{}", *tolerance_abs) : "",
                     tolerance_rel ? fmt::format("{}", *tolerance_rel) : "");
}

std::vector<std::string> ConversionOptions::converter_args() const {
  std::vector<std::string> args = {"--backend", backend, "--precision", precision};
  for (const auto& shape : shapes) {
    args.insert(args.end(), {"--shape", shape.to_string()});
  }
  if (workspace_mib) args.insert(args.end(), {"--workspace", std::to_string(*workspace_mib)});
  for (const auto& flag : builder_flags) args.insert(args.end(), {"--builder-flag", flag});
  if (tolerance_abs) args.insert(args.end(), {"--tolerance-abs", fmt::format("{}", *tolerance_abs)});
  if (tolerance_rel) args.insert(args.end(), {"--tolerance-rel", fmt::format("{}", *tolerance_rel)});
  return args;
}

std::optional<Error> check_options(const ConversionOptions& options, const ModelInfo& model) {
  if (std::ranges::find(precisions, options.precision) == std::end(precisions)) {
    return Error{ErrorKind::usage, fmt::format("invalid --precision '{}': use fp32, fp16, int8 or best", options.precision)};
  }
  if (options.precision == "int8" && options.backend != "tensorrt") {
    return Error{ErrorKind::usage, fmt::format("--precision int8 needs the tensorrt backend, not '{}'", options.backend)};
  }
  if (options.precision == "int8") {
    // TODO: upload calibration files to the staging volume and pass --calibration-dir.
    return Error{ErrorKind::usage, "--precision int8 needs calibration data, which this mconv cannot upload yet; use fp16 or best"};
  }
  if (options.workspace_mib && *options.workspace_mib <= 0) {
    return Error{ErrorKind::usage, fmt::format("invalid --workspace '{}': give a positive size in MiB", *options.workspace_mib)};
  }
  for (const auto& flag : options.builder_flags) {
    if (!std::regex_match(flag, builder_flag_pattern)) {
      return Error{ErrorKind::usage, fmt::format("invalid --builder-flag '{}': write the flag in lowercase words joined by '-', such as sparse-weights", flag)};
    }
  }
  for (auto [name, value] : {std::pair{"--tolerance-abs", options.tolerance_abs}, {"--tolerance-rel", options.tolerance_rel}}) {
    if (value && !(*value >= 0)) return Error{ErrorKind::usage, fmt::format("invalid {} '{}': give a number of at least 0", name, *value)};
  }

  if (model.format == ModelFormat::torchscript && options.shapes.empty()) {
    return Error{ErrorKind::usage, "a TorchScript model records no input shapes: pass --shape INPUT=DIMS for each input of its forward(), "
                                   "such as --shape x=1x3x224x224"};
  }

  std::vector<std::string> seen;
  for (const auto& shape : options.shapes) {
    if (std::ranges::find(seen, shape.input) != seen.end()) {
      return Error{ErrorKind::usage, fmt::format("invalid --shape: input '{}' is given twice", shape.input)};
    }
    seen.push_back(shape.input);
    if (model.format == ModelFormat::onnx) {
      if (auto error = check_shape(shape, model)) return error;
    }
  }
  return std::nullopt;
}

}  // namespace mconv::core
