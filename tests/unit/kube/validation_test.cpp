#include <catch2/catch_test_macros.hpp>

#include "mconv/kube/validation.h"

using namespace mconv::kube;

TEST_CASE("dns label accepts and rejects", "[validation]") {
  CHECK(check_dns1123_label("mconv-alice-1").empty());
  CHECK(check_dns1123_label(std::string(63, 'a')).empty());
  CHECK_FALSE(check_dns1123_label("").empty());
  CHECK_FALSE(check_dns1123_label(std::string(64, 'a')).empty());
  CHECK_FALSE(check_dns1123_label("-a").empty());
  CHECK_FALSE(check_dns1123_label("a-").empty());
  CHECK_FALSE(check_dns1123_label("Alice").empty());
  CHECK_FALSE(check_dns1123_label("a.b").empty());
}

TEST_CASE("qualified name accepts label keys", "[validation]") {
  CHECK(check_qualified_name("nvidia.com/gpu.product").empty());
  CHECK(check_qualified_name("kubernetes.io/arch").empty());
  CHECK(check_qualified_name("app").empty());
  CHECK(check_qualified_name("My_Label.v2").empty());
  CHECK_FALSE(check_qualified_name("nvidia.com/").empty());
  CHECK_FALSE(check_qualified_name("/gpu").empty());
  CHECK_FALSE(check_qualified_name("Nvidia.com/gpu").empty());
  CHECK_FALSE(check_qualified_name("a/b/c").empty());
  CHECK_FALSE(check_qualified_name("gpu product").empty());
}

TEST_CASE("label value accepts empty and rejects spaces", "[validation]") {
  CHECK(check_label_value("").empty());
  CHECK(check_label_value("NVIDIA-A100-SXM4-80GB").empty());
  CHECK_FALSE(check_label_value("NVIDIA A100").empty());
  CHECK_FALSE(check_label_value("-x").empty());
}

TEST_CASE("quantity parses the API grammar", "[validation]") {
  CHECK(parse_quantity("1")->value == 1);
  CHECK(parse_quantity("500m")->value == 0.5L);
  CHECK(parse_quantity("16Gi")->value == 16.0L * (1ULL << 30));
  CHECK(parse_quantity("1.5k")->value == 1500);
  CHECK(parse_quantity("1e3")->value == 1000);
  CHECK(parse_quantity("2")->is_whole());
  CHECK_FALSE(parse_quantity("250m")->is_whole());
  for (const char* text : {"", "Gi", "16GB", "1.2.3", "one", "1e", "1e99", "5 Gi"}) {
    INFO(text);
    CHECK_FALSE(parse_quantity(text));
  }
}
