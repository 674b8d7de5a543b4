#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include "mconv/core/model_inspect.h"

// Reads the parts of an ONNX ModelProto that mconv needs, straight from the protobuf
// wire format, skipping the weights. Field numbers are those of onnx/onnx.proto.
namespace mconv::core {

namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

// The element types of TensorProto.DataType, indexed by their numbers.
constexpr std::string_view element_types[] = {
    "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
    "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
    "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1"};

// Raised inside the reader when the bytes do not follow the wire format.
struct Malformed {
  std::string reason;
};

class OnnxReader {
 public:
  explicit OnnxReader(CodedInputStream& input) : input_(input) {}

  ModelInfo read_model() {
    ModelInfo info;
    info.format = ModelFormat::onnx;
    bool has_graph = false;
    std::string producer_name;
    std::string producer_version;

    while (auto tag = input_.ReadTag()) {
      switch (WireFormatLite::GetTagFieldNumber(tag)) {
        case 1: info.ir_version = read_varint(tag); break;
        case 2: producer_name = read_string(tag); break;
        case 3: producer_version = read_string(tag); break;
        case 7: read_nested(tag, [&] { read_graph(info); }); has_graph = true; break;
        case 8: read_nested(tag, [&] { read_opset(info); }); break;
        case 4: case 5: case 6: case 14: case 20: case 21: case 25: skip(tag); break;
        default: throw Malformed{"unexpected field in ModelProto"};
      }
    }
    if (info.ir_version <= 0 || !has_graph) throw Malformed{"no ir_version or graph"};
    info.producer = producer_version.empty() ? producer_name : producer_name + " " + producer_version;
    drop_initializer_inputs(info);
    return info;
  }

 private:
  void read_graph(ModelInfo& info) {
    while (auto tag = input_.ReadTag()) {
      switch (WireFormatLite::GetTagFieldNumber(tag)) {
        case 5: read_nested(tag, [&] { read_initializer_name(); }); break;
        case 11: read_nested(tag, [&] { info.inputs.push_back(read_value_info()); }); break;
        case 12: read_nested(tag, [&] { info.outputs.push_back(read_value_info()); }); break;
        default: skip(tag); break;
      }
    }
  }

  void read_opset(ModelInfo& info) {
    std::string domain;
    std::int64_t version = 0;
    while (auto tag = input_.ReadTag()) {
      switch (WireFormatLite::GetTagFieldNumber(tag)) {
        case 1: domain = read_string(tag); break;
        case 2: version = read_varint(tag); break;
        default: skip(tag); break;
      }
    }
    if (domain.empty() || domain == "ai.onnx") info.opset = version;
  }

  // Records an initializer's name; its data, the bulk of the file, is skipped.
  void read_initializer_name() {
    while (auto tag = input_.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) == 8) {
        initializers_.insert(read_string(tag));
      } else {
        skip(tag);
      }
    }
  }

  TensorInfo read_value_info() {
    TensorInfo tensor;
    while (auto tag = input_.ReadTag()) {
      switch (WireFormatLite::GetTagFieldNumber(tag)) {
        case 1: tensor.name = read_string(tag); break;
        case 2: read_nested(tag, [&] { read_type(tensor); }); break;
        default: skip(tag); break;
      }
    }
    return tensor;
  }

  // TypeProto: only tensor_type (field 1) has an element type and shape.
  void read_type(TensorInfo& tensor) {
    while (auto tag = input_.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) == 1) {
        read_nested(tag, [&] { read_tensor_type(tensor); });
      } else {
        skip(tag);
      }
    }
  }

  void read_tensor_type(TensorInfo& tensor) {
    while (auto tag = input_.ReadTag()) {
      switch (WireFormatLite::GetTagFieldNumber(tag)) {
        case 1: tensor.element_type = element_type_name(read_varint(tag)); break;
        case 2: read_nested(tag, [&] { read_shape(tensor); }); break;
        default: skip(tag); break;
      }
    }
  }

  void read_shape(TensorInfo& tensor) {
    while (auto tag = input_.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) != 1) {
        skip(tag);
        continue;
      }
      std::string dim = "?";
      read_nested(tag, [&] {
        while (auto inner = input_.ReadTag()) {
          switch (WireFormatLite::GetTagFieldNumber(inner)) {
            case 1: dim = std::to_string(read_varint(inner)); break;
            case 2: dim = read_string(inner); break;
            default: skip(inner); break;
          }
        }
      });
      tensor.dims.push_back(dim);
    }
  }

  static std::string element_type_name(std::int64_t number) {
    if (number < 0 || static_cast<std::size_t>(number) >= std::size(element_types)) return "type " + std::to_string(number);
    return std::string(element_types[number]);
  }

  // Models written before ONNX IR version 4 list their weights as graph inputs too.
  void drop_initializer_inputs(ModelInfo& info) const {
    std::erase_if(info.inputs, [&](const TensorInfo& input) { return initializers_.contains(input.name); });
  }

  void expect_wire_type(std::uint32_t tag, WireFormatLite::WireType type) {
    if (WireFormatLite::GetTagWireType(tag) != type) throw Malformed{"unexpected wire type"};
  }

  std::int64_t read_varint(std::uint32_t tag) {
    expect_wire_type(tag, WireFormatLite::WIRETYPE_VARINT);
    std::uint64_t value = 0;
    if (!input_.ReadVarint64(&value)) throw Malformed{"truncated number"};
    return static_cast<std::int64_t>(value);
  }

  std::string read_string(std::uint32_t tag) {
    expect_wire_type(tag, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
    std::string value;
    if (!WireFormatLite::ReadString(&input_, &value)) throw Malformed{"truncated string"};
    return value;
  }

  template <class Body>
  void read_nested(std::uint32_t tag, Body body) {
    expect_wire_type(tag, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
    std::uint32_t length = 0;
    if (!input_.ReadVarint32(&length)) throw Malformed{"truncated length"};
    auto limit = input_.PushLimit(static_cast<int>(length));
    body();
    if (!input_.ConsumedEntireMessage() || input_.BytesUntilLimit() != 0) throw Malformed{"truncated message"};
    input_.PopLimit(limit);
  }

  void skip(std::uint32_t tag) {
    if (!WireFormatLite::SkipField(&input_, tag)) throw Malformed{"truncated field"};
  }

  CodedInputStream& input_;
  std::set<std::string> initializers_;
};

}  // namespace

Result<ModelInfo> inspect_onnx(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::io, "cannot read model file '{}': {}", path.string(), std::strerror(errno));

  google::protobuf::io::FileInputStream file(fd);
  file.SetCloseOnDelete(true);
  CodedInputStream input(&file);
  input.SetTotalBytesLimit(std::numeric_limits<int>::max());

  try {
    auto info = OnnxReader(input).read_model();
    info.size = std::filesystem::file_size(path);
    return info;
  } catch (const Malformed& malformed) {
    auto offset = input.CurrentPosition();
    if (path.extension() == ".onnx") {
      return fail(ErrorKind::model, "'{}' is not a valid ONNX model: {} at byte {}; the file may be truncated or damaged, so export or copy it again",
                  path.string(), malformed.reason, offset);
    }
    return fail(ErrorKind::model, "'{}' is not a model format mconv reads: expected a TorchScript archive (.pt), a torch.export archive (.pt2) or an ONNX model (.onnx)",
                path.string());
  }
}

}  // namespace mconv::core
