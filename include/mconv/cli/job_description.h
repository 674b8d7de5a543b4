#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mconv/core/job_store.h"
#include "mconv/error.h"

namespace mconv::cli {

// Returns an annotation of a Kubernetes object, or "" when it has none of that key.
std::string annotation(const nlohmann::json& object, const char* key);

// Returns a Job as list and status show it: name, user, model, GPU, state, age.
nlohmann::ordered_json describe_job(const nlohmann::json& job);

// Fails unless the value of -o/--output is one of the allowed formats.
std::optional<Error> check_output(const std::string& value, std::initializer_list<std::string_view> allowed);

// Returns the Job, or an error that points to 'mconv list' when it does not exist.
Result<nlohmann::json> require_job(core::JobStore& store, const std::string& name);

}  // namespace mconv::cli
