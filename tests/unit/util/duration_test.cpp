#include <catch2/catch_test_macros.hpp>

#include "mconv/util/duration.h"

using mconv::util::format_duration;
using mconv::util::parse_duration_seconds;

TEST_CASE("duration parses Go-style text", "[duration]") {
  CHECK(parse_duration_seconds("90") == 90);
  CHECK(parse_duration_seconds("90s") == 90);
  CHECK(parse_duration_seconds("30m") == 1800);
  CHECK(parse_duration_seconds("1h30m") == 5400);
  CHECK(parse_duration_seconds("2d") == 172800);
}

TEST_CASE("duration rejects malformed text", "[duration]") {
  for (const char* text : {"", "h", "1.5h", "10 m", "1y", "-5s", "99999999999999h"}) {
    INFO(text);
    CHECK_FALSE(parse_duration_seconds(text));
  }
}

TEST_CASE("duration formats for people", "[duration]") {
  CHECK(format_duration(45) == "45s");
  CHECK(format_duration(90) == "1m30s");
  CHECK(format_duration(3600) == "1h");
  CHECK(format_duration(3 * 3600 + 300) == "3h5m");
  CHECK(format_duration(2 * 86400) == "2d");
}
