#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mconv::core {

// The prefix of the machine-readable lines that the converter writes to its log.
inline constexpr std::string_view converter_event_prefix = "MCONV-EVENT ";

// The folder in the pod where the converter writes the engine and metadata.json.
inline constexpr std::string_view staging_output_dir = "/staging/out";

// A file the converter wrote to the staging volume, as its result event lists it.
struct ConverterFile {
  std::string name;
  std::string path;  // in the pod: staging_output_dir and the name
  std::uint64_t size = 0;
  std::string sha256;
};

// One event from the converter's log: a stage it entered, its result, or its error.
struct ConverterEvent {
  std::string event;  // "stage", "result" or "error"
  std::string stage;  // for "stage": waiting-input, verifying, ..., waiting-download, done
  std::vector<ConverterFile> files;  // for "result"
  std::string error_code;            // for "error"
  std::string message;               // for "error"
  int exit_code = 0;                 // for "error"
  nlohmann::json raw;
};

// Parses a log line; empty when it is not an event line or its JSON is malformed.
std::optional<ConverterEvent> parse_converter_event(std::string_view line);

// Reads the files from the converter's metadata.json: the engine it describes.
std::optional<ConverterFile> engine_from_metadata(const nlohmann::json& metadata);

}  // namespace mconv::core
