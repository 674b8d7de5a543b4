#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/credentials.h"
#include "mconv/kube/rest_config.h"
#include "mconv/kube/url.h"

namespace mconv::kube {

enum class PatchType {
  merge,      // application/merge-patch+json (RFC 7386)
  strategic,  // application/strategic-merge-patch+json, for built-in types only
  json,       // application/json-patch+json (RFC 6902), a list of operations
};

// Called with each piece of a streamed body as it arrives; returns false to stop.
using ChunkHandler = std::function<bool(std::string_view)>;

// A small Kubernetes REST client over libcurl. JSON requests return the parsed response;
// failures come back as ApiError with the server's reason. Every request takes a
// Cancellation, polled about once a second while waiting, which ends it with
// ErrorKind::interrupted. A 401 triggers one retry with refreshed credentials when the
// user's token comes from a file or a plugin. Safe to use from several threads.
class Client {
 public:
  struct Options {
    // The limit for a whole JSON request; streams have none unless they set one.
    std::chrono::seconds request_timeout{60};
  };

  explicit Client(RestConfig config);
  Client(RestConfig config, Options options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const RestConfig& config() const { return config_; }
  // The namespace of the kubeconfig context (or --namespace), for callers that name none.
  const std::string& namespace_name() const { return config_.namespace_name; }
  Credentials& credentials() { return credentials_; }

  ApiResult<nlohmann::json> get(std::string_view path, const Query& query = {}, Cancellation cancel = {});
  ApiResult<nlohmann::json> post(std::string_view path, const nlohmann::json& body, Cancellation cancel = {});
  ApiResult<nlohmann::json> put(std::string_view path, const nlohmann::json& body, Cancellation cancel = {});
  ApiResult<nlohmann::json> patch(std::string_view path, const nlohmann::json& body, PatchType type,
                                  Cancellation cancel = {});
  // Sends DELETE, with DeleteOptions as the body when given, such as
  // {"propagationPolicy": "Background"}.
  ApiResult<nlohmann::json> remove(std::string_view path, const nlohmann::json& options = nullptr,
                                   Cancellation cancel = {});

  // Sends a GET and hands the 2xx body to on_chunk as it arrives, for watches and logs.
  // Returns when the server ends the body, when on_chunk returns false (success), on
  // cancellation or after `timeout` (zero means none). A non-2xx response is an ApiError.
  ApiResult<void> stream(std::string_view path, const Query& query, const ChunkHandler& on_chunk,
                         Cancellation cancel = {}, std::chrono::seconds timeout = {});

 private:
  struct Request;
  struct Response;
  struct HandlePool;

  ApiResult<nlohmann::json> send_json(std::string_view method, std::string_view path, const Query& query,
                                      const nlohmann::json* body, std::string_view content_type, Cancellation cancel);
  ApiResult<Response> perform(const Request& request);
  ApiResult<Response> perform_once(const Request& request, const AuthMaterial& auth);

  RestConfig config_;
  Options options_;
  Credentials credentials_;
  std::unique_ptr<HandlePool> pool_;
};

}  // namespace mconv::kube
