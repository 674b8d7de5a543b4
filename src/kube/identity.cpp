#include "mconv/kube/identity.h"

namespace mconv::kube {

ApiResult<UserInfo> review_self(Client& client, Cancellation cancel) {
  nlohmann::json review = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
  auto answer = client.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", review, cancel);
  if (!answer) return std::unexpected(answer.error());

  const auto status = answer->value("status", nlohmann::json::object());
  const auto user = status.value("userInfo", nlohmann::json::object());
  UserInfo info;
  info.username = user.value("username", "");
  info.uid = user.value("uid", "");
  info.groups = user.value("groups", std::vector<std::string>{});
  return info;
}

ApiResult<AccessDecision> check_access(Client& client, const AccessCheck& check, Cancellation cancel) {
  nlohmann::json attributes = {{"verb", check.verb}, {"group", check.group}, {"resource", check.resource}};
  if (!check.subresource.empty()) attributes["subresource"] = check.subresource;
  if (!check.namespace_name.empty()) attributes["namespace"] = check.namespace_name;
  if (!check.name.empty()) attributes["name"] = check.name;
  nlohmann::json review = {{"apiVersion", "authorization.k8s.io/v1"},
                           {"kind", "SelfSubjectAccessReview"},
                           {"spec", {{"resourceAttributes", attributes}}}};

  auto answer = client.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, cancel);
  if (!answer) return std::unexpected(answer.error());

  const auto status = answer->value("status", nlohmann::json::object());
  AccessDecision decision;
  decision.allowed = status.value("allowed", false);
  decision.denied = status.value("denied", false);
  decision.reason = status.value("reason", "");
  return decision;
}

}  // namespace mconv::kube
