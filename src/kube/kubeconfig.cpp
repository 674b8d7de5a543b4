#include "mconv/kube/kubeconfig.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "mconv/kube/base64.h"
#include "mconv/util/text.h"

namespace mconv::kube {

namespace fs = std::filesystem;

namespace {

// A named cluster, user or context, with the file that defined it, because relative
// paths inside it resolve against that file's folder.
struct NamedEntry {
  YAML::Node body;
  fs::path file;
};

struct MergedConfig {
  std::string current_context;
  std::map<std::string, NamedEntry> clusters;
  std::map<std::string, NamedEntry> users;
  std::map<std::string, NamedEntry> contexts;
  std::vector<fs::path> files;

  std::string source() const {
    std::vector<std::string> names;
    for (const auto& file : files) names.push_back(file.string());
    return util::join(names, ":");
  }
};

Result<std::string> read_file(const fs::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::config, "cannot read {} '{}': {}", what, path.string(), std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path resolve(const fs::path& file, const std::string& value) {
  fs::path path(value);
  if (path.empty() || path.is_absolute()) return path;
  return file.parent_path() / path;
}

Result<YAML::Node> parse_file(const fs::path& path) {
  auto text = read_file(path, "kubeconfig");
  if (!text) return std::unexpected(text.error());
  try {
    return YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::config, "{}:{}: invalid kubeconfig: {}; fix the YAML or remove the file from KUBECONFIG",
                path.string(), e.mark.line + 1, e.msg);
  }
}

// Reads an optional string field; fails when the field is present but not a scalar.
Result<std::string> text_field(const YAML::Node& map, const char* key, const fs::path& file) {
  YAML::Node node = map[key];
  if (!node || node.IsNull()) return std::string();
  if (!node.IsScalar()) {
    return fail(ErrorKind::config, "{}:{}: '{}' must be a string", file.string(), node.Mark().line + 1, key);
  }
  return node.as<std::string>();
}

Result<bool> bool_field(const YAML::Node& map, const char* key, const fs::path& file) {
  auto text = text_field(map, key, file);
  if (!text) return std::unexpected(text.error());
  if (text->empty() || *text == "false") return false;
  if (*text == "true") return true;
  return fail(ErrorKind::config, "{}: '{}' must be true or false, not '{}'", file.string(), key, *text);
}

// Adds the entries of one list (clusters, users or contexts), keeping earlier files'
// entries of the same name whole.
Result<void> merge_named(const YAML::Node& root, const char* list, const char* body_key, const fs::path& file,
                         std::map<std::string, NamedEntry>& into) {
  YAML::Node entries = root[list];
  if (!entries || entries.IsNull()) return {};
  if (!entries.IsSequence()) {
    return fail(ErrorKind::config, "{}:{}: '{}' must be a list", file.string(), entries.Mark().line + 1, list);
  }
  for (const auto& entry : entries) {
    auto name = text_field(entry, "name", file);
    if (!name) return std::unexpected(name.error());
    if (name->empty()) {
      return fail(ErrorKind::config, "{}:{}: an entry of '{}' has no name", file.string(), entry.Mark().line + 1, list);
    }
    into.try_emplace(*name, NamedEntry{entry[body_key], file});
  }
  return {};
}

Result<void> merge_file(const fs::path& path, MergedConfig& merged) {
  auto root = parse_file(path);
  if (!root) return std::unexpected(root.error());
  merged.files.push_back(path);
  if (root->IsNull()) return {};
  if (!root->IsMap()) return fail(ErrorKind::config, "{}: a kubeconfig must be a YAML mapping", path.string());

  auto current = text_field(*root, "current-context", path);
  if (!current) return std::unexpected(current.error());
  if (merged.current_context.empty()) merged.current_context = *current;

  for (auto [list, body_key, into] : {std::tuple{"clusters", "cluster", &merged.clusters},
                                      std::tuple{"users", "user", &merged.users},
                                      std::tuple{"contexts", "context", &merged.contexts}}) {
    if (auto added = merge_named(*root, list, body_key, path, *into); !added) return added;
  }
  return {};
}

std::vector<fs::path> split_path_list(const std::string& list) {
  std::vector<fs::path> paths;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    std::string item = list.substr(start, colon - start);
    if (!item.empty() && std::ranges::find(paths, fs::path(item)) == paths.end()) paths.emplace_back(item);
    start = colon + 1;
  }
  return paths;
}

// Returns the merged files, or nullopt when no kubeconfig exists at all.
Result<std::optional<MergedConfig>> merge_files(const KubeconfigOptions& options) {
  MergedConfig merged;

  if (!options.explicit_path.empty()) {
    if (auto added = merge_file(options.explicit_path, merged); !added) return std::unexpected(added.error());
    return merged;
  }

  std::vector<fs::path> candidates;
  if (options.kubeconfig_env && !options.kubeconfig_env->empty()) {
    candidates = split_path_list(*options.kubeconfig_env);
  } else if (!options.home.empty()) {
    candidates.push_back(options.home / ".kube" / "config");
  }

  for (const auto& path : candidates) {
    std::error_code error;
    if (!fs::exists(path, error)) continue;
    if (auto added = merge_file(path, merged); !added) return std::unexpected(added.error());
  }
  if (merged.files.empty()) return std::nullopt;
  return merged;
}

// Takes PEM text from a *-data field or from a file named by the plain field.
Result<std::string> pem_field(const YAML::Node& body, const std::string& field, const fs::path& file,
                              std::string_view entry) {
  auto data = text_field(body, (field + "-data").c_str(), file);
  if (!data) return std::unexpected(data.error());
  if (!data->empty()) {
    auto decoded = base64_decode(*data);
    if (!decoded) {
      return fail(ErrorKind::config, "{}: '{}-data' of '{}' is not valid base64; write the PEM file base64-encoded",
                  file.string(), field, entry);
    }
    return *decoded;
  }

  auto path = text_field(body, field.c_str(), file);
  if (!path) return std::unexpected(path.error());
  if (path->empty()) return std::string();
  auto text = read_file(resolve(file, *path), fmt::format("the {} of '{}' in {}", field, entry, file.string()));
  if (!text) return std::unexpected(text.error());
  return *text;
}

Result<void> apply_cluster(const NamedEntry& cluster, std::string_view name, RestConfig& config) {
  const auto& body = cluster.body;
  const auto& file = cluster.file;
  if (!body || !body.IsMap()) {
    return fail(ErrorKind::config, "{}: cluster '{}' has no 'cluster' mapping", file.string(), name);
  }

  auto server = text_field(body, "server", file);
  auto ca = pem_field(body, "certificate-authority", file, name);
  auto insecure = bool_field(body, "insecure-skip-tls-verify", file);
  auto server_name = text_field(body, "tls-server-name", file);
  auto proxy = text_field(body, "proxy-url", file);
  for (const auto* result : {&server, &server_name, &proxy}) {
    if (!*result) return std::unexpected(result->error());
  }
  if (!ca) return std::unexpected(ca.error());
  if (!insecure) return std::unexpected(insecure.error());

  if (server->empty()) {
    return fail(ErrorKind::config, "{}: cluster '{}' has no 'server'; set it to the API server's URL, such as "
                "https://10.0.0.1:6443", file.string(), name);
  }
  if (*insecure && !ca->empty()) {
    return fail(ErrorKind::config, "{}: cluster '{}' sets both a certificate authority and "
                "insecure-skip-tls-verify; remove one of them", file.string(), name);
  }

  while (server->ends_with('/')) server->pop_back();
  config.server = *server;
  config.tls.ca_pem = *ca;
  config.tls.insecure_skip_verify = *insecure;
  config.tls.server_name = *server_name;
  config.proxy_url = *proxy;
  return {};
}

Result<ExecPluginConfig> parse_exec(const YAML::Node& exec, const fs::path& file, std::string_view user) {
  ExecPluginConfig plugin;
  auto api_version = text_field(exec, "apiVersion", file);
  auto command = text_field(exec, "command", file);
  auto mode = text_field(exec, "interactiveMode", file);
  auto hint = text_field(exec, "installHint", file);
  auto cluster_info = bool_field(exec, "provideClusterInfo", file);
  for (const auto* result : {&api_version, &command, &mode, &hint}) {
    if (!*result) return std::unexpected(result->error());
  }
  if (!cluster_info) return std::unexpected(cluster_info.error());

  if (*api_version != "client.authentication.k8s.io/v1") {
    return fail(ErrorKind::config, "{}: user '{}' uses exec plugin apiVersion '{}'; mconv supports only "
                "client.authentication.k8s.io/v1", file.string(), user, *api_version);
  }
  if (command->empty()) return fail(ErrorKind::config, "{}: the exec plugin of user '{}' has no 'command'", file.string(), user);
  if (!mode->empty() && *mode != "Never" && *mode != "IfAvailable" && *mode != "Always") {
    return fail(ErrorKind::config, "{}: interactiveMode of user '{}' must be Never, IfAvailable or Always, not '{}'",
                file.string(), user, *mode);
  }

  plugin.api_version = *api_version;
  plugin.command = command->find('/') != std::string::npos ? resolve(file, *command).string() : *command;
  plugin.interactive_mode = mode->empty() ? "IfAvailable" : *mode;
  plugin.install_hint = *hint;
  plugin.provide_cluster_info = *cluster_info;
  try {
    for (const auto& arg : exec["args"]) plugin.args.push_back(arg.as<std::string>());
    for (const auto& variable : exec["env"]) {
      plugin.env.emplace_back(variable["name"].as<std::string>(""), variable["value"].as<std::string>(""));
    }
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::config, "{}:{}: the exec plugin of user '{}' needs 'args' as a list of strings and 'env' "
                "as a list of name and value pairs", file.string(), e.mark.line + 1, user);
  }
  return plugin;
}

