#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "mconv/core/workflow_observer.h"
#include "mconv/error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"
#include "mconv/util/atomic_file.h"

namespace mconv::core {

// The converter container of one pod, reached through pods/exec. Every command is an
// argument list for the converter's own subcommands; nothing goes through a shell.
struct ConverterPod {
  kube::Client& client;
  std::string namespace_name;
  std::string pod;
};

// Streams the model from disk into the staging volume with `mconv-converter receive`,
// which writes it under a temporary name, checks its size and SHA-256 and renames it.
Result<void> upload_model(const ConverterPod& target, const std::filesystem::path& model, std::string_view staged_path,
                          std::string_view sha256, std::uint64_t size, WorkflowObserver& observer, kube::Cancellation cancel);

// Downloads a file with `mconv-converter send` into `file`, hashing it as it arrives;
// returns its SHA-256. The caller compares the hash before committing the file.
Result<std::string> download_file(const ConverterPod& source, std::string_view remote_path, util::AtomicFile& file,
                                  std::uint64_t expected_size, WorkflowObserver& observer, kube::Cancellation cancel);

// Reads a small file, such as metadata.json, into memory; fails beyond max_bytes.
Result<std::string> read_file(const ConverterPod& source, std::string_view remote_path, std::size_t max_bytes,
                              kube::Cancellation cancel);

// Tells the converter that the download is complete, so that its pod can finish.
Result<void> acknowledge_download(const ConverterPod& source, kube::Cancellation cancel);

}  // namespace mconv::core
