#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "support/run_process.h"

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
using mconv::test::run_process;
using mconv::test::TempDir;

namespace {

const std::string fixtures = MCONV_SOURCE_DIR "/tests/fixtures/models";
const std::string catalog_flag = "--catalog=" MCONV_SOURCE_DIR "/gpu-catalog.yaml";
const std::string lock_flag = "--images-lock=" MCONV_SOURCE_DIR "/images.lock";

mconv::test::ProcessResult run_mconv(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.push_back(catalog_flag);
  args.push_back(lock_flag);
  env.push_back("NO_COLOR=1");
  return run_process(MCONV_BINARY, args, env);
}

}  // namespace

TEST_CASE("list-gpus prints the catalog table", "[commands]") {
  auto result = run_mconv({"list-gpus"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, StartsWith("NAME "));
  CHECK_THAT(result.out, ContainsSubstring("A100-80GB"));
  CHECK_THAT(result.out, ContainsSubstring("tesla-t4"));
  CHECK(result.err.empty());
}

TEST_CASE("list-gpus prints json and yaml", "[commands]") {
  auto json_result = run_mconv({"list-gpus", "-o", "json"});
  REQUIRE(json_result.exit_code == 0);
  auto parsed = nlohmann::json::parse(json_result.out);
  CHECK(parsed["gpus"][0]["name"] == "T4");
  CHECK(parsed["gpus"][0]["computeCapability"] == "7.5");

  auto yaml_result = run_mconv({"list-gpus", "-o", "yaml"});
  REQUIRE(yaml_result.exit_code == 0);
  auto document = YAML::Load(yaml_result.out);
  CHECK(document["gpus"][0]["computeCapability"].as<std::string>() == "7.5");
}

TEST_CASE("list-gpus rejects an unknown output format", "[commands]") {
  auto result = run_mconv({"list-gpus", "-o", "xml"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, ContainsSubstring("mconv: error: invalid --output 'xml': use one of table, json, yaml"));
}

TEST_CASE("broken catalog gives file and line", "[commands]") {
  TempDir dir;
  auto catalog = dir.write("catalog.yaml", "version: 1\ngpus:\n  - name: T4\n    colour: green\n");
  auto result = run_process(MCONV_BINARY, {"list-gpus", "--catalog", catalog.string(), lock_flag});
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.err, ContainsSubstring(catalog.string() + ":4: unknown key 'colour' in GPU entry 'T4'"));
}

TEST_CASE("missing catalog names the places searched", "[commands]") {
  auto result = run_process(MCONV_BINARY, {"list-gpus"}, {"MCONV_CATALOG=/nonexistent/gpu-catalog.yaml"});
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.err, ContainsSubstring("cannot read '/nonexistent/gpu-catalog.yaml'"));
}

TEST_CASE("convert dry run prints a claim and a job", "[commands]") {
  auto result = run_mconv({"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "t4", "--dry-run", "--precision", "fp16", "-n", "ml"});
  REQUIRE(result.exit_code == 0);
  auto list = YAML::Load(result.out);
  CHECK(list["kind"].as<std::string>() == "List");
  CHECK(list["items"][0]["kind"].as<std::string>() == "PersistentVolumeClaim");
  CHECK(list["items"][1]["kind"].as<std::string>() == "Job");
  CHECK(list["items"][1]["metadata"]["namespace"].as<std::string>() == "ml");
  CHECK_THAT(result.err, ContainsSubstring("dry run: job 'mconv-"));
}

TEST_CASE("convert dry run gives the same name twice", "[commands]") {
  std::vector<std::string> args = {"convert", fixtures + "/tiny_cnn.torchscript.pt", "--gpu", "cpu", "--dry-run", "-o", "json", "--shape", "x=1x3x32x32"};
  auto first = run_mconv(args, {"USER=alice"});
  auto second = run_mconv(args, {"USER=alice"});
  auto other_user = run_mconv(args, {"USER=bob"});
  REQUIRE(first.exit_code == 0);
  REQUIRE(other_user.exit_code == 0);

  auto name = [](const std::string& out) { return nlohmann::json::parse(out)["items"][1]["metadata"]["name"].get<std::string>(); };
  CHECK(name(first.out) == name(second.out));
  CHECK(name(first.out) != name(other_user.out));
  CHECK_THAT(name(first.out), StartsWith("mconv-alice-tiny-cnn-torchscript-"));
}

TEST_CASE("convert exit codes tell failures apart", "[commands]") {
  struct Case {
    const char* name;
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const Case cases[] = {
      {"unknown gpu", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "T5", "--dry-run"}, 2, "unknown GPU 'T5'; did you mean 'T4'"},
      {"weights only", {"convert", fixtures + "/tiny_cnn.state_dict.pt", "--gpu", "T4", "--dry-run"}, 4, "holds only weights"},
      {"missing model", {"convert", fixtures + "/nothing.onnx", "--gpu", "T4", "--dry-run"}, 5, "not found"},
      {"bad shape", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "T4", "--dry-run", "--shape", "img=1x3x32x32"}, 2,
       "the model has no input 'img'"},
      {"bad timeout", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "T4", "--dry-run", "--timeout", "soon"}, 2,
       "invalid --timeout 'soon'"},
      {"bad namespace", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "T4", "--dry-run", "-n", "ML_team"}, 2,
       "invalid --namespace 'ML_team'"},
      {"tensorrt on cpu", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "cpu", "--dry-run", "--backend", "tensorrt"}, 2,
       "invalid --backend 'tensorrt' for GPU 'x86-cpu'"},
      {"torchscript without shape", {"convert", fixtures + "/tiny_cnn.torchscript.pt", "--gpu", "cpu", "--dry-run"}, 2,
       "a TorchScript model records no input shapes"},
      {"missing gpu flag", {"convert", fixtures + "/tiny_cnn.onnx", "--dry-run"}, 2, "--gpu is required"},
      {"unknown flag", {"convert", fixtures + "/tiny_cnn.onnx", "--gpu", "T4", "--dry-run", "--fast"}, 2, "--fast"},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    auto result = run_mconv(test.args);
    CHECK(result.exit_code == test.exit_code);
    CHECK_THAT(result.err, StartsWith("mconv: error: "));
    CHECK_THAT(result.err, ContainsSubstring(test.message));
    CHECK(result.out.empty());
  }
}

TEST_CASE("help lists units and defaults", "[commands]") {
  auto result = run_mconv({"convert", "--help"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, ContainsSubstring("in MiB"));
  CHECK_THAT(result.out, ContainsSubstring("1h"));
}

TEST_CASE("version prints the version", "[commands]") {
  auto result = run_mconv({"version", "-o", "json"});
  REQUIRE(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["version"] == "0.1.0");
}