Result<void> apply_user(const NamedEntry& user, std::string_view name, RestConfig& config) {
  const auto& body = user.body;
  const auto& file = user.file;
  if (!body || body.IsNull()) return {};
  if (!body.IsMap()) return fail(ErrorKind::config, "{}: user '{}' must be a mapping", file.string(), name);

  auto certificate = pem_field(body, "client-certificate", file, name);
  auto key = pem_field(body, "client-key", file, name);
  auto token = text_field(body, "token", file);
  auto token_file = text_field(body, "tokenFile", file);
  for (const auto* result : {&certificate, &key, &token, &token_file}) {
    if (!*result) return std::unexpected(result->error());
  }
  if (certificate->empty() != key->empty()) {
    return fail(ErrorKind::config, "{}: user '{}' needs both a client certificate and a client key", file.string(), name);
  }

  config.tls.client_certificate_pem = *certificate;
  config.tls.client_key_pem = *key;
  config.token = *token;
  if (!token_file->empty()) config.token_file = resolve(file, *token_file);

  if (YAML::Node exec = body["exec"]; exec && !exec.IsNull()) {
    auto plugin = parse_exec(exec, file, name);
    if (!plugin) return std::unexpected(plugin.error());
    config.exec = std::move(*plugin);
  }
  return {};
}

