#pragma once

#include <string>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv logs NAME [-f]: the converter's log.
class LogsCommand : public Command {
 public:
  LogsCommand(CLI::App& parent, const GlobalOptions& global);
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string name_;
  bool follow_ = false;
  bool events_ = false;
};

}  // namespace mconv::cli
