#include "mconv/kube/kubeconfig.h"

#include <catch2/catch_test_macros.hpp>

#include "mconv/kube/base64.h"
#include "support/temp_dir.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::test::TempDir;

namespace {

const char* const first_file = R"(apiVersion: v1
kind: Config
current-context: first
clusters:
- name: shared
  cluster:
    server: https://first.example:6443/
    certificate-authority: certs/ca.pem
- name: only-first
  cluster:
    server: https://only-first.example
contexts:
- name: first
  context: {cluster: shared, user: first-user, namespace: team-a}
- name: no-namespace
  context: {cluster: only-first, user: first-user}
users:
- name: first-user
  user:
    tokenFile: token
)";

const char* const second_file = R"(apiVersion: v1
kind: Config
current-context: second
clusters:
- name: shared
  cluster:
    server: https://second.example
    insecure-skip-tls-verify: true
- name: only-second
  cluster:
    server: https://only-second.example
    tls-server-name: api.internal
    proxy-url: http://proxy.example:3128
contexts:
- name: second
  context: {cluster: only-second, user: second-user}
users:
- name: second-user
  user:
    token: static-token
)";

KubeconfigOptions env_options(const std::string& kubeconfig_env) {
  KubeconfigOptions options;
  options.kubeconfig_env = kubeconfig_env;
  return options;
}

// Two files in separate folders, as KUBECONFIG=first:second.
struct MergedFiles {
  TempDir dir;
  std::filesystem::path first;
  std::filesystem::path second;

  MergedFiles() {
    std::filesystem::create_directories(dir.path() / "a" / "certs");
    std::filesystem::create_directories(dir.path() / "b");
    dir.write("a/certs/ca.pem", "CA PEM");
    dir.write("a/token", "file-token\n");
    first = dir.write("a/config", first_file);
    second = dir.write("b/config", second_file);
  }

  std::string list() const { return first.string() + ":" + second.string(); }
};

}  // namespace

TEST_CASE("kubeconfig first file wins current context", "[kube][kubeconfig]") {
  MergedFiles files;
  auto config = load_kubeconfig(env_options(files.list()));
  REQUIRE(config);
  CHECK(config->context_name == "first");
  CHECK(config->namespace_name == "team-a");
  CHECK(config->source == files.list());
}

TEST_CASE("kubeconfig takes a named cluster whole from the first file", "[kube][kubeconfig]") {
  MergedFiles files;
  auto config = load_kubeconfig(env_options(files.list()));
  REQUIRE(config);
  CHECK(config->server == "https://first.example:6443");
  CHECK(config->tls.ca_pem == "CA PEM");
  CHECK_FALSE(config->tls.insecure_skip_verify);
}

TEST_CASE("kubeconfig resolves relative paths against their file", "[kube][kubeconfig]") {
  MergedFiles files;
  auto config = load_kubeconfig(env_options(files.list()));
  REQUIRE(config);
  CHECK(config->token_file == files.dir.path() / "a" / "token");
}

TEST_CASE("kubeconfig finds entries of later files", "[kube][kubeconfig]") {
  MergedFiles files;
  auto options = env_options(files.list());
  options.context = "second";
  auto config = load_kubeconfig(options);
  REQUIRE(config);
  CHECK(config->server == "https://only-second.example");
  CHECK(config->tls.server_name == "api.internal");
  CHECK(config->proxy_url == "http://proxy.example:3128");
  CHECK(config->token == "static-token");
  CHECK(config->namespace_name == "default");
}

TEST_CASE("kubeconfig namespace flag overrides the context", "[kube][kubeconfig]") {
  MergedFiles files;
  auto options = env_options(files.list());
  options.namespace_name = "override";
  auto config = load_kubeconfig(options);
  REQUIRE(config);
  CHECK(config->namespace_name == "override");
}

TEST_CASE("kubeconfig skips missing files in the list", "[kube][kubeconfig]") {
  MergedFiles files;
  auto list = (files.dir.path() / "missing").string() + ":" + files.second.string();
  auto config = load_kubeconfig(env_options(list));
  REQUIRE(config);
  CHECK(config->context_name == "second");
}

TEST_CASE("kubeconfig flag reads one file only", "[kube][kubeconfig]") {
  MergedFiles files;
  KubeconfigOptions options = env_options(files.list());
  options.explicit_path = files.second;
  options.context = "first";
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config);
  CHECK(config.error().kind == ErrorKind::config);
  CHECK(config.error().message.find("context 'first' not found in kubeconfig '" + files.second.string() + "'") !=
        std::string::npos);
}

TEST_CASE("kubeconfig flag fails on a missing file", "[kube][kubeconfig]") {
  TempDir dir;
  KubeconfigOptions options;
  options.explicit_path = dir.path() / "nope";
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config);
  CHECK(config.error().kind == ErrorKind::config);
  CHECK(config.error().message.find((dir.path() / "nope").string()) != std::string::npos);
}

TEST_CASE("kubeconfig rejects an unparsable file", "[kube][kubeconfig]") {
  MergedFiles files;
  auto broken = files.dir.write("broken", "clusters: [\n  - name: x\n  bad");
  auto config = load_kubeconfig(env_options(broken.string() + ":" + files.first.string()));
  REQUIRE_FALSE(config);
  CHECK(config.error().kind == ErrorKind::config);
  CHECK(config.error().message.starts_with(broken.string() + ":"));
}

