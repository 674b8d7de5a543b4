#pragma once

#include <string>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv cancel NAME: delete a conversion's Job, pods and staging volume.
class CancelCommand : public Command {
 public:
  CancelCommand(CLI::App& parent, const GlobalOptions& global);
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string name_;
};

}  // namespace mconv::cli
