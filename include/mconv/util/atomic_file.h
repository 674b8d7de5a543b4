#pragma once

#include <cstdio>
#include <filesystem>
#include <string_view>

#include "mconv/error.h"

namespace mconv::util {

// A file written under a temporary name beside its target and renamed into place by
// commit(), so the target path never contains a partly written file. Destroying it
// without commit() removes the temporary file.
class AtomicFile {
 public:
  // Fails when the target exists and overwrite is false, so the user learns before a
  // long download rather than after it.
  static Result<AtomicFile> create(const std::filesystem::path& target, bool overwrite);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  Result<void> write(std::string_view data);

  // Flushes the data to disk and renames the file to the target. Without overwrite, a
  // target that appeared in the meantime is kept and the commit fails.
  Result<void> commit();

  const std::filesystem::path& target() const { return target_; }

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temporary, std::FILE* file, bool overwrite)
      : target_(std::move(target)), temporary_(std::move(temporary)), file_(file), overwrite_(overwrite) {}

  void discard();

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
  bool overwrite_ = false;
};

}  // namespace mconv::util
