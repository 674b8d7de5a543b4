#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "mconv/error.h"

namespace mconv::util {

// Incremental SHA-256 over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  void update(std::string_view text);

  // Returns the digest as 64 lowercase hex digits. The object cannot be updated after.
  std::string finish_hex();
  // Returns the raw 32-byte digest. The object cannot be updated after.
  std::string finish_raw();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Called with the number of bytes hashed so far.
using ProgressCallback = std::function<void(std::uint64_t)>;

// Hashes a file in fixed-size chunks, so memory use does not grow with the file.
Result<std::string> sha256_file(const std::filesystem::path& path,
                                const ProgressCallback& progress = {});

std::string sha256_hex(std::string_view text);

}  // namespace mconv::util
