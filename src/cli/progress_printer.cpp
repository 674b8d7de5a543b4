#include "mconv/cli/progress_printer.h"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "mconv/core/converter_events.h"

namespace mconv::cli {

namespace {

std::string timestamp() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

void ProgressPrinter::end_status_line() {
  if (!status_line_open_) return;
  err_ << "\n";
  status_line_open_ = false;
}

void ProgressPrinter::step(std::string_view message, const nlohmann::json& details) {
  std::lock_guard lock(mutex_);
  if (json_lines_) {
    nlohmann::json event = {{"time", timestamp()}, {"event", "step"}, {"message", message}};
    if (details.is_object()) event.update(details);
    out_ << event.dump() << std::endl;
    return;
  }
  end_status_line();
  err_ << terminal_.bold(fmt::format("mconv: {}", message)) << std::endl;
}

void ProgressPrinter::warning(std::string_view message) {
  std::lock_guard lock(mutex_);
  if (json_lines_) out_ << nlohmann::json{{"time", timestamp()}, {"event", "warning"}, {"message", message}}.dump() << std::endl;
  end_status_line();
  err_ << fmt::format("mconv: {} {}", terminal_.red("warning:"), message) << std::endl;
}

void ProgressPrinter::converter_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (json_lines_) {
    out_ << nlohmann::json{{"time", timestamp()}, {"event", "log"}, {"line", line}}.dump() << std::endl;
    return;
  }
  if (line.starts_with(core::converter_event_prefix)) return;
  end_status_line();
  // One write per line, so that lines from other threads never interleave.
  err_ << fmt::format("{}\n", line) << std::flush;
}

void ProgressPrinter::converter_stage(std::string_view stage) {
  std::lock_guard lock(mutex_);
  if (json_lines_) {
    out_ << nlohmann::json{{"time", timestamp()}, {"event", "stage"}, {"stage", stage}}.dump() << std::endl;
    return;
  }
  end_status_line();
  err_ << terminal_.dim(fmt::format("mconv: converter stage: {}", stage)) << std::endl;
}

void ProgressPrinter::transfer(std::string_view what, std::uint64_t done, std::uint64_t total) {
  std::lock_guard lock(mutex_);
  int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  if (what != last_transfer_) {
    last_transfer_ = std::string(what);
    last_quarter_ = -1;
  }

  int quarter = percent / 25;
  if (json_lines_) {
    if (quarter == last_quarter_) return;
    last_quarter_ = quarter;
    out_ << nlohmann::json{{"time", timestamp()}, {"event", "transfer"}, {"what", what}, {"bytes", done}, {"total", total}}.dump() << std::endl;
    return;
  }
  auto text = fmt::format("mconv: {} {:3}% {} of {}", what, percent, format_bytes(done), format_bytes(total));
  if (terminal_.interactive()) {
    err_ << "\r\x1b[2K" << text << std::flush;
    status_line_open_ = done < total;
    if (!status_line_open_) err_ << "\n";
  } else if (quarter != last_quarter_) {
    last_quarter_ = quarter;
    err_ << text << std::endl;
  }
}

void ProgressPrinter::event(const nlohmann::json& event) {
  std::lock_guard lock(mutex_);
  if (!json_lines_) return;
  nlohmann::json line = {{"time", timestamp()}};
  line.update(event);
  out_ << line.dump() << std::endl;
}

}  // namespace mconv::cli

namespace mconv::cli {

void print_result(const core::ConversionResult& result, ProgressPrinter& printer, std::ostream& out, bool json_lines) {
  if (json_lines) {
    nlohmann::json event = {{"event", "done"}, {"job", result.job_name}, {"namespace", result.namespace_name}, {"detached", result.detached}};
    if (!result.detached) {
      event["engine"] = result.engine_path.string();
      event["metadata"] = result.metadata_path.string();
      event["sha256"] = result.engine.sha256;
      event["size"] = result.engine.size;
    }
    printer.event(event);
    return;
  }
  if (result.detached) {
    out << fmt::format("job \"{}\" converts in the background; run 'mconv attach {}' to follow it and download the engine\n",
                       result.job_name, result.job_name);
    return;
  }
  out << fmt::format("engine written to {} ({}, sha256 {})\nmetadata written to {}\n", result.engine_path.string(),
                     format_bytes(result.engine.size), result.engine.sha256, result.metadata_path.string());
}

}  // namespace mconv::cli
