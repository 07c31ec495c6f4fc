#include "codec/result.h"

#include <cstdio>

namespace omaiop::codec {

std::string Diagnostic::ToString() const {
  std::string out;
  if (has_offset()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "offset %zu (0x%zx): ", offset, offset);
    out += buf;
  }
  if (!path.empty()) out += path + ": ";
  out += what;
  if (!rule.empty()) out += " [" + rule + "]";
  return out;
}

Diagnostic Error(std::string what, std::size_t offset, std::string rule) {
  return Diagnostic{std::move(what), offset, std::move(rule), {}};
}

Diagnostic PathError(std::string what, std::string path, std::string rule) {
  return Diagnostic{std::move(what), Diagnostic::kNoOffset, std::move(rule),
                    std::move(path)};
}

}  // namespace omaiop::codec
