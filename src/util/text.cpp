#include "mconv/util/text.h"

#include <algorithm>
#include <cctype>
#include <numeric>

#include <fmt/format.h>

namespace mconv::util {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

std::string to_lower(std::string_view text) {
  std::string result(text);
  std::ranges::transform(result, result.begin(), lower);
  return result;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});

  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitution = previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::vector<std::string> nearest_matches(std::string_view value, std::span<const std::string> candidates,
                                         std::size_t limit) {
  std::size_t allowed = std::max<std::size_t>(2, value.size() / 3);
  std::string lowered = to_lower(value);

  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : candidates) {
    std::size_t distance = edit_distance(value, candidate);
    bool shares_prefix = !lowered.empty() && to_lower(candidate).starts_with(lowered);
    if (distance <= allowed || shares_prefix) {
      scored.emplace_back(shares_prefix ? 0 : distance, candidate);
    }
  }
  std::ranges::stable_sort(scored, {}, &std::pair<std::size_t, std::string>::first);

  std::vector<std::string> result;
  for (auto& [distance, candidate] : scored) {
    if (result.size() == limit) break;
    if (std::ranges::find(result, candidate) == result.end()) result.push_back(std::move(candidate));
  }
  return result;
}

std::string did_you_mean(std::string_view value, std::span<const std::string> candidates) {
  auto matches = nearest_matches(value, candidates);
  if (matches.empty()) return "";

  std::string list;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if (i > 0) list += i + 1 == matches.size() ? " or " : ", ";
    list += fmt::format("'{}'", matches[i]);
  }
  return fmt::format("; did you mean {}?", list);
}

std::string join(std::span<const std::string> parts, std::string_view separator) {
  std::string result;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) result += separator;
    result += parts[i];
  }
  return result;
}

}  // namespace mconv::util
