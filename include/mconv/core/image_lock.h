#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mconv/core/catalog.h"
#include "mconv/error.h"

namespace mconv::core {

// One converter image of images.lock, pinned by digest.
struct LockedImage {
  std::string key;
  std::string reference;   // repository@sha256:<hex>, as the Job's image field
  std::string repository;
  std::string digest;      // sha256:<64 hex digits>
  std::vector<std::string> backends;
  std::string tensorrt;
  std::string cuda;
  std::string openvino;
  std::vector<std::string> compute_capabilities;
  int line = 0;

  bool has_backend(std::string_view backend) const;
};

struct ImageLock {
  std::string source;
  std::map<std::string, LockedImage> images;
};

// The backends that converter images may offer.
inline constexpr std::string_view known_backends[] = {"tensorrt", "openvino", "onnx"};

Result<ImageLock> parse_image_lock(std::string_view text, std::string source);
Result<ImageLock> load_image_lock(const std::filesystem::path& path);

// Splits "repository[:tag]@sha256:<hex>" and rejects references not pinned by digest.
struct ImageReference {
  std::string repository;
  std::string tag;
  std::string digest;
};
Result<ImageReference> parse_pinned_reference(std::string_view reference);

// Picks the backend that builds engines for an entry: TensorRT for NVIDIA GPUs,
// otherwise OpenVINO when the image has it, otherwise portable ONNX. Empty when the
// image cannot serve the entry at all.
std::string default_backend(const GpuEntry& entry, const LockedImage& image);

// Checks that every catalog entry names a locked image that can serve it; the error
// points at the catalog entry's line.
std::optional<Error> check_catalog_images(const Catalog& catalog, const ImageLock& lock);

}  // namespace mconv::core
