#include <catch2/catch_test_macros.hpp>

#include "mconv/util/text.h"

using mconv::util::did_you_mean;
using mconv::util::edit_distance;

TEST_CASE("edit distance ignores case", "[text]") {
  CHECK(edit_distance("T4", "t4") == 0);
  CHECK(edit_distance("A100", "A10") == 1);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("did you mean lists near names", "[text]") {
  std::vector<std::string> names = {"T4", "A10", "A100-80GB", "L4", "L40S"};
  CHECK(did_you_mean("T5", names) == "; did you mean 'T4' or 'L4'?");
  CHECK(did_you_mean("A100", names) == "; did you mean 'A100-80GB' or 'A10'?");
  CHECK(did_you_mean("xyzzy-quux", names).empty());
}
