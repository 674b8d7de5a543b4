#include "mconv/cli/cancel_command.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/job_description.h"
#include "mconv/core/job_store.h"

namespace mconv::cli {

CancelCommand::CancelCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("cancel", "Stop a conversion and delete its Job, pods and staging volume")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
}

Result<void> CancelCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  core::JobStore store(*access->client, access->namespace_name);
  if (auto job = require_job(store, name_); !job) return std::unexpected(job.error());

  auto deleted = store.delete_conversion(name_);
  if (!deleted) return std::unexpected(static_cast<Error>(deleted.error()));
  streams.out << fmt::format("job \"{}\" deleted, with its pods and staging volume\n", name_);
  return {};
}

}  // namespace mconv::cli
