#include "mconv/kube/credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mconv/kube/vlog.h"

namespace mconv::kube {

namespace {

// client-go re-reads token files at the same interval.
constexpr auto token_file_lifetime = std::chrono::minutes(1);
// Run the plugin again slightly before the credential expires, not after a 401.
constexpr auto expiry_margin = std::chrono::seconds(10);

std::string trim_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Credentials::Credentials(RestConfig config, PluginRunner runner)
    : config_(std::move(config)), runner_(runner ? std::move(runner) : PluginRunner(run_exec_plugin)) {}

Result<void> Credentials::refresh_token_file(Clock::time_point now) {
  if (file_read_at_ && now - *file_read_at_ < token_file_lifetime) return {};

  std::ifstream in(config_.token_file, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::config, "cannot read the token file '{}': {}; check tokenFile in {}",
                config_.token_file.string(), std::strerror(errno), config_.source);
  }
  std::stringstream text;
  text << in.rdbuf();
  file_token_ = trim_newlines(text.str());
  file_read_at_ = now;
  return {};
}

Result<void> Credentials::refresh_plugin(Clock::time_point now) {
  if (plugin_output_) {
    const auto& expiration = plugin_output_->expiration;
    if (!expiration || now + expiry_margin < *expiration) return {};
  }

  vlog(4, "running credential plugin '{}'", config_.exec->command);
  auto credential = runner_(*config_.exec, config_);
  if (!credential) return std::unexpected(credential.error());
  plugin_output_ = std::move(*credential);
  return {};
}

Result<AuthMaterial> Credentials::current() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();

  AuthMaterial material;
  material.bearer_token = config_.token;
  material.client_certificate_pem = config_.tls.client_certificate_pem;
  material.client_key_pem = config_.tls.client_key_pem;

  if (!config_.token_file.empty()) {
    if (auto refreshed = refresh_token_file(now); !refreshed) return std::unexpected(refreshed.error());
    if (!file_token_.empty()) material.bearer_token = file_token_;
  }

  if (config_.exec) {
    if (auto refreshed = refresh_plugin(now); !refreshed) return std::unexpected(refreshed.error());
    if (!plugin_output_->token.empty()) material.bearer_token = plugin_output_->token;
    if (!plugin_output_->client_certificate_pem.empty()) {
      material.client_certificate_pem = plugin_output_->client_certificate_pem;
      material.client_key_pem = plugin_output_->client_key_pem;
    }
  }
  return material;
}

bool Credentials::refresh_after_unauthorized() {
  std::lock_guard lock(mutex_);
  file_read_at_.reset();
  plugin_output_.reset();
  return !config_.token_file.empty() || config_.exec.has_value();
}

}  // namespace mconv::kube
