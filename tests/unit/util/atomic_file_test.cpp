#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "mconv/util/atomic_file.h"
#include "support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;
using mconv::test::read_file;
using mconv::test::TempDir;
using mconv::util::AtomicFile;

namespace {

std::size_t entries_in(const std::filesystem::path& folder) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(folder), std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("atomic file appears only on commit", "[atomic_file]") {
  TempDir dir;
  auto target = dir.path() / "engine.plan";
  auto file = AtomicFile::create(target, false);
  REQUIRE(file);
  REQUIRE(file->write("half"));
  CHECK_FALSE(std::filesystem::exists(target));

  REQUIRE(file->write(" and the rest"));
  REQUIRE(file->commit());
  CHECK(read_file(target) == "half and the rest");
  CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("atomic file removes its temporary without commit", "[atomic_file]") {
  TempDir dir;
  {
    auto file = AtomicFile::create(dir.path() / "engine.plan", false);
    REQUIRE(file);
    REQUIRE(file->write("partial"));
  }
  CHECK(entries_in(dir.path()) == 0);
}

TEST_CASE("atomic file keeps an existing target without force", "[atomic_file]") {
  TempDir dir;
  auto target = dir.write("engine.plan", "old");

  auto refused = AtomicFile::create(target, false);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, ContainsSubstring("already exists; pass --force"));

  auto forced = AtomicFile::create(target, true);
  REQUIRE(forced);
  REQUIRE(forced->write("new"));
  REQUIRE(forced->commit());
  CHECK(read_file(target) == "new");
}

TEST_CASE("atomic file keeps a target that appears meanwhile", "[atomic_file]") {
  TempDir dir;
  auto target = dir.path() / "engine.plan";
  auto file = AtomicFile::create(target, false);
  REQUIRE(file);
  REQUIRE(file->write("new"));
  dir.write("engine.plan", "someone else's");

  auto committed = file->commit();
  REQUIRE_FALSE(committed);
  CHECK_THAT(committed.error().message, ContainsSubstring("appeared during the download"));
  CHECK(read_file(target) == "someone else's");
}
