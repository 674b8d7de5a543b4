#include "mconv/cli/version_command.h"

#include <ostream>

#include <nlohmann/json.hpp>

#include "mconv/cli/output.h"
#include "mconv/version.h"

namespace mconv::cli {

VersionCommand::VersionCommand(CLI::App& parent)
    : Command(parent.add_subcommand("version", "Print the version of mconv")) {
  app_->add_option("-o,--output", output_, "Output format: text, json or yaml")->capture_default_str();
}

std::optional<Error> VersionCommand::validate() const {
  if (output_ != "text" && output_ != "json" && output_ != "yaml") {
    return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use one of text, json, yaml", output_)};
  }
  return std::nullopt;
}

Result<void> VersionCommand::run(Streams& streams) {
  nlohmann::ordered_json info = {{"version", version}, {"gitCommit", git_commit}};
  if (output_ == "json") {
    streams.out << info.dump(2) << "\n";
  } else if (output_ == "yaml") {
    streams.out << to_yaml(info);
  } else {
    streams.out << fmt::format("mconv {} ({})\n", version, git_commit);
  }
  return {};
}

}  // namespace mconv::cli
