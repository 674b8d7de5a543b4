#include "mconv/core/catalog.h"

#include <regex>
#include <set>

#include "mconv/core/yaml_file.h"
#include "mconv/util/text.h"

namespace mconv::core {

namespace {

const std::regex gpu_name_pattern("[A-Za-z0-9][A-Za-z0-9._-]*");
const std::regex compute_capability_pattern("[0-9]+\\.[0-9]");

class CatalogParser {
 public:
  explicit CatalogParser(const YamlFile& file) : file_(file) {}

  Result<Catalog> parse() {
    const auto& root = file_.root();
    if (!root.IsMap()) return std::unexpected(file_.error_at(root, "the catalog must be a mapping with 'version' and 'gpus'"));
    if (auto error = file_.check_keys(root, {"version", "gpus"}, "the catalog")) return std::unexpected(*error);

    auto version = file_.required_scalar(root, "version", "the catalog");
    if (!version) return std::unexpected(version.error());
    if (*version != "1") {
      return std::unexpected(file_.error_at(root["version"], "unsupported catalog version '{}'; this mconv reads version 1", *version));
    }

    const auto& gpus = root["gpus"];
    if (!gpus.IsDefined() || !gpus.IsSequence() || gpus.size() == 0) {
      return std::unexpected(file_.error_at(gpus.IsDefined() ? gpus : root, "'gpus' must be a non-empty list of GPU entries"));
    }

    Catalog catalog{file_.source(), {}};
    for (const auto& node : gpus) {
      auto entry = parse_entry(node);
      if (!entry) return std::unexpected(entry.error());
      catalog.gpus.push_back(std::move(*entry));
    }
    return catalog;
  }

 private:
  Result<GpuEntry> parse_entry(const YAML::Node& node) {
    if (!node.IsMap()) return std::unexpected(file_.error_at(node, "each GPU entry must be a mapping with 'name', 'nodeLabels' and 'image'"));

    auto name = file_.required_scalar(node, "name", "a GPU entry");
    if (!name) return std::unexpected(name.error());
    std::string where = fmt::format("GPU entry '{}'", *name);
    if (auto error = file_.check_keys(node, {"name", "aliases", "nodeLabels", "resources", "computeCapability", "memory", "tolerations", "image", "context", "namespace"}, where)) {
      return std::unexpected(*error);
    }

    GpuEntry entry;
    entry.name = *name;
    entry.line = YamlFile::line_of(node);
    if (auto error = claim_name(node["name"], entry.name, where)) return std::unexpected(*error);

    auto aliases = file_.scalar_list(node, "aliases", where);
    if (!aliases) return std::unexpected(aliases.error());
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      if (auto error = claim_name(node["aliases"][i], (*aliases)[i], where)) return std::unexpected(*error);
    }
    entry.aliases = std::move(*aliases);

    for (auto step : {&CatalogParser::parse_node_labels, &CatalogParser::parse_resources, &CatalogParser::parse_hardware,
                      &CatalogParser::parse_tolerations, &CatalogParser::parse_placement}) {
      if (auto error = (this->*step)(node, where, entry)) return std::unexpected(*error);
    }
    return entry;
  }

  // Registers a name or alias, rejecting malformed ones and any already taken.
  std::optional<Error> claim_name(const YAML::Node& node, const std::string& name, const std::string& where) {
    if (!std::regex_match(name, gpu_name_pattern)) {
      return file_.error_at(node, "invalid GPU name '{}' in {}: use letters, digits, '.', '_' and '-', starting with a letter or digit", name, where);
    }
    auto [previous, inserted] = names_.emplace(util::to_lower(name), YamlFile::line_of(node));
    if (!inserted) {
      return file_.error_at(node, "GPU name or alias '{}' in {} is already used on line {}; names and aliases must be unique, ignoring case", name, where, previous->second);
    }
    return std::nullopt;
  }

