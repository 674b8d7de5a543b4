#include "mconv/cli/status_command.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/job_description.h"
#include "mconv/cli/output.h"
#include "mconv/core/job_status.h"
#include "mconv/core/job_store.h"

namespace mconv::cli {

StatusCommand::StatusCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("status", "Show one conversion's state, and why it waits or failed")), global_(global) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_option("-o,--output", output_, "Output format: text, json or yaml")->capture_default_str();
}

std::optional<Error> StatusCommand::validate() const { return check_output(output_, {"text", "json", "yaml"}); }

Result<void> StatusCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  core::JobStore store(*access->client, access->namespace_name);
  auto job = require_job(store, name_);
  if (!job) return std::unexpected(job.error());

  auto described = describe_job(*job);
  auto job_state = core::job_status(*job);
  if (!job_state.message.empty()) described["message"] = job_state.message;

  auto pods = store.list_pods(name_);
  if (pods && !pods->empty()) {
    const auto& pod = pods->front();
    described["pod"] = pod["metadata"].value("name", "");
    described["node"] = pod["spec"].value("nodeName", "");
    auto diagnosis = core::diagnose_pod(pod, annotation(*job, "mconv.dev/gpu"));
    if (diagnosis.kind != core::StallKind::none) described["waiting"] = diagnosis.message;
    if (auto termination = core::converter_termination(pod)) {
      described["exitCode"] = termination->exit_code;
      if (termination->exit_code != 0) described["exitMeaning"] = core::describe_converter_exit(termination->exit_code);
    }
  }

  if (output_ == "json") {
    streams.out << described.dump(2) << "\n";
  } else if (output_ == "yaml") {
    streams.out << to_yaml(described);
  } else {
    for (const auto& [key, value] : described.items()) {
      streams.out << fmt::format("{:<12} {}\n", key + ":", value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return {};
}

}  // namespace mconv::cli
