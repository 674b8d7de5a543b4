#include "mconv/util/duration.h"

#include <cctype>
#include <limits>

#include <fmt/format.h>

namespace mconv::util {

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;

  std::int64_t total = 0;
  std::size_t i = 0;
  bool bare_number = true;
  while (i < text.size()) {
    std::int64_t value = 0;
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (value > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;
    if (i == text.size() && bare_number) return value;

    std::int64_t unit = 0;
    switch (i < text.size() ? text[i] : '\0') {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    bare_number = false;
    total += value * unit;
    ++i;
  }
  return total;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return seconds % 60 == 0 ? fmt::format("{}m", seconds / 60) : fmt::format("{}m{}s", seconds / 60, seconds % 60);
  if (seconds < 86400) {
    auto minutes = (seconds % 3600) / 60;
    return minutes == 0 ? fmt::format("{}h", seconds / 3600) : fmt::format("{}h{}m", seconds / 3600, minutes);
  }
  auto hours = (seconds % 86400) / 3600;
  return hours == 0 ? fmt::format("{}d", seconds / 86400) : fmt::format("{}d{}h", seconds / 86400, hours);
}

}  // namespace mconv::util
