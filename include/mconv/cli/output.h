#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mconv/error.h"

namespace mconv::cli {

enum class OutputFormat { table, json, yaml };

// Parses the value of -o/--output; allowed lists the formats the command offers.
Result<OutputFormat> parse_output_format(std::string_view value, std::vector<std::string> allowed);

// Renders rows under upper-case headers in columns three spaces apart, as kubectl does.
std::string render_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

// Renders JSON as a YAML document. Strings that YAML would read as another type, such
// as "7.5", "true" or "1000", are quoted so that the document means the same.
std::string to_yaml(const nlohmann::ordered_json& value);

}  // namespace mconv::cli
