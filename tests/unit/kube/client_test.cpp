#include "mconv/kube/client.h"

#include <catch2/catch_test_macros.hpp>

#include "test_cluster.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::kube::testing::cluster_client;
using mconv::kube::testing::cluster_config;
using mconv::kube::testing::unique_name;

namespace {

nlohmann::json config_map(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}}},
          {"data", {{"key", value}}}};
}

}  // namespace

TEST_CASE("client creates, reads, patches and deletes a config map", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  std::string name = unique_name("crud");
  std::string collection = resource_path("v1", "default", "configmaps");
  std::string path = resource_path("v1", "default", "configmaps", name);

  auto created = client->post(collection, config_map(name, "one"));
  REQUIRE(created);
  CHECK((*created)["metadata"]["name"] == name);

  auto read = client->get(path);
  REQUIRE(read);
  CHECK((*read)["data"]["key"] == "one");

  auto merged = client->patch(path, {{"data", {{"key", "two"}}}}, PatchType::merge);
  REQUIRE(merged);
  CHECK((*merged)["data"]["key"] == "two");

  auto strategic = client->patch(path, {{"metadata", {{"labels", {{"step", "three"}}}}}}, PatchType::strategic);
  REQUIRE(strategic);
  CHECK((*strategic)["metadata"]["labels"]["step"] == "three");

  auto replaced_object = *strategic;
  replaced_object["data"]["key"] = "four";
  auto replaced = client->put(path, replaced_object);
  REQUIRE(replaced);
  CHECK((*replaced)["data"]["key"] == "four");

  auto deleted = client->remove(path, {{"propagationPolicy", "Background"}});
  REQUIRE(deleted);
  auto gone = client->get(path);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().is_not_found());
}

TEST_CASE("client maps not found", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();

  auto missing = client->get(resource_path("v1", "default", "configmaps", "no-such-map"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().http_code == 404);
  CHECK(missing.error().reason == "NotFound");
  CHECK(missing.error().kind == ErrorKind::cluster);
  CHECK(missing.error().message == "Error from server (NotFound): configmaps \"no-such-map\" not found");
}

TEST_CASE("client maps already exists", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  std::string name = unique_name("clash");
  std::string collection = resource_path("v1", "default", "configmaps");

  REQUIRE(client->post(collection, config_map(name, "first")));
  auto second = client->post(collection, config_map(name, "second"));
  REQUIRE_FALSE(second);
  CHECK(second.error().http_code == 409);
  CHECK(second.error().is_already_exists());
  CHECK_FALSE(second.error().is_conflict());
  CHECK(second.error().message.find("already exists") != std::string::npos);

  CHECK(client->remove(resource_path("v1", "default", "configmaps", name)));
}

TEST_CASE("client maps invalid objects", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();

  auto invalid = client->post(resource_path("v1", "default", "configmaps"), config_map("Not_A_Valid_Name", "x"));
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().http_code == 422);
  CHECK(invalid.error().reason == "Invalid");
  CHECK(invalid.error().status["details"]["causes"].is_array());
}

TEST_CASE("client maps forbidden with the server's reason", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto alice = cluster_client("alice");

  auto secrets = alice->get(resource_path("v1", "default", "secrets"));
  REQUIRE_FALSE(secrets);
  CHECK(secrets.error().http_code == 403);
  CHECK(secrets.error().kind == ErrorKind::forbidden);
  CHECK(secrets.error().reason == "Forbidden");
  CHECK(secrets.error().message.find("User \"alice\" cannot list resource \"secrets\"") != std::string::npos);
  CHECK(secrets.error().message.starts_with("Error from server (Forbidden): "));
}

TEST_CASE("client reports a wrong CA as a TLS failure", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto config = cluster_config();
  config.tls.ca_pem = cluster_config().tls.client_certificate_pem;  // a certificate, but not the CA
  Client client(config);

  auto result = client.get("/version");
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::cluster);
  CHECK(result.error().http_code == 0);
  CHECK(result.error().message.find("TLS verification of the server") != std::string::npos);
}

TEST_CASE("client reports connection refused like kubectl", "[kube][client]") {
  RestConfig config;
  config.server = "https://127.0.0.1:1";
  config.source = "test";
  Client client(config);

  auto result = client.get("/version");
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::cluster);
  CHECK(result.error().is_retryable());
  CHECK(result.error().message.find("The connection to the server 127.0.0.1:1 was refused - did you specify the "
                                    "right host or port?") != std::string::npos);
}

TEST_CASE("client stops when cancelled", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  std::atomic<bool> cancelled{false};

  std::size_t chunks = 0;
  auto watch = client->stream(resource_path("v1", "default", "configmaps"), {{"watch", "1"}},
                              [&](std::string_view) {
                                ++chunks;
                                cancelled = true;
                                return true;
                              },
                              Cancellation(cancelled));
  REQUIRE_FALSE(watch);
  CHECK(watch.error().kind == ErrorKind::interrupted);
  CHECK(chunks >= 1);
}

TEST_CASE("client maps a rejected token to unauthorized", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto config = cluster_config();
  config.tls.client_certificate_pem.clear();
  config.tls.client_key_pem.clear();
  config.token = "not-a-valid-token";
  Client client(config);

  auto result = client.get(resource_path("v1", "default", "configmaps"));
  REQUIRE_FALSE(result);
  CHECK(result.error().http_code == 401);
  CHECK(result.error().kind == ErrorKind::unauthorized);
  CHECK(result.error().message.starts_with("You must be logged in to the server (Unauthorized)"));
}

TEST_CASE("client verifies the tls-server-name", "[kube][client][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto config = cluster_config();

  config.tls.server_name = "kubernetes.default.svc";
  auto matching = Client(config).get("/version");
  REQUIRE_OK(matching);
  CHECK(matching->contains("gitVersion"));

  config.tls.server_name = "not-in-the-certificate.example";
  auto mismatched = Client(config).get("/version");
  REQUIRE_FALSE(mismatched);
  CHECK(mismatched.error().message.find("TLS verification of the server") != std::string::npos);
}
