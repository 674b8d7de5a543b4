#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mconv/error.h"

namespace mconv::core {

enum class ModelFormat { torchscript, torch_export, onnx };

std::string_view format_name(ModelFormat format);

// Tells users how to turn a checkpoint that holds only weights into a model mconv reads.
inline constexpr std::string_view export_instructions =
    "script or export the model in Python first: torch.jit.script(model).save('model.pt'), "
    "torch.export.save(torch.export.export(model, example_inputs), 'model.pt2'), "
    "or torch.onnx.export(model, example_inputs, 'model.onnx')";

// A graph input or output as ONNX declares it. A dimension is a number, a symbolic
// name such as "batch", or "?" when the model leaves it open.
struct TensorInfo {
  std::string name;
  std::string element_type;
  std::vector<std::string> dims;
};

// The facts mconv reads from a model file before sending it anywhere.
struct ModelInfo {
  ModelFormat format = ModelFormat::onnx;
  std::uint64_t size = 0;
  std::string producer;         // ONNX producer_name and producer_version
  std::int64_t ir_version = 0;  // ONNX only
  std::int64_t opset = 0;       // ONNX default-domain opset
  std::vector<TensorInfo> inputs;   // ONNX only; TorchScript archives do not record them
  std::vector<TensorInfo> outputs;  // ONNX only
};

// Identifies a model file by its contents, whatever its extension, and reads only the
// parts it needs: a zip archive's central directory, or an ONNX graph with its weights
// skipped. A weights-only checkpoint, an empty, truncated or unknown file gets an error
// that names the fix.
Result<ModelInfo> inspect_model(const std::filesystem::path& path);

// Reads an ONNX model's header and graph signature; used by inspect_model.
Result<ModelInfo> inspect_onnx(const std::filesystem::path& path);

// Classifies a zip archive written by PyTorch; used by inspect_model.
Result<ModelInfo> inspect_torch_archive(const std::filesystem::path& path);

}  // namespace mconv::core
