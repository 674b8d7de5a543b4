#include "mconv/kube/client.h"

#include <chrono>

#include "curl_easy.h"
#include "mconv/kube/vlog.h"

namespace mconv::kube {

using detail::CurlEasy;

namespace {

// An error body is a Status of a few hundred bytes; keep no more than this of one.
constexpr std::size_t max_error_body = 64 * 1024;

std::string path_with_query(std::string_view path, const Query& query) {
  std::string encoded = encode_query(query);
  return encoded.empty() ? std::string(path) : fmt::format("{}?{}", path, encoded);
}

}  // namespace

struct Client::Request {
  std::string_view method;
  std::string path;  // with the query
  std::string body;
  std::string_view content_type;
  Cancellation cancel;
  const ChunkHandler* on_chunk = nullptr;
  std::chrono::seconds timeout{};
};

struct Client::Response {
  long code = 0;
  std::string body;
  bool stopped_by_handler = false;
};

// Idle easy handles; reusing one keeps its connection open for the next request.
struct Client::HandlePool {
  std::mutex mutex;
  std::vector<CurlEasy> idle;

  CurlEasy take() {
    std::lock_guard lock(mutex);
    if (idle.empty()) return CurlEasy(curl_easy_init());
    CurlEasy handle = std::move(idle.back());
    idle.pop_back();
    curl_easy_reset(handle.get());
    return handle;
  }

  void give_back(CurlEasy handle) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(handle));
  }
};

namespace {

// The body sink of one transfer: a 2xx body goes to the handler when there is one,
// anything else is collected for the result or the error message.
struct BodySink {
  CURL* handle;
  const ChunkHandler* on_chunk;
  std::string* body;
  bool* stopped;

  static std::size_t write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<BodySink*>(user);
    std::size_t length = size * count;
    long code = detail::response_code(sink->handle);

    bool success = code >= 200 && code < 300;
    if (success && sink->on_chunk != nullptr) {
      if ((*sink->on_chunk)(std::string_view(data, length))) return length;
      *sink->stopped = true;
      return CURL_WRITEFUNC_ERROR;
    }
    if (success || sink->body->size() < max_error_body) sink->body->append(data, length);
    return length;
  }
};

}  // namespace

Client::Client(RestConfig config) : Client(std::move(config), Options{}) {}

Client::Client(RestConfig config, Options options)
    : config_(std::move(config)),
      options_(options),
      credentials_(config_),
      pool_(std::make_unique<HandlePool>()) {}

Client::~Client() = default;

