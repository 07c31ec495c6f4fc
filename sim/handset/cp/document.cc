#include "sim/handset/cp/document.h"

#include "codec/xml.h"

namespace omaiop::sim::handset::cp {
namespace {

using codec::FirstChildElement;
using codec::GetAttr;
using codec::HasAttr;
using codec::NextSiblingElement;
using codec::NodeName;
using codec::PathError;

// XPath-like, human-readable: position among same-named siblings plus the
// type/name predicate, e.g. characteristic[2][@type='NAPDEF'].
std::string Step(std::string_view elem, int index, const char* attr,
                 const std::string& attr_value) {
  std::string s(elem);
  s += '[' + std::to_string(index) + ']';
  if (!attr_value.empty())
    s += std::string("[@") + attr + "='" + attr_value + "']";
  return s;
}

void ParseChildren(const xmlNode* node, const std::string& path,
                   Characteristic* parent, std::vector<Characteristic>* chars,
                   Document* doc) {
  int nchar = 0, nparm = 0, nother = 0;
  for (xmlNode* c = FirstChildElement(node); c; c = NextSiblingElement(c)) {
    std::string_view name = NodeName(c);
    if (name == "characteristic") {
      ++nchar;
      std::string type = GetAttr(c, "type");
      std::string p = path + "/" + Step(name, nchar, "type", type);
      if (type.empty()) {
        doc->diagnostics.push_back(PathError(
            "characteristic without type attribute (skipped with its subtree)",
            p, kRuleDocModel));
        continue;
      }
      Characteristic ch;
      ch.type = type;
      ch.path = p;
      ParseChildren(c, p, &ch, &ch.children, doc);
      chars->push_back(std::move(ch));
    } else if (name == "parm") {
      ++nparm;
      std::string pname = GetAttr(c, "name");
      std::string p = path + "/" + Step(name, nparm, "name", pname);
      if (parent == nullptr) {
        doc->diagnostics.push_back(PathError(
            "parm outside any characteristic (skipped)", p, kRuleDocModel));
        continue;
      }
      if (pname.empty()) {
        doc->diagnostics.push_back(PathError(
            "parm without name attribute (skipped)", p, kRuleDocModel));
        continue;
      }
      Parm parm{pname, std::nullopt, p};
      if (HasAttr(c, "value")) parm.value = GetAttr(c, "value");
      parent->parms.push_back(std::move(parm));
    } else {
      ++nother;
      doc->diagnostics.push_back(
          PathError("unexpected element <" + std::string(name) + "> (skipped)",
                    path + "/" + Step(name, nother, "", ""), kRuleDocModel));
    }
  }
}

}  // namespace

const Parm* Characteristic::FindParm(std::string_view name) const {
  for (const auto& p : parms)
    if (p.name == name) return &p;
  return nullptr;
}

std::string Characteristic::Value(std::string_view name,
                                  std::string_view def) const {
  const Parm* p = FindParm(name);
  if (p && p->value) return *p->value;
  return std::string(def);
}

std::vector<std::string> Characteristic::Values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& p : parms)
    if (p.name == name && p.value) out.push_back(*p.value);
  return out;
}

std::vector<const Characteristic*> Characteristic::Children(
    std::string_view t) const {
  std::vector<const Characteristic*> out;
  for (const auto& c : children)
    if (c.type == t) out.push_back(&c);
  return out;
}

std::vector<const Characteristic*> Document::All(std::string_view t) const {
  std::vector<const Characteristic*> out;
  for (const auto& c : characteristics)
    if (c.type == t) out.push_back(&c);
  return out;
}

codec::Result<Document> Parse(const xmlDoc* xdoc) {
  const xmlNode* root = xdoc ? xmlDocGetRootElement(xdoc) : nullptr;
  if (!root) return PathError("empty document", "/", kRuleDocModel);
  if (NodeName(root) != "wap-provisioningdoc") {
    std::string name(NodeName(root));
    std::string path = "/";
    path += name;
    return PathError(
        "root element is <" + name + ">, expected <wap-provisioningdoc>", path,
        kRuleDocModel);
  }
  Document doc;
  doc.version = GetAttr(root, "version");
  ParseChildren(root, "/wap-provisioningdoc", nullptr, &doc.characteristics,
                &doc);
  return doc;
}

codec::Result<Document> ParseText(std::string_view xml) {
  OMAIOP_ASSIGN_OR_RETURN(auto xdoc,
                          codec::ParseXml(xml, "wap-provisioningdoc"));
  return Parse(xdoc.get());
}

}  // namespace omaiop::sim::handset::cp
