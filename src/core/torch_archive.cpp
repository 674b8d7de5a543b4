#include <memory>
#include <vector>

#include <zip.h>

#include "mconv/core/model_inspect.h"

namespace mconv::core {

namespace {

struct ArchiveCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};

// The kinds of entry that tell PyTorch's archive formats apart.
struct ArchiveShape {
  bool has_code = false;        // TorchScript keeps the model's compiled code under code/
  bool has_constants = false;   // and its constants in constants.pkl
  bool has_pickle = false;      // torch.save writes data.pkl
  bool has_export = false;      // torch.export writes archive_format or a serialized program
};

ArchiveShape read_shape(zip_t* archive) {
  ArchiveShape shape;
  auto count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw_name = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (raw_name == nullptr) continue;
    std::string_view name = raw_name;
    if (name.find("/code/") != std::string_view::npos || name.starts_with("code/")) shape.has_code = true;
    if (name.ends_with("constants.pkl")) shape.has_constants = true;
    if (name.ends_with("data.pkl")) shape.has_pickle = true;
    if (name.ends_with("archive_format") || name.ends_with("serialized_exported_program.json") ||
        (name.find("/models/") != std::string_view::npos && name.ends_with(".json"))) {
      shape.has_export = true;
    }
  }
  return shape;
}

std::string zip_open_error(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

}  // namespace

Result<ModelInfo> inspect_torch_archive(const std::filesystem::path& path) {
  int code = 0;
  std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS) {
      return fail(ErrorKind::model, "'{}' is a truncated or damaged zip archive ({}); copy the model file again", path.string(), zip_open_error(code));
    }
    return fail(ErrorKind::model, "cannot open '{}' as a zip archive: {}", path.string(), zip_open_error(code));
  }

  ModelInfo info;
  info.size = std::filesystem::file_size(path);
  auto shape = read_shape(archive.get());
  if (shape.has_export) {
    info.format = ModelFormat::torch_export;
    return info;
  }
  if (shape.has_code && shape.has_constants) {
    info.format = ModelFormat::torchscript;
    return info;
  }
  if (shape.has_pickle) {
    return fail(ErrorKind::model,
                "'{}' is a PyTorch checkpoint that holds only weights (a state_dict or a pickled module): "
                "it has no TorchScript code, so it cannot be converted without the model's Python class; {}",
                path.string(), export_instructions);
  }
  return fail(ErrorKind::model, "'{}' is a zip archive but not a PyTorch model: it has no TorchScript code and no torch.export program", path.string());
}

}  // namespace mconv::core
