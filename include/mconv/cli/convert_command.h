#pragma once

#include <vector>

#include "mconv/cli/command.h"
#include "mconv/core/planner.h"

namespace mconv::cli {

// mconv convert MODEL --gpu NAME: builds an engine for one GPU model in the cluster.
class ConvertCommand : public Command {
 public:
  ConvertCommand(CLI::App& parent, const GlobalOptions& global);

  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  Result<core::ConversionRequest> make_request() const;
  Result<void> print_manifests(const core::ConversionPlan& plan, Streams& streams) const;
  Result<void> run_dry(Streams& streams);
  Result<void> run_in_cluster(Streams& streams);

  const GlobalOptions& global_;
  std::string model_;
  std::string gpu_;
  bool dry_run_ = false;
  std::string output_;
  std::string output_file_;
  bool force_ = false;
  bool detach_ = false;
  bool keep_ = false;
  bool rerun_ = false;
  std::string backend_;
  std::string precision_ = "fp32";
  std::vector<std::string> shapes_;
  std::int64_t workspace_mib_ = 0;
  std::vector<std::string> builder_flags_;
  double tolerance_abs_ = -1;
  double tolerance_rel_ = -1;
  std::string storage_class_;
  std::string timeout_ = "1h";
  std::string keep_for_ = "24h";
  std::string schedule_timeout_ = "5m";
};

}  // namespace mconv::cli
