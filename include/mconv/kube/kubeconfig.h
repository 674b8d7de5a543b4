#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "mconv/error.h"
#include "mconv/kube/rest_config.h"

namespace mconv::kube {

// The choices the command line passes on, plus the environment they would otherwise
// come from (injected so that tests need not change the process environment).
struct KubeconfigOptions {
  // --kubeconfig: exactly this file, no merging; empty when the flag was not given.
  std::filesystem::path explicit_path;
  // --context: overrides current-context.
  std::string context;
  // --namespace: overrides the context's namespace.
  std::string namespace_name;
  // The value of KUBECONFIG, a ':'-separated list of files.
  std::optional<std::string> kubeconfig_env;
  // The home folder whose .kube/config is the last resort.
  std::filesystem::path home;
};

// Fills the environment fields from KUBECONFIG and HOME.
KubeconfigOptions kubeconfig_options_from_environment();

// Loads the client configuration as kubectl does. It reads the --kubeconfig file, else
// the files listed in KUBECONFIG, else ~/.kube/config. KUBECONFIG's files are merged:
// missing files are skipped, and the first file to set a value or to define a named
// cluster, user or context wins.
// Relative paths resolve against the file that contains them. Errors are
// ErrorKind::config and name the file and what to fix.
Result<RestConfig> load_kubeconfig(const KubeconfigOptions& options);

// The service account location of a pod; a test points it at a temporary folder.
struct InClusterOptions {
  std::optional<std::string> service_host;  // KUBERNETES_SERVICE_HOST
  std::optional<std::string> service_port;  // KUBERNETES_SERVICE_PORT
  std::filesystem::path account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

InClusterOptions in_cluster_options_from_environment();

// True when the process runs in a pod: both service variables are set.
bool is_in_cluster(const InClusterOptions& options);

// Builds the configuration of a pod's service account: the API server from the
// service variables, ca.crt, the token file (re-read as it rotates) and the namespace.
Result<RestConfig> load_in_cluster(const InClusterOptions& options);

// Loads a kubeconfig when one is given or found, else the in-cluster configuration
// when the process runs in a pod, else fails saying how to provide a kubeconfig.
Result<RestConfig> load_client_config(const KubeconfigOptions& kubeconfig, const InClusterOptions& in_cluster);

}  // namespace mconv::kube
