#pragma once

#include <string>
#include <vector>

#include "mconv/kube/api_error.h"
#include "mconv/kube/cancellation.h"
#include "mconv/kube/client.h"

namespace mconv::kube {

// The caller as the API server authenticated it.
struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
};

// Asks who the caller is (SelfSubjectReview, authentication.k8s.io/v1, GA in 1.28).
ApiResult<UserInfo> review_self(Client& client, Cancellation cancel = {});

// A request to check, as SelfSubjectAccessReview's resourceAttributes.
struct AccessCheck {
  std::string verb;
  std::string group;  // "" for the core group, "batch" for Jobs
  std::string resource;
  std::string subresource;
  std::string namespace_name;
  std::string name;
};

struct AccessDecision {
  bool allowed = false;
  // True when an authorizer explicitly denied, not merely found no rule allowing it.
  bool denied = false;
  std::string reason;
};

// Asks whether the caller may do one thing (SelfSubjectAccessReview), so that a
// missing permission can be named before work starts.
ApiResult<AccessDecision> check_access(Client& client, const AccessCheck& check, Cancellation cancel = {});

}  // namespace mconv::kube
