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

nlohmann::json ToJson(const codec::SecurityReport& s) {
  nlohmann::json j;
  j["method"] = s.method;
  j["mac"] = s.mac ? nlohmann::json(*s.mac) : nlohmann::json(nullptr);
  j["mac_ok"] = s.mac_ok ? nlohmann::json(*s.mac_ok) : nlohmann::json(nullptr);
  j["detail"] = s.detail;
  return j;
}

namespace {
std::string SecurityText(const codec::SecurityReport& s) {
  std::string out = "Security: SEC method " + s.method;
  if (s.mac) out += ", MAC " + *s.mac;
  out += "\n  ";
  if (!s.mac_ok)
    out += "MAC not verified";
  else if (*s.mac_ok)
    out += "MAC matches";
  else
    out += "MAC does NOT match";
  if (!s.detail.empty()) out += " (" + s.detail + ")";
  return out + "\n";
}
}  // namespace

std::string RenderDissectionText(const codec::Dissection& d) {
  std::string out = "Format: " + std::string(codec::InputFormatName(d.format)) +
                    "\noffset   len  field\n";
  for (const auto& l : d.layers) out += RenderText(l);
  if (!d.content_type.empty()) out += "Content type: " + d.content_type + "\n";
  if (d.security) out += SecurityText(*d.security);
  for (const auto& e : d.errors) out += "ERROR: " + e.ToString() + "\n";
  if (!d.xml.empty()) out += "Decoded document:\n" + d.xml;
  return out;
}

nlohmann::json DissectionJson(const codec::Dissection& d) {
  using nlohmann::json;
  json j;
  j["format"] = std::string(codec::InputFormatName(d.format));
  j["ok"] = d.ok();
  auto& layers = j["layers"] = json::array();
  for (const auto& l : d.layers) layers.push_back(ToJson(l));
  j["content_type"] =
      d.content_type.empty() ? json(nullptr) : json(d.content_type);
  j["security"] = d.security ? ToJson(*d.security) : json(nullptr);
  j["xml"] = d.xml.empty() ? json(nullptr) : json(d.xml);
  auto& errors = j["errors"] = json::array();
  for (const auto& e : d.errors) errors.push_back(ToJson(e));
  return j;
}

}  // namespace omaiop::cli
