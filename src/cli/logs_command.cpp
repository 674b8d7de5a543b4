#include "mconv/cli/logs_command.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/interrupt.h"
#include "mconv/cli/job_description.h"
#include "mconv/core/job_store.h"
#include "mconv/core/manifest.h"
#include "mconv/kube/pod_logs.h"

namespace mconv::cli {

LogsCommand::LogsCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("logs", "Print the converter's log of a conversion")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_flag("-f,--follow", follow_, "Keep printing new lines until the converter exits");
  app_->add_flag("--events", events_, "Also print the converter's MCONV-EVENT lines");
}

Result<void> LogsCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  InterruptGuard interrupt;
  kube::Cancellation cancel(interrupt.flag());
  core::JobStore store(*access->client, access->namespace_name, cancel);
  if (auto job = require_job(store, name_); !job) return std::unexpected(job.error());

  auto pods = store.list_pods(name_);
  if (!pods) return std::unexpected(static_cast<Error>(pods.error()));
  if (pods->empty()) return fail(ErrorKind::usage, "job \"{}\" has no pod yet; run 'mconv status {}' to see why", name_, name_);
  auto pod = pods->front()["metadata"].value("name", "");

  auto print = [&](std::string_view line) {
    if (events_ || !line.starts_with("MCONV-EVENT ")) streams.out << fmt::format("{}\n", line) << std::flush;
    return true;
  };
  kube::LogOptions options;
  options.container = std::string(core::converter_container);
  kube::ApiResult<void> streamed;
  if (follow_) {
    kube::FollowOptions follow;
    follow.on_waiting = [](const kube::ApiError&) { return true; };
    streamed = kube::follow_pod_logs(*access->client, access->namespace_name, pod, options, follow, print, cancel);
  } else {
    streamed = kube::stream_pod_logs(*access->client, access->namespace_name, pod, options, print, cancel);
  }
  if (!streamed) return std::unexpected(static_cast<Error>(streamed.error()));
  return {};
}

}  // namespace mconv::cli
