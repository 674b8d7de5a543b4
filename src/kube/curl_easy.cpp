#include "curl_easy.h"

#include <fmt/format.h>

namespace mconv::kube::detail {

namespace {

constexpr long connect_timeout_seconds = 10;
constexpr long keepalive_idle_seconds = 30;
constexpr long keepalive_interval_seconds = 15;

// Owns a parsed URL.
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using CurlUrl = std::unique_ptr<CURLU, UrlDeleter>;

std::string url_part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string text(value);
  curl_free(value);
  return text;
}

int cancel_check(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* transfer = static_cast<const Transfer*>(data);
  return transfer->cancel.requested() ? 1 : 0;
}

void set_blob(CURL* handle, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

void configure_tls(CURL* handle, const RestConfig& config, const AuthMaterial& auth) {
  if (config.tls.insecure_skip_verify) {
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config.tls.ca_pem.empty()) set_blob(handle, CURLOPT_CAINFO_BLOB, config.tls.ca_pem);
  if (!auth.client_certificate_pem.empty()) {
    set_blob(handle, CURLOPT_SSLCERT_BLOB, auth.client_certificate_pem);
    set_blob(handle, CURLOPT_SSLKEY_BLOB, auth.client_key_pem);
    curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
  }
}

std::string host_of(const RestConfig& config) {
  CurlUrl url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, config.server.c_str(), 0) != CURLUE_OK) return config.server;
  std::string host = url_part(url.get(), CURLUPART_HOST);
  std::string port = url_part(url.get(), CURLUPART_PORT);
  return port.empty() ? host : fmt::format("{}:{}", host, port);
}

}  // namespace

ApiResult<Target> target_for(const RestConfig& config, std::string_view path_and_query, bool websocket) {
  CurlUrl url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, config.server.c_str(), CURLU_DEFAULT_SCHEME) != CURLUE_OK) {
    return api_fail(ErrorKind::config, "invalid server URL '{}' in {}; write it as https://HOST:PORT", config.server,
                    config.source);
  }

  std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
  std::string host = url_part(url.get(), CURLUPART_HOST);
  std::string port = url_part(url.get(), CURLUPART_PORT);
  std::string base_path = url_part(url.get(), CURLUPART_PATH);
  if (port.empty()) port = scheme == "http" ? "80" : "443";
  while (base_path.ends_with('/')) base_path.pop_back();

  Target target;
  std::string url_host = host;
  if (!config.tls.server_name.empty()) {
    url_host = config.tls.server_name;
    target.connect_to = fmt::format("{}:{}:{}:{}", url_host, port, host, port);
  }
  if (websocket) scheme = scheme == "http" ? "ws" : "wss";
  target.url = fmt::format("{}://{}:{}{}{}", scheme, url_host, port, base_path, path_and_query);
  return target;
}

void configure(CURL* handle, const RestConfig& config, const Target& target, const AuthMaterial& auth,
               Transfer& transfer) {
  curl_easy_setopt(handle, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, transfer.error_buffer);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, connect_timeout_seconds);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPIDLE, keepalive_idle_seconds);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPINTVL, keepalive_interval_seconds);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "mconv");
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, cancel_check);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);

  if (!config.proxy_url.empty()) curl_easy_setopt(handle, CURLOPT_PROXY, config.proxy_url.c_str());
  configure_tls(handle, config, auth);

  if (!target.connect_to.empty()) {
    transfer.connect_to.add(target.connect_to);
    curl_easy_setopt(handle, CURLOPT_CONNECT_TO, transfer.connect_to.get());
  }
  if (!auth.bearer_token.empty()) transfer.headers.add("Authorization: Bearer " + auth.bearer_token);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, transfer.headers.get());
}

ApiError transport_error(CURLcode code, const Transfer& transfer, const RestConfig& config) {
  std::string detail = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
  std::string host = host_of(config);
  ApiError error;
  error.kind = ErrorKind::cluster;

  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      error.kind = ErrorKind::interrupted;
      error.message = "interrupted";
      break;
    case CURLE_COULDNT_CONNECT:
      error.message = fmt::format("The connection to the server {} was refused - did you specify the right host or "
                                  "port? (kubeconfig {})", host, config.source);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      error.message = fmt::format("cannot resolve the server {}: {}; check the server URL in {}", host, detail,
                                  config.source);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      error.message = fmt::format("the request to the server {} timed out: {}; check that the address is right and "
                                  "reachable", host, detail);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      error.message = fmt::format("TLS verification of the server {} failed: {}; check certificate-authority and "
                                  "tls-server-name of the cluster in {}", host, detail, config.source);
      break;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      error.kind = ErrorKind::config;
      error.message = fmt::format("the client certificate or key of the kubeconfig user is unusable: {}; check "
                                  "client-certificate and client-key in {}", detail, config.source);
      break;
    default:
      error.message = fmt::format("the connection to the server {} failed: {}", host, detail);
      break;
  }
  return error;
}

long response_code(CURL* handle) {
  long code = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

}  // namespace mconv::kube::detail
