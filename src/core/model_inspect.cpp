#include "mconv/core/model_inspect.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace mconv::core {

namespace {

bool is_zip(std::string_view head) { return head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06"); }

// torch.save before PyTorch 1.6 wrote a bare pickle; protocol 2 and later start with 0x80.
bool is_pickle(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5;
}

// safetensors: an 8-byte little-endian header length, then a JSON header.
bool is_safetensors(std::string_view head, std::uint64_t size) {
  if (head.size() < 9 || head[8] != '{') return false;
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
  return header_length + 8 <= size;
}

}  // namespace

std::string_view format_name(ModelFormat format) {
  switch (format) {
    case ModelFormat::torchscript: return "torchscript";
    case ModelFormat::torch_export: return "torch.export";
    case ModelFormat::onnx: return "onnx";
  }
  return "unknown";
}

Result<ModelInfo> inspect_model(const std::filesystem::path& path) {
  std::error_code code;
  auto status = std::filesystem::status(path, code);
  if (code || !std::filesystem::exists(status)) {
    return fail(ErrorKind::io, "model file '{}' not found", path.string());
  }
  if (!std::filesystem::is_regular_file(status)) {
    return fail(ErrorKind::model, "'{}' is not a regular file; give the path of a model file", path.string());
  }
  auto size = std::filesystem::file_size(path, code);
  if (size == 0) {
    return fail(ErrorKind::model, "model file '{}' is empty", path.string());
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot read model file '{}': {}", path.string(), std::strerror(errno));
  std::array<char, 16> buffer{};
  in.read(buffer.data(), buffer.size());
  std::string_view head(buffer.data(), static_cast<std::size_t>(in.gcount()));

  if (is_zip(head)) return inspect_torch_archive(path);
  if (is_pickle(head)) {
    return fail(ErrorKind::model, "'{}' is a pickled PyTorch checkpoint (torch.save): it contains weights or Python objects but no model code mconv can convert; {}", path.string(), export_instructions);
  }
  if (is_safetensors(head, size)) {
    return fail(ErrorKind::model, "'{}' is a safetensors file: it contains only weights, not a model graph; {}", path.string(), export_instructions);
  }
  return inspect_onnx(path);
}

}  // namespace mconv::core
