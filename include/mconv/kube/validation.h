#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mconv::kube {

// Checks of names and values as the Kubernetes API server validates them. Each
// returns an empty string when the value is valid, otherwise the reason it is not.

// A DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending
// with an alphanumeric. Namespaces, Job names and most object names are labels.
std::string check_dns1123_label(std::string_view value);

// A DNS-1123 subdomain: dot-separated labels, at most 253 characters in all.
std::string check_dns1123_subdomain(std::string_view value);

// A label or annotation key: an optional DNS subdomain prefix and '/', then a name of
// at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric.
std::string check_qualified_name(std::string_view value);

// A label value: empty, or at most 63 characters shaped like a qualified name's name part.
std::string check_label_value(std::string_view value);

// A resource quantity such as "1", "500m", "16Gi" or "1e3", parsed to its value in base
// units (cores, bytes, devices).
struct Quantity {
  std::string text;
  long double value = 0;

  bool is_whole() const;
};

// Parses a quantity in the API server's grammar; empty when the text is not one.
std::optional<Quantity> parse_quantity(std::string_view text);

}  // namespace mconv::kube
