#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mconv::kube {

// Splits a byte stream that arrives in arbitrary pieces into whole lines, as watch
// events and log lines must be handled. Memory stays bounded: a line longer than
// max_line is handed on in pieces of max_line bytes.
class LineBuffer {
 public:
  // Called with each line without its '\n'; returns false to stop.
  using LineHandler = std::function<bool(std::string_view)>;

  explicit LineBuffer(std::size_t max_line = 16 << 20) : max_line_(max_line) {}

  // Hands every completed line of `chunk` to on_line. Returns false when on_line did.
  bool append(std::string_view chunk, const LineHandler& on_line);

  // Hands on a last line that had no '\n', if any. Returns false when on_line did.
  bool finish(const LineHandler& on_line);

 private:
  std::size_t max_line_;
  std::string pending_;
};

}  // namespace mconv::kube
