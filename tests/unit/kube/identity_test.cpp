#include "mconv/kube/identity.h"

#include <algorithm>

#include <catch2/catch_test_macros.hpp>

#include "test_cluster.h"

using namespace mconv::kube;
using mconv::kube::testing::cluster_client;

namespace {

AccessCheck in_default(std::string verb, std::string group, std::string resource, std::string subresource = "") {
  AccessCheck check;
  check.verb = std::move(verb);
  check.group = std::move(group);
  check.resource = std::move(resource);
  check.subresource = std::move(subresource);
  check.namespace_name = "default";
  return check;
}

}  // namespace

TEST_CASE("self review names alice and her groups", "[kube][identity][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto alice = cluster_client("alice");

  auto user = review_self(*alice);
  REQUIRE(user);
  CHECK(user->username == "alice");
  CHECK(std::ranges::find(user->groups, "mconv-users") != user->groups.end());
  CHECK(std::ranges::find(user->groups, "system:authenticated") != user->groups.end());
}

TEST_CASE("access check allows and refuses", "[kube][identity][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto alice = cluster_client("alice");

  auto jobs = check_access(*alice, in_default("create", "batch", "jobs"));
  REQUIRE(jobs);
  CHECK(jobs->allowed);

  auto exec = check_access(*alice, in_default("create", "", "pods", "exec"));
  REQUIRE(exec);
  CHECK(exec->allowed);

  auto secrets = check_access(*alice, in_default("get", "", "secrets"));
  REQUIRE(secrets);
  CHECK_FALSE(secrets->allowed);
}
