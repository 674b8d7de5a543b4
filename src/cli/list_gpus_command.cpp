#include "mconv/cli/list_gpus_command.h"

#include <ostream>

#include "mconv/cli/output.h"
#include "mconv/util/text.h"

namespace mconv::cli {

namespace {

using json = nlohmann::ordered_json;

const std::vector<std::string> output_formats = {"table", "json", "yaml"};

std::string short_digest(const std::string& digest) {
  constexpr std::size_t length = 7 + 12;  // "sha256:" and 12 hex digits, as docker shows image IDs
  return digest.substr(0, length);
}

json entry_to_json(const core::GpuEntry& gpu, const core::LockedImage& image) {
  json resources = json::object();
  for (const auto& [name, quantity] : gpu.resources) resources[name] = quantity.text;
  json labels = json::array();
  for (const auto& term : gpu.node_labels) labels.push_back(term);

  json entry = {
      {"name", gpu.name},
      {"aliases", gpu.aliases},
      {"computeCapability", gpu.compute_capability ? json(*gpu.compute_capability) : json(nullptr)},
      {"memory", gpu.memory ? json(gpu.memory->text) : json(nullptr)},
      {"backend", core::default_backend(gpu, image)},
      {"resources", resources},
      {"nodeLabels", labels},
      {"image", {{"name", image.key}, {"reference", image.reference}}},
  };
  if (gpu.context) entry["context"] = *gpu.context;
  if (gpu.namespace_name) entry["namespace"] = *gpu.namespace_name;
  for (auto [key, value] : {std::pair{"tensorrt", &image.tensorrt}, {"cuda", &image.cuda}, {"openvino", &image.openvino}}) {
    if (!value->empty()) entry["image"][key] = *value;
  }
  return entry;
}

}  // namespace

ListGpusCommand::ListGpusCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("list-gpus", "List the GPUs you can convert for, from the admins' catalog")), global_(global) {
  app_->add_option("-o,--output", output_, "Output format: table, json or yaml")->capture_default_str();
}

std::optional<Error> ListGpusCommand::validate() const {
  auto format = parse_output_format(output_, output_formats);
  if (!format) return format.error();
  return std::nullopt;
}

json catalog_to_json(const AdminConfig& config) {
  json gpus = json::array();
  for (const auto& gpu : config.catalog.gpus) gpus.push_back(entry_to_json(gpu, config.lock.images.at(gpu.image)));
  return {{"gpus", gpus}};
}

std::string catalog_table(const AdminConfig& config) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& gpu : config.catalog.gpus) {
    const auto& image = config.lock.images.at(gpu.image);
    rows.push_back({gpu.name, gpu.aliases.empty() ? "-" : util::join(gpu.aliases, ","), gpu.compute_capability.value_or("-"),
                    gpu.memory ? gpu.memory->text : "-", core::default_backend(gpu, image),
                    fmt::format("{} ({})", image.key, short_digest(image.digest))});
  }
  return render_table({"name", "aliases", "compute", "memory", "backend", "image"}, rows);
}

Result<void> ListGpusCommand::run(Streams& streams) {
  auto config = load_admin_config(global_);
  if (!config) return std::unexpected(config.error());

  auto format = *parse_output_format(output_, output_formats);
  if (format == OutputFormat::json) {
    streams.out << catalog_to_json(*config).dump(2) << "\n";
  } else if (format == OutputFormat::yaml) {
    streams.out << to_yaml(catalog_to_json(*config));
  } else {
    streams.out << catalog_table(*config);
  }
  return {};
}

}  // namespace mconv::cli
