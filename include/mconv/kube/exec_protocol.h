#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mconv/error.h"

namespace mconv::kube {

// The Kubernetes remote command protocol over WebSocket: every message is binary, one
// channel byte and then the payload (k8s.io/apimachinery util/remotecommand).
namespace channel {
constexpr std::uint8_t stdin_data = 0;
constexpr std::uint8_t stdout_data = 1;
constexpr std::uint8_t stderr_data = 2;
constexpr std::uint8_t status = 3;  // a metav1.Status when the command ends
constexpr std::uint8_t resize = 4;
constexpr std::uint8_t close = 255;  // v5 only: the payload names the channel to close
}  // namespace channel

constexpr std::string_view protocol_v5 = "v5.channel.k8s.io";
constexpr std::string_view protocol_v4 = "v4.channel.k8s.io";

// The v5 message that half-closes stdin: channel 255, payload "channel 0".
std::string stdin_close_message();

// Reassembles channel messages from the pieces curl_ws_recv returns: a message may span
// several frames and a frame several reads, and only its first byte names the channel.
class ChannelDemux {
 public:
  // Called with each piece of payload and its channel; returns an error to stop.
  using Sink = std::function<Result<void>(std::uint8_t channel, std::string_view data)>;

  explicit ChannelDemux(Sink sink) : sink_(std::move(sink)) {}

  // Feeds one piece as curl_ws_frame describes it: its offset in the frame, the bytes
  // of the frame still to come, and whether the frame had CURLWS_CONT (more frames of
  // the same message follow).
  Result<void> feed(std::string_view piece, std::int64_t offset, std::int64_t bytes_left, bool more_frames);

 private:
  Sink sink_;
  std::optional<std::uint8_t> channel_;
  bool inside_fragmented_message_ = false;
};

// The outcome of a command, from the Status on channel 3.
struct ExecStatus {
  bool success = false;
  // The exit code: 0 on success, the code from details.causes for NonZeroExitCode,
  // empty when the command did not run to an exit code (such as "not found").
  std::optional<int> exit_code;
  std::string reason;
  std::string message;
};

// Parses the channel 3 Status, such as {"status":"Failure","reason":"NonZeroExitCode",
// "details":{"causes":[{"reason":"ExitCode","message":"3"}]}}.
Result<ExecStatus> parse_exec_status(std::string_view json);

}  // namespace mconv::kube
