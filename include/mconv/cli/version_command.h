#pragma once

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv version: the version and commit of this binary.
class VersionCommand : public Command {
 public:
  explicit VersionCommand(CLI::App& parent);

  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  std::string output_ = "text";
};

}  // namespace mconv::cli
