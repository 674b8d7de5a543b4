#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mconv::kube {

using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Parses an RFC 3339 time as the API server and kubelet write it, such as
// "2024-05-01T10:00:00Z" or "2024-05-01T10:00:00.123456789+02:00". Empty when the
// text is not one.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// Formats a time in UTC to whole seconds, such as "2024-05-01T10:00:00Z", as
// metav1.Time query parameters expect.
std::string format_rfc3339_seconds(Timestamp time);

}  // namespace mconv::kube
