#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"
#include "mconv/kube/exec_protocol.h"

namespace mconv::kube {

// Fills the buffer with the next stdin bytes and returns how many; 0 means the end.
using StdinSource = std::function<Result<std::size_t>(std::span<char> buffer)>;
// Takes stdout or stderr data as it arrives.
using OutputSink = std::function<Result<void>(std::string_view data)>;

struct ExecRequest {
  std::string namespace_name;
  std::string pod;
  // Empty for a pod with one container.
  std::string container;
  // The argv; no shell is involved unless the first element is one.
  std::vector<std::string> command;
  // Empty when the command gets no stdin. Streaming stdin needs v5.channel.k8s.io
  // (Kubernetes 1.30 and later), because only v5 can signal its end.
  StdinSource stdin_source;
  // Each stream is requested only when its sink is set.
  OutputSink on_stdout;
  OutputSink on_stderr;
  // The payload of each stdin message; far below the server's 32 MiB message limit.
  std::size_t stdin_chunk_size = 256 * 1024;
};

struct ExecResult {
  int exit_code = 0;
  // The Status message, such as "command terminated with non-zero exit code: ...".
  std::string message;
};

// Builds the query of the exec handshake: `command` once per argv element, then
// container, stdin, stdout, stderr and tty=false.
Query exec_query(const ExecRequest& request);

// Runs a command in a running container over a WebSocket (pods/exec), offering
// v5.channel.k8s.io and then v4.channel.k8s.io. Stdin is streamed from the source in
// chunks and half-closed at its end. Stdout and stderr reach their sinks as they arrive,
// and the call returns once the server closes the connection. Memory stays bounded by
// one stdin chunk and one receive buffer whatever the amount of data.
//
// The source and the sinks run on the calling thread, and nothing is sent or received
// while one of them blocks.
// NOTE: after a cancellation or a failed sink the connection closes, but the command may
// go on running in the container, because the API server does not stop it.
//
// Returns the exit code from the server's Status, also when it is not zero. Fails when
// the command could not run (such as "executable file not found"), on API errors of the
// handshake (404, 403), when a sink or the source fails, on cancellation, and when stdin
// is requested but the server only speaks v4.
ApiResult<ExecResult> exec_in_pod(Client& client, const ExecRequest& request, Cancellation cancel = {});

}  // namespace mconv::kube
