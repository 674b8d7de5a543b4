#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "mconv/core/model_inspect.h"
#include "support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;
using mconv::ErrorKind;
using mconv::core::inspect_model;
using mconv::core::ModelFormat;
using mconv::test::read_file;
using mconv::test::TempDir;

namespace {

const std::filesystem::path fixtures = MCONV_SOURCE_DIR "/tests/fixtures/models";

}  // namespace

TEST_CASE("inspect recognises a TorchScript archive", "[model_inspect]") {
  auto info = inspect_model(fixtures / "tiny_cnn.torchscript.pt");
  REQUIRE(info);
  CHECK(info->format == ModelFormat::torchscript);
  CHECK(info->size == std::filesystem::file_size(fixtures / "tiny_cnn.torchscript.pt"));
}

TEST_CASE("inspect recognises a torch.export archive", "[model_inspect]") {
  auto info = inspect_model(fixtures / "tiny_cnn.pt2");
  REQUIRE(info);
  CHECK(info->format == ModelFormat::torch_export);
}

TEST_CASE("inspect reads the ONNX signature", "[model_inspect]") {
  auto info = inspect_model(fixtures / "tiny_cnn.onnx");
  REQUIRE(info);
  CHECK(info->format == ModelFormat::onnx);
  CHECK(info->ir_version >= 8);
  CHECK(info->opset >= 17);
  CHECK_THAT(info->producer, ContainsSubstring("pytorch"));

  REQUIRE(info->inputs.size() == 1);
  CHECK(info->inputs[0].name == "input");
  CHECK(info->inputs[0].element_type == "float");
  REQUIRE(info->inputs[0].dims.size() == 4);
  CHECK(info->inputs[0].dims[1] == "3");
  CHECK(info->inputs[0].dims[2] == "32");
  CHECK(info->inputs[0].dims[3] == "32");

  REQUIRE(info->outputs.size() == 1);
  CHECK(info->outputs[0].name == "output");
}

TEST_CASE("inspect rejects a weights-only checkpoint", "[model_inspect]") {
  auto info = inspect_model(fixtures / "tiny_cnn.state_dict.pt");
  REQUIRE_FALSE(info);
  CHECK(info.error().kind == ErrorKind::model);
  CHECK_THAT(info.error().message, ContainsSubstring("holds only weights"));
  CHECK_THAT(info.error().message, ContainsSubstring("torch.jit.script(model)"));
}

TEST_CASE("inspect rejects damaged and unknown files", "[model_inspect]") {
  TempDir dir;
  auto torchscript = read_file(fixtures / "tiny_cnn.torchscript.pt");
  auto onnx = read_file(fixtures / "tiny_cnn.onnx");

  struct Case {
    const char* name;
    std::string file_name;
    std::string contents;
    std::string message;
  };
  const Case cases[] = {
      {"empty file", "empty.onnx", "", "is empty"},
      {"truncated TorchScript", "cut.pt", torchscript.substr(0, torchscript.size() / 2), "truncated or damaged zip archive"},
      {"truncated ONNX", "cut.onnx", onnx.substr(0, onnx.size() / 2), "is not a valid ONNX model"},
      {"legacy pickle", "old.pt", std::string("\x80\x02\x8a\x0a", 4) + "lots of pickled data", "is a pickled PyTorch checkpoint"},
      {"safetensors", "weights.safetensors", std::string("\x0e\0\0\0\0\0\0\0", 8) + R"({"a":{}, "b":1})", "is a safetensors file"},
      {"text file", "notes.txt", "these are my notes, not a model\n", "is not a model format mconv reads"},
      {"zip of other files", "photos.pt", read_file(fixtures / "tiny_cnn.pt2").substr(0, 0) + std::string("PK\x05\x06", 4) + std::string(18, '\0'),
       "is a zip archive but not a PyTorch model"},
  };

  for (const auto& test : cases) {
    INFO(test.name);
    auto path = dir.write(test.file_name, test.contents);
    auto info = inspect_model(path);
    REQUIRE_FALSE(info);
    CHECK(info.error().kind == ErrorKind::model);
    CHECK_THAT(info.error().message, ContainsSubstring(test.message));
    CHECK_THAT(info.error().message, ContainsSubstring(path.string()));
  }
}

TEST_CASE("inspect reports a missing file and a folder", "[model_inspect]") {
  TempDir dir;
  auto missing = inspect_model(dir.path() / "nowhere.onnx");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::io);
  CHECK_THAT(missing.error().message, ContainsSubstring("not found"));

  auto folder = inspect_model(dir.path());
  REQUIRE_FALSE(folder);
  CHECK_THAT(folder.error().message, ContainsSubstring("is not a regular file"));
}
