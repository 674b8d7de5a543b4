#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "mconv/cli/terminal.h"
#include "mconv/error.h"

namespace mconv::cli {

// Flags that every command accepts, as kubectl names them.
struct GlobalOptions {
  std::string kubeconfig;
  std::string context;
  std::string namespace_name;
  std::string catalog;
  std::string image_lock;
  int verbosity = 0;
};

// The streams a command writes to: machine-readable output on out, everything for
// people on err.
struct Streams {
  std::ostream& out;
  std::ostream& err;
  const Terminal& terminal;
};

// One subcommand: its options are bound to CLI11 by the constructor, validate() checks
// them without touching files or the network, and run() does the work.
class Command {
 public:
  explicit Command(CLI::App* app) : app_(app) {}
  virtual ~Command() = default;
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  bool selected() const { return app_->parsed(); }
  const CLI::App& app() const { return *app_; }

  virtual std::optional<Error> validate() const { return std::nullopt; }
  virtual Result<void> run(Streams& streams) = 0;

 protected:
  CLI::App* app_;
};

}  // namespace mconv::cli
