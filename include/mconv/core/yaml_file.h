#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "mconv/error.h"

namespace mconv::core {

// A YAML configuration file whose errors read "file:line: message", so admins can go
// straight to the line to fix.
class YamlFile {
 public:
  // Parses text already read; source names it in messages.
  static Result<YamlFile> parse(std::string_view text, std::string source);
  static Result<YamlFile> load(const std::filesystem::path& path);

  const YAML::Node& root() const { return root_; }
  const std::string& source() const { return source_; }

  // Returns a config error located at the node's line.
  template <class... Args>
  Error error_at(const YAML::Node& node, fmt::format_string<Args...> format, Args&&... args) const {
    return located(node, fmt::format(format, std::forward<Args>(args)...));
  }

  // Fails on keys outside allowed (suggesting the nearest) and on keys given twice.
  std::optional<Error> check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                                  std::string_view where) const;

  // Reads a required scalar; fails naming the key when it is missing, empty or not a scalar.
  Result<std::string> required_scalar(const YAML::Node& map, std::string_view key, std::string_view where) const;

  // Reads an optional scalar; empty when the key is absent.
  Result<std::optional<std::string>> optional_scalar(const YAML::Node& map, std::string_view key,
                                                     std::string_view where) const;

  // Reads an optional list of scalars; empty when the key is absent.
  Result<std::vector<std::string>> scalar_list(const YAML::Node& map, std::string_view key,
                                               std::string_view where) const;

  // Returns the 1-based line of a node.
  static int line_of(const YAML::Node& node);

 private:
  YamlFile(YAML::Node root, std::string source) : root_(std::move(root)), source_(std::move(source)) {}

  Error located(const YAML::Node& node, std::string message) const;

  YAML::Node root_;
  std::string source_;
};

}  // namespace mconv::core
