#pragma once

#include <memory>
#include <string>

#include "mconv/cli/command.h"
#include "mconv/core/catalog.h"
#include "mconv/error.h"
#include "mconv/kube/client.h"

namespace mconv::cli {

// A connection to the API server, and the namespace that commands work in.
struct ClusterAccess {
  std::unique_ptr<kube::Client> client;
  std::string namespace_name;
};

// Loads the kubeconfig (or the pod's service account) as kubectl does. A catalog entry
// may name the context and namespace of the clusters that hold its GPU; --context and
// -n override it.
Result<ClusterAccess> connect(const GlobalOptions& global, const core::GpuEntry* gpu = nullptr);

// Returns the caller's username as the API server authenticated it (SelfSubjectReview).
Result<std::string> current_user(kube::Client& client, kube::Cancellation cancel = {});

}  // namespace mconv::cli
