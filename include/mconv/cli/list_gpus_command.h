#pragma once

#include <nlohmann/json.hpp>

#include "mconv/cli/command.h"
#include "mconv/cli/config_files.h"

namespace mconv::cli {

// mconv list-gpus: the GPUs that users may request, from the admins' catalog.
class ListGpusCommand : public Command {
 public:
  ListGpusCommand(CLI::App& parent, const GlobalOptions& global);

  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string output_ = "table";
};

// Returns the catalog as list-gpus prints it for -o json and -o yaml.
nlohmann::ordered_json catalog_to_json(const AdminConfig& config);

// Returns the table that list-gpus prints by default.
std::string catalog_table(const AdminConfig& config);

}  // namespace mconv::cli
