#pragma once

#include <string>

#include <catch2/catch_test_macros.hpp>

namespace mconv::test {

// Returns text with the first occurrence of `from` replaced. The test fails when the
// text lacks it, so that an edited fixture cannot silently stop testing anything.
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace mconv::test
