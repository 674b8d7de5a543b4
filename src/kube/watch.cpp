#include "mconv/kube/watch.h"

#include "mconv/kube/line_buffer.h"
#include "mconv/kube/reconnect.h"
#include "mconv/kube/vlog.h"

namespace mconv::kube {

namespace {

constexpr int list_page_size = 500;

Query selector_query(const WatchRequest& request) {
  Query query;
  if (!request.label_selector.empty()) query.emplace_back("labelSelector", request.label_selector);
  if (!request.field_selector.empty()) query.emplace_back("fieldSelector", request.field_selector);
  return query;
}

std::string resource_version_of(const nlohmann::json& object) {
  const auto& metadata = object.value("metadata", nlohmann::json::object());
  return metadata.value("resourceVersion", "");
}

// Lists every page and delivers the items; returns the list's resourceVersion, or
// nullopt when the handler stopped.
ApiResult<std::optional<std::string>> list_all(Client& client, const WatchRequest& request,
                                               const WatchHandler& on_event, Cancellation cancel) {
  std::string resource_version;
  std::string continue_token;
  do {
    Query query = selector_query(request);
    query.emplace_back("limit", std::to_string(list_page_size));
    if (!continue_token.empty()) query.emplace_back("continue", continue_token);

    auto page = client.get(request.path, query, cancel);
    if (!page) return std::unexpected(page.error());

    const auto metadata = page->value("metadata", nlohmann::json::object());
    if (resource_version.empty()) resource_version = metadata.value("resourceVersion", "");
    continue_token = metadata.value("continue", "");

    for (auto& item : (*page)["items"]) {
      if (on_event(WatchEvent{"ADDED", std::move(item), true}) == WatchControl::stop) return std::nullopt;
    }
  } while (!continue_token.empty());
  return resource_version;
}

// Handles one line of a watch stream; returns false to end the stream.
bool handle_line(std::string_view line, const WatchRequest& request, const WatchHandler& on_event, WatchEnd& end,
                 std::optional<ApiError>& failure) {
  if (line.empty()) return true;
  auto event = nlohmann::json::parse(line, nullptr, false);
  if (!event.is_object() || !event.contains("type")) {
    failure = api_fail(ErrorKind::cluster, "the watch of {} sent a line that is not an event: {}", request.path,
                       line.substr(0, 200))
                  .error();
    return false;
  }

  std::string type = event["type"].get<std::string>();
  if (type == "ERROR") {
    failure = error_from_status(event["object"], {"GET", request.path});
    return false;
  }

  WatchEvent delivered{std::move(type), std::move(event["object"]), false};
  if (auto version = resource_version_of(delivered.object); !version.empty()) end.resource_version = version;
  if (on_event(delivered) == WatchControl::stop) {
    end.stopped = true;
    return false;
  }
  return true;
}

}  // namespace

ApiResult<WatchEnd> watch_once(Client& client, const WatchRequest& request, const std::string& resource_version,
                               const WatchHandler& on_event, Cancellation cancel) {
  Query query = selector_query(request);
  query.emplace_back("watch", "1");
  query.emplace_back("allowWatchBookmarks", "true");
  if (!resource_version.empty()) query.emplace_back("resourceVersion", resource_version);
  if (request.server_timeout.count() > 0) {
    query.emplace_back("timeoutSeconds", std::to_string(request.server_timeout.count()));
  }

  WatchEnd end{resource_version, false};
  std::optional<ApiError> failure;
  LineBuffer lines;
  auto on_line = [&](std::string_view line) { return handle_line(line, request, on_event, end, failure); };
  auto streamed = client.stream(request.path, query, [&](std::string_view chunk) { return lines.append(chunk, on_line); },
                                cancel);

  if (failure) return std::unexpected(*failure);
  if (!streamed) return std::unexpected(streamed.error());
  if (!end.stopped) lines.finish(on_line);
  if (failure) return std::unexpected(*failure);
  return end;
}

ApiResult<void> list_and_watch(Client& client, const WatchRequest& request, const WatchHandler& on_event,
                               Cancellation cancel) {
  std::string resource_version;
  bool needs_list = true;
  Reconnector reconnector(request.reconnect_limit);

  // Records each event's version, so that a watch cut short by an error resumes after
  // the last event delivered rather than from where that watch started.
  auto tracking = [&](const WatchEvent& event) {
    if (auto version = resource_version_of(event.object); !version.empty()) resource_version = version;
    return on_event(event);
  };

  while (true) {
    if (needs_list) {
      auto listed = list_all(client, request, on_event, cancel);
      if (!listed) {
        if (auto give_up = reconnector.wait_after(listed.error(), "list of " + request.path, cancel)) return std::unexpected(*give_up);
        continue;
      }
      if (!*listed) return {};
      resource_version = **listed;
      needs_list = false;
    }

    auto end = watch_once(client, request, resource_version, tracking, cancel);
    if (end) {
      if (end->stopped) return {};
      reconnector.succeeded();
      vlog(4, "watch of {} ended by the server; resuming from resourceVersion {}", request.path, resource_version);
      continue;
    }

    if (end.error().is_gone()) {
      vlog(4, "watch of {} at resourceVersion {} expired (410); listing again", request.path, resource_version);
      needs_list = true;
      continue;
    }
    if (auto give_up = reconnector.wait_after(end.error(), "watch of " + request.path, cancel)) return std::unexpected(*give_up);
  }
}

}  // namespace mconv::kube