TEST_CASE("kubeconfig suggests a near context name", "[kube][kubeconfig]") {
  MergedFiles files;
  auto options = env_options(files.list());
  options.context = "frist";
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config);
  CHECK(config.error().message.find("did you mean 'first'") != std::string::npos);
}

TEST_CASE("kubeconfig falls back to the home folder", "[kube][kubeconfig]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / ".kube");
  dir.write(".kube/config", second_file);
  KubeconfigOptions options;
  options.home = dir.path();
  auto config = load_kubeconfig(options);
  REQUIRE(config);
  CHECK(config->context_name == "second");
}

TEST_CASE("kubeconfig reports no file found", "[kube][kubeconfig]") {
  TempDir dir;
  KubeconfigOptions options;
  options.home = dir.path();
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config);
  CHECK(config.error().kind == ErrorKind::config);
  CHECK(config.error().message.find("no kubeconfig found") != std::string::npos);
}

TEST_CASE("kubeconfig decodes embedded certificates", "[kube][kubeconfig]") {
  TempDir dir;
  auto file = dir.write("config", "current-context: c\n"
                                  "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority-data: " +
                                      base64_encode("CA") + "}}]\n"
                                  "users: [{name: u, user: {client-certificate-data: " + base64_encode("CERT") +
                                      ", client-key-data: " + base64_encode("KEY") + "}}]\n"
                                  "contexts: [{name: c, context: {cluster: k, user: u}}]\n");
  KubeconfigOptions options;
  options.explicit_path = file;
  auto config = load_kubeconfig(options);
  REQUIRE(config);
  CHECK(config->tls.ca_pem == "CA");
  CHECK(config->tls.client_certificate_pem == "CERT");
  CHECK(config->tls.client_key_pem == "KEY");
}

TEST_CASE("kubeconfig rejects a CA with insecure", "[kube][kubeconfig]") {
  TempDir dir;
  auto file = dir.write("config", "current-context: c\n"
                                  "clusters: [{name: k, cluster: {server: 'https://k', insecure-skip-tls-verify: true, "
                                  "certificate-authority-data: " + base64_encode("CA") + "}}]\n"
                                  "contexts: [{name: c, context: {cluster: k}}]\n");
  KubeconfigOptions options;
  options.explicit_path = file;
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config);
  CHECK(config.error().message.find("insecure-skip-tls-verify") != std::string::npos);
}

TEST_CASE("kubeconfig reads an exec plugin", "[kube][kubeconfig]") {
  TempDir dir;
  auto file = dir.write("config", R"(current-context: c
clusters: [{name: k, cluster: {server: 'https://k'}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/login
      args: [--audience, k8s]
      env: [{name: MODE, value: test}]
      provideClusterInfo: true
      interactiveMode: Never
      installHint: install login
)");
  KubeconfigOptions options;
  options.explicit_path = file;
  auto config = load_kubeconfig(options);
  REQUIRE(config);
  REQUIRE(config->exec);
  CHECK(config->exec->command == (dir.path() / "./bin/login").string());
  CHECK(config->exec->args == std::vector<std::string>{"--audience", "k8s"});
  CHECK(config->exec->env == std::vector<std::pair<std::string, std::string>>{{"MODE", "test"}});
  CHECK(config->exec->provide_cluster_info);
  CHECK(config->exec->interactive_mode == "Never");
  CHECK(config->exec->install_hint == "install login");
}

TEST_CASE("in-cluster config reads the service account", "[kube][kubeconfig]") {
  TempDir dir;
  dir.write("ca.crt", "CLUSTER CA");
  dir.write("token", "sa-token\n");
  dir.write("namespace", "jobs\n");
  InClusterOptions options;
  options.service_host = "10.0.0.1";
  options.service_port = "443";
  options.account_dir = dir.path();

  auto config = load_in_cluster(options);
  REQUIRE(config);
  CHECK(config->server == "https://10.0.0.1:443");
  CHECK(config->tls.ca_pem == "CLUSTER CA");
  CHECK(config->token_file == dir.path() / "token");
  CHECK(config->namespace_name == "jobs");
  CHECK(config->source == "in-cluster");
}

TEST_CASE("in-cluster config brackets IPv6 hosts", "[kube][kubeconfig]") {
  TempDir dir;
  dir.write("ca.crt", "CA");
  dir.write("token", "t");
  InClusterOptions options;
  options.service_host = "fd00::1";
  options.service_port = "443";
  options.account_dir = dir.path();

  auto config = load_in_cluster(options);
  REQUIRE(config);
  CHECK(config->server == "https://[fd00::1]:443");
  CHECK(config->namespace_name == "default");
}

TEST_CASE("client config falls back to in-cluster", "[kube][kubeconfig]") {
  TempDir dir;
  dir.write("ca.crt", "CA");
  dir.write("token", "t");
  KubeconfigOptions kubeconfig;
  kubeconfig.home = dir.path();
  InClusterOptions in_cluster;
  in_cluster.service_host = "10.0.0.1";
  in_cluster.service_port = "6443";
  in_cluster.account_dir = dir.path();

  auto config = load_client_config(kubeconfig, in_cluster);
  REQUIRE(config);
  CHECK(config->context_name == "in-cluster");

  in_cluster.service_host.reset();
  auto outside = load_client_config(kubeconfig, in_cluster);
  REQUIRE_FALSE(outside);
  CHECK(outside.error().message.find("no kubeconfig found") != std::string::npos);
}
