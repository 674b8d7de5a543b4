#pragma once

#include <atomic>

namespace mconv::kube {

// A request to stop a long operation, polled by the transfer loops about every 100 ms
// (curl's progress callback, the exec loop's poll timeout). The flag is a plain atomic
// so that a signal handler can set it. A default-constructed Cancellation never fires.
class Cancellation {
 public:
  Cancellation() = default;
  explicit Cancellation(const std::atomic<bool>& flag) : flag_(&flag) {}

  bool requested() const { return flag_ != nullptr && flag_->load(std::memory_order_relaxed); }

 private:
  const std::atomic<bool>* flag_ = nullptr;
};

}  // namespace mconv::kube
