#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mconv::kube {

// Query parameters in order; a key may repeat, as exec's `command` does.
using Query = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string percent_encode(std::string_view text);

// Encodes "a=1&b=x%20y"; empty for an empty query.
std::string encode_query(const Query& query);

// Builds a resource path: "/api/v1/namespaces/NS/pods/NAME/log" for the core group
// ("v1"), "/apis/batch/v1/..." for others. An empty namespace gives a cluster-scoped
// or all-namespaces path; an empty name gives the collection.
std::string resource_path(std::string_view api_version, std::string_view namespace_name, std::string_view resource,
                          std::string_view name = {}, std::string_view subresource = {});

}  // namespace mconv::kube
