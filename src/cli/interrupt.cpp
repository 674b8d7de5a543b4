#include "mconv/cli/interrupt.h"

#include <unistd.h>

#include <csignal>

#include "mconv/cli/exit_code.h"

namespace mconv::cli {

namespace {

// Signal handlers may only touch lock-free atomics, so the state is global.
std::atomic<bool> interrupted{false};
struct sigaction previous_int {};
struct sigaction previous_term {};

void on_signal(int) {
  if (interrupted.exchange(true)) {
    constexpr char message[] = "\nmconv: interrupted again; exiting without cleaning up\n";
    (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
    ::_exit(exit_interrupted);
  }
  constexpr char message[] = "\nmconv: stopping; press Ctrl-C again to exit at once\n";
  (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  interrupted = false;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

const std::atomic<bool>& InterruptGuard::flag() const { return interrupted; }

}  // namespace mconv::cli
