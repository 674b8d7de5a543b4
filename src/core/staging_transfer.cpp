#include "mconv/core/staging_transfer.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "mconv/core/converter_events.h"
#include "mconv/core/manifest.h"
#include "mconv/kube/exec.h"
#include "mconv/util/sha256.h"

namespace mconv::core {

namespace {

constexpr std::size_t max_error_text = 4096;

kube::ExecRequest converter_command(const ConverterPod& pod, std::vector<std::string> args) {
  kube::ExecRequest request;
  request.namespace_name = pod.namespace_name;
  request.pod = pod.pod;
  request.container = std::string(converter_container);
  request.command = {"mconv-converter"};
  request.command.insert(request.command.end(), args.begin(), args.end());
  return request;
}

// Collects what the converter writes to stderr, bounded, for the error message.
kube::OutputSink collect_into(std::string& text) {
  return [&text](std::string_view data) -> Result<void> {
    if (text.size() < max_error_text) text.append(data.substr(0, max_error_text - text.size()));
    return {};
  };
}

Result<void> check_exit(const kube::ApiResult<kube::ExecResult>& result, std::string_view what, const std::string& stderr_text) {
  if (!result) return std::unexpected(with_context(static_cast<Error>(result.error()), what));
  if (result->exit_code == 0) return {};

  auto detail = stderr_text.empty() ? result->message : stderr_text;
  while (!detail.empty() && detail.back() == '\n') detail.pop_back();
  return fail(ErrorKind::conversion, "{} failed with exit code {}: {}", what, result->exit_code, detail);
}

}  // namespace

Result<void> upload_model(const ConverterPod& target, const std::filesystem::path& model, std::string_view staged_path,
                          std::string_view sha256, std::uint64_t size, WorkflowObserver& observer, kube::Cancellation cancel) {
  std::ifstream in(model, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot read model file '{}': {}", model.string(), std::strerror(errno));

  auto what = fmt::format("uploading {}", model.filename().string());
  std::uint64_t sent = 0;
  observer.transfer(what, 0, size);
  auto request = converter_command(target, {"receive", "--dest", std::string(staged_path), "--sha256", std::string(sha256),
                                            "--size", std::to_string(size)});
  request.stdin_source = [&](std::span<char> buffer) -> Result<std::size_t> {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.bad()) return fail(ErrorKind::io, "reading model file '{}' failed: {}", model.string(), std::strerror(errno));
    auto count = static_cast<std::size_t>(in.gcount());
    sent += count;
    observer.transfer(what, sent, size);
    return count;
  };
  std::string errors;
  request.on_stdout = collect_into(errors);
  request.on_stderr = collect_into(errors);

  auto result = kube::exec_in_pod(target.client, request, cancel);
  return check_exit(result, "uploading the model", errors);
}

Result<std::string> download_file(const ConverterPod& source, std::string_view remote_path, util::AtomicFile& file,
                                  std::uint64_t expected_size, WorkflowObserver& observer, kube::Cancellation cancel) {
  auto what = fmt::format("downloading {}", file.target().filename().string());
  util::Sha256 hash;
  std::uint64_t received = 0;
  observer.transfer(what, 0, expected_size);

  auto request = converter_command(source, {"send", "--path", std::string(remote_path)});
  request.on_stdout = [&](std::string_view data) -> Result<void> {
    hash.update(data);
    received += data.size();
    observer.transfer(what, received, std::max(expected_size, received));
    return file.write(data);
  };
  std::string errors;
  request.on_stderr = collect_into(errors);

  auto result = kube::exec_in_pod(source.client, request, cancel);
  if (auto checked = check_exit(result, fmt::format("downloading '{}'", remote_path), errors); !checked) {
    return std::unexpected(checked.error());
  }
  if (expected_size != 0 && received != expected_size) {
    return fail(ErrorKind::io, "the download of '{}' ended after {} of {} bytes", remote_path, received, expected_size);
  }
  return hash.finish_hex();
}

Result<std::string> read_file(const ConverterPod& source, std::string_view remote_path, std::size_t max_bytes,
                              kube::Cancellation cancel) {
  std::string contents;
  auto request = converter_command(source, {"send", "--path", std::string(remote_path)});
  request.on_stdout = [&](std::string_view data) -> Result<void> {
    if (contents.size() + data.size() > max_bytes) {
      return fail(ErrorKind::conversion, "'{}' is larger than {} bytes", remote_path, max_bytes);
    }
    contents.append(data);
    return {};
  };
  std::string errors;
  request.on_stderr = collect_into(errors);

  auto result = kube::exec_in_pod(source.client, request, cancel);
  if (auto checked = check_exit(result, fmt::format("reading '{}'", remote_path), errors); !checked) {
    return std::unexpected(checked.error());
  }
  return contents;
}

Result<void> acknowledge_download(const ConverterPod& source, kube::Cancellation cancel) {
  auto request = converter_command(source, {"ack", "--output-dir", std::string(staging_output_dir)});
  std::string errors;
  request.on_stdout = collect_into(errors);
  request.on_stderr = collect_into(errors);
  auto result = kube::exec_in_pod(source.client, request, cancel);
  return check_exit(result, "acknowledging the download", errors);
}

}  // namespace mconv::core
