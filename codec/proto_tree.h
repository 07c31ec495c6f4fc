// ProtoNode: a dissection tree in the manner of Wireshark's proto_tree. Each
// codec can describe what it parsed as nodes carrying offsets, so that
// `omaiop decode` prints every layer like `tshark -V` and --json emits the
// same tree. Offsets are absolute within the buffer the layer was parsed from.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "codec/result.h"

namespace omaiop::codec {

struct ProtoNode {
  std::string name;        // "Content-Type", "WSP Push", "UDH IE 0x05"
  std::string value;       // rendered value; empty for pure containers
  std::size_t offset = 0;  // first octet
  std::size_t length = 0;  // octets covered (0 when not byte-based)
  std::vector<ProtoNode> children;
  std::vector<Diagnostic> notes;  // expert info: warnings found while parsing

  ProtoNode& Add(std::string child_name, std::string child_value,
                 std::size_t child_offset, std::size_t child_length) {
    children.push_back({std::move(child_name),
                        std::move(child_value),
                        child_offset,
                        child_length,
                        {},
                        {}});
    return children.back();
  }
  // Finds a direct child by name, or nullptr.
  const ProtoNode* Find(const std::string& child_name) const {
    for (const auto& c : children)
      if (c.name == child_name) return &c;
    return nullptr;
  }
};

}  // namespace omaiop::codec
