#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"
#include "mconv/kube/rfc3339.h"

namespace mconv::kube {

// The parameters of GET pods/NAME/log.
struct LogOptions {
  // Required when the pod has more than one container.
  std::string container;
  bool follow = false;
  // Prefixes each line with its RFC 3339 time and a space.
  bool timestamps = false;
  // The last terminated instance of the container instead of the current one.
  bool previous = false;
  // Only one of since_time and since_seconds may be set.
  std::optional<Timestamp> since_time;
  std::optional<std::int64_t> since_seconds;
  std::optional<std::int64_t> tail_lines;
  std::optional<std::int64_t> limit_bytes;
};

// Called with each whole log line, without its '\n'; returns false to stop.
using LogLineHandler = std::function<bool(std::string_view)>;

Query log_query(const LogOptions& options);

// Streams a container's log once, handing on whole lines; a last line without '\n' is
// handed on when the stream ends. With follow, returns when the container instance
// exits or the connection ends. A container that has not started yet gives an error
// for which is_container_waiting() is true.
ApiResult<void> stream_pod_logs(Client& client, const std::string& namespace_name, const std::string& pod,
                                const LogOptions& options, const LogLineHandler& on_line, Cancellation cancel = {});

// True for the 400 responses that mean "try again shortly": the container "is waiting to
// start" (ContainerCreating, PodInitializing, image pulls) or the pod has no node yet.
bool is_container_waiting(const ApiError& error);

// Drops the lines a resumed stream repeats. A resumed request sets sinceTime to the time of the
// last line seen, truncated to whole seconds because metav1.Time parameters carry
// seconds, so the new stream repeats the lines of that second; their timestamps tell
// them apart. Lines must carry timestamps (LogOptions::timestamps).
class LogResumePoint {
 public:
  // Returns true when a timestamped line is new, recording it; false for a repeat. A
  // line without a valid timestamp counts as new.
  bool accept(std::string_view timestamped_line);

  // Marks the start of a resumed stream, whose first lines at the last time seen are
  // repeats.
  void start_resume() { repeats_to_skip_ = lines_at_last_; }

  // The sinceTime for the next request; empty before the first line.
  std::optional<Timestamp> since() const { return last_; }

 private:
  std::optional<Timestamp> last_;
  // How many lines carried exactly the time `last_`.
  std::size_t lines_at_last_ = 0;
  std::size_t repeats_to_skip_ = 0;
};

// Splits "TIME TEXT" into its time and text; empty when the line has no valid time.
std::optional<std::pair<Timestamp, std::string_view>> split_timestamp(std::string_view line);

struct FollowOptions {
  // Called while the container is waiting to start, with the server's message, before
  // each retry; returns false to give up with that error.
  std::function<bool(const ApiError&)> on_waiting;
  // How long to keep reconnecting after the connection is lost.
  std::chrono::seconds reconnect_limit{120};
};

// Follows a container's log until the container instance exits, surviving cut
// connections and early ends of the stream (log rotation) without repeating or losing
// lines, and waiting while the container starts. The options' follow and timestamps are
// set internally; lines reach on_line with timestamps only if options.timestamps is set.
ApiResult<void> follow_pod_logs(Client& client, const std::string& namespace_name, const std::string& pod,
                                const LogOptions& options, const FollowOptions& follow, const LogLineHandler& on_line,
                                Cancellation cancel = {});

}  // namespace mconv::kube