std::vector<std::string> names_of(const std::map<std::string, NamedEntry>& entries) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries) names.push_back(name);
  return names;
}

const NamedEntry* find_entry(const std::map<std::string, NamedEntry>& entries, const std::string& name) {
  auto found = entries.find(name);
  return found == entries.end() ? nullptr : &found->second;
}

Result<RestConfig> build_config(const MergedConfig& merged, const KubeconfigOptions& options) {
  std::string context_name = options.context.empty() ? merged.current_context : options.context;
  if (context_name.empty()) {
    return fail(ErrorKind::config, "kubeconfig '{}' sets no current-context; pass --context or run "
                "'kubectl config use-context NAME'", merged.source());
  }

  const NamedEntry* context = find_entry(merged.contexts, context_name);
  if (context == nullptr) {
    auto names = names_of(merged.contexts);
    return fail(ErrorKind::config, "context '{}' not found in kubeconfig '{}'{}", context_name, merged.source(),
                util::did_you_mean(context_name, names));
  }
  const auto& file = context->file;
  auto cluster_name = text_field(context->body, "cluster", file);
  auto user_name = text_field(context->body, "user", file);
  auto namespace_name = text_field(context->body, "namespace", file);
  for (const auto* result : {&cluster_name, &user_name, &namespace_name}) {
    if (!*result) return std::unexpected(result->error());
  }

  const NamedEntry* cluster = find_entry(merged.clusters, *cluster_name);
  if (cluster == nullptr) {
    return fail(ErrorKind::config, "context '{}' in '{}' names cluster '{}', which no kubeconfig file defines",
                context_name, file.string(), *cluster_name);
  }
  const NamedEntry* user = find_entry(merged.users, *user_name);
  if (user == nullptr && !user_name->empty()) {
    return fail(ErrorKind::config, "context '{}' in '{}' names user '{}', which no kubeconfig file defines",
                context_name, file.string(), *user_name);
  }

  RestConfig config;
  config.context_name = context_name;
  config.source = merged.source();
  config.namespace_name = namespace_name->empty() ? "default" : *namespace_name;
  if (!options.namespace_name.empty()) config.namespace_name = options.namespace_name;
  if (auto applied = apply_cluster(*cluster, *cluster_name, config); !applied) return std::unexpected(applied.error());
  if (user != nullptr) {
    if (auto applied = apply_user(*user, *user_name, config); !applied) return std::unexpected(applied.error());
  }
  return config;
}

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

