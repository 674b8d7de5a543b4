#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mconv::core {

// Receives what a conversion does, for the command line to show. Calls come from the
// workflow's thread and from its log-following thread, so implementations lock.
class WorkflowObserver {
 public:
  virtual ~WorkflowObserver() = default;

  // A step of mconv's own, such as "creating job ..." or "waiting for a T4 node".
  virtual void step(std::string_view message, const nlohmann::json& details = {}) = 0;
  // Something the user should know that does not stop the conversion.
  virtual void warning(std::string_view message) = 0;
  // A whole line the converter wrote to its log.
  virtual void converter_line(std::string_view line) = 0;
  // A stage the converter entered, from its MCONV-EVENT lines.
  virtual void converter_stage(std::string_view stage) = 0;
  // Reports the bytes moved so far of the upload or download named transfer_name.
  virtual void transfer(std::string_view transfer_name, std::uint64_t done, std::uint64_t total) = 0;
};

}  // namespace mconv::core
