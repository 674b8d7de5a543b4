#include "mconv/core/converter_events.h"

namespace mconv::core {

namespace {

// Reads {"name", "sha256", "size"}; the name must be a plain file name, because it
// becomes a path in the staging volume and, on the user's machine, a file name.
std::optional<ConverterFile> parse_file(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry.contains("sha256")) return std::nullopt;
  if (!entry["name"].is_string() || !entry["sha256"].is_string()) return std::nullopt;

  ConverterFile file;
  file.name = entry["name"].get<std::string>();
  file.sha256 = entry["sha256"].get<std::string>();
  if (file.name.empty() || file.name == "." || file.name == ".." || file.name.find('/') != std::string::npos) {
    return std::nullopt;
  }
  if (file.sha256.size() != 64) return std::nullopt;
  file.path = std::string(staging_output_dir) + "/" + file.name;
  if (entry.contains("size") && entry["size"].is_number_unsigned()) file.size = entry["size"].get<std::uint64_t>();
  return file;
}

}  // namespace

std::optional<ConverterEvent> parse_converter_event(std::string_view line) {
  if (!line.starts_with(converter_event_prefix)) return std::nullopt;

  auto json = nlohmann::json::parse(line.substr(converter_event_prefix.size()), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("event") || !json["event"].is_string()) {
    return std::nullopt;
  }

  ConverterEvent event;
  event.event = json["event"].get<std::string>();
  event.stage = json.value("stage", "");
  event.error_code = json.value("code", "");
  event.message = json.value("message", "");
  event.exit_code = json.value("exitCode", 0);
  if (json.contains("files") && json["files"].is_array()) {
    for (const auto& entry : json["files"]) {
      if (auto file = parse_file(entry)) event.files.push_back(std::move(*file));
    }
  }
  event.raw = std::move(json);
  return event;
}

std::optional<ConverterFile> engine_from_metadata(const nlohmann::json& metadata) {
  if (!metadata.is_object() || !metadata.contains("output")) return std::nullopt;
  return parse_file(metadata["output"]);
}

}  // namespace mconv::core
