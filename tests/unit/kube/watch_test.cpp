#include "mconv/kube/watch.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "test_cluster.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::kube::testing::cluster_client;
using mconv::kube::testing::inject_fault;
using mconv::kube::testing::unique_name;
using mconv::kube::testing::Watchdog;

namespace {

// Records the events a watch delivers, for a test thread to wait on.
class EventLog {
 public:
  void add(const WatchEvent& event) {
    std::lock_guard lock(mutex_);
    if (event.type != "BOOKMARK") {
      entries_.push_back(fmt::format("{} {}", event.type, event.object["metadata"].value("name", "")));
    }
    changed_.notify_all();
  }

  bool wait_for(const std::string& entry) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] {
      return std::ranges::find(entries_, entry) != entries_.end();
    });
  }

  std::vector<std::string> entries() {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> entries_;
};

nlohmann::json labelled_map(const std::string& name, const std::string& label) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"labels", {{"test", label}}}}}};
}

}  // namespace

TEST_CASE("watch resumes after cut connections without losing events", "[kube][watch][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  std::string label = unique_name("watch");
  std::string collection = resource_path("v1", "default", "configmaps");
  std::string last = label + "-last";

  WatchRequest request;
  request.path = collection;
  request.label_selector = "test=" + label;
  EventLog log;
  Watchdog watchdog(std::chrono::seconds(120));
  ApiResult<void> watched;
  std::thread watcher([&] {
    watched = list_and_watch(*client, request, [&](const WatchEvent& event) {
      log.add(event);
      bool done = event.type == "ADDED" && event.object["metadata"].value("name", "") == last;
      return done ? WatchControl::stop : WatchControl::keep_going;
    }, watchdog.cancellation());
  });

  REQUIRE(client->post(collection, labelled_map(label + "-0", label)));
  REQUIRE(log.wait_for("ADDED " + label + "-0"));

  inject_fault("cut-connections");
  for (int i = 1; i <= 5; ++i) REQUIRE(client->post(collection, labelled_map(fmt::format("{}-{}", label, i), label)));
  inject_fault("cut-connections");
  REQUIRE(client->remove(resource_path("v1", "default", "configmaps", label + "-0")));
  REQUIRE(client->post(collection, labelled_map(last, label)));
  watcher.join();

  REQUIRE_OK(watched);
  CHECK_FALSE(watchdog.fired());
  std::vector<std::string> expected = {"ADDED " + label + "-0"};
  for (int i = 1; i <= 5; ++i) expected.push_back(fmt::format("ADDED {}-{}", label, i));
  expected.push_back("DELETED " + label + "-0");
  expected.push_back("ADDED " + last);
  CHECK(log.entries() == expected);

  for (int i = 1; i <= 5; ++i) CHECK(client->remove(resource_path("v1", "default", "configmaps", fmt::format("{}-{}", label, i))));
  CHECK(client->remove(resource_path("v1", "default", "configmaps", last)));
}

TEST_CASE("watch delivers listed objects first", "[kube][watch][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  std::string label = unique_name("list");
  std::string collection = resource_path("v1", "default", "configmaps");
  REQUIRE(client->post(collection, labelled_map(label + "-a", label)));

  WatchRequest request;
  request.path = collection;
  request.label_selector = "test=" + label;
  std::vector<WatchEvent> events;
  auto watched = list_and_watch(*client, request, [&](const WatchEvent& event) {
    events.push_back(event);
    return WatchControl::stop;
  });

  REQUIRE_OK(watched);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "ADDED");
  CHECK(events[0].listed);
  CHECK(events[0].object["metadata"]["name"] == label + "-a");
  CHECK(client->remove(resource_path("v1", "default", "configmaps", label + "-a")));
}
