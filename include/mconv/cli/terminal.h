#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace mconv::cli {

// Every decision about the terminal: whether a stream is one, and whether to use colour
// and progress lines. NO_COLOR and TERM=dumb turn colour off; CLICOLOR_FORCE turns it on.
class Terminal {
 public:
  // Detects the terminal behind a stream from the process environment.
  static Terminal detect(std::FILE* stream);
  static Terminal plain() { return Terminal(false, false); }

  Terminal(bool interactive, bool color) : interactive_(interactive), color_(color) {}

  // True when progress may overwrite one status line; false in CI and in pipes.
  bool interactive() const { return interactive_; }
  bool color() const { return color_; }

  std::string bold(std::string_view text) const;
  std::string red(std::string_view text) const;
  std::string dim(std::string_view text) const;

 private:
  std::string paint(std::string_view code, std::string_view text) const;

  bool interactive_;
  bool color_;
};

}  // namespace mconv::cli