  std::optional<Error> parse_node_labels(const YAML::Node& node, const std::string& where, GpuEntry& entry) {
    const auto& terms = node["nodeLabels"];
    if (!terms.IsDefined() || !terms.IsSequence() || terms.size() == 0) {
      return file_.error_at(terms.IsDefined() ? terms : node, "{} needs 'nodeLabels': a list of label sets, such as '- nvidia.com/gpu.product: [Tesla-T4]'", where);
    }
    for (const auto& term_node : terms) {
      if (!term_node.IsMap() || term_node.size() == 0) {
        return file_.error_at(term_node, "each item of 'nodeLabels' in {} must map label keys to lists of values", where);
      }
      LabelTerm term;
      for (const auto& item : term_node) {
        auto key = item.first.as<std::string>("");
        if (auto reason = kube::check_qualified_name(key); !reason.empty()) {
          return file_.error_at(item.first, "invalid node label key '{}' in {}: {}", key, where, reason);
        }
        if (term.contains(key)) return file_.error_at(item.first, "node label key '{}' is given twice in {}", key, where);
        auto values = label_values(item.second, key, where);
        if (!values) return values.error();
        term.emplace(key, std::move(*values));
      }
      entry.node_labels.push_back(std::move(term));
    }
    return std::nullopt;
  }

  Result<std::vector<std::string>> label_values(const YAML::Node& node, const std::string& key, const std::string& where) {
    std::vector<std::string> values;
    if (node.IsScalar()) {
      values.push_back(node.Scalar());
    } else if (node.IsSequence() && node.size() > 0) {
      for (const auto& value : node) {
        if (!value.IsScalar()) return std::unexpected(file_.error_at(value, "values of node label '{}' in {} must be plain strings", key, where));
        values.push_back(value.Scalar());
      }
    } else {
      return std::unexpected(file_.error_at(node, "node label '{}' in {} needs a value or a list of accepted values", key, where));
    }
    for (const auto& value : values) {
      if (auto reason = kube::check_label_value(value); !reason.empty() || value.empty()) {
        return std::unexpected(file_.error_at(node, "invalid value '{}' for node label '{}' in {}: {}", value, key, where, value.empty() ? "must not be empty" : reason));
      }
    }
    return values;
  }

  std::optional<Error> parse_resources(const YAML::Node& node, const std::string& where, GpuEntry& entry) {
    const auto& resources = node["resources"];
    if (!resources.IsDefined()) return file_.error_at(node, "{} needs 'resources', such as 'nvidia.com/gpu: 1'", where);
    if (!resources.IsMap() || resources.size() == 0) return file_.error_at(resources, "'resources' in {} must map resource names to quantities", where);

    for (const auto& item : resources) {
      auto name = item.first.as<std::string>("");
      if (auto reason = kube::check_qualified_name(name); !reason.empty()) {
        return file_.error_at(item.first, "invalid resource name '{}' in {}: {}", name, where, reason);
      }
      auto text = item.second.IsScalar() ? item.second.Scalar() : std::string();
      auto quantity = kube::parse_quantity(text);
      if (!quantity || quantity->value <= 0) {
        return file_.error_at(item.second, "invalid quantity '{}' for resource '{}' in {}: use a positive Kubernetes quantity such as 1, 500m or 4Gi", text, name, where);
      }
      bool extended = name.find('/') != std::string::npos && !name.starts_with("kubernetes.io/");
      if (extended && !quantity->is_whole()) {
        return file_.error_at(item.second, "invalid quantity '{}' for resource '{}' in {}: extended resources such as GPUs are counted in whole devices", text, name, where);
      }
      entry.resources.emplace(name, *quantity);
    }
    return std::nullopt;
  }

  std::optional<Error> parse_hardware(const YAML::Node& node, const std::string& where, GpuEntry& entry) {
    auto capability = file_.optional_scalar(node, "computeCapability", where);
    if (!capability) return capability.error();
    if (*capability && !std::regex_match(**capability, compute_capability_pattern)) {
      return file_.error_at(node["computeCapability"], "invalid compute capability '{}' in {}: write major.minor in quotes, such as \"8.6\"", **capability, where);
    }
    if (!*capability && entry.needs_nvidia_gpu()) {
      return file_.error_at(node, "{} requests {} but has no 'computeCapability', such as \"8.6\"; engines are built per compute capability", where, nvidia_gpu_resource);
    }
    entry.compute_capability = *capability;

    auto memory = file_.optional_scalar(node, "memory", where);
    if (!memory) return memory.error();
    if (*memory) {
      auto quantity = kube::parse_quantity(**memory);
      if (!quantity || quantity->value <= 0) {
        return file_.error_at(node["memory"], "invalid memory '{}' in {}: use a quantity such as 16Gi", **memory, where);
      }
      entry.memory = *quantity;
    }
    return std::nullopt;
  }

