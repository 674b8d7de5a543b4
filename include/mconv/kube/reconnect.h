#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"

namespace mconv::kube {

// Sleeps for `duration` in steps of 100 ms, returning false early when cancelled.
bool sleep_unless_cancelled(std::chrono::milliseconds duration, Cancellation cancel);

// Paces the reconnects of a long stream (watch, log follow): exponential backoff from
// 0.5 s to 8 s, giving up once the failures have lasted longer than the limit.
class Reconnector {
 public:
  explicit Reconnector(std::chrono::seconds limit) : limit_(limit) {}

  // Resets the backoff after a stream that worked.
  void succeeded();

  // Returns the error to give up with: a non-retryable one, an interrupt, or the last
  // error once the limit has passed. Otherwise waits, then returns nothing.
  std::optional<ApiError> wait_after(const ApiError& error, std::string_view what, Cancellation cancel);

 private:
  std::chrono::seconds limit_;
  std::chrono::milliseconds backoff_{500};
  bool failing_ = false;
  std::chrono::steady_clock::time_point failing_since_;
};

}  // namespace mconv::kube
