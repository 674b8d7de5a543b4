#include "mconv/kube/exec_credential.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "mconv/kube/base64.h"

extern char** environ;

namespace mconv::kube {

namespace {

constexpr std::string_view exec_api_version = "client.authentication.k8s.io/v1";
// A credential is a few KiB; a plugin that prints more is broken.
constexpr std::size_t max_output_size = 1 << 20;

nlohmann::json cluster_info(const RestConfig& config) {
  nlohmann::json cluster = {{"server", config.server}};
  if (!config.tls.server_name.empty()) cluster["tls-server-name"] = config.tls.server_name;
  if (config.tls.insecure_skip_verify) cluster["insecure-skip-tls-verify"] = true;
  if (!config.tls.ca_pem.empty()) cluster["certificate-authority-data"] = base64_encode(config.tls.ca_pem);
  if (!config.proxy_url.empty()) cluster["proxy-url"] = config.proxy_url;
  return cluster;
}

std::string hint_of(const ExecPluginConfig& plugin) {
  return plugin.install_hint.empty() ? "" : fmt::format("; {}", plugin.install_hint);
}

// Decides whether the plugin gets the terminal as stdin.
Result<bool> interactive_for(const ExecPluginConfig& plugin) {
  bool terminal = ::isatty(STDIN_FILENO) == 1;
  if (plugin.interactive_mode == "Never") return false;
  if (plugin.interactive_mode == "Always" && !terminal) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' needs a terminal (interactiveMode: Always), but stdin "
                "is not one; run mconv from a terminal or log in first", plugin.command);
  }
  return terminal;
}

std::vector<std::string> plugin_environment(const ExecPluginConfig& plugin, const std::string& exec_info) {
  std::vector<std::string> variables;
  auto overridden = [&](std::string_view entry) {
    auto name = entry.substr(0, entry.find('='));
    if (name == "KUBERNETES_EXEC_INFO") return true;
    for (const auto& [plugin_name, value] : plugin.env) {
      if (plugin_name == name) return true;
    }
    return false;
  };

  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!overridden(*entry)) variables.emplace_back(*entry);
  }
  for (const auto& [name, value] : plugin.env) variables.push_back(fmt::format("{}={}", name, value));
  variables.push_back("KUBERNETES_EXEC_INFO=" + exec_info);
  return variables;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Owns a file descriptor.
class Descriptor {
 public:
  explicit Descriptor(int fd = -1) : fd_(fd) {}
  ~Descriptor() { reset(); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;

  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct SpawnResult {
  std::string output;
  int wait_status = 0;
};

Result<SpawnResult> spawn_and_read(const ExecPluginConfig& plugin, std::vector<std::string> environment,
                                   bool interactive) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return fail(ErrorKind::internal, "cannot create a pipe for credential plugin '{}': {}", plugin.command,
                std::strerror(errno));
  }
  Descriptor read_end(pipe_fds[0]);
  Descriptor write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  if (!interactive) posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_strings{plugin.command};
  argv_strings.insert(argv_strings.end(), plugin.args.begin(), plugin.args.end());
  auto argv = pointers_to(argv_strings);
  auto envp = pointers_to(environment);

  pid_t pid = 0;
  int spawn_error = ::posix_spawnp(&pid, plugin.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (spawn_error != 0) {
    return fail(ErrorKind::unauthorized, "cannot run credential plugin '{}': {}{}", plugin.command,
                std::strerror(spawn_error), hint_of(plugin));
  }

  SpawnResult result;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.output.size() < max_output_size) result.output.append(buffer, static_cast<std::size_t>(n));
  }
  while (::waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace

std::string exec_credential_input(const ExecPluginConfig& plugin, const RestConfig& config, bool interactive) {
  nlohmann::json spec = {{"interactive", interactive}};
  if (plugin.provide_cluster_info) spec["cluster"] = cluster_info(config);
  nlohmann::json input = {{"apiVersion", exec_api_version}, {"kind", "ExecCredential"}, {"spec", spec}};
  return input.dump();
}

Result<ExecCredential> parse_exec_credential(std::string_view output, std::string_view command) {
  auto json = nlohmann::json::parse(output, nullptr, false);
  if (!json.is_object()) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' printed no ExecCredential JSON", command);
  }
  if (json.value("kind", "") != "ExecCredential" || json.value("apiVersion", "") != exec_api_version) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' printed kind '{}' of apiVersion '{}'; expected an "
                "ExecCredential of {}", command, json.value("kind", ""), json.value("apiVersion", ""), exec_api_version);
  }

  const auto status = json.value("status", nlohmann::json::object());
  ExecCredential credential;
  credential.token = status.value("token", "");
  credential.client_certificate_pem = status.value("clientCertificateData", "");
  credential.client_key_pem = status.value("clientKeyData", "");

  bool has_certificate = !credential.client_certificate_pem.empty() && !credential.client_key_pem.empty();
  if (credential.token.empty() && !has_certificate) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' printed neither status.token nor both "
                "status.clientCertificateData and status.clientKeyData", command);
  }

  if (auto expiration = status.value("expirationTimestamp", ""); !expiration.empty()) {
    credential.expiration = parse_rfc3339(expiration);
    if (!credential.expiration) {
      return fail(ErrorKind::unauthorized, "credential plugin '{}' printed an invalid expirationTimestamp '{}'",
                  command, expiration);
    }
  }
  return credential;
}

Result<ExecCredential> run_exec_plugin(const ExecPluginConfig& plugin, const RestConfig& config) {
  auto interactive = interactive_for(plugin);
  if (!interactive) return std::unexpected(interactive.error());

  auto input = exec_credential_input(plugin, config, *interactive);
  auto spawned = spawn_and_read(plugin, plugin_environment(plugin, input), *interactive);
  if (!spawned) return std::unexpected(spawned.error());

  int status = spawned->wait_status;
  if (WIFSIGNALED(status)) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' was killed by signal {}", plugin.command,
                WTERMSIG(status));
  }
  if (WEXITSTATUS(status) == 127) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' not found{}", plugin.command, hint_of(plugin));
  }
  if (WEXITSTATUS(status) != 0) {
    return fail(ErrorKind::unauthorized, "credential plugin '{}' failed with exit code {}; see its messages above",
                plugin.command, WEXITSTATUS(status));
  }
  return parse_exec_credential(spawned->output, plugin.command);
}

}  // namespace mconv::kube
