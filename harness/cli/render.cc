#include "harness/cli/render.h"

#include <cstdio>

namespace omaiop::cli {

namespace {

void RenderInto(const codec::ProtoNode& n, int depth, std::string& out) {
  char cols[32];
  if (n.length > 0) {
    std::snprintf(cols, sizeof cols, "0x%04zx %5zu  ", n.offset, n.length);
  } else {
    std::snprintf(cols, sizeof cols, "%6s %5s  ", "", "");
  }
  out += cols;
  out.append(static_cast<std::size_t>(depth) * 4, ' ');
  out += n.name;
  if (!n.value.empty()) {
    out += ": ";
    out += n.value;
  }
  out += '\n';
  for (const auto& d : n.notes) {
    out.append(14 + static_cast<std::size_t>(depth + 1) * 4, ' ');
    out += "[expert] " + d.ToString() + "\n";
  }
  for (const auto& c : n.children) RenderInto(c, depth + 1, out);
}

}  // namespace

std::string RenderText(const codec::ProtoNode& node) {
  std::string out;
  RenderInto(node, 0, out);
  return out;
}

nlohmann::json ToJson(const codec::Diagnostic& d) {
  nlohmann::json j;
  j["what"] = d.what;
  if (d.has_offset()) j["offset"] = d.offset;
  if (!d.path.empty()) j["path"] = d.path;
  if (!d.rule.empty()) j["rule"] = d.rule;
  return j;
}

nlohmann::json ToJson(const codec::ProtoNode& n) {
  nlohmann::json j;
  j["name"] = n.name;
  if (!n.value.empty()) j["value"] = n.value;
  j["offset"] = n.offset;
  j["length"] = n.length;
  if (!n.notes.empty()) {
    auto& notes = j["notes"] = nlohmann::json::array();
    for (const auto& d : n.notes) notes.push_back(ToJson(d));
  }
  if (!n.children.empty()) {
    auto& kids = j["children"] = nlohmann::json::array();
    for (const auto& c : n.children) kids.push_back(ToJson(c));
  }
  return j;
}

}  // namespace omaiop::cli
