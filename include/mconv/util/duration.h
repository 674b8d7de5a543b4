#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mconv::util {

// Parses a duration as Go and kubectl write it, such as "90s", "30m" or "1h30m", to
// whole seconds. A bare number is taken as seconds. Empty when the text is not one.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

// Formats seconds the short way people read them: "45s", "12m", "3h5m", "2d".
std::string format_duration(std::int64_t seconds);

}  // namespace mconv::util
