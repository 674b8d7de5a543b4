#pragma once

// Access to the local test cluster for the [cluster] tests. They run only when
// MCONV_TEST_KUBECONFIG names the admin kubeconfig that tests/cluster/localcluster.sh
// wrote; alice's and bob's kubeconfigs are read from the same folder, which is also the
// state folder that the fault hooks need.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <fmt/format.h>

#include "mconv/kube/client.h"
#include "mconv/kube/kubeconfig.h"

namespace mconv::kube::testing {

inline std::filesystem::path cluster_state_dir() {
  const char* admin = std::getenv("MCONV_TEST_KUBECONFIG");
  if (admin == nullptr || *admin == '\0') return {};
  return std::filesystem::path(admin).parent_path();
}

// Loads the kubeconfig of `user` ("admin", "alice" or "bob").
inline RestConfig cluster_config(const std::string& user = "admin") {
  KubeconfigOptions options;
  options.explicit_path = cluster_state_dir() / (user + ".kubeconfig");
  auto config = load_kubeconfig(options);
  if (!config) FAIL(config.error().message);
  return *config;
}

inline std::unique_ptr<Client> cluster_client(const std::string& user = "admin") {
  return std::make_unique<Client>(cluster_config(user));
}

// Runs `localcluster.sh fault NAME` on the test cluster.
inline void inject_fault(const std::string& fault) {
  std::string command = fmt::format("{}/tests/cluster/localcluster.sh fault {} --state {}", MCONV_SOURCE_DIR, fault,
                                    cluster_state_dir().string());
  REQUIRE(std::system(command.c_str()) == 0);
}

// A name unique to this test run, so reruns against the same cluster do not collide.
inline std::string unique_name(const std::string& prefix) {
  static const auto run = std::chrono::system_clock::now().time_since_epoch().count() % 1000000;
  static int counter = 0;
  return fmt::format("{}-{}-{}", prefix, run, ++counter);
}

}  // namespace mconv::kube::testing

// Skips a [cluster] test, visibly, when no test cluster is configured.
#define REQUIRE_TEST_CLUSTER()                                                                            \
  do {                                                                                                    \
    if (mconv::kube::testing::cluster_state_dir().empty()) {                                              \
      SKIP("MCONV_TEST_KUBECONFIG is not set; start tests/cluster/localcluster.sh and point it at "       \
           "the admin.kubeconfig");                                                                       \
    }                                                                                                     \
  } while (false)
