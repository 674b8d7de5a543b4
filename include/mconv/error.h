#pragma once

#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace mconv {

// The kinds of failure that the command line maps to distinct exit codes.
enum class ErrorKind {
  usage,         // a flag or argument is invalid
  config,        // gpu-catalog.yaml, images.lock or a kubeconfig is invalid
  model,         // the model file cannot be converted as it is
  io,            // a local file could not be read or written
  cluster,       // the API server is unreachable or returned an unexpected response
  unauthorized,  // the API server rejected the credentials
  forbidden,     // the user lacks a permission
  conversion,    // the conversion Job failed
  timeout,       // a deadline passed
  interrupted,   // the user pressed Ctrl-C or the process got SIGTERM
  internal,      // a bug in mconv
};

// An error message for the user, already in full words, with the kind that decides
// the exit code.
struct Error {
  ErrorKind kind;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

template <class... Args>
std::unexpected<Error> fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(Error{kind, fmt::format(format, std::forward<Args>(args)...)});
}

// Prefixes an error's message with the step that failed, keeping its kind.
inline Error with_context(Error error, std::string_view context) {
  error.message = fmt::format("{}: {}", context, error.message);
  return error;
}

}  // namespace mconv
