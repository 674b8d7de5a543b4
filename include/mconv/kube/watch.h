#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"

namespace mconv::kube {

// One change of a watched collection. `type` is ADDED, MODIFIED, DELETED or BOOKMARK
// (a BOOKMARK object carries only metadata.resourceVersion).
struct WatchEvent {
  std::string type;
  nlohmann::json object;
  // True for objects delivered from a list, at the start and after each relist; their
  // type is ADDED even when the caller saw them before.
  bool listed = false;
};

enum class WatchControl { keep_going, stop };

using WatchHandler = std::function<WatchControl(const WatchEvent&)>;

struct WatchRequest {
  // The collection, such as resource_path("v1", "default", "configmaps").
  std::string path;
  std::string label_selector;
  // Such as "metadata.name=NAME" to follow one object.
  std::string field_selector;
  // How long list_and_watch keeps reconnecting after the connection is lost before it
  // gives up, counted from the first failed attempt.
  std::chrono::seconds reconnect_limit{120};
  // The timeoutSeconds of each watch request; zero leaves the server's 30 to 60 minutes.
  std::chrono::seconds server_timeout{};
};

// The end of one watch request.
struct WatchEnd {
  // The resourceVersion of the last event or bookmark, to resume from.
  std::string resource_version;
  // True when the handler returned stop.
  bool stopped = false;
};

// Sends one watch request from resource_version and hands each event to the handler
// until the server ends the stream. An ERROR event becomes an ApiError, so a 410
// Expired status shows as is_gone().
ApiResult<WatchEnd> watch_once(Client& client, const WatchRequest& request, const std::string& resource_version,
                               const WatchHandler& on_event, Cancellation cancel = {});

// Lists the collection (delivering each object as a listed ADDED event), then watches
// from the list's resourceVersion until the handler returns stop. A closed or broken
// connection resumes from the last resourceVersion seen, so no event is lost; a 410
// Gone lists again. Fails on other API errors, on cancellation, and when the server
// stays unreachable for longer than reconnect_limit.
// NOTE: objects deleted while a relist was needed produce no DELETED event; the listed
// events show only what exists after the relist.
ApiResult<void> list_and_watch(Client& client, const WatchRequest& request, const WatchHandler& on_event,
                               Cancellation cancel = {});

}  // namespace mconv::kube
