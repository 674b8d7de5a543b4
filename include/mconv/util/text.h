#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mconv::util {

std::string to_lower(std::string_view text);

bool iequals(std::string_view a, std::string_view b);

// Counts the single-character insertions, deletions and substitutions that turn one
// string into the other, ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Returns the candidates closest to a mistyped value, best first: those that start with
// it, then those within two edits or a third of its length, whichever is more. Empty when nothing is close.
std::vector<std::string> nearest_matches(std::string_view value, std::span<const std::string> candidates,
                                         std::size_t limit = 3);

// Formats "; did you mean 'a' or 'b'?" for a message, or "" when there is no suggestion.
std::string did_you_mean(std::string_view value, std::span<const std::string> candidates);

std::string join(std::span<const std::string> parts, std::string_view separator);

}  // namespace mconv::util
