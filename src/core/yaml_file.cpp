#include "mconv/core/yaml_file.h"

#include <fstream>
#include <set>
#include <sstream>

#include "mconv/util/text.h"

namespace mconv::core {

Result<YamlFile> YamlFile::parse(std::string_view text, std::string source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::config, "{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg);
  }
  return YamlFile(std::move(root), std::move(source));
}

Result<YamlFile> YamlFile::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::config, "cannot read '{}': {}", path.string(), std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

int YamlFile::line_of(const YAML::Node& node) { return node.Mark().line + 1; }

Error YamlFile::located(const YAML::Node& node, std::string message) const {
  if (!node.IsDefined() || node.Mark().is_null()) return Error{ErrorKind::config, fmt::format("{}: {}", source_, message)};
  return Error{ErrorKind::config, fmt::format("{}:{}: {}", source_, line_of(node), message)};
}

std::optional<Error> YamlFile::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                                          std::string_view where) const {
  if (!map.IsMap()) return error_at(map, "{} must be a mapping of keys to values", where);

  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::set<std::string> seen;
  for (const auto& item : map) {
    auto key = item.first.as<std::string>("");
    if (!seen.insert(key).second) {
      return error_at(item.first, "key '{}' is given twice in {}; keep one", key, where);
    }
    if (std::ranges::find(names, key) == names.end()) {
      return error_at(item.first, "unknown key '{}' in {}{}", key, where, util::did_you_mean(key, names));
    }
  }
  return std::nullopt;
}

Result<std::string> YamlFile::required_scalar(const YAML::Node& map, std::string_view key,
                                              std::string_view where) const {
  auto value = optional_scalar(map, key, where);
  if (!value) return std::unexpected(value.error());
  if (!*value || (*value)->empty()) return std::unexpected(error_at(map, "{} is missing '{}'", where, key));
  return **value;
}

Result<std::optional<std::string>> YamlFile::optional_scalar(const YAML::Node& map, std::string_view key,
                                                             std::string_view where) const {
  YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>{};
  if (!node.IsScalar()) return std::unexpected(error_at(node, "'{}' in {} must be a single value", key, where));
  return std::optional<std::string>{node.Scalar()};
}

Result<std::vector<std::string>> YamlFile::scalar_list(const YAML::Node& map, std::string_view key,
                                                       std::string_view where) const {
  YAML::Node node = map[std::string(key)];
  std::vector<std::string> values;
  if (!node.IsDefined() || node.IsNull()) return values;
  if (!node.IsSequence()) {
    return std::unexpected(error_at(node, "'{}' in {} must be a list, such as [a, b]", key, where));
  }
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return std::unexpected(error_at(item, "'{}' in {} must list plain non-empty values", key, where));
    }
    values.push_back(item.Scalar());
  }
  return values;
}

}  // namespace mconv::core
