#include "mconv/cli/list_command.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/job_description.h"
#include "mconv/cli/output.h"
#include "mconv/core/job_store.h"

namespace mconv::cli {

using nlohmann::ordered_json;

ListCommand::ListCommand(CLI::App& parent, const GlobalOptions& global)
    : Command(parent.add_subcommand("list", "List your conversions in the namespace")), global_(global) {
  app_->add_option("-o,--output", output_, "Output format: table, json or yaml")->capture_default_str();
  app_->add_flag("--all-users", all_users_, "List every user's conversions, not only yours");
}

std::optional<Error> ListCommand::validate() const { return check_output(output_, {"table", "json", "yaml"}); }

Result<void> ListCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  auto user = current_user(*access->client);
  if (!user) return std::unexpected(user.error());

  core::JobStore store(*access->client, access->namespace_name);
  auto jobs = store.list_jobs();
  if (!jobs) return std::unexpected(static_cast<Error>(jobs.error()));

  ordered_json items = ordered_json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& job : *jobs) {
    if (!annotation(job, "mconv.dev/fetch-for").empty()) continue;  // a helper Job, not a conversion
    auto described = describe_job(job);
    if (!all_users_ && described["user"] != *user) continue;
    rows.push_back({described["name"], described["model"], described["gpu"], described["status"], described["age"]});
    items.push_back(std::move(described));
  }

  if (output_ == "json") {
    streams.out << ordered_json{{"conversions", items}}.dump(2) << "\n";
  } else if (output_ == "yaml") {
    streams.out << to_yaml(ordered_json{{"conversions", items}});
  } else if (rows.empty()) {
    streams.err << fmt::format("mconv: no conversions of yours in namespace \"{}\"\n", access->namespace_name);
  } else {
    streams.out << render_table({"name", "model", "gpu", "status", "age"}, rows);
  }
  return {};
}

}  // namespace mconv::cli
