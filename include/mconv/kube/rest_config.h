#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mconv::kube {

// A client-go credential plugin (client.authentication.k8s.io/v1) as a kubeconfig
// user's `exec` section declares it.
struct ExecPluginConfig {
  std::string api_version;
  // The program; a relative path with a '/' is already resolved against the
  // kubeconfig's folder, a bare name is looked up in PATH.
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  // "Never", "IfAvailable" or "Always": whether the plugin may read the terminal.
  std::string interactive_mode = "IfAvailable";
  std::string install_hint;
};

// TLS settings of the cluster and the client, with every certificate and key held as
// PEM text (read from files or decoded from *-data fields when the config was loaded).
struct TlsConfig {
  std::string ca_pem;
  bool insecure_skip_verify = false;
  std::string server_name;
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// Everything needed to reach and authenticate to one API server, whether it came from
// a kubeconfig or from a pod's service account.
struct RestConfig {
  // The API server's base URL, such as "https://10.0.0.1:6443", without a trailing '/'.
  std::string server;
  TlsConfig tls;
  // An explicit proxy from the kubeconfig; when empty, libcurl follows https_proxy,
  // HTTPS_PROXY and no_proxy from the environment.
  std::string proxy_url;

  // A static bearer token.
  std::string token;
  // A file holding the bearer token, read again as it rotates.
  std::filesystem::path token_file;
  std::optional<ExecPluginConfig> exec;

  // The namespace of the context, "default" when the context names none.
  std::string namespace_name = "default";
  // The context name, or "in-cluster".
  std::string context_name;
  // The origin of the config, for messages: the kubeconfig paths or "in-cluster".
  std::string source;
};

}  // namespace mconv::kube
