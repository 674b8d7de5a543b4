#include "mconv/kube/rfc3339.h"

#include <cctype>

#include <fmt/format.h>

namespace mconv::kube {

namespace {

// Reads exactly `width` digits at `position`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& position, std::size_t width) {
  if (position + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    char c = text[position + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  position += width;
  return value;
}

bool expect(std::string_view text, std::size_t& position, std::string_view choices) {
  if (position >= text.size() || choices.find(text[position]) == std::string_view::npos) return false;
  ++position;
  return true;
}

// Reads ".123" up to nanoseconds; extra digits are dropped.
std::chrono::nanoseconds read_fraction(std::string_view text, std::size_t& position) {
  std::int64_t nanoseconds = 0;
  int digits = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      if (digits < 9) {
        nanoseconds = nanoseconds * 10 + (text[position] - '0');
        ++digits;
      }
      ++position;
    }
  }
  for (; digits < 9; ++digits) nanoseconds *= 10;
  return std::chrono::nanoseconds(nanoseconds);
}

// Reads "Z" or "+hh:mm" / "-hh:mm" and returns the offset from UTC.
std::optional<std::chrono::minutes> read_offset(std::string_view text, std::size_t& position) {
  if (position < text.size() && (text[position] == 'Z' || text[position] == 'z')) {
    ++position;
    return std::chrono::minutes(0);
  }
  if (position >= text.size() || (text[position] != '+' && text[position] != '-')) return std::nullopt;
  int sign = text[position] == '-' ? -1 : 1;
  ++position;

  auto hours = read_digits(text, position, 2);
  if (!hours || !expect(text, position, ":")) return std::nullopt;
  auto minutes = read_digits(text, position, 2);
  if (!minutes) return std::nullopt;
  return std::chrono::minutes(sign * (*hours * 60 + *minutes));
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  std::size_t position = 0;
  auto year = read_digits(text, position, 4);
  if (!year || !expect(text, position, "-")) return std::nullopt;
  auto month = read_digits(text, position, 2);
  if (!month || !expect(text, position, "-")) return std::nullopt;
  auto day = read_digits(text, position, 2);
  if (!day || !expect(text, position, "Tt ")) return std::nullopt;
  auto hour = read_digits(text, position, 2);
  if (!hour || !expect(text, position, ":")) return std::nullopt;
  auto minute = read_digits(text, position, 2);
  if (!minute || !expect(text, position, ":")) return std::nullopt;
  auto second = read_digits(text, position, 2);
  if (!second) return std::nullopt;
  auto fraction = read_fraction(text, position);
  auto offset = read_offset(text, position);
  if (!offset || position != text.size()) return std::nullopt;

  std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  auto time = std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
              std::chrono::seconds(*second) + fraction - *offset;
  return Timestamp(time);
}

std::string format_rfc3339_seconds(Timestamp time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date{days};
  std::chrono::hh_mm_ss clock{seconds - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

}  // namespace mconv::kube
