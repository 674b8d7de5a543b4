#pragma once

#include <nlohmann/json.hpp>

#include "mconv/cli/command.h"

namespace mconv::cli {

// mconv list: the caller's conversions in the namespace.
class ListCommand : public Command {
 public:
  ListCommand(CLI::App& parent, const GlobalOptions& global);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string output_ = "table";
  bool all_users_ = false;
};

// mconv status NAME: one conversion's state, and why it waits or failed.
class StatusCommand : public Command {
 public:
  StatusCommand(CLI::App& parent, const GlobalOptions& global);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string name_;
  std::string output_ = "text";
};

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

// mconv attach NAME and mconv fetch NAME: follow a conversion (attach shows the
// converter's log, fetch only the steps) and download its engine.
class AttachCommand : public Command {
 public:
  AttachCommand(CLI::App& parent, const GlobalOptions& global, bool show_log);
  std::optional<Error> validate() const override;
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  bool show_log_;
  std::string name_;
  std::string output_;
  std::string output_file_;
  bool force_ = false;
};

// mconv cancel NAME: delete a conversion's Job, pods and staging volume.
class CancelCommand : public Command {
 public:
  CancelCommand(CLI::App& parent, const GlobalOptions& global);
  Result<void> run(Streams& streams) override;

 private:
  const GlobalOptions& global_;
  std::string name_;
};

// Returns a Job as list and status show it: name, user, model, GPU, state, age.
nlohmann::ordered_json describe_job(const nlohmann::json& job);

}  // namespace mconv::cli
