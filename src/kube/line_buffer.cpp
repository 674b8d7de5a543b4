#include "mconv/kube/line_buffer.h"

namespace mconv::kube {

bool LineBuffer::append(std::string_view chunk, const LineHandler& on_line) {
  while (!chunk.empty()) {
    auto newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      pending_.append(chunk);
      break;
    }

    std::string_view end_of_line = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (pending_.empty()) {
      if (!on_line(end_of_line)) return false;
      continue;
    }
    pending_.append(end_of_line);
    std::string line = std::move(pending_);
    pending_.clear();
    if (!on_line(line)) return false;
  }

  while (pending_.size() >= max_line_) {
    std::string piece = pending_.substr(0, max_line_);
    pending_.erase(0, max_line_);
    if (!on_line(piece)) return false;
  }
  return true;
}

bool LineBuffer::finish(const LineHandler& on_line) {
  if (pending_.empty()) return true;
  std::string line = std::move(pending_);
  pending_.clear();
  return on_line(line);
}

}  // namespace mconv::kube
