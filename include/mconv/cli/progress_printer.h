#pragma once

#include <mutex>
#include <ostream>
#include <string>

#include "mconv/cli/terminal.h"
#include "mconv/core/convert_workflow.h"
#include "mconv/core/workflow_observer.h"

namespace mconv::cli {

// Shows a conversion as it happens. For people: mconv's steps and the converter's log
// lines, with transfers as one status line that is overwritten on a terminal and
// printed at every quarter elsewhere. For scripts (json_lines): one JSON object per
// line on the output stream, and nothing else there.
class ProgressPrinter : public core::WorkflowObserver {
 public:
  ProgressPrinter(std::ostream& out, std::ostream& err, const Terminal& terminal, bool json_lines)
      : out_(out), err_(err), terminal_(terminal), json_lines_(json_lines) {}

  void step(std::string_view message, const nlohmann::json& details = {}) override;
  void warning(std::string_view message) override;
  void converter_line(std::string_view line) override;
  void converter_stage(std::string_view stage) override;
  void transfer(std::string_view transfer_name, std::uint64_t done, std::uint64_t total) override;

  // Writes a JSON event line, or nothing for people.
  void event(const nlohmann::json& event);

 private:
  void end_status_line();

  std::ostream& out_;
  std::ostream& err_;
  const Terminal& terminal_;
  bool json_lines_;

  std::mutex mutex_;
  bool status_line_open_ = false;
  int last_quarter_ = -1;
  std::string last_transfer_;
};

// Prints where a finished conversion put its engine, or how to follow a detached one:
// a line for people, or a "done" event for JSON lines.
void print_result(const core::ConversionResult& result, ProgressPrinter& printer, std::ostream& out, bool json_lines);

// Formats a byte count for people: "512 B", "3.4 MiB", "1.2 GiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace mconv::cli
