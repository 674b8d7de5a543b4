#pragma once

// Access to the local test cluster for the [cluster] tests. They run only when
// MCONV_TEST_KUBECONFIG names the admin kubeconfig that tests/cluster/localcluster.sh
// wrote. The kubeconfigs of alice and bob are read from the same folder. That folder
// is also the state folder that the fault hooks need.

#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <thread>
#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <fmt/format.h>

#include "mconv/kube/client.h"
#include "mconv/kube/kubeconfig.h"
#include "mconv/kube/url.h"

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

namespace mconv::kube::testing {

// A pod of the test image that runs `script` with sh and is deleted at the end of the
// test. The constructor waits until its container runs.
class TestPod {
 public:
  TestPod(Client& client, const std::string& prefix, const std::string& script) : client_(client) {
    name_ = unique_name(prefix);
    nlohmann::json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name_}}},
        {"spec",
         {{"restartPolicy", "Never"},
          {"terminationGracePeriodSeconds", 0},
          {"containers", {{{"name", "main"}, {"image", "mconv.test/shell:1"}, {"command", {"sh", "-c", script}}}}}}}};
    auto created = client_.post(resource_path("v1", "default", "pods"), pod);
    if (!created) FAIL(created.error().message);
  }

  ~TestPod() {
    static_cast<void>(client_.remove(resource_path("v1", "default", "pods", name_), {{"gracePeriodSeconds", 0}}));
  }

  TestPod(const TestPod&) = delete;
  TestPod& operator=(const TestPod&) = delete;

  const std::string& name() const { return name_; }

  // Waits until the pod's phase is one of `phases`; returns the phase reached.
  std::string wait_for_phase(std::initializer_list<std::string_view> phases, int seconds = 60) {
    for (int i = 0; i < seconds * 10; ++i) {
      auto pod = client_.get(resource_path("v1", "default", "pods", name_));
      if (pod) {
        std::string phase = (*pod)["status"].value("phase", "");
        for (auto wanted : phases) {
          if (phase == wanted) return phase;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("pod " << name_ << " did not reach the expected phase");
    return "";
  }

 private:
  Client& client_;
  std::string name_;
};

}  // namespace mconv::kube::testing

namespace mconv::kube::testing {

// Cancels a test's cluster call after a deadline, so that a hung server fails the test
// instead of hanging the run.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit](std::stop_token stop) {
          auto deadline = std::chrono::steady_clock::now() + limit;
          while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          if (!stop.stop_requested()) fired_ = true;
        }) {}

  Cancellation cancellation() const { return Cancellation(fired_); }
  bool fired() const { return fired_; }

 private:
  std::atomic<bool> fired_{false};
  std::jthread thread_;
};

}  // namespace mconv::kube::testing

// Requires a Result or ApiResult to hold a value, showing the error message if not.
#define REQUIRE_OK(result)                                            \
  do {                                                                \
    INFO(((result) ? std::string() : (result).error().message));     \
    REQUIRE((result).has_value());                                    \
  } while (false)
