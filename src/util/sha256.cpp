#include "mconv/util/sha256.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/evp.h>

namespace mconv::util {

namespace {

constexpr std::size_t chunk_size = 1 << 20;

std::string to_hex(std::string_view raw) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(raw.size() * 2);
  for (char c : raw) {
    auto byte = static_cast<unsigned char>(c);
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0x0f]);
  }
  return hex;
}

}  // namespace

struct Sha256::Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(context_->md, data.data(), data.size());
}

void Sha256::update(std::string_view text) {
  EVP_DigestUpdate(context_->md, text.data(), text.size());
}

std::string Sha256::finish_raw() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->md, digest.data(), &length);
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string Sha256::finish_hex() { return to_hex(finish_raw()); }

Result<std::string> sha256_file(const std::filesystem::path& path, const ProgressCallback& progress) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::io, "cannot open '{}': {}", path.string(), std::strerror(errno));
  }

  Sha256 hash;
  std::vector<char> buffer(chunk_size);
  std::uint64_t total = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto count = static_cast<std::size_t>(in.gcount());
    hash.update(std::string_view(buffer.data(), count));
    total += count;
    if (progress) progress(total);
  }
  if (in.bad()) {
    return fail(ErrorKind::io, "reading '{}' failed: {}", path.string(), std::strerror(errno));
  }
  return hash.finish_hex();
}

std::string sha256_hex(std::string_view text) {
  Sha256 hash;
  hash.update(text);
  return hash.finish_hex();
}

}  // namespace mconv::util
