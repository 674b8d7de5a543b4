#include "mconv/core/image_lock.h"

#include <algorithm>
#include <regex>
#include <set>

#include "mconv/core/yaml_file.h"
#include "mconv/util/text.h"

namespace mconv::core {

namespace {

// A repository as the distribution spec writes it: an optional registry host with an
// optional port, then lowercase path components.
const std::regex repository_pattern(
    "([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*");
const std::regex tag_pattern("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
const std::regex digest_pattern("sha256:[a-f0-9]{64}");
const std::regex version_pattern("[0-9]+(\\.[0-9]+)*");
const std::regex compute_capability_pattern("[0-9]+\\.[0-9]");

const char* const rebuild_hint = "run converter/build-image.sh to build, push and pin the image";

std::optional<Error> check_version_field(const YamlFile& file, const YAML::Node& node, std::string_view key,
                                         const std::string& value, std::string_view where) {
  if (!value.empty() && !std::regex_match(value, version_pattern)) {
    return file.error_at(node[std::string(key)], "invalid {} version '{}' in {}: write digits and dots, such as \"10.13.3\"", key, value, where);
  }
  return std::nullopt;
}

Result<LockedImage> parse_image(const YamlFile& file, const YAML::Node& key_node, const YAML::Node& node) {
  auto key = key_node.as<std::string>("");
  std::string where = fmt::format("image '{}'", key);
  if (auto error = file.check_keys(node, {"image", "backends", "tensorrt", "cuda", "openvino", "computeCapabilities"}, where)) {
    return std::unexpected(*error);
  }

  LockedImage image;
  image.key = key;
  image.line = YamlFile::line_of(key_node);

  auto reference = file.required_scalar(node, "image", where);
  if (!reference) return std::unexpected(reference.error());
  auto pinned = parse_pinned_reference(*reference);
  if (!pinned) return std::unexpected(file.error_at(node["image"], "{} in {}", pinned.error().message, where));
  image.reference = *reference;
  image.repository = pinned->repository;
  image.digest = pinned->digest;

  auto backends = file.scalar_list(node, "backends", where);
  if (!backends) return std::unexpected(backends.error());
  if (backends->empty()) return std::unexpected(file.error_at(key_node, "{} needs 'backends', such as [tensorrt, onnx]", where));
  for (const auto& backend : *backends) {
    if (std::ranges::find(known_backends, backend) == std::end(known_backends)) {
      return std::unexpected(file.error_at(node["backends"], "unknown backend '{}' in {}: use tensorrt, openvino or onnx", backend, where));
    }
  }
  image.backends = std::move(*backends);

  for (auto [field, target] : {std::pair{"tensorrt", &image.tensorrt}, {"cuda", &image.cuda}, {"openvino", &image.openvino}}) {
    auto value = file.optional_scalar(node, field, where);
    if (!value) return std::unexpected(value.error());
    *target = value->value_or("");
    if (auto error = check_version_field(file, node, field, *target, where)) return std::unexpected(*error);
  }

  auto capabilities = file.scalar_list(node, "computeCapabilities", where);
  if (!capabilities) return std::unexpected(capabilities.error());
  for (const auto& capability : *capabilities) {
    if (!std::regex_match(capability, compute_capability_pattern)) {
      return std::unexpected(file.error_at(node["computeCapabilities"], "invalid compute capability '{}' in {}: write major.minor in quotes, such as \"8.6\"", capability, where));
    }
  }
  image.compute_capabilities = std::move(*capabilities);

  if (image.has_backend("tensorrt") && (image.tensorrt.empty() || image.cuda.empty() || image.compute_capabilities.empty())) {
    return std::unexpected(file.error_at(key_node, "{} offers the tensorrt backend, so it needs 'tensorrt', 'cuda' and 'computeCapabilities'", where));
  }
  if (image.has_backend("openvino") && image.openvino.empty()) {
    return std::unexpected(file.error_at(key_node, "{} offers the openvino backend, so it needs 'openvino'", where));
  }
  return image;
}

Result<ImageLock> parse_lock(const YamlFile& file) {
  const auto& root = file.root();
  if (auto error = file.check_keys(root, {"version", "images"}, "the image lock")) return std::unexpected(*error);

  auto version = file.required_scalar(root, "version", "the image lock");
  if (!version) return std::unexpected(version.error());
  if (*version != "1") {
    return std::unexpected(file.error_at(root["version"], "unsupported image lock version '{}'; this mconv reads version 1", *version));
  }

  const auto& images = root["images"];
  if (!images.IsDefined() || !images.IsMap() || images.size() == 0) {
    return std::unexpected(file.error_at(images.IsDefined() ? images : root, "'images' must map image names to pinned images"));
  }

  ImageLock lock{file.source(), {}};
  std::set<std::string> seen;
  for (const auto& item : images) {
    auto key = item.first.as<std::string>("");
    if (!seen.insert(key).second) return std::unexpected(file.error_at(item.first, "image '{}' is given twice; keep one", key));
    auto image = parse_image(file, item.first, item.second);
    if (!image) return std::unexpected(image.error());
    lock.images.emplace(key, std::move(*image));
  }
  return lock;
}

}  // namespace

bool LockedImage::has_backend(std::string_view backend) const {
  return std::ranges::find(backends, backend) != backends.end();
}

Result<ImageReference> parse_pinned_reference(std::string_view reference) {
  auto at = reference.find('@');
  if (at == std::string_view::npos) {
    return fail(ErrorKind::config, "image '{}' is not pinned by digest: a tag can move to other contents; {}", reference, rebuild_hint);
  }

  ImageReference result;
  std::string name(reference.substr(0, at));
  result.digest = std::string(reference.substr(at + 1));
  if (!std::regex_match(result.digest, digest_pattern)) {
    return fail(ErrorKind::config, "invalid digest '{}' in image '{}': expected sha256: and 64 lowercase hex digits", result.digest, reference);
  }

  auto last_slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) {
    result.tag = name.substr(colon + 1);
    name.resize(colon);
    if (!std::regex_match(result.tag, tag_pattern)) {
      return fail(ErrorKind::config, "invalid tag '{}' in image '{}'", result.tag, reference);
    }
  }
  if (!std::regex_match(name, repository_pattern)) {
    return fail(ErrorKind::config, "invalid repository '{}' in image '{}': use lowercase path components such as registry.example.com/team/converter", name, reference);
  }
  result.repository = std::move(name);
  return result;
}

Result<ImageLock> parse_image_lock(std::string_view text, std::string source) {
  auto file = YamlFile::parse(text, std::move(source));
  if (!file) return std::unexpected(file.error());
  return parse_lock(*file);
}

Result<ImageLock> load_image_lock(const std::filesystem::path& path) {
  auto file = YamlFile::load(path);
  if (!file) return std::unexpected(file.error());
  return parse_lock(*file);
}

std::string default_backend(const GpuEntry& entry, const LockedImage& image) {
  if (entry.needs_nvidia_gpu()) return image.has_backend("tensorrt") ? "tensorrt" : "";
  if (image.has_backend("openvino")) return "openvino";
  return image.has_backend("onnx") ? "onnx" : "";
}

std::optional<Error> check_catalog_images(const Catalog& catalog, const ImageLock& lock) {
  std::vector<std::string> keys;
  for (const auto& [key, image] : lock.images) keys.push_back(key);

  for (const auto& entry : catalog.gpus) {
    auto where = fmt::format("{}:{}: GPU entry '{}'", catalog.source, entry.line, entry.name);
    auto found = lock.images.find(entry.image);
    if (found == lock.images.end()) {
      return Error{ErrorKind::config, fmt::format("{} names image '{}', which {} does not pin{}; add it there or use one of: {}",
                                                  where, entry.image, lock.source, util::did_you_mean(entry.image, keys), util::join(keys, ", "))};
    }

    const auto& image = found->second;
    if (default_backend(entry, image).empty()) {
      auto needed = entry.needs_nvidia_gpu() ? "tensorrt" : "openvino or onnx";
      return Error{ErrorKind::config, fmt::format("{} needs the {} backend, but image '{}' in {} offers only {}", where, needed, image.key, lock.source, util::join(image.backends, ", "))};
    }
    if (entry.needs_nvidia_gpu()) {
      const auto& capability = *entry.compute_capability;
      if (std::ranges::find(image.compute_capabilities, capability) == image.compute_capabilities.end()) {
        return Error{ErrorKind::config, fmt::format("{} has compute capability {}, which image '{}' in {} does not support (it supports {}); pin an image that does, or remove the entry",
                                                    where, capability, image.key, lock.source, util::join(image.compute_capabilities, ", "))};
      }
    }
  }
  return std::nullopt;
}

}  // namespace mconv::core
