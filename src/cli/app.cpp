#include "mconv/cli/app.h"

#include <iostream>
#include <memory>
#include <vector>

#include "mconv/cli/command.h"
#include "mconv/cli/attach_command.h"
#include "mconv/cli/cancel_command.h"
#include "mconv/cli/convert_command.h"
#include "mconv/cli/exit_code.h"
#include "mconv/cli/list_command.h"
#include "mconv/cli/list_gpus_command.h"
#include "mconv/cli/logs_command.h"
#include "mconv/cli/status_command.h"
#include "mconv/cli/version_command.h"
#include "mconv/kube/vlog.h"

namespace mconv::cli {

namespace {

void add_global_options(CLI::App& app, GlobalOptions& global) {
  app.add_option("--kubeconfig", global.kubeconfig, "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)");
  app.add_option("--context", global.context, "The kubeconfig context to use (default: its current context)");
  app.add_option("-n,--namespace", global.namespace_name, "Namespace of the conversion Jobs (default: the GPU's, then the context's)");
  app.add_option("--catalog", global.catalog, "Path to gpu-catalog.yaml (default: $MCONV_CATALOG, /etc/mconv, the installation's share/mconv, then the source tree of a development build)");
  app.add_option("--images-lock", global.image_lock, "Path to images.lock (default: $MCONV_IMAGES_LOCK, then the same places as the catalog)");
  app.add_option("-v,--v", global.verbosity, "Log level on stderr: 4 shows requests, 8 their bodies")->capture_default_str();
}

int report(const Error& error, const Terminal& terminal) {
  std::cerr << fmt::format("mconv: {} {}\n", terminal.red("error:"), error.message);
  return exit_code_for(error.kind);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app("mconv turns a trained model into an inference engine for a named GPU, by running a Job in your Kubernetes cluster.", "mconv");
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  add_global_options(app, global);
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<ConvertCommand>(app, global));
  commands.push_back(std::make_unique<ListGpusCommand>(app, global));
  commands.push_back(std::make_unique<ListCommand>(app, global));
  commands.push_back(std::make_unique<StatusCommand>(app, global));
  commands.push_back(std::make_unique<LogsCommand>(app, global));
  commands.push_back(std::make_unique<AttachCommand>(app, global, true));
  commands.push_back(std::make_unique<AttachCommand>(app, global, false));
  commands.push_back(std::make_unique<CancelCommand>(app, global));
  commands.push_back(std::make_unique<VersionCommand>(app));

  auto terminal = Terminal::detect(stderr);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::string hint = argc > 1 ? " (see 'mconv --help')" : "";
    for (const auto* sub : app.get_subcommands()) hint = fmt::format(" (see 'mconv {} --help')", sub->get_name());
    return report(Error{ErrorKind::usage, error.what() + hint}, terminal);
  }

  kube::set_verbosity(global.verbosity);
  for (auto& command : commands) {
    if (!command->selected()) continue;
    if (auto error = command->validate()) return report(*error, terminal);

    Streams streams{std::cout, std::cerr, terminal};
    try {
      auto result = command->run(streams);
      std::cout.flush();
      if (!result) return report(result.error(), terminal);
      return exit_success;
    } catch (const std::exception& unexpected) {
      return report(Error{ErrorKind::internal, fmt::format("unexpected failure: {}; please report it", unexpected.what())}, terminal);
    }
  }
  return exit_success;
}

}  // namespace mconv::cli
