#include "mconv/kube/exec.h"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "curl_easy.h"
#include "mconv/kube/vlog.h"

namespace mconv::kube {

namespace {

constexpr std::size_t receive_buffer_size = 64 * 1024;
// The status is a small JSON object; anything beyond this is not one.
constexpr std::size_t max_status_size = 64 * 1024;
constexpr int poll_interval_ms = 100;
// A close frame's payload: status code 1000, normal closure.
constexpr char normal_closure[] = {'\x03', '\xE8'};

std::string describe(const ExecRequest& request) {
  return fmt::format("exec in pod {}/{}", request.namespace_name, request.pod);
}

// One exec call: the WebSocket handshake, then a loop that receives, sends stdin and
// waits on the socket until the server closes the connection.
class ExecSession {
 public:
  ExecSession(Client& client, const ExecRequest& request, Cancellation cancel)
      : client_(client),
        request_(request),
        cancel_(cancel),
        demux_([this](std::uint8_t channel, std::string_view data) { return on_message(channel, data); }) {}

  ApiResult<ExecResult> run();

 private:
  ApiResult<void> connect();
  ApiResult<long> handshake(const AuthMaterial& auth);
  ApiError rejected_handshake(long code);
  ApiResult<void> check_protocol();

  ApiResult<void> pump();
  ApiResult<void> receive_available();
  ApiResult<void> send_stdin();
  Result<void> fill_stdin_frame();
  ApiResult<void> wait_for_socket();
  Result<void> on_message(std::uint8_t channel, std::string_view data);
  void send_close();
  ApiResult<ExecResult> result();

  ApiError failure(std::string message) const {
    return api_fail(ErrorKind::cluster, "{}: {}", describe(request_), message).error();
  }

  Client& client_;
  const ExecRequest& request_;
  Cancellation cancel_;
  std::string path_;

  // The handle points into the transfer, so it is declared after it and destroyed first.
  std::unique_ptr<detail::Transfer> transfer_;
  detail::CurlEasy handle_;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
  std::string protocol_;

