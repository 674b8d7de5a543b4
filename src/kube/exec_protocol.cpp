#include "mconv/kube/exec_protocol.h"

#include <charconv>

namespace mconv::kube {

std::string stdin_close_message() {
  return std::string{static_cast<char>(channel::close), static_cast<char>(channel::stdin_data)};
}

Result<void> ChannelDemux::feed(std::string_view piece, std::int64_t offset, std::int64_t bytes_left,
                                 bool more_frames) {
  if (offset == 0 && !inside_fragmented_message_) channel_.reset();
  if (bytes_left == 0) inside_fragmented_message_ = more_frames;

  if (!channel_) {
    if (piece.empty()) return {};
    channel_ = static_cast<std::uint8_t>(piece.front());
    piece.remove_prefix(1);
  }
  if (piece.empty()) return {};
  return sink_(*channel_, piece);
}

Result<ExecStatus> parse_exec_status(std::string_view json) {
  auto status = nlohmann::json::parse(json, nullptr, false);
  if (!status.is_object()) {
    return fail(ErrorKind::cluster, "the exec status from the server is not JSON: {}", json.substr(0, 200));
  }

  ExecStatus result;
  result.success = status.value("status", "") == "Success";
  result.reason = status.value("reason", "");
  result.message = status.value("message", "");
  if (result.success) {
    result.exit_code = 0;
    return result;
  }
  if (result.reason != "NonZeroExitCode") return result;

  const auto details = status.value("details", nlohmann::json::object());
  for (const auto& cause : details.value("causes", nlohmann::json::array())) {
    if (cause.value("reason", cause.value("type", "")) != "ExitCode") continue;
    std::string text = cause.value("message", "");
    int code = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (error == std::errc() && end == text.data() + text.size()) result.exit_code = code;
  }
  if (!result.exit_code) {
    return fail(ErrorKind::cluster, "the exec status reports NonZeroExitCode without an exit code: {}", json);
  }
  return result;
}

}  // namespace mconv::kube
