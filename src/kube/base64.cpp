#include "mconv/kube/base64.h"

#include <cstdint>

namespace mconv::kube {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  auto position = alphabet.find(c);
  return position == std::string_view::npos ? -1 : static_cast<int>(position);
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);

  std::uint32_t accumulator = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') break;
    int value = value_of(c);
    if (value < 0) return std::nullopt;

    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((accumulator >> bits) & 0xFFu));
    }
  }
  return bytes;
}

std::string base64_encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);

  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto group = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    for (int shift = 18; shift >= 0; shift -= 6) text.push_back(alphabet[(group >> shift) & 0x3Fu]);
  }

  std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t group = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (left == 2) group |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    text.push_back(alphabet[(group >> 18) & 0x3Fu]);
    text.push_back(alphabet[(group >> 12) & 0x3Fu]);
    text.push_back(left == 2 ? alphabet[(group >> 6) & 0x3Fu] : '=');
    text.push_back('=');
  }
  return text;
}

}  // namespace mconv::kube
