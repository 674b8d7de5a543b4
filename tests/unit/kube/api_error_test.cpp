#include "mconv/kube/api_error.h"

#include <catch2/catch_test_macros.hpp>

using namespace mconv;
using namespace mconv::kube;

namespace {

// Bodies recorded from the local cluster's API server.
const char* const not_found = R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
  "message":"configmaps \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404})json";
const char* const forbidden = R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
  "message":"configmaps is forbidden: User \"system:anonymous\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"",
  "reason":"Forbidden","details":{"kind":"configmaps"},"code":403})json";
const char* const unauthorized = R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
  "message":"Unauthorized","reason":"Unauthorized","code":401})json";
const char* const expired = R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
  "message":"too old resource version: 1 (3424)","reason":"Expired","code":410})json";

const RequestLine get_map{"GET", "/api/v1/namespaces/default/configmaps/nope"};

}  // namespace

TEST_CASE("api error keeps the server's not found", "[kube][api-error]") {
  auto error = error_from_response(404, not_found, get_map);
  CHECK(error.kind == ErrorKind::cluster);
  CHECK(error.http_code == 404);
  CHECK(error.reason == "NotFound");
  CHECK(error.is_not_found());
  CHECK_FALSE(error.is_retryable());
  CHECK(error.message == "Error from server (NotFound): configmaps \"nope\" not found");
  CHECK(error.status["details"]["name"] == "nope");
}

TEST_CASE("api error maps forbidden with a hint", "[kube][api-error]") {
  auto error = error_from_response(403, forbidden, get_map);
  CHECK(error.kind == ErrorKind::forbidden);
  CHECK(error.message.starts_with("Error from server (Forbidden): configmaps is forbidden: User \"system:anonymous\" "
                                  "cannot list resource \"configmaps\""));
  CHECK(error.message.ends_with("ask a cluster administrator to grant this permission"));
}

TEST_CASE("api error maps unauthorized like kubectl", "[kube][api-error]") {
  auto error = error_from_response(401, unauthorized, get_map);
  CHECK(error.kind == ErrorKind::unauthorized);
  CHECK(error.message.starts_with("You must be logged in to the server (Unauthorized): "));
}

TEST_CASE("api error reads a watch error event", "[kube][api-error]") {
  auto error = error_from_status(nlohmann::json::parse(expired), {"GET", "/api/v1/configmaps"});
  CHECK(error.is_gone());
  CHECK(error.reason == "Expired");
  CHECK(error.message == "Error from server (Expired): too old resource version: 1 (3424)");
}

TEST_CASE("api error tells already exists from conflict", "[kube][api-error]") {
  auto exists = error_from_response(409, R"({"kind":"Status","reason":"AlreadyExists","message":"x exists","code":409})",
                                    get_map);
  CHECK(exists.is_already_exists());
  CHECK_FALSE(exists.is_conflict());

  auto conflict = error_from_response(409, R"({"kind":"Status","reason":"Conflict","message":"changed","code":409})",
                                      get_map);
  CHECK(conflict.is_conflict());
  CHECK_FALSE(conflict.is_already_exists());
}

TEST_CASE("api error handles bodies that are not a status", "[kube][api-error]") {
  auto error = error_from_response(503, "upstream connect error\n", get_map);
  CHECK(error.kind == ErrorKind::cluster);
  CHECK(error.reason == "ServiceUnavailable");
  CHECK(error.is_retryable());
  CHECK(error.message == "Error from server (ServiceUnavailable): upstream connect error");

  auto empty = error_from_response(418, "", get_map);
  CHECK(empty.message == "Error from server (HTTP 418): GET /api/v1/namespaces/default/configmaps/nope failed with "
                         "HTTP 418");
}

TEST_CASE("api error converts to error", "[kube][api-error]") {
  Result<int> result = std::unexpected(error_from_response(404, not_found, get_map));
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::cluster);
  CHECK(result.error().message == "Error from server (NotFound): configmaps \"nope\" not found");
}
