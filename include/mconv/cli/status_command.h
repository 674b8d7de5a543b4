#pragma once

#include <string>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv status NAME: one conversion's state, and why it waits or failed.
class StatusCommand : public Command {
 public:
  StatusCommand(CLI::App& parent, const GlobalOptions& global);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string name_;
  std::string output_ = "text";
};

}  // namespace mconv::cli
