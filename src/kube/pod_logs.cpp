#include "mconv/kube/pod_logs.h"

#include "mconv/kube/line_buffer.h"
#include "mconv/kube/vlog.h"
#include "mconv/kube/reconnect.h"

namespace mconv::kube {

namespace {

constexpr auto waiting_retry_interval = std::chrono::seconds(1);

enum class ContainerState { waiting, running, terminated };

// Returns the state of the named container, or of the first one when no name is given.
// A pod that is not scheduled yet has no container status and counts as waiting.
ContainerState container_state(const nlohmann::json& pod, const std::string& container) {
  const auto status = pod.value("status", nlohmann::json::object());
  for (const auto& entry : status.value("containerStatuses", nlohmann::json::array())) {
    if (!container.empty() && entry.value("name", "") != container) continue;
    const auto state = entry.value("state", nlohmann::json::object());
    if (state.contains("running")) return ContainerState::running;
    if (state.contains("terminated")) return ContainerState::terminated;
    return ContainerState::waiting;
  }
  return ContainerState::waiting;
}

// Finds out why a follow stream ended without an error: the container exited, the
// connection or the log file was cut while it runs, or it has not started (the API
// server responds to a log request for an unscheduled pod with an empty body).
ApiResult<ContainerState> state_after_stream(Client& client, const std::string& namespace_name,
                                             const std::string& pod, const std::string& container,
                                             Cancellation cancel) {
  auto object = client.get(resource_path("v1", namespace_name, "pods", pod), {}, cancel);
  if (!object) return std::unexpected(object.error());
  return container_state(*object, container);
}

}  // namespace

Query log_query(const LogOptions& options) {
  Query query;
  if (!options.container.empty()) query.emplace_back("container", options.container);
  if (options.follow) query.emplace_back("follow", "true");
  if (options.timestamps) query.emplace_back("timestamps", "true");
  if (options.previous) query.emplace_back("previous", "true");
  if (options.since_time) query.emplace_back("sinceTime", format_rfc3339_seconds(*options.since_time));
  if (options.since_seconds) query.emplace_back("sinceSeconds", std::to_string(*options.since_seconds));
  if (options.tail_lines) query.emplace_back("tailLines", std::to_string(*options.tail_lines));
  if (options.limit_bytes) query.emplace_back("limitBytes", std::to_string(*options.limit_bytes));
  return query;
}

ApiResult<void> stream_pod_logs(Client& client, const std::string& namespace_name, const std::string& pod,
                                const LogOptions& options, const LogLineHandler& on_line, Cancellation cancel) {
  LineBuffer lines;
  bool stopped = false;
  auto handle_line = [&](std::string_view line) {
    if (!on_line(line)) stopped = true;
    return !stopped;
  };

  auto path = resource_path("v1", namespace_name, "pods", pod, "log");
  auto streamed = client.stream(path, log_query(options),
                                [&](std::string_view chunk) { return lines.append(chunk, handle_line); }, cancel);
  if (!streamed) return streamed;
  if (!stopped) lines.finish(handle_line);
  return {};
}

bool is_container_waiting(const ApiError& error) {
  if (error.http_code != 400) return false;
  const auto& message = error.server_message;
  return message.find("is waiting to start") != std::string::npos ||
         message.find("does not have a host assigned") != std::string::npos;
}

std::optional<std::pair<Timestamp, std::string_view>> split_timestamp(std::string_view line) {
  auto space = line.find(' ');
  auto time = parse_rfc3339(line.substr(0, space));
  if (!time) return std::nullopt;
  std::string_view text = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  return std::pair{*time, text};
}

bool LogResumePoint::accept(std::string_view timestamped_line) {
  auto split = split_timestamp(timestamped_line);
  if (!split) return true;
  Timestamp time = split->first;

  if (last_ && time < *last_) return false;
  if (last_ && time == *last_) {
    if (repeats_to_skip_ > 0) {
      --repeats_to_skip_;
      return false;
    }
    ++lines_at_last_;
    return true;
  }

  last_ = time;
  lines_at_last_ = 1;
  repeats_to_skip_ = 0;
  return true;
}

namespace {

// The action of a follow loop after one stream ended.
struct NextStep {
  enum { finish, wait_for_start, reconnect, resume } action;
  std::optional<ApiError> error;  // set for reconnect, and for wait_for_start after a 400
};

NextStep next_step(Client& client, const std::string& namespace_name, const std::string& pod,
                   const std::string& container, const ApiResult<void>& streamed, Cancellation cancel) {
  if (!streamed) {
    if (is_container_waiting(streamed.error())) return {NextStep::wait_for_start, streamed.error()};
    return {NextStep::reconnect, streamed.error()};
  }

  auto state = state_after_stream(client, namespace_name, pod, container, cancel);
  if (!state) return {NextStep::reconnect, state.error()};
  if (*state == ContainerState::terminated) return {NextStep::finish, std::nullopt};
  if (*state == ContainerState::waiting) return {NextStep::wait_for_start, std::nullopt};
  return {NextStep::resume, std::nullopt};
}

}  // namespace

ApiResult<void> follow_pod_logs(Client& client, const std::string& namespace_name, const std::string& pod,
                                const LogOptions& options, const FollowOptions& follow, const LogLineHandler& on_line,
                                Cancellation cancel) {
  LogOptions request = options;
  request.follow = true;
  request.timestamps = true;

  LogResumePoint resume_point;
  bool stopped = false;
  auto deliver = [&](std::string_view line) {
    if (!resume_point.accept(line)) return true;
    auto split = split_timestamp(line);
    std::string_view text = options.timestamps || !split ? line : split->second;
    stopped = !on_line(text);
    return !stopped;
  };

  Reconnector reconnector(follow.reconnect_limit);
  std::string stream_name = fmt::format("log stream of pod {}", pod);
  while (true) {
    auto streamed = stream_pod_logs(client, namespace_name, pod, request, deliver, cancel);
    if (stopped) return {};
    auto step = next_step(client, namespace_name, pod, options.container, streamed, cancel);

    if (step.action == NextStep::finish) {
      // The container exited; if a cut hid its last lines, this read without follow
      // brings them, and the resume point drops the ones already delivered.
      request.follow = false;
      if (auto since = resume_point.since()) {
        request.since_time = *since;
        request.tail_lines.reset();
        request.since_seconds.reset();
      }
      resume_point.start_resume();
      return stream_pod_logs(client, namespace_name, pod, request, deliver, cancel);
    }

    if (step.action == NextStep::wait_for_start) {
      ApiError reported = step.error ? *step.error : api_fail(ErrorKind::cluster, "pod {} is not running yet", pod).error();
      if (follow.on_waiting && !follow.on_waiting(reported)) return std::unexpected(reported);
      if (!sleep_unless_cancelled(waiting_retry_interval, cancel)) return api_fail(ErrorKind::interrupted, "interrupted");
      continue;
    }

    if (step.action == NextStep::reconnect) {
      if (auto give_up = reconnector.wait_after(*step.error, stream_name, cancel)) return std::unexpected(*give_up);
    } else {
      reconnector.succeeded();
      vlog(4, "{} ended while the container runs; resuming", stream_name);
    }

    // A resumed stream starts at the last line's second; tailLines would cut it short.
    request.tail_lines.reset();
    request.since_seconds.reset();
    if (auto since = resume_point.since()) request.since_time = *since;
    resume_point.start_resume();
  }
}

}  // namespace mconv::kube
