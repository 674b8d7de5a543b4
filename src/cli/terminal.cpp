#include "mconv/cli/terminal.h"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

namespace mconv::cli {

namespace {

bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

}  // namespace

Terminal Terminal::detect(std::FILE* stream) {
  bool tty = ::isatty(::fileno(stream)) == 1;
  const char* term = std::getenv("TERM");
  bool dumb = term == nullptr || std::string_view(term) == "dumb";

  bool interactive = tty && !dumb && !env_set("CI");
  bool color = tty && !dumb && !env_set("NO_COLOR");
  if (env_set("CLICOLOR_FORCE") && std::string_view(std::getenv("CLICOLOR_FORCE")) != "0") color = true;
  return Terminal(interactive, color);
}

std::string Terminal::paint(std::string_view code, std::string_view text) const {
  if (!color_) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string Terminal::bold(std::string_view text) const { return paint("1", text); }
std::string Terminal::red(std::string_view text) const { return paint("31", text); }
std::string Terminal::dim(std::string_view text) const { return paint("2", text); }

}  // namespace mconv::cli
