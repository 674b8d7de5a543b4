#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mconv::kube {

// Standard base64 (RFC 4648 section 4) as kubeconfig *-data fields and JSON []byte
// fields use it. Decoding skips whitespace and accepts missing padding; empty when
// the text contains other characters.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace mconv::kube
