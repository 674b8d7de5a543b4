#include "mconv/cli/cluster_access.h"

#include "mconv/kube/identity.h"
#include "mconv/kube/kubeconfig.h"

namespace mconv::cli {

Result<ClusterAccess> connect(const GlobalOptions& global, const core::GpuEntry* gpu) {
  auto kubeconfig = kube::kubeconfig_options_from_environment();
  kubeconfig.explicit_path = global.kubeconfig;
  kubeconfig.context = global.context;
  if (kubeconfig.context.empty() && gpu != nullptr && gpu->context) kubeconfig.context = *gpu->context;
  kubeconfig.namespace_name = global.namespace_name;

  auto config = kube::load_client_config(kubeconfig, kube::in_cluster_options_from_environment());
  if (!config) return std::unexpected(config.error());

  ClusterAccess access;
  access.namespace_name = config->namespace_name;
  if (global.namespace_name.empty() && gpu != nullptr && gpu->namespace_name) access.namespace_name = *gpu->namespace_name;
  access.client = std::make_unique<kube::Client>(std::move(*config));
  return access;
}

Result<std::string> current_user(kube::Client& client, kube::Cancellation cancel) {
  auto user = kube::review_self(client, cancel);
  if (!user) return std::unexpected(with_context(static_cast<Error>(user.error()), "asking the API server who you are"));
  if (user->username.empty()) {
    return fail(ErrorKind::unauthorized, "the API server reports no username for your credentials; log in with a personal or service account identity");
  }
  return user->username;
}

}  // namespace mconv::cli
