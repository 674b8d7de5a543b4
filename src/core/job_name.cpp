#include "mconv/core/job_name.h"

#include <fmt/format.h>

#include "mconv/util/sha256.h"

namespace mconv::core {

namespace {

constexpr std::size_t max_user_length = 16;
constexpr std::size_t max_stem_length = 20;
constexpr std::size_t hash_bytes = 10;  // 80 bits, written as 16 base32 characters

// Keeps lowercase ASCII letters and digits, turns every other run of characters into one
// '-', and cuts the result to at most max_length without a leading or trailing '-'.
std::string slug(std::string_view text, std::size_t max_length) {
  std::string result;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 'A' && byte <= 'Z') byte = static_cast<unsigned char>(byte - 'A' + 'a');
    if ((byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9')) {
      result.push_back(static_cast<char>(byte));
    } else if (!result.empty() && result.back() != '-') {
      result.push_back('-');
    }
  }
  if (result.size() > max_length) result.resize(max_length);
  while (!result.empty() && result.back() == '-') result.pop_back();
  return result;
}

std::string base32(std::string_view bytes) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string result;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      result.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) result.push_back(alphabet[(buffer << (5 - bits)) & 31]);
  return result;
}

// Appends a field with its length, so that no two different keys hash the same text.
void add_field(util::Sha256& hash, std::string_view name, std::string_view value) {
  hash.update(fmt::format("{}={}:", name, value.size()));
  hash.update(value);
  hash.update("\n");
}

std::string raw_hash(const ConversionKey& key) {
  util::Sha256 hash;
  hash.update("mconv conversion v1\n");
  add_field(hash, "user", key.user);
  add_field(hash, "model", key.model_sha256);
  add_field(hash, "gpu", key.gpu);
  add_field(hash, "options", key.options);
  add_field(hash, "image", key.image_digest);
  return hash.finish_raw();
}

}  // namespace

std::string readable_user(const std::string& user) {
  std::string_view name = user;

  constexpr std::string_view service_account = "system:serviceaccount:";
  if (name.starts_with(service_account)) {
    auto last_colon = name.rfind(':');
    return slug(fmt::format("sa-{}", name.substr(last_colon + 1)), max_user_length);
  }
  if (auto hash = name.rfind('#'); hash != std::string_view::npos && hash + 1 < name.size()) {
    name = name.substr(hash + 1);
  } else if (name.starts_with("https://") || name.starts_with("http://")) {
    name = name.substr(name.rfind('/') + 1);
  }
  if (auto at = name.find('@'); at != std::string_view::npos && at > 0) name = name.substr(0, at);
  return slug(name, max_user_length);
}

std::string conversion_hash(const ConversionKey& key) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (char c : raw_hash(key)) {
    auto byte = static_cast<unsigned char>(c);
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0x0f]);
  }
  return hex;
}

std::string job_name(const ConversionKey& key) {
  std::string name = "mconv";
  for (const auto& part : {readable_user(key.user), slug(key.model_stem, max_stem_length)}) {
    if (!part.empty()) name += "-" + part;
  }
  name += "-" + base32(raw_hash(key).substr(0, hash_bytes));
  return name;
}

}  // namespace mconv::core
