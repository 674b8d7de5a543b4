#include "mconv/kube/api_error.h"

#include <array>
#include <utility>

namespace mconv::kube {

namespace {

// The reasons the API server gives for each status code, used when a body is not a
// Status object (apimachinery's reasonForCode).
std::string reason_for_code(int code) {
  static constexpr std::array<std::pair<int, std::string_view>, 15> reasons = {{
      {400, "BadRequest"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "NotFound"},
      {405, "MethodNotAllowed"},
      {406, "NotAcceptable"},
      {409, "Conflict"},
      {410, "Gone"},
      {413, "RequestEntityTooLarge"},
      {415, "UnsupportedMediaType"},
      {422, "Invalid"},
      {429, "TooManyRequests"},
      {500, "InternalError"},
      {503, "ServiceUnavailable"},
      {504, "Timeout"},
  }};
  for (const auto& [known, reason] : reasons) {
    if (known == code) return std::string(reason);
  }
  return "";
}

ErrorKind kind_for_code(int code) {
  if (code == 401) return ErrorKind::unauthorized;
  if (code == 403) return ErrorKind::forbidden;
  return ErrorKind::cluster;
}

std::string hint_for_code(int code) {
  if (code == 401) {
    return ": the API server rejected the credentials of the kubeconfig user; renew the token or "
           "certificate, or pick another context with --context";
  }
  if (code == 403) return "; ask a cluster administrator to grant this permission";
  return "";
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  constexpr std::size_t max_length = 300;
  if (text.size() > max_length) return fmt::format("{}...", text.substr(0, max_length));
  return std::string(text);
}

ApiError make_error(int code, std::string reason, std::string server_message, nlohmann::json status,
                    RequestLine request) {
  ApiError error;
  error.kind = kind_for_code(code);
  error.http_code = code;
  error.reason = std::move(reason);
  error.server_message = std::move(server_message);
  error.status = std::move(status);

  std::string label = error.reason.empty() ? fmt::format("HTTP {}", code) : error.reason;
  std::string text = error.server_message.empty()
                         ? fmt::format("{} {} failed with HTTP {}", request.method, request.path, code)
                         : error.server_message;
  if (code == 401) {
    error.message = fmt::format("You must be logged in to the server ({}){}", label, hint_for_code(code));
  } else {
    error.message = fmt::format("Error from server ({}): {}{}", label, text, hint_for_code(code));
  }
  return error;
}

}  // namespace

bool ApiError::is_retryable() const { return http_code == 0 || http_code == 429 || http_code >= 500; }

ApiError error_from_status(const nlohmann::json& status, RequestLine request) {
  int code = status.value("code", 0);
  std::string reason = status.value("reason", reason_for_code(code));
  std::string message = status.value("message", "");
  return make_error(code, std::move(reason), std::move(message), status, request);
}

ApiError error_from_response(int http_code, std::string_view body, RequestLine request) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") {
    if (!parsed.contains("code")) parsed["code"] = http_code;
    ApiError error = error_from_status(parsed, request);
    error.http_code = http_code;
    error.kind = kind_for_code(http_code);
    return error;
  }
  return make_error(http_code, reason_for_code(http_code), trimmed(body), nullptr, request);
}

}  // namespace mconv::kube
