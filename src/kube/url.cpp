#include "mconv/kube/url.h"

#include <cctype>

#include <fmt/format.h>

namespace mconv::kube {

std::string percent_encode(std::string_view text) {
  std::string encoded;
  encoded.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded += fmt::format("%{:02X}", byte);
    }
  }
  return encoded;
}

std::string encode_query(const Query& query) {
  std::string encoded;
  for (const auto& [key, value] : query) {
    if (!encoded.empty()) encoded.push_back('&');
    encoded += percent_encode(key);
    encoded.push_back('=');
    encoded += percent_encode(value);
  }
  return encoded;
}

std::string resource_path(std::string_view api_version, std::string_view namespace_name, std::string_view resource,
                          std::string_view name, std::string_view subresource) {
  std::string path = api_version.find('/') == std::string_view::npos ? fmt::format("/api/{}", api_version)
                                                                     : fmt::format("/apis/{}", api_version);
  if (!namespace_name.empty()) path += fmt::format("/namespaces/{}", percent_encode(namespace_name));
  path += fmt::format("/{}", resource);
  if (!name.empty()) path += fmt::format("/{}", percent_encode(name));
  if (!subresource.empty()) path += fmt::format("/{}", subresource);
  return path;
}

}  // namespace mconv::kube
