#include "mconv/kube/exec_protocol.h"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace mconv;
using namespace mconv::kube;

namespace {

struct Received {
  std::vector<std::pair<int, std::string>> pieces;

  ChannelDemux demux() {
    return ChannelDemux([this](std::uint8_t channel, std::string_view data) {
      pieces.emplace_back(channel, std::string(data));
      return Result<void>{};
    });
  }
};

}  // namespace

TEST_CASE("channel demux reads the channel byte once per message", "[kube][exec-protocol]") {
  Received received;
  auto demux = received.demux();

  // One 7-byte frame read in two pieces, then a frame on stderr.
  REQUIRE(demux.feed("\x01hel", 0, 3, false));
  REQUIRE(demux.feed("lo!", 4, 0, false));
  REQUIRE(demux.feed("\x02oops", 0, 0, false));

  std::vector<std::pair<int, std::string>> expected = {{1, "hel"}, {1, "lo!"}, {2, "oops"}};
  CHECK(received.pieces == expected);
}

TEST_CASE("channel demux follows fragmented messages", "[kube][exec-protocol]") {
  Received received;
  auto demux = received.demux();

  // A message in two frames: the second frame has no channel byte of its own.
  REQUIRE(demux.feed("\x01" "ab", 0, 0, true));
  REQUIRE(demux.feed("cd", 0, 0, false));
  REQUIRE(demux.feed(std::string_view("\x03{}", 3), 0, 0, false));

  std::vector<std::pair<int, std::string>> expected = {{1, "ab"}, {1, "cd"}, {3, "{}"}};
  CHECK(received.pieces == expected);
}

TEST_CASE("channel demux skips empty readiness messages", "[kube][exec-protocol]") {
  Received received;
  auto demux = received.demux();
  REQUIRE(demux.feed("\x01", 0, 0, false));
  CHECK(received.pieces.empty());
}

TEST_CASE("channel demux passes sink errors on", "[kube][exec-protocol]") {
  ChannelDemux demux([](std::uint8_t, std::string_view) -> Result<void> { return fail(ErrorKind::io, "disk full"); });
  auto fed = demux.feed("\x01x", 0, 0, false);
  REQUIRE_FALSE(fed);
  CHECK(fed.error().message == "disk full");
}

TEST_CASE("stdin close message names channel zero", "[kube][exec-protocol]") {
  CHECK(stdin_close_message() == std::string("\xff\x00", 2));
}

TEST_CASE("exec status reads success and exit codes", "[kube][exec-protocol]") {
  auto success = parse_exec_status(R"({"metadata":{},"status":"Success"})");
  REQUIRE(success);
  CHECK(success->success);
  CHECK(success->exit_code == 0);

  auto exit7 = parse_exec_status(
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 7",)"
      R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}})");
  REQUIRE(exit7);
  CHECK_FALSE(exit7->success);
  CHECK(exit7->exit_code == 7);
  CHECK(exit7->message == "command terminated with non-zero exit code: exit status 7");
}

TEST_CASE("exec status without exit code", "[kube][exec-protocol]") {
  auto not_found = parse_exec_status(
      R"({"metadata":{},"status":"Failure","message":"exec: \"nope\": executable file not found in $PATH",)"
      R"("reason":"InternalError"})");
  REQUIRE(not_found);
  CHECK_FALSE(not_found->exit_code);
  CHECK(not_found->reason == "InternalError");

  CHECK_FALSE(parse_exec_status(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[]}})"));
  CHECK_FALSE(parse_exec_status("not json"));
}
