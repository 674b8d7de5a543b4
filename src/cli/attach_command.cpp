#include "mconv/cli/attach_command.h"

#include <ostream>

#include "mconv/cli/cluster_access.h"
#include "mconv/cli/interrupt.h"
#include "mconv/cli/job_description.h"
#include "mconv/cli/progress_printer.h"
#include "mconv/core/convert_workflow.h"
#include "mconv/util/text.h"

namespace mconv::cli {

AttachCommand::AttachCommand(CLI::App& parent, const GlobalOptions& global, bool show_log)
    : Command(parent.add_subcommand(show_log ? "attach" : "fetch",
                                    show_log ? "Follow a running conversion and download its engine"
                                             : "Download the engine of a conversion, waiting for it to finish")),
      global_(global),
      show_log_(show_log) {
  app_->add_option("name", name_, "The conversion's Job name, as 'mconv list' shows it")->required();
  app_->add_option("-o,--output", output_, "json prints events as JSON lines");
  app_->add_option("--output-file", output_file_, "Where to write the engine (default: MODEL.GPU.EXT in the current folder)");
  app_->add_flag("--force", force_, "Overwrite an existing output file");
}

std::optional<Error> AttachCommand::validate() const {
  if (!output_.empty() && output_ != "json") {
    return Error{ErrorKind::usage, fmt::format("invalid --output '{}': use json for JSON lines, or leave it out", output_)};
  }
  return std::nullopt;
}

// Hides the converter's log lines, for fetch.
class StepsOnly : public core::WorkflowObserver {
 public:
  explicit StepsOnly(core::WorkflowObserver& inner) : inner_(inner) {}
  void step(std::string_view message, const nlohmann::json& details) override { inner_.step(message, details); }
  void warning(std::string_view message) override { inner_.warning(message); }
  void converter_line(std::string_view) override {}
  void converter_stage(std::string_view stage) override { inner_.converter_stage(stage); }
  void transfer(std::string_view what, std::uint64_t done, std::uint64_t total) override { inner_.transfer(what, done, total); }

 private:
  core::WorkflowObserver& inner_;
};

Result<void> AttachCommand::run(Streams& streams) {
  auto access = connect(global_);
  if (!access) return std::unexpected(access.error());
  InterruptGuard interrupt;
  kube::Cancellation cancel(interrupt.flag());
  core::JobStore store(*access->client, access->namespace_name, cancel);
  auto job = require_job(store, name_);
  if (!job) return std::unexpected(job.error());

  core::WorkflowSettings settings;
  settings.output_path = output_file_;
  settings.overwrite = force_;
  auto model = std::filesystem::path(annotation(*job, "mconv.dev/model-name")).stem().string();
  settings.output_stem = fmt::format("{}.{}", model.empty() ? name_ : model, util::to_lower(annotation(*job, "mconv.dev/gpu")));

  bool json_lines = output_ == "json";
  ProgressPrinter printer(streams.out, streams.err, streams.terminal, json_lines);
  StepsOnly quiet(printer);
  core::WorkflowObserver& observer = show_log_ ? static_cast<core::WorkflowObserver&>(printer) : quiet;
  auto user = current_user(*access->client, cancel);
  if (!user) return std::unexpected(user.error());
  auto result = core::ConvertWorkflow(store, settings, observer, cancel).attach(name_, *user);
  if (!result) return std::unexpected(result.error());
  print_result(*result, printer, streams.out, json_lines);
  return {};
}

}  // namespace mconv::cli
