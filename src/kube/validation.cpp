#include "mconv/kube/validation.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

namespace mconv::kube {

namespace {

constexpr std::size_t max_label_length = 63;
constexpr std::size_t max_subdomain_length = 253;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Checks the name part shared by qualified names and label values.
std::string check_name_part(std::string_view value, std::string_view what) {
  if (value.size() > max_label_length) {
    return fmt::format("{} must be at most {} characters, not {}", what, max_label_length, value.size());
  }
  if (!is_alnum(value.front()) || !is_alnum(value.back())) {
    return fmt::format("{} must start and end with a letter or digit", what);
  }
  for (char c : value) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return fmt::format("{} may contain only letters, digits, '-', '_' and '.', not '{}'", what, c);
    }
  }
  return "";
}

}  // namespace

std::string check_dns1123_label(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > max_label_length) {
    return fmt::format("must be at most {} characters, not {}", max_label_length, value.size());
  }
  if (!is_lower_alnum(value.front()) || !is_lower_alnum(value.back())) {
    return "must start and end with a lowercase letter or digit";
  }
  for (char c : value) {
    if (!is_lower_alnum(c) && c != '-') {
      return fmt::format("may contain only lowercase letters, digits and '-', not '{}'", c);
    }
  }
  return "";
}

std::string check_dns1123_subdomain(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > max_subdomain_length) {
    return fmt::format("must be at most {} characters, not {}", max_subdomain_length, value.size());
  }
  std::size_t start = 0;
  while (true) {
    std::size_t dot = value.find('.', start);
    std::string_view part = value.substr(start, dot == std::string_view::npos ? value.npos : dot - start);
    if (auto reason = check_dns1123_label(part); !reason.empty()) {
      return fmt::format("part '{}' {}", part, reason);
    }
    if (dot == std::string_view::npos) return "";
    start = dot + 1;
  }
}

std::string check_qualified_name(std::string_view value) {
  if (value.empty()) return "must not be empty";

  std::string_view name = value;
  if (auto slash = value.find('/'); slash != std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (auto reason = check_dns1123_subdomain(prefix); !reason.empty()) {
      return fmt::format("prefix '{}' {}", prefix, reason);
    }
  }
  if (name.empty()) return "name after '/' must not be empty";
  return check_name_part(name, "name");
}

std::string check_label_value(std::string_view value) {
  if (value.empty()) return "";
  return check_name_part(value, "value");
}

bool Quantity::is_whole() const { return std::floor(value) == value; }

std::optional<Quantity> parse_quantity(std::string_view text) {
  static constexpr std::pair<std::string_view, long double> suffixes[] = {
      {"Ki", 0x1p10L}, {"Mi", 0x1p20L}, {"Gi", 0x1p30L}, {"Ti", 0x1p40L}, {"Pi", 0x1p50L}, {"Ei", 0x1p60L},
      {"n", 1e-9L},    {"u", 1e-6L},    {"m", 1e-3L},    {"k", 1e3L},     {"M", 1e6L},     {"G", 1e9L},
      {"T", 1e12L},    {"P", 1e15L},    {"E", 1e18L},
  };

  // The number: an optional sign, digits, and an optional fraction.
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;

  std::string number(text.substr(0, i));
  std::string_view suffix = text.substr(i);
  long double multiplier = 1;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    std::string exponent(suffix.substr(1));
    char* end = nullptr;
    long power = std::strtol(exponent.c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    multiplier = std::pow(10.0L, static_cast<long double>(power));
  } else if (!suffix.empty()) {
    bool known = false;
    for (const auto& [name, factor] : suffixes) {
      if (suffix == name) {
        multiplier = factor;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }

  return Quantity{std::string(text), std::strtold(number.c_str(), nullptr) * multiplier};
}

}  // namespace mconv::kube
