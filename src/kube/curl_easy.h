#pragma once

// libcurl plumbing shared by the JSON client and exec; private to the kube layer.

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/credentials.h"
#include "mconv/kube/rest_config.h"

namespace mconv::kube::detail {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, EasyDeleter>;

// Owns a curl string list, such as request headers.
class CurlList {
 public:
  CurlList() = default;
  ~CurlList() { curl_slist_free_all(list_); }
  CurlList(const CurlList&) = delete;
  CurlList& operator=(const CurlList&) = delete;

  void add(const std::string& item) { list_ = curl_slist_append(list_, item.c_str()); }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// The state of one transfer that the curl callbacks and the error mapping share. Add
// request headers before calling configure(), which appends Authorization.
struct Transfer {
  char error_buffer[CURL_ERROR_SIZE] = {};
  Cancellation cancel;
  CurlList headers;
  CurlList connect_to;
};

// Builds the URL of a path below the server; `scheme` replaces https by wss for exec.
// With tls-server-name set, the URL names that host and the connection is redirected
// to the real server address with CURLOPT_CONNECT_TO, so that SNI and certificate
// verification use the name while the TCP connection goes to the server.
struct Target {
  std::string url;
  std::string connect_to;  // "name:port:host:port", or empty
};
ApiResult<Target> target_for(const RestConfig& config, std::string_view path_and_query, bool websocket);

// Sets the URL, TLS, proxy, timeouts, authentication and cancellation of a transfer.
// The handle keeps pointers into `transfer`, which must outlive the transfer.
void configure(CURL* handle, const RestConfig& config, const Target& target, const AuthMaterial& auth,
               Transfer& transfer);

// Maps a failed transfer (no HTTP response) to an error kubectl users recognise.
ApiError transport_error(CURLcode code, const Transfer& transfer, const RestConfig& config);

long response_code(CURL* handle);

}  // namespace mconv::kube::detail
