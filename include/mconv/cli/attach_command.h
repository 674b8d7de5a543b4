#pragma once

#include <string>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv attach NAME and mconv fetch NAME: follow a conversion (attach shows the
// converter's log, fetch only the steps) and download its engine.
class AttachCommand : public Command {
 public:
  AttachCommand(CLI::App& parent, const GlobalOptions& global, bool show_log);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  bool show_log_;
  std::string name_;
  std::string output_;
  std::string output_file_;
  bool force_ = false;
};

}  // namespace mconv::cli
