#include "mconv/kube/reconnect.h"

#include <algorithm>
#include <thread>

#include "mconv/kube/vlog.h"

namespace mconv::kube {

namespace {

constexpr auto first_backoff = std::chrono::milliseconds(500);
constexpr auto max_backoff = std::chrono::milliseconds(8000);

}  // namespace

bool sleep_unless_cancelled(std::chrono::milliseconds duration, Cancellation cancel) {
  constexpr auto step = std::chrono::milliseconds(100);
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (!cancel.requested()) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) return true;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(step, left));
  }
  return false;
}

void Reconnector::succeeded() {
  failing_ = false;
  backoff_ = first_backoff;
}

std::optional<ApiError> Reconnector::wait_after(const ApiError& error, std::string_view what, Cancellation cancel) {
  if (error.kind == ErrorKind::interrupted || !error.is_retryable()) return error;

  auto now = std::chrono::steady_clock::now();
  if (!failing_) {
    failing_ = true;
    failing_since_ = now;
    backoff_ = first_backoff;
  }
  if (now - failing_since_ > limit_) return error;

  vlog(4, "{} failed ({}); reconnecting in {} ms", what, error.message, backoff_.count());
  if (!sleep_unless_cancelled(backoff_, cancel)) return api_fail(ErrorKind::interrupted, "interrupted").error();
  backoff_ = std::min(backoff_ * 2, max_backoff);
  return std::nullopt;
}

}  // namespace mconv::kube
