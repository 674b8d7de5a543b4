#include "mconv/kube/pod_logs.h"

#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "test_cluster.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::kube::testing::cluster_client;
using mconv::kube::testing::inject_fault;
using mconv::kube::testing::TestPod;
using mconv::kube::testing::Watchdog;

TEST_CASE("log query carries every option", "[kube][logs]") {
  LogOptions options;
  options.container = "main";
  options.follow = true;
  options.timestamps = true;
  options.previous = true;
  options.since_time = parse_rfc3339("2024-05-01T10:00:00.75Z");
  options.tail_lines = 10;
  options.limit_bytes = 4096;

  CHECK(encode_query(log_query(options)) ==
        "container=main&follow=true&timestamps=true&previous=true&sinceTime=2024-05-01T10%3A00%3A00Z&tailLines=10&"
        "limitBytes=4096");
}

TEST_CASE("log resume point drops repeated lines", "[kube][logs]") {
  LogResumePoint point;
  CHECK(point.accept("2024-05-01T10:00:00.100Z a"));
  CHECK(point.accept("2024-05-01T10:00:00.200Z b"));
  CHECK(point.accept("2024-05-01T10:00:00.200Z c"));
  REQUIRE(point.since());
  CHECK(format_rfc3339_seconds(*point.since()) == "2024-05-01T10:00:00Z");

  // The resumed stream starts again at 10:00:00.
  point.start_resume();
  CHECK_FALSE(point.accept("2024-05-01T10:00:00.100Z a"));
  CHECK_FALSE(point.accept("2024-05-01T10:00:00.200Z b"));
  CHECK_FALSE(point.accept("2024-05-01T10:00:00.200Z c"));
  CHECK(point.accept("2024-05-01T10:00:00.200Z d"));
  CHECK(point.accept("2024-05-01T10:00:01Z e"));
}

TEST_CASE("log resume point accepts lines without a time", "[kube][logs]") {
  LogResumePoint point;
  CHECK(point.accept("no timestamp here"));
  CHECK_FALSE(point.since());
}

TEST_CASE("split timestamp separates time and text", "[kube][logs]") {
  auto split = split_timestamp("2024-05-01T10:00:00.123456789Z hello world");
  REQUIRE(split);
  CHECK(split->second == "hello world");
  CHECK(format_rfc3339_seconds(split->first) == "2024-05-01T10:00:00Z");
  CHECK_FALSE(split_timestamp("hello world"));
}

TEST_CASE("waiting container is recognised", "[kube][logs]") {
  // The response recorded from the local cluster for a pod whose image is still pulling.
  auto error = error_from_response(
      400,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"container \"main\" in pod \"p\" is waiting to start: ContainerCreating","reason":"BadRequest","code":400})",
      {"GET", "/api/v1/namespaces/default/pods/p/log"});
  CHECK(is_container_waiting(error));
  CHECK(error.message == "Error from server (BadRequest): container \"main\" in pod \"p\" is waiting to start: "
                         "ContainerCreating");

  auto other = error_from_response(400, R"({"kind":"Status","message":"bad","reason":"BadRequest","code":400})",
                                   {"GET", "/x"});
  CHECK_FALSE(is_container_waiting(other));
}

TEST_CASE("log stream reads a finished container", "[kube][logs][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "logs-done", "for i in 1 2 3; do echo line $i; done; printf tail");
  pod.wait_for_phase({"Succeeded", "Failed"});

  std::vector<std::string> lines;
  Watchdog watchdog(std::chrono::seconds(60));
  auto streamed = stream_pod_logs(*client, "default", pod.name(), {}, [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  }, watchdog.cancellation());

  REQUIRE_OK(streamed);
  CHECK(lines == std::vector<std::string>{"line 1", "line 2", "line 3", "tail"});
}

TEST_CASE("log stream reports a container waiting to start", "[kube][logs][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  nlohmann::json manifest = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", testing::unique_name("logs-wait")}}},
      {"spec", {{"containers", {{{"name", "main"}, {"image", "mconv.test/no-such-image:1"}}}}}}};
  auto created = client->post(resource_path("v1", "default", "pods"), manifest);
  REQUIRE(created);
  std::string name = (*created)["metadata"]["name"];

  // Until the pod is scheduled the server returns an empty log, and then 400.
  ApiResult<void> streamed;
  for (int attempt = 0; attempt < 100 && streamed; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    streamed = stream_pod_logs(*client, "default", name, {}, [](std::string_view) { return true; });
  }
  REQUIRE_FALSE(streamed);
  CHECK(is_container_waiting(streamed.error()));
  CHECK(streamed.error().http_code == 400);
  CHECK(client->remove(resource_path("v1", "default", "pods", name), {{"gracePeriodSeconds", 0}}));
}

TEST_CASE("log follow survives cut connections", "[kube][logs][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "logs-follow", "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo line $i; sleep 0.1; done");
  pod.wait_for_phase({"Running", "Succeeded"});

  std::vector<std::string> lines;
  Watchdog watchdog(std::chrono::seconds(90));
  std::thread cutter([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    inject_fault("cut-connections");
  });
  auto followed = follow_pod_logs(*client, "default", pod.name(), {}, {}, [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  }, watchdog.cancellation());
  cutter.join();

  REQUIRE_OK(followed);
  REQUIRE(lines.size() == 40);
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(lines[i] == fmt::format("line {}", i + 1));
}
