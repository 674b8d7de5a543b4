#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "mconv/error.h"
#include "mconv/kube/exec_credential.h"
#include "mconv/kube/rest_config.h"

namespace mconv::kube {

// The credentials of one request: a bearer token, a client certificate and key, or both.
struct AuthMaterial {
  std::string bearer_token;
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// Hands out the current credentials of a RestConfig, keeping them fresh: a token file
// is read again once a minute (service account tokens rotate), and a credential
// plugin's output is cached until its expirationTimestamp. After a 401 the client calls
// refresh_after_unauthorized() and retries once. Safe to use from several threads.
class Credentials {
 public:
  using Clock = std::chrono::system_clock;
  using PluginRunner = std::function<Result<ExecCredential>(const ExecPluginConfig&, const RestConfig&)>;

  // The runner is a seam for tests that count plugin runs; it defaults to run_exec_plugin.
  explicit Credentials(RestConfig config, PluginRunner runner = {});

  Result<AuthMaterial> current();

  // Drops the cached token or plugin output. Returns whether a retry can bring other
  // credentials, which is false for static tokens and certificates.
  bool refresh_after_unauthorized();

 private:
  Result<void> refresh_token_file(Clock::time_point now);
  Result<void> refresh_plugin(Clock::time_point now);

  RestConfig config_;
  PluginRunner runner_;

  std::mutex mutex_;
  std::string file_token_;
  std::optional<Clock::time_point> file_read_at_;
  std::optional<ExecCredential> plugin_output_;
};

}  // namespace mconv::kube