ApiResult<Client::Response> Client::perform_once(const Request& request, const AuthMaterial& auth) {
  auto target = detail::target_for(config_, request.path, false);
  if (!target) return std::unexpected(target.error());

  // The handle points into `transfer` (error buffer, header lists), so it goes first.
  detail::Transfer transfer;
  CurlEasy handle = pool_->take();
  transfer.cancel = request.cancel;
  transfer.headers.add("Accept: application/json");
  if (!request.content_type.empty()) transfer.headers.add(fmt::format("Content-Type: {}", request.content_type));
  detail::configure(handle.get(), config_, *target, auth, transfer);

  curl_easy_setopt(handle.get(), CURLOPT_CUSTOMREQUEST, std::string(request.method).c_str());
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(handle.get(), CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method == "GET") curl_easy_setopt(handle.get(), CURLOPT_HTTPGET, 1L);
  auto timeout = request.on_chunk != nullptr ? request.timeout : options_.request_timeout;
  curl_easy_setopt(handle.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));

  Response response;
  BodySink sink{handle.get(), request.on_chunk, &response.body, &response.stopped_by_handler};
  curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, BodySink::write);
  curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &sink);

  auto started = std::chrono::steady_clock::now();
  vlog(8, "{} {} request body: {}", request.method, target->url, body_for_log(request.body));
  CURLcode result = curl_easy_perform(handle.get());
  response.code = detail::response_code(handle.get());
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  vlog(4, "{} {} {} in {} ms", request.method, target->url, response.code, elapsed.count());

  if (result != CURLE_OK && !(result == CURLE_WRITE_ERROR && response.stopped_by_handler)) {
    return std::unexpected(detail::transport_error(result, transfer, config_));
  }
  curl_easy_setopt(handle.get(), CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(handle.get(), CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(handle.get(), CURLOPT_CONNECT_TO, nullptr);
  pool_->give_back(std::move(handle));
  return response;
}

ApiResult<Client::Response> Client::perform(const Request& request) {
  for (int attempt = 0;; ++attempt) {
    auto auth = credentials_.current();
    if (!auth) return std::unexpected(to_api_error(auth.error()));

    auto response = perform_once(request, *auth);
    if (!response) return response;
    if (response->code != 401 || attempt > 0 || !credentials_.refresh_after_unauthorized()) return response;
    vlog(4, "{} {} got 401 Unauthorized; retrying with refreshed credentials", request.method, request.path);
  }
}

ApiResult<nlohmann::json> Client::send_json(std::string_view method, std::string_view path, const Query& query,
                                            const nlohmann::json* body, std::string_view content_type,
                                            Cancellation cancel) {
  Request request;
  request.method = method;
  request.path = path_with_query(path, query);
  request.cancel = cancel;
  if (body != nullptr && !body->is_null()) {
    request.body = body->dump();
    request.content_type = content_type;
  }

  auto response = perform(request);
  if (!response) return std::unexpected(response.error());
  vlog(8, "response body: {}", body_for_log(response->body));
  if (response->code < 200 || response->code >= 300) {
    return std::unexpected(error_from_response(static_cast<int>(response->code), response->body, {method, path}));
  }

  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return api_fail(ErrorKind::cluster, "the response to {} {} is not JSON; check that the server URL points at a Kubernetes API server", method, path);
  }
  return parsed;
}

ApiResult<nlohmann::json> Client::get(std::string_view path, const Query& query, Cancellation cancel) {
  return send_json("GET", path, query, nullptr, "", cancel);
}

ApiResult<nlohmann::json> Client::post(std::string_view path, const nlohmann::json& body, Cancellation cancel) {
  return send_json("POST", path, {}, &body, "application/json", cancel);
}

ApiResult<nlohmann::json> Client::put(std::string_view path, const nlohmann::json& body, Cancellation cancel) {
  return send_json("PUT", path, {}, &body, "application/json", cancel);
}

ApiResult<nlohmann::json> Client::patch(std::string_view path, const nlohmann::json& body, PatchType type,
                                        Cancellation cancel) {
  std::string_view content_type = "application/merge-patch+json";
  if (type == PatchType::strategic) content_type = "application/strategic-merge-patch+json";
  if (type == PatchType::json) content_type = "application/json-patch+json";
  return send_json("PATCH", path, {}, &body, content_type, cancel);
}

ApiResult<nlohmann::json> Client::remove(std::string_view path, const nlohmann::json& options, Cancellation cancel) {
  return send_json("DELETE", path, {}, &options, "application/json", cancel);
}

ApiResult<void> Client::stream(std::string_view path, const Query& query, const ChunkHandler& on_chunk,
                               Cancellation cancel, std::chrono::seconds timeout) {
  Request request;
  request.method = "GET";
  request.path = path_with_query(path, query);
  request.cancel = cancel;
  request.on_chunk = &on_chunk;
  request.timeout = timeout;

  auto response = perform(request);
  if (!response) return std::unexpected(response.error());
  if (response->code < 200 || response->code >= 300) {
    vlog(8, "response body: {}", body_for_log(response->body));
    return std::unexpected(error_from_response(static_cast<int>(response->code), response->body, {"GET", path}));
  }
  return {};
}

}  // namespace mconv::kube
