#include "mconv/kube/line_buffer.h"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using mconv::kube::LineBuffer;

namespace {

struct Collector {
  std::vector<std::string> lines;
  LineBuffer::LineHandler handler() {
    return [this](std::string_view line) {
      lines.emplace_back(line);
      return true;
    };
  }
};

}  // namespace

TEST_CASE("line buffer joins lines split across chunks", "[kube][line-buffer]") {
  LineBuffer buffer;
  Collector collector;
  CHECK(buffer.append("fir", collector.handler()));
  CHECK(buffer.append("st\nsec", collector.handler()));
  CHECK(buffer.append("ond\n\nthird", collector.handler()));
  CHECK(collector.lines == std::vector<std::string>{"first", "second", ""});

  CHECK(buffer.finish(collector.handler()));
  CHECK(collector.lines.back() == "third");
}

TEST_CASE("line buffer stops when the handler does", "[kube][line-buffer]") {
  LineBuffer buffer;
  int calls = 0;
  CHECK_FALSE(buffer.append("a\nb\nc\n", [&](std::string_view) { return ++calls < 2; }));
  CHECK(calls == 2);
}

TEST_CASE("line buffer splits overlong lines", "[kube][line-buffer]") {
  LineBuffer buffer(4);
  Collector collector;
  CHECK(buffer.append("abcdefghij", collector.handler()));
  CHECK(collector.lines == std::vector<std::string>{"abcd", "efgh"});
  CHECK(buffer.append("\n", collector.handler()));
  CHECK(collector.lines.back() == "ij");
}

TEST_CASE("line buffer finish without a partial line", "[kube][line-buffer]") {
  LineBuffer buffer;
  Collector collector;
  CHECK(buffer.append("done\n", collector.handler()));
  CHECK(buffer.finish(collector.handler()));
  CHECK(collector.lines == std::vector<std::string>{"done"});
}
