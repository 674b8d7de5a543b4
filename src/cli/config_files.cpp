#include "mconv/cli/config_files.h"

#include <unistd.h>

#include <cstdlib>

#include "mconv/util/text.h"
#include "mconv/version.h"

namespace mconv::cli {

namespace {

std::filesystem::path executable_dir() {
  std::error_code code;
  auto path = std::filesystem::read_symlink("/proc/self/exe", code);
  return code ? std::filesystem::path() : path.parent_path();
}

Result<std::filesystem::path> find_config(const std::string& flag, const char* env_name, const std::string& file_name,
                                          const char* flag_name) {
  auto candidates = config_candidates(flag, env_name, file_name);
  if (!flag.empty() || (std::getenv(env_name) != nullptr && *std::getenv(env_name) != '\0')) {
    return candidates.front();
  }
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(candidate)) return candidate;
  }

  std::vector<std::string> searched;
  for (const auto& candidate : candidates) searched.push_back(candidate.string());
  return fail(ErrorKind::config, "cannot find {}: searched {}; pass {} PATH or set {}", file_name, util::join(searched, ", "),
              flag_name, env_name);
}

}  // namespace

std::vector<std::filesystem::path> config_candidates(const std::string& flag_value, const char* env_name,
                                                     const std::string& file_name) {
  if (!flag_value.empty()) return {flag_value};
  if (const char* value = std::getenv(env_name); value != nullptr && *value != '\0') return {value};

  std::vector<std::filesystem::path> candidates = {std::filesystem::path("/etc/mconv") / file_name};
  if (auto dir = executable_dir(); !dir.empty()) candidates.push_back(dir.parent_path() / "share/mconv" / file_name);
  candidates.push_back(std::filesystem::path(source_dir) / file_name);
  return candidates;
}

Result<AdminConfig> load_admin_config(const GlobalOptions& global) {
  auto catalog_path = find_config(global.catalog, "MCONV_CATALOG", "gpu-catalog.yaml", "--catalog");
  if (!catalog_path) return std::unexpected(catalog_path.error());
  auto lock_path = find_config(global.image_lock, "MCONV_IMAGES_LOCK", "images.lock", "--images-lock");
  if (!lock_path) return std::unexpected(lock_path.error());

  auto catalog = core::load_catalog(*catalog_path);
  if (!catalog) return std::unexpected(catalog.error());
  auto lock = core::load_image_lock(*lock_path);
  if (!lock) return std::unexpected(lock.error());
  if (auto error = core::check_catalog_images(*catalog, *lock)) return std::unexpected(*error);
  return AdminConfig{std::move(*catalog), std::move(*lock)};
}

}  // namespace mconv::cli
