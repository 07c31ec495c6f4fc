#include "sim/servers/dm_script.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "codec/xml.h"

namespace omaiop::sim::servers {
namespace {

using codec::Command;
using codec::CommandType;
using codec::Result;

constexpr char kRule[] = "omaiop.dm-script";

std::optional<std::string> Attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

Result<std::vector<int>> ParseCodes(const std::string& text,
                                    const std::string& path) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    int v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || p != part.data() + part.size() || v < 100 ||
        v > 599)
      return codec::PathError("expect: '" + part + "' is not a status code",
                              path, kRule);
    out.push_back(v);
  }
  return out;
}

Result<ScriptCommand> ParseCommand(const xmlNode* n) {
  std::string name(codec::NodeName(n));
  std::string path = codec::NodePath(n);
  auto type = codec::CommandFromName(name);
  if (!type || *type == CommandType::kStatus || *type == CommandType::kResults)
    return codec::PathError("<" + name + "> is not a server command", path,
                            kRule);
  ScriptCommand sc;
  sc.command.type = *type;
  if (auto e = Attr(n, "expect")) {
    OMAIOP_ASSIGN_OR_RETURN(sc.expect_status, ParseCodes(*e, path));
  }
  if (auto c = Attr(n, "correlator")) sc.command.correlator = *c;
  if (auto c = Attr(n, "code")) sc.command.data = *c;
  if (*type == CommandType::kAlert && !sc.command.data)
    return codec::PathError("<Alert> needs code=", path, kRule);
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c)) {
    std::string cn(codec::NodeName(c));
    if (cn == "Item") {
      if (*type == CommandType::kAtomic || *type == CommandType::kSequence)
        return codec::PathError("<Item> inside " + name, codec::NodePath(c),
                                kRule);
      codec::Item item;
      if (auto t = Attr(c, "target")) item.target = codec::LocInfo{*t, {}};
      if (auto s = Attr(c, "source")) item.source = codec::LocInfo{*s, {}};
      auto f = Attr(c, "format");
      auto ty = Attr(c, "type");
      if (f || ty) {
        item.meta = codec::Meta{};
        item.meta->format = f;
        item.meta->type = ty;
      }
      std::string text = codec::NodeText(c);
      if (!text.empty()) item.data = codec::DataValue::Text(text);
      sc.command.items.push_back(std::move(item));
    } else if (*type == CommandType::kAtomic ||
               *type == CommandType::kSequence) {
      OMAIOP_ASSIGN_OR_RETURN(auto child, ParseCommand(c));
      sc.command.children.push_back(child.command);
      sc.children.push_back(std::move(child));
    } else {
      return codec::PathError("unexpected <" + cn + "> in <" + name + ">",
                              codec::NodePath(c), kRule);
    }
  }
  bool needs_item =
      *type != CommandType::kAtomic && *type != CommandType::kSequence;
  if (needs_item && sc.command.items.empty())
    return codec::PathError("<" + name + "> needs at least one <Item>", path,
                            kRule);
  return sc;
}

}  // namespace

Result<DmScript> ParseDmScript(std::string_view xml) {
  OMAIOP_ASSIGN_OR_RETURN(auto doc, codec::ParseXml(xml, "DM script"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || codec::NodeName(root) != "DmScript")
    return codec::PathError("root element must be <DmScript>", "/", kRule);
  DmScript script;
  for (const xmlNode* p = codec::FirstChildElement(root); p;
       p = codec::NextSiblingElement(p)) {
    if (codec::NodeName(p) != "Package")
      return codec::PathError("expected <Package>", codec::NodePath(p), kRule);
    ScriptPackage pkg;
    for (const xmlNode* c = codec::FirstChildElement(p); c;
         c = codec::NextSiblingElement(c)) {
      OMAIOP_ASSIGN_OR_RETURN(auto cmd, ParseCommand(c));
      pkg.commands.push_back(std::move(cmd));
    }
    script.packages.push_back(std::move(pkg));
  }
  return script;
}

Result<DmScript> LoadDmScript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return codec::PathError("cannot read " + path, path, kRule);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDmScript(ss.str());
}

ScriptCommand ScriptGet(std::string uri, std::vector<int> expect) {
  ScriptCommand sc;
  sc.command.type = CommandType::kGet;
  codec::Item item;
  item.target = codec::LocInfo{std::move(uri), {}};
  sc.command.items.push_back(std::move(item));
  sc.expect_status = std::move(expect);
  return sc;
}

ScriptCommand ScriptReplace(std::string uri, std::string value,
                            std::vector<int> expect, std::string format) {
  ScriptCommand sc;
  sc.command.type = CommandType::kReplace;
  codec::Item item;
  item.target = codec::LocInfo{std::move(uri), {}};
  item.meta = codec::Meta{};
  item.meta->format = std::move(format);
  item.data = codec::DataValue::Text(std::move(value));
  sc.command.items.push_back(std::move(item));
  sc.expect_status = std::move(expect);
  return sc;
}

}  // namespace omaiop::sim::servers
