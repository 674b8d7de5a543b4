#include "mconv/kube/exec_credential.h"

#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "mconv/kube/credentials.h"
#include "support/temp_dir.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::test::TempDir;

namespace {

// Writes an executable shell script and returns a plugin config that runs it.
ExecPluginConfig script_plugin(const TempDir& dir, const std::string& body) {
  auto path = dir.write("plugin.sh", "#!/bin/sh\n" + body);
  ::chmod(path.c_str(), 0755);
  ExecPluginConfig plugin;
  plugin.api_version = "client.authentication.k8s.io/v1";
  plugin.command = path.string();
  plugin.interactive_mode = "Never";
  return plugin;
}

RestConfig cluster() {
  RestConfig config;
  config.server = "https://k.example:6443";
  config.tls.ca_pem = "CA";
  return config;
}

}  // namespace

TEST_CASE("exec plugin returns a token", "[kube][exec-credential]") {
  TempDir dir;
  auto plugin = script_plugin(dir, R"(echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                                   R"("status":{"token":"abc","expirationTimestamp":"2030-01-01T00:00:00Z"}}')");
  auto credential = run_exec_plugin(plugin, cluster());
  REQUIRE(credential);
  CHECK(credential->token == "abc");
  REQUIRE(credential->expiration);
  CHECK(format_rfc3339_seconds(*credential->expiration) == "2030-01-01T00:00:00Z");
}

TEST_CASE("exec plugin gets args, env and cluster info", "[kube][exec-credential]") {
  TempDir dir;
  auto out = dir.path() / "seen";
  auto plugin = script_plugin(dir, "echo \"$1 $MODE\" > " + out.string() + "\n"
                                   "echo \"$KUBERNETES_EXEC_INFO\" >> " + out.string() + "\n"
                                   R"(echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                                   R"("status":{"token":"t"}}')");
  plugin.args = {"--flag"};
  plugin.env = {{"MODE", "testing"}};
  plugin.provide_cluster_info = true;

  REQUIRE(run_exec_plugin(plugin, cluster()));
  auto seen = test::read_file(out);
  auto first_line = seen.substr(0, seen.find('\n'));
  CHECK(first_line == "--flag testing");
  auto input = nlohmann::json::parse(seen.substr(seen.find('\n') + 1));
  CHECK(input["kind"] == "ExecCredential");
  CHECK(input["spec"]["interactive"] == false);
  CHECK(input["spec"]["cluster"]["server"] == "https://k.example:6443");
  CHECK(input["spec"]["cluster"]["certificate-authority-data"] == "Q0E=");
}

TEST_CASE("exec plugin failure names the plugin", "[kube][exec-credential]") {
  TempDir dir;
  auto plugin = script_plugin(dir, "exit 3\n");
  auto credential = run_exec_plugin(plugin, cluster());
  REQUIRE_FALSE(credential);
  CHECK(credential.error().kind == ErrorKind::unauthorized);
  CHECK(credential.error().message.find("failed with exit code 3") != std::string::npos);
  CHECK(credential.error().message.find(plugin.command) != std::string::npos);
}

TEST_CASE("exec plugin missing gives the install hint", "[kube][exec-credential]") {
  ExecPluginConfig plugin;
  plugin.command = "mconv-no-such-plugin";
  plugin.interactive_mode = "Never";
  plugin.install_hint = "install it from example.com";
  auto credential = run_exec_plugin(plugin, cluster());
  REQUIRE_FALSE(credential);
  CHECK(credential.error().message.find("install it from example.com") != std::string::npos);
}

TEST_CASE("exec credential output is checked", "[kube][exec-credential]") {
  CHECK_FALSE(parse_exec_credential("not json", "p"));
  CHECK_FALSE(parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",)"
                                    R"("status":{"token":"t"}})", "p"));
  CHECK_FALSE(parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                                    R"("status":{}})", "p"));

  auto certificate = parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1",)"
                                           R"("kind":"ExecCredential","status":{"clientCertificateData":"C",)"
                                           R"("clientKeyData":"K"}})", "p");
  REQUIRE(certificate);
  CHECK(certificate->client_certificate_pem == "C");
  CHECK(certificate->client_key_pem == "K");
  CHECK_FALSE(certificate->expiration);
}

TEST_CASE("credentials cache plugin output until expiry", "[kube][credentials]") {
  int runs = 0;
  auto expiration = std::chrono::system_clock::now();
  auto runner = [&](const ExecPluginConfig&, const RestConfig&) -> Result<ExecCredential> {
    ++runs;
    return ExecCredential{fmt::format("token-{}", runs), "", "", Timestamp(expiration)};
  };
  RestConfig config = cluster();
  config.exec = ExecPluginConfig{};

  SECTION("a valid credential is reused") {
    expiration += std::chrono::hours(1);
    Credentials credentials(config, runner);
    CHECK(credentials.current()->bearer_token == "token-1");
    CHECK(credentials.current()->bearer_token == "token-1");
    CHECK(runs == 1);
  }
  SECTION("an expired credential is renewed") {
    Credentials credentials(config, runner);
    CHECK(credentials.current()->bearer_token == "token-1");
    CHECK(credentials.current()->bearer_token == "token-2");
  }
  SECTION("a 401 renews it") {
    expiration += std::chrono::hours(1);
    Credentials credentials(config, runner);
    CHECK(credentials.current()->bearer_token == "token-1");
    CHECK(credentials.refresh_after_unauthorized());
    CHECK(credentials.current()->bearer_token == "token-2");
  }
}

TEST_CASE("credentials read a rotated token file after a 401", "[kube][credentials]") {
  TempDir dir;
  RestConfig config = cluster();
  config.token_file = dir.write("token", "first\n");
  Credentials credentials(config);

  CHECK(credentials.current()->bearer_token == "first");
  dir.write("token", "second\n");
  CHECK(credentials.current()->bearer_token == "first");
  CHECK(credentials.refresh_after_unauthorized());
  CHECK(credentials.current()->bearer_token == "second");
}

TEST_CASE("credentials keep static tokens", "[kube][credentials]") {
  RestConfig config = cluster();
  config.token = "static";
  config.tls.client_certificate_pem = "CERT";
  config.tls.client_key_pem = "KEY";
  Credentials credentials(config);

  auto material = credentials.current();
  REQUIRE(material);
  CHECK(material->bearer_token == "static");
  CHECK(material->client_certificate_pem == "CERT");
  CHECK_FALSE(credentials.refresh_after_unauthorized());
}
