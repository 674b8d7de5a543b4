#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mconv/error.h"
#include "mconv/kube/rest_config.h"
#include "mconv/kube/rfc3339.h"

namespace mconv::kube {

// The status of an ExecCredential that a credential plugin printed: a bearer token,
// or a client certificate and key, valid until the expiration if one is given.
struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<Timestamp> expiration;
};

// Builds the ExecCredential input that the plugin reads from KUBERNETES_EXEC_INFO;
// spec.cluster is filled only when the kubeconfig sets provideClusterInfo.
std::string exec_credential_input(const ExecPluginConfig& plugin, const RestConfig& config, bool interactive);

// Parses the plugin's output; `command` names the plugin in messages.
Result<ExecCredential> parse_exec_credential(std::string_view output, std::string_view command);

// Runs the plugin with its args and env, stdin passed through only when its
// interactiveMode allows and stdin is a terminal, and stderr passed through. Failures
// are ErrorKind::unauthorized with the plugin's name and its install hint.
Result<ExecCredential> run_exec_plugin(const ExecPluginConfig& plugin, const RestConfig& config);

}  // namespace mconv::kube
