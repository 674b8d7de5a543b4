#include "mconv/kube/exec.h"

#include <cstring>
#include <random>

#include <catch2/catch_test_macros.hpp>

#include "mconv/util/sha256.h"
#include "test_cluster.h"

using namespace mconv;
using namespace mconv::kube;
using mconv::kube::testing::cluster_client;
using mconv::kube::testing::TestPod;
using mconv::kube::testing::Watchdog;

namespace {

// Feeds `total` pseudo-random bytes in whatever pieces exec requests, hashing them.
class RandomSource {
 public:
  explicit RandomSource(std::size_t total) : left_(total) {}

  Result<std::size_t> read(std::span<char> buffer) {
    std::size_t count = std::min(buffer.size(), left_);
    for (std::size_t i = 0; i < count; ++i) buffer[i] = static_cast<char>(engine_() & 0xFF);
    hash_.update(std::string_view(buffer.data(), count));
    left_ -= count;
    ++reads_;
    return count;
  }

  std::string digest() { return hash_.finish_hex(); }
  std::size_t reads() const { return reads_; }

 private:
  std::size_t left_;
  std::size_t reads_ = 0;
  std::mt19937 engine_{42};
  util::Sha256 hash_;
};

}  // namespace

TEST_CASE("exec query lists each argument", "[kube][exec]") {
  ExecRequest request;
  request.command = {"sh", "-c", "echo a&b"};
  request.container = "main";
  request.on_stdout = [](std::string_view) { return Result<void>{}; };

  auto query = encode_query(exec_query(request));
  CHECK(query == "command=sh&command=-c&command=echo%20a%26b&container=main&stdin=false&stdout=true&stderr=false&tty=false");
}

TEST_CASE("exec round-trips stdin through cat", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "exec-cat", "sleep 600");
  pod.wait_for_phase({"Running"});

  constexpr std::size_t size = 24 * 1024 * 1024 + 123;
  RandomSource source(size);
  util::Sha256 received_hash;
  std::size_t received = 0;
  std::string errors;

  ExecRequest request;
  request.namespace_name = "default";
  request.pod = pod.name();
  request.command = {"cat"};
  request.stdin_source = [&](std::span<char> buffer) { return source.read(buffer); };
  request.on_stdout = [&](std::string_view data) {
    received_hash.update(data);
    received += data.size();
    return Result<void>{};
  };
  request.on_stderr = [&](std::string_view data) {
    errors.append(data);
    return Result<void>{};
  };

  Watchdog watchdog(std::chrono::seconds(120));
  auto result = exec_in_pod(*client, request, watchdog.cancellation());
  REQUIRE_OK(result);
  CHECK(result->exit_code == 0);
  CHECK(received == size);
  CHECK(received_hash.finish_hex() == source.digest());
  CHECK(errors.empty());
  CHECK(source.reads() > size / request.stdin_chunk_size);
}

TEST_CASE("exec returns a non-zero exit code", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "exec-exit", "sleep 600");
  pod.wait_for_phase({"Running"});

  std::string output;
  std::string errors;
  ExecRequest request;
  request.namespace_name = "default";
  request.pod = pod.name();
  request.command = {"sh", "-c", "echo out; echo err >&2; exit 7"};
  request.on_stdout = [&](std::string_view data) {
    output.append(data);
    return Result<void>{};
  };
  request.on_stderr = [&](std::string_view data) {
    errors.append(data);
    return Result<void>{};
  };

  Watchdog watchdog(std::chrono::seconds(120));
  auto result = exec_in_pod(*client, request, watchdog.cancellation());
  REQUIRE_OK(result);
  CHECK(result->exit_code == 7);
  CHECK(output == "out\n");
  CHECK(errors == "err\n");
  CHECK(result->message.find("exit code 7") != std::string::npos);
}

TEST_CASE("exec into a missing pod is not found", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();

  ExecRequest request;
  request.namespace_name = "default";
  request.pod = "no-such-pod";
  request.command = {"true"};
  request.on_stdout = [](std::string_view) { return Result<void>{}; };

  Watchdog watchdog(std::chrono::seconds(120));
  auto result = exec_in_pod(*client, request, watchdog.cancellation());
  REQUIRE_FALSE(result);
  CHECK(result.error().is_not_found());
  CHECK(result.error().message.find("no-such-pod") != std::string::npos);
}

TEST_CASE("exec stops when a sink fails", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "exec-sink", "sleep 600");
  pod.wait_for_phase({"Running"});

  ExecRequest request;
  request.namespace_name = "default";
  request.pod = pod.name();
  // Finite, because the command keeps running after the connection closes.
  request.command = {"head", "-c", "50000000", "/dev/zero"};
  request.on_stdout = [](std::string_view) { return Result<void>(fail(ErrorKind::io, "disk full")); };

  Watchdog watchdog(std::chrono::seconds(120));
  auto result = exec_in_pod(*client, request, watchdog.cancellation());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::io);
  CHECK(result.error().message == "disk full");
}

TEST_CASE("exec without permission is forbidden", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto alice = cluster_client("alice");

  ExecRequest request;
  request.namespace_name = "kube-system";
  request.pod = "any-pod";
  request.command = {"true"};
  request.on_stdout = [](std::string_view) { return Result<void>{}; };

  Watchdog watchdog(std::chrono::seconds(60));
  auto result = exec_in_pod(*alice, request, watchdog.cancellation());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::forbidden);
  CHECK(result.error().http_code == 403);
  CHECK(result.error().message.find("User \"alice\" cannot") != std::string::npos);
}

TEST_CASE("exec stops promptly when cancelled", "[kube][exec][cluster]") {
  REQUIRE_TEST_CLUSTER();
  auto client = cluster_client();
  TestPod pod(*client, "exec-cancel", "sleep 600");
  pod.wait_for_phase({"Running"});

  ExecRequest request;
  request.namespace_name = "default";
  request.pod = pod.name();
  request.command = {"sleep", "600"};
  request.on_stdout = [](std::string_view) { return Result<void>{}; };

  Watchdog watchdog(std::chrono::seconds(1));
  auto started = std::chrono::steady_clock::now();
  auto result = exec_in_pod(*client, request, watchdog.cancellation());
  auto elapsed = std::chrono::steady_clock::now() - started;

  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::interrupted);
  CHECK(elapsed < std::chrono::seconds(3));
}
