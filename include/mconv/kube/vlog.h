#pragma once

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace mconv::kube {

// Diagnostics on stderr behind the command line's -v level, as kubectl prints them:
// request lines at 4 and above, request and response bodies at 8 and above. Nothing
// logged here may contain a token, a private key or an Authorization header.
//
// The level is the layer's only global state; the command line sets it once at start.
void set_verbosity(int level);
int verbosity();

// Writes one line, prefixed with "I ", to stderr in a single write.
void write_log_line(std::string_view line);

template <class... Args>
void vlog(int level, fmt::format_string<Args...> format, Args&&... args) {
  if (verbosity() < level) return;
  write_log_line(fmt::format(format, std::forward<Args>(args)...));
}

// Shortens a body for logging: whole at level 9 and above, else its first 2 KiB.
std::string_view body_for_log(std::string_view body);

}  // namespace mconv::kube
