#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mconv/error.h"
#include "mconv/kube/validation.h"

namespace mconv::core {

// The extended resource that NVIDIA's device plugin advertises.
inline constexpr std::string_view nvidia_gpu_resource = "nvidia.com/gpu";

struct Toleration {
  std::string key;
  std::string op = "Equal";
  std::string value;
  std::string effect;
  std::optional<long long> seconds;
};

// One set of node labels: a node matches when it has every key with one of its values.
using LabelTerm = std::map<std::string, std::vector<std::string>>;

// One entry of gpu-catalog.yaml: a GPU model that users may request by name.
struct GpuEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::vector<LabelTerm> node_labels;  // alternatives: a node matches any one of them
  std::map<std::string, kube::Quantity> resources;
  std::optional<std::string> compute_capability;  // "major.minor", such as "8.6"
  std::optional<kube::Quantity> memory;
  std::vector<Toleration> tolerations;
  std::string image;  // a key of images.lock
  std::optional<std::string> context;
  std::optional<std::string> namespace_name;
  int line = 0;

  bool needs_nvidia_gpu() const { return resources.contains(std::string(nvidia_gpu_resource)); }
};

struct Catalog {
  std::string source;
  std::vector<GpuEntry> gpus;

  // Finds an entry by name or alias, ignoring case. The error suggests the nearest names.
  Result<const GpuEntry*> find(std::string_view name) const;

  // Returns every name and alias, for suggestions and completion.
  std::vector<std::string> all_names() const;
};

Result<Catalog> parse_catalog(std::string_view text, std::string source);
Result<Catalog> load_catalog(const std::filesystem::path& path);

}  // namespace mconv::core