  std::optional<Error> parse_tolerations(const YAML::Node& node, const std::string& where, GpuEntry& entry) {
    const auto& list = node["tolerations"];
    if (!list.IsDefined() || list.IsNull()) return std::nullopt;
    if (!list.IsSequence()) return file_.error_at(list, "'tolerations' in {} must be a list", where);

    for (const auto& item : list) {
      std::string location = fmt::format("a toleration of {}", where);
      if (auto error = file_.check_keys(item, {"key", "operator", "value", "effect", "tolerationSeconds"}, location)) return error;

      Toleration toleration;
      for (auto [key, field] : {std::pair{"key", &toleration.key}, {"operator", &toleration.op}, {"value", &toleration.value}, {"effect", &toleration.effect}}) {
        auto value = file_.optional_scalar(item, key, location);
        if (!value) return value.error();
        if (*value) *field = **value;
      }
      if (!toleration.key.empty()) {
        if (auto reason = kube::check_qualified_name(toleration.key); !reason.empty()) {
          return file_.error_at(item["key"], "invalid toleration key '{}' in {}: {}", toleration.key, where, reason);
        }
      }
      if (toleration.op != "Equal" && toleration.op != "Exists") {
        return file_.error_at(item["operator"], "invalid toleration operator '{}' in {}: use Equal or Exists", toleration.op, where);
      }
      if (toleration.op == "Exists" && !toleration.value.empty()) {
        return file_.error_at(item["value"], "a toleration with operator Exists in {} must not set 'value'", where);
      }
      if (!toleration.effect.empty() && toleration.effect != "NoSchedule" && toleration.effect != "PreferNoSchedule" && toleration.effect != "NoExecute") {
        return file_.error_at(item["effect"], "invalid toleration effect '{}' in {}: use NoSchedule, PreferNoSchedule or NoExecute", toleration.effect, where);
      }
      if (item["tolerationSeconds"].IsDefined()) {
        auto seconds = item["tolerationSeconds"].as<long long>(-1);
        if (seconds < 0 || toleration.effect != "NoExecute") {
          return file_.error_at(item["tolerationSeconds"], "'tolerationSeconds' in {} must be a whole number of seconds, and only with effect NoExecute", where);
        }
        toleration.seconds = seconds;
      }
      entry.tolerations.push_back(std::move(toleration));
    }
    return std::nullopt;
  }

  std::optional<Error> parse_placement(const YAML::Node& node, const std::string& where, GpuEntry& entry) {
    auto image = file_.required_scalar(node, "image", where);
    if (!image) return image.error();
    entry.image = *image;

    auto context = file_.optional_scalar(node, "context", where);
    if (!context) return context.error();
    entry.context = *context;

    auto namespace_name = file_.optional_scalar(node, "namespace", where);
    if (!namespace_name) return namespace_name.error();
    if (*namespace_name) {
      if (auto reason = kube::check_dns1123_label(**namespace_name); !reason.empty()) {
        return file_.error_at(node["namespace"], "invalid namespace '{}' in {}: {}", **namespace_name, where, reason);
      }
    }
    entry.namespace_name = *namespace_name;
    return std::nullopt;
  }

  const YamlFile& file_;
  std::map<std::string, int> names_;  // lower-cased name or alias -> line
};

}  // namespace

Result<Catalog> parse_catalog(std::string_view text, std::string source) {
  auto file = YamlFile::parse(text, std::move(source));
  if (!file) return std::unexpected(file.error());
  return CatalogParser(*file).parse();
}

Result<Catalog> load_catalog(const std::filesystem::path& path) {
  auto file = YamlFile::load(path);
  if (!file) return std::unexpected(file.error());
  return CatalogParser(*file).parse();
}

Result<const GpuEntry*> Catalog::find(std::string_view name) const {
  for (const auto& entry : gpus) {
    if (util::iequals(entry.name, name)) return &entry;
    for (const auto& alias : entry.aliases) {
      if (util::iequals(alias, name)) return &entry;
    }
  }
  auto names = all_names();
  auto suggestion = util::did_you_mean(name, names);
  return fail(ErrorKind::usage, "unknown GPU '{}'{} Run 'mconv list-gpus' to see the GPUs you can use.", name,
              suggestion.empty() ? "." : suggestion);
}

std::vector<std::string> Catalog::all_names() const {
  std::vector<std::string> names;
  for (const auto& entry : gpus) {
    names.push_back(entry.name);
    names.insert(names.end(), entry.aliases.begin(), entry.aliases.end());
  }
  return names;
}

}  // namespace mconv::core
