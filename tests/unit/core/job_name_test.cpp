#include <set>

#include <catch2/catch_test_macros.hpp>

#include "mconv/core/job_name.h"
#include "mconv/kube/validation.h"

using mconv::core::ConversionKey;
using mconv::core::job_name;
using mconv::core::readable_user;

namespace {

const std::string model_hash = std::string(64, 'c');
const std::string image_digest = "sha256:" + std::string(64, 'd');

const std::vector<std::string> users = {
    "alice",
    "Alice",
    "alice@example.com",
    "bob.smith+ci@corp.example.org",
    "system:serviceaccount:ml-ci:runner",
    "system:serviceaccount:team-a:a-very-long-service-account-name-for-nightly-builds",
    "https://accounts.example.com#110169484474386276334",
    "oidc:https://issuer.example.com/realms/ml#7f3b1c9e-0d2a-4c1e-9a7b-3e2f1d0c9b8a",
    "张伟",
    "Ünïcødé-Üser",
    "----",
    "",
    std::string(300, 'x'),
    "CN=admin,O=system:masters",
    "user with spaces",
};

const std::vector<std::string> stems = {
    "resnet50", "ResNet50_v1.5", "模型", "model.final.v2", std::string(200, 'm'), "", "---", "a", "yolo-v8n@640",
};

bool is_valid_label(const std::string& name) { return mconv::kube::check_dns1123_label(name).empty(); }

}  // namespace

TEST_CASE("job name is a valid label for every input", "[job_name]") {
  for (const auto& user : users) {
    for (const auto& stem : stems) {
      ConversionKey key{user, model_hash, stem, "T4", "precision=fp16", image_digest};
      auto name = job_name(key);
      INFO("user '" << user << "', stem '" << stem << "' gave '" << name << "'");
      CHECK(is_valid_label(name));
      CHECK(name.size() <= 63);
      CHECK(name.starts_with("mconv-"));
    }
  }
}

TEST_CASE("job name is deterministic", "[job_name]") {
  for (const auto& user : users) {
    ConversionKey key{user, model_hash, "resnet50", "A100-80GB", "precision=fp32", image_digest};
    CHECK(job_name(key) == job_name(key));
  }
}

TEST_CASE("job name differs when any input differs", "[job_name]") {
  std::set<std::string> names;
  std::size_t keys = 0;
  const std::vector<std::string> gpus = {"T4", "A10", "L4", "L40S", "H100"};
  const std::vector<std::string> options = {"", "precision=fp16", "precision=fp32", "precision=fp16;shapes=input=1x3x224x224"};
  const std::vector<std::string> images = {image_digest, "sha256:" + std::string(64, 'e')};
  const std::vector<std::string> models = {model_hash, std::string(64, 'f'), std::string(63, 'f') + "e"};

  for (const auto& user : users) {
    for (const auto& gpu : gpus) {
      for (const auto& option : options) {
        for (const auto& image : images) {
          for (const auto& model : models) {
            names.insert(job_name(ConversionKey{user, model, "model", gpu, option, image}));
            ++keys;
          }
        }
      }
    }
  }
  CHECK(names.size() == keys);
}

TEST_CASE("job name keeps readable parts", "[job_name]") {
  ConversionKey key{"alice@example.com", model_hash, "ResNet50_v1.5", "T4", "", image_digest};
  auto name = job_name(key);
  CHECK(name.starts_with("mconv-alice-resnet50-v1-5-"));
  CHECK(name.size() == std::string("mconv-alice-resnet50-v1-5-").size() + 16);
}

TEST_CASE("job name leaves out parts without letters", "[job_name]") {
  ConversionKey key{"张伟", model_hash, "模型", "T4", "", image_digest};
  auto name = job_name(key);
  CHECK(name.size() == std::string("mconv-").size() + 16);
  CHECK(is_valid_label(name));
}

TEST_CASE("readable user shortens identities", "[job_name]") {
  CHECK(readable_user("alice@example.com") == "alice");
  CHECK(readable_user("system:serviceaccount:ml-ci:runner") == "sa-runner");
  CHECK(readable_user("https://accounts.example.com#1101694844") == "1101694844");
  CHECK(readable_user("Bob.Smith") == "bob-smith");
  CHECK(readable_user(std::string(40, 'z')).size() == 16);
  CHECK(readable_user("---").empty());
}
