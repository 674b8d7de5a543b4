#pragma once

#include <atomic>

namespace mconv::cli {

// Turns the first SIGINT or SIGTERM into a request to stop, which long operations poll
// so that they can clean up. A second one exits at once with code 130. The previous
// handlers come back when the guard is destroyed.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  const std::atomic<bool>& flag() const;
  bool requested() const { return flag().load(); }
};

}  // namespace mconv::cli
