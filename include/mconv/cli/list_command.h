#pragma once

#include <string>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv list: the caller's conversions in the namespace.
class ListCommand : public Command {
 public:
  ListCommand(CLI::App& parent, const GlobalOptions& global);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string output_ = "table";
  bool all_users_ = false;
};

}  // namespace mconv::cli
