#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mconv/error.h"

namespace mconv::kube {

// An Error with the API server's response, so that callers can branch on the
// server's reason (NotFound, AlreadyExists, Gone, Expired, Conflict, Invalid) while
// the message stays ready for the user. It converts to mconv::Error by slicing, so a
// Result<T> can take it as it is.
struct ApiError : Error {
  // The HTTP status, or 0 without a response (connection refused, TLS failure, cancel).
  int http_code = 0;
  // The Status object's reason, such as "NotFound"; empty when the body was not a Status.
  std::string reason;
  // The Status object's message as the server wrote it.
  std::string server_message;
  // The whole Status object, or null; its details list the causes of an Invalid response.
  nlohmann::json status;

  bool is_not_found() const { return http_code == 404; }
  bool is_already_exists() const { return http_code == 409 && reason == "AlreadyExists"; }
  bool is_conflict() const { return http_code == 409 && reason != "AlreadyExists"; }
  // True for a 410 Gone response and for a watch ERROR event with code 410 (Expired).
  bool is_gone() const { return http_code == 410; }
  // True when retrying the same request later may succeed: 429, 5xx, no response.
  bool is_retryable() const;
};

template <class T>
using ApiResult = std::expected<T, ApiError>;

// Wraps an error that did not come from the server, such as a credential plugin's.
inline ApiError to_api_error(Error error) {
  ApiError api_error;
  static_cast<Error&>(api_error) = std::move(error);
  return api_error;
}

template <class... Args>
std::unexpected<ApiError> api_fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  ApiError error;
  error.kind = kind;
  error.message = fmt::format(format, std::forward<Args>(args)...);
  return std::unexpected(std::move(error));
}

// The method and path of a request, for messages, such as "GET /api/v1/namespaces/a/pods".
struct RequestLine {
  std::string_view method;
  std::string_view path;
};

// Builds the error for an HTTP response outside 2xx from its body, which is usually a
// metav1.Status. The message reads like kubectl's, such as `Error from server
// (NotFound): configmaps "x" not found`, or "You must be logged in to the server" for
// 401. Messages for 401 and 403 end with what to do next.
ApiError error_from_response(int http_code, std::string_view body, RequestLine request);

// Builds the error for a Status object that arrived inside a 200 response, such as a
// watch ERROR event.
ApiError error_from_status(const nlohmann::json& status, RequestLine request);

}  // namespace mconv::kube