KubeconfigOptions kubeconfig_options_from_environment() {
  KubeconfigOptions options;
  options.kubeconfig_env = environment("KUBECONFIG");
  if (auto home = environment("HOME")) options.home = *home;
  return options;
}

Result<RestConfig> load_kubeconfig(const KubeconfigOptions& options) {
  auto merged = merge_files(options);
  if (!merged) return std::unexpected(merged.error());
  if (!*merged) {
    return fail(ErrorKind::config, "no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create {}",
                (options.home / ".kube" / "config").string());
  }
  return build_config(**merged, options);
}

InClusterOptions in_cluster_options_from_environment() {
  InClusterOptions options;
  options.service_host = environment("KUBERNETES_SERVICE_HOST");
  options.service_port = environment("KUBERNETES_SERVICE_PORT");
  return options;
}

bool is_in_cluster(const InClusterOptions& options) {
  return options.service_host && !options.service_host->empty() && options.service_port &&
         !options.service_port->empty();
}

Result<RestConfig> load_in_cluster(const InClusterOptions& options) {
  if (!is_in_cluster(options)) {
    return fail(ErrorKind::config, "not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                "must both be set");
  }

  RestConfig config;
  std::string host = *options.service_host;
  if (host.find(':') != std::string::npos) host = fmt::format("[{}]", host);
  config.server = fmt::format("https://{}:{}", host, *options.service_port);
  config.context_name = "in-cluster";
  config.source = "in-cluster";

  auto ca = read_file(options.account_dir / "ca.crt", "the service account CA");
  if (!ca) return std::unexpected(ca.error());
  config.tls.ca_pem = *ca;

  config.token_file = options.account_dir / "token";
  if (auto token = read_file(config.token_file, "the service account token"); !token) {
    return std::unexpected(token.error());
  }

  std::error_code error;
  if (fs::exists(options.account_dir / "namespace", error)) {
    auto namespace_name = read_file(options.account_dir / "namespace", "the service account namespace");
    if (!namespace_name) return std::unexpected(namespace_name.error());
    std::string trimmed = *namespace_name;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
    if (!trimmed.empty()) config.namespace_name = trimmed;
  }
  return config;
}

Result<RestConfig> load_client_config(const KubeconfigOptions& kubeconfig, const InClusterOptions& in_cluster) {
  auto merged = merge_files(kubeconfig);
  if (!merged) return std::unexpected(merged.error());
  if (*merged) return build_config(**merged, kubeconfig);

  if (is_in_cluster(in_cluster)) {
    auto config = load_in_cluster(in_cluster);
    if (config && !kubeconfig.namespace_name.empty()) config->namespace_name = kubeconfig.namespace_name;
    return config;
  }
  return load_kubeconfig(kubeconfig);
}

}  // namespace mconv::kube
