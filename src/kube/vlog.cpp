#include "mconv/kube/vlog.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace mconv::kube {

namespace {

std::atomic<int> current_level{0};

constexpr std::size_t logged_body_limit = 2048;

}  // namespace

void set_verbosity(int level) { current_level.store(level, std::memory_order_relaxed); }

int verbosity() { return current_level.load(std::memory_order_relaxed); }

void write_log_line(std::string_view line) {
  std::string text = fmt::format("I {}\n", line);

  // One write call per line (short writes aside), so that lines from the watch and exec
  // threads do not interleave.
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (n <= 0) return;
    written += static_cast<std::size_t>(n);
  }
}

std::string_view body_for_log(std::string_view body) {
  if (verbosity() >= 9 || body.size() <= logged_body_limit) return body;
  return body.substr(0, logged_body_limit);
}

}  // namespace mconv::kube