  std::string frame_;
  std::size_t frame_sent_ = 0;
  bool stdin_open_ = false;
  bool closed_ = false;
  std::string status_json_;
  ChannelDemux demux_;
};

ApiResult<ExecResult> ExecSession::run() {
  if (request_.command.empty()) return api_fail(ErrorKind::internal, "{}: no command given", describe(request_));

  if (auto connected = connect(); !connected) return std::unexpected(connected.error());
  if (auto checked = check_protocol(); !checked) {
    send_close();
    return std::unexpected(checked.error());
  }

  stdin_open_ = static_cast<bool>(request_.stdin_source);
  if (auto pumped = pump(); !pumped) {
    send_close();
    return std::unexpected(pumped.error());
  }
  return result();
}

ApiResult<void> ExecSession::connect() {
  path_ = fmt::format("{}?{}", resource_path("v1", request_.namespace_name, "pods", request_.pod, "exec"),
                      encode_query(exec_query(request_)));

  for (int attempt = 0;; ++attempt) {
    auto auth = client_.credentials().current();
    if (!auth) return std::unexpected(to_api_error(auth.error()));

    auto code = handshake(*auth);
    if (!code) return std::unexpected(code.error());
    if (*code == 101) return {};
    if (*code == 401 && attempt == 0 && client_.credentials().refresh_after_unauthorized()) continue;
    return std::unexpected(rejected_handshake(*code));
  }
}

ApiResult<long> ExecSession::handshake(const AuthMaterial& auth) {
  auto target = detail::target_for(client_.config(), path_, true);
  if (!target) return std::unexpected(target.error());

  handle_.reset();
  transfer_ = std::make_unique<detail::Transfer>();
  transfer_->cancel = cancel_;
  handle_.reset(curl_easy_init());
  transfer_->headers.add(fmt::format("Sec-WebSocket-Protocol: {}, {}", protocol_v5, protocol_v4));
  detail::configure(handle_.get(), client_.config(), *target, auth, *transfer_);
  curl_easy_setopt(handle_.get(), CURLOPT_CONNECT_ONLY, 2L);

  CURLcode result = curl_easy_perform(handle_.get());
  long code = detail::response_code(handle_.get());
  vlog(4, "GET {} {} (WebSocket upgrade)", target->url, code);
  if (result != CURLE_OK && code < 300) return std::unexpected(detail::transport_error(result, *transfer_, client_.config()));

  curl_easy_getinfo(handle_.get(), CURLINFO_ACTIVESOCKET, &socket_);
  return code;
}

// curl does not read the body of a rejected upgrade, so the same URL is fetched as a
// plain GET to get the server's Status: 404 for a missing pod, 403 for a missing
// permission. When the server accepts the GET, it returns 400 "Upgrade request required".
ApiError ExecSession::rejected_handshake(long code) {
  auto plain = client_.get(path_, {}, cancel_);
  if (!plain && plain.error().http_code == code) return plain.error();
  return failure(fmt::format("the server rejected the WebSocket upgrade with HTTP {}", code));
}

ApiResult<void> ExecSession::check_protocol() {
  curl_header* header = nullptr;
  if (curl_easy_header(handle_.get(), "Sec-WebSocket-Protocol", 0, CURLH_1XX | CURLH_HEADER, -1, &header) == CURLHE_OK) {
    protocol_ = header->value;
  }
  vlog(4, "{}: negotiated {}", describe(request_), protocol_.empty() ? "no subprotocol" : protocol_);

  if (protocol_ == protocol_v5) return {};
  if (protocol_ == protocol_v4 && !request_.stdin_source) return {};
  if (protocol_ == protocol_v4) {
    return std::unexpected(failure("the API server speaks only v4.channel.k8s.io, which cannot signal the end of "
                                   "stdin, so the command would wait forever; exec with stdin needs Kubernetes 1.30 "
                                   "or later (v5.channel.k8s.io)"));
  }
  return std::unexpected(failure(fmt::format("the API server accepted none of the subprotocols {} and {}",
                                             protocol_v5, protocol_v4)));
}

ApiResult<void> ExecSession::pump() {
  while (!closed_) {
    if (cancel_.requested()) return api_fail(ErrorKind::interrupted, "interrupted");
    if (auto received = receive_available(); !received) return received;
    if (closed_) break;
    if (auto sent = send_stdin(); !sent) return sent;
    if (auto waited = wait_for_socket(); !waited) return waited;
  }
  return {};
}

ApiResult<void> ExecSession::receive_available() {
  char buffer[receive_buffer_size];
  while (true) {
    std::size_t received = 0;
    const curl_ws_frame* meta = nullptr;
    CURLcode code = curl_ws_recv(handle_.get(), buffer, sizeof buffer, &received, &meta);
    if (code == CURLE_AGAIN) return {};
    if (code == CURLE_GOT_NOTHING) {
      closed_ = true;
      return {};
    }
    if (code != CURLE_OK) return std::unexpected(detail::transport_error(code, *transfer_, client_.config()));

    if ((meta->flags & CURLWS_CLOSE) != 0) {
      send_close();
      closed_ = true;
      return {};
    }
    if ((meta->flags & (CURLWS_PING | CURLWS_PONG)) != 0) continue;
    if ((meta->flags & CURLWS_TEXT) != 0) return std::unexpected(failure("the server sent a text message"));

    bool more_frames = (meta->flags & CURLWS_CONT) != 0;
    auto fed = demux_.feed(std::string_view(buffer, received), meta->offset, meta->bytesleft, more_frames);
    if (!fed) return std::unexpected(to_api_error(fed.error()));
  }
}

Result<void> ExecSession::on_message(std::uint8_t channel, std::string_view data) {
  switch (channel) {
    case channel::stdout_data:
      return request_.on_stdout ? request_.on_stdout(data) : Result<void>{};
    case channel::stderr_data:
      return request_.on_stderr ? request_.on_stderr(data) : Result<void>{};
    case channel::status:
      if (status_json_.size() + data.size() > max_status_size) {
        return fail(ErrorKind::cluster, "{}: the status message is larger than {} bytes", describe(request_),
                    max_status_size);
      }
      status_json_.append(data);
      return {};
    default:
      vlog(6, "{}: ignoring {} bytes on channel {}", describe(request_), data.size(), channel);
      return {};
  }
}

Result<void> ExecSession::fill_stdin_frame() {
  frame_.resize(request_.stdin_chunk_size + 1);
  frame_[0] = static_cast<char>(channel::stdin_data);
  auto read = request_.stdin_source(std::span<char>(frame_.data() + 1, request_.stdin_chunk_size));
  if (!read) return std::unexpected(read.error());

  if (*read == 0) {
    frame_ = stdin_close_message();
    stdin_open_ = false;
  } else {
    frame_.resize(*read + 1);
  }
  frame_sent_ = 0;
  return {};
}

ApiResult<void> ExecSession::send_stdin() {
  if (frame_sent_ == frame_.size()) {
    if (!stdin_open_) return {};
    if (auto filled = fill_stdin_frame(); !filled) return std::unexpected(to_api_error(filled.error()));
  }

  while (frame_sent_ < frame_.size()) {
    std::size_t sent = 0;
    CURLcode code = curl_ws_send(handle_.get(), frame_.data() + frame_sent_, frame_.size() - frame_sent_, &sent, 0,
                                 CURLWS_BINARY);
    frame_sent_ += sent;
    if (code == CURLE_AGAIN) return {};
    if (code != CURLE_OK) return std::unexpected(detail::transport_error(code, *transfer_, client_.config()));
  }
  return {};
}

ApiResult<void> ExecSession::wait_for_socket() {
  pollfd descriptor{};
  descriptor.fd = socket_;
  descriptor.events = POLLIN;
  bool sending = frame_sent_ < frame_.size() || stdin_open_;
  if (sending) descriptor.events |= POLLOUT;

  int ready = ::poll(&descriptor, 1, poll_interval_ms);
  if (ready < 0 && errno != EINTR) return std::unexpected(failure(fmt::format("poll failed: {}", std::strerror(errno))));
  return {};
}

void ExecSession::send_close() {
  std::size_t sent = 0;
  curl_ws_send(handle_.get(), normal_closure, sizeof normal_closure, &sent, 0, CURLWS_CLOSE);
}

ApiResult<ExecResult> ExecSession::result() {
  if (status_json_.empty()) {
    return std::unexpected(failure("the connection closed without the command's exit status; it may have been "
                                   "cut, so the output may be incomplete"));
  }
  auto status = parse_exec_status(status_json_);
  if (!status) return std::unexpected(to_api_error(status.error()));
  if (!status->exit_code) {
    auto error = failure(status->message.empty() ? status->reason : status->message);
    error.reason = status->reason;
    error.server_message = status->message;
    return std::unexpected(error);
  }
  return ExecResult{*status->exit_code, status->message};
}

}  // namespace

Query exec_query(const ExecRequest& request) {
  Query query;
  for (const auto& argument : request.command) query.emplace_back("command", argument);
  if (!request.container.empty()) query.emplace_back("container", request.container);
  query.emplace_back("stdin", request.stdin_source ? "true" : "false");
  query.emplace_back("stdout", request.on_stdout ? "true" : "false");
  query.emplace_back("stderr", request.on_stderr ? "true" : "false");
  query.emplace_back("tty", "false");
  return query;
}

ApiResult<ExecResult> exec_in_pod(Client& client, const ExecRequest& request, Cancellation cancel) {
  ExecSession session(client, request, cancel);
  return session.run();
}

}  // namespace mconv::kube
