#include "mconv/kube/validation.h"

#include <cctype>
#include <cmath>
#include <algorithm>
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
  // Each suffix scales by a power of 2 or of 10. Negative powers divide, which keeps
  // values such as 500m exact.
  struct Suffix {
    std::string_view name;
    int base;
    int power;
  };
  static constexpr Suffix suffixes[] = {
      {"Ki", 2, 10}, {"Mi", 2, 20}, {"Gi", 2, 30}, {"Ti", 2, 40},  {"Pi", 2, 50},  {"Ei", 2, 60},
      {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"k", 10, 3},   {"M", 10, 6},   {"G", 10, 9},
      {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18},
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
  int base = 10;
  long power = 0;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    std::string exponent(suffix.substr(1));
    char* end = nullptr;
    power = std::strtol(exponent.c_str(), &end, 10);
    if (*end != '\0' || power > 18 || power < -18) return std::nullopt;
  } else if (!suffix.empty()) {
    auto found = std::ranges::find(suffixes, suffix, &Suffix::name);
    if (found == std::end(suffixes)) return std::nullopt;
    base = found->base;
    power = found->power;
  }

  long double value = std::strtold(number.c_str(), nullptr);
  long double scale = std::pow(static_cast<long double>(base), static_cast<long double>(std::labs(power)));
  return Quantity{std::string(text), power < 0 ? value / scale : value * scale};
}

}  // namespace mconv::kube
