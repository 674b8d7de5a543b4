#include "mconv/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mconv::util {

namespace {

std::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path) {
  return fail(ErrorKind::io, "{} '{}' failed: {}", what, path.string(), std::strerror(errno));
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target, bool overwrite) {
  std::error_code code;
  if (!overwrite && std::filesystem::exists(target, code)) {
    return fail(ErrorKind::io, "'{}' already exists; pass --force to overwrite it, or choose another path with --output-file", target.string());
  }
  if (std::filesystem::is_directory(target, code)) {
    return fail(ErrorKind::io, "'{}' is a folder; give a file path with --output-file", target.string());
  }

  auto folder = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  std::string pattern = (folder / ("." + target.filename().string() + ".partial-XXXXXX")).string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return io_error("creating a file in", folder);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    return io_error("opening", pattern);
  }
  ::fchmod(fd, 0644);
  return AtomicFile(target, pattern, file, overwrite);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)), temporary_(std::move(other.temporary_)), file_(other.file_), overwrite_(other.overwrite_) {
  other.file_ = nullptr;
  other.temporary_.clear();
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

Result<void> AtomicFile::write(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) return io_error("writing", temporary_);
  return {};
}

Result<void> AtomicFile::commit() {
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) return io_error("writing", temporary_);
  std::fclose(file_);
  file_ = nullptr;

  if (overwrite_) {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) return io_error("renaming the download to", target_);
  } else if (::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) {
      return fail(ErrorKind::io, "'{}' appeared during the download and was kept; pass --force to overwrite it", target_.string());
    }
    return io_error("renaming the download to", target_);
  }
  temporary_.clear();
  return {};
}

}  // namespace mconv::util
