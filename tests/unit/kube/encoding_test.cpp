// Tests of the small encoders: base64, RFC 3339 times and URLs.
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "mconv/kube/base64.h"
#include "mconv/kube/rfc3339.h"
#include "mconv/kube/url.h"

using namespace mconv::kube;

TEST_CASE("base64 round-trips every padding", "[kube][base64]") {
  for (const std::string& text : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto decoded = base64_decode(base64_encode(text));
    REQUIRE(decoded);
    CHECK(*decoded == text);
  }
  CHECK(base64_encode("CA") == "Q0E=");
}

TEST_CASE("base64 decode skips line breaks", "[kube][base64]") {
  CHECK(base64_decode("Q0\nE=\n") == std::optional<std::string>("CA"));
  CHECK(base64_decode("Q0E") == std::optional<std::string>("CA"));
  CHECK_FALSE(base64_decode("Q0E*"));
}

TEST_CASE("rfc3339 parses fractions and offsets", "[kube][rfc3339]") {
  auto utc = parse_rfc3339("2024-05-01T10:00:00.123456789Z");
  auto offset = parse_rfc3339("2024-05-01T12:00:00.123456789+02:00");
  REQUIRE(utc);
  REQUIRE(offset);
  CHECK(*utc == *offset);
  CHECK(utc->time_since_epoch().count() % 1'000'000'000 == 123456789);

  auto whole = parse_rfc3339("2024-05-01T10:00:00Z");
  auto half = parse_rfc3339("2024-05-01T10:00:00.5Z");
  REQUIRE(whole);
  REQUIRE(half);
  CHECK(*whole < *half);
}

TEST_CASE("rfc3339 rejects malformed times", "[kube][rfc3339]") {
  CHECK_FALSE(parse_rfc3339(""));
  CHECK_FALSE(parse_rfc3339("2024-05-01"));
  CHECK_FALSE(parse_rfc3339("2024-13-01T10:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2024-05-01T10:00:00"));
  CHECK_FALSE(parse_rfc3339("2024-05-01T10:00:00Zjunk"));
}

TEST_CASE("rfc3339 formats whole seconds", "[kube][rfc3339]") {
  auto time = parse_rfc3339("1999-12-31T23:59:59.999Z");
  REQUIRE(time);
  CHECK(format_rfc3339_seconds(*time) == "1999-12-31T23:59:59Z");
}

TEST_CASE("resource path covers core and named groups", "[kube][url]") {
  CHECK(resource_path("v1", "default", "pods") == "/api/v1/namespaces/default/pods");
  CHECK(resource_path("v1", "ns", "pods", "p", "log") == "/api/v1/namespaces/ns/pods/p/log");
  CHECK(resource_path("batch/v1", "ns", "jobs", "j") == "/apis/batch/v1/namespaces/ns/jobs/j");
  CHECK(resource_path("v1", "", "nodes") == "/api/v1/nodes");
}

TEST_CASE("query encoding escapes reserved characters", "[kube][url]") {
  CHECK(encode_query({}) == "");
  CHECK(encode_query({{"labelSelector", "app=x,tier in (a,b)"}}) == "labelSelector=app%3Dx%2Ctier%20in%20%28a%2Cb%29");
  CHECK(encode_query({{"command", "a"}, {"command", "b/c"}}) == "command=a&command=b%2Fc");
}
