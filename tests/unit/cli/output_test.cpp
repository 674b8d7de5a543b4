#include <catch2/catch_test_macros.hpp>

#include <yaml-cpp/yaml.h>

#include "mconv/cli/output.h"

using mconv::cli::render_table;
using mconv::cli::to_yaml;

TEST_CASE("yaml quotes strings that look like other types", "[output]") {
  nlohmann::ordered_json value = {{"capability", "7.5"}, {"count", "1"}, {"flag", "true"}, {"word", "no"},
                                  {"empty", ""},         {"plain", "Tesla-T4"}, {"number", 900}, {"yes", true}};
  auto text = to_yaml(value);
  auto parsed = YAML::Load(text);

  CHECK(text.find("capability: \"7.5\"") != std::string::npos);
  CHECK(text.find("count: \"1\"") != std::string::npos);
  CHECK(text.find("flag: \"true\"") != std::string::npos);
  CHECK(text.find("word: \"no\"") != std::string::npos);
  CHECK(text.find("plain: Tesla-T4") != std::string::npos);
  CHECK(text.find("number: 900") != std::string::npos);
  CHECK(text.find("yes: true") != std::string::npos);
  CHECK(parsed["empty"].as<std::string>() == "");
}

TEST_CASE("yaml writes empty maps and lists inline", "[output]") {
  nlohmann::ordered_json value = {{"emptyDir", nlohmann::ordered_json::object()}, {"items", nlohmann::ordered_json::array()}};
  CHECK(to_yaml(value) == "emptyDir: {}\nitems: []\n");
}

TEST_CASE("table aligns columns", "[output]") {
  auto table = render_table({"name", "memory"}, {{"T4", "16Gi"}, {"A100-80GB", "80Gi"}});
  CHECK(table ==
        "NAME        MEMORY\n"
        "T4          16Gi\n"
        "A100-80GB   80Gi\n");
}
