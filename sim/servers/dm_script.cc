#include "sim/servers/dm_script.h"

#include <algorithm>
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

Result<int> ParseAlertCode(const std::string& text, const std::string& path) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1000 ||
      v > 9999)
    return codec::PathError("code: '" + text + "' is not an alert code", path,
                            kRule);
  return v;
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

Result<ExpectedAlert> ParseExpectAlert(const xmlNode* n) {
  std::string path = codec::NodePath(n);
  ExpectedAlert e;
  if (auto c = Attr(n, "code")) {
    OMAIOP_ASSIGN_OR_RETURN(auto codes, ParseAlertCode(*c, path));
    e.code = codes;
  }
  e.source = Attr(n, "source");
  e.type = Attr(n, "type");
  e.format = Attr(n, "format");
  e.mark = Attr(n, "mark");
  e.correlator = Attr(n, "correlator");
  if (auto d = Attr(n, "data")) {
    std::stringstream ss(*d);
    std::string part;
    while (std::getline(ss, part, ','))
      if (!part.empty()) e.data.push_back(part);
  }
  if (codec::FirstChildElement(n))
    return codec::PathError("<ExpectAlert> takes no child elements", path,
                            kRule);
  return e;
}

std::string Field(const std::optional<std::string>& v) {
  return v ? "'" + *v + "'" : "absent";
}

}  // namespace

std::string ExpectedAlert::ToString() const {
  std::string s = "Alert " + std::to_string(code);
  if (source) s += " source=" + *source;
  if (type) s += " type=" + *type;
  if (format) s += " format=" + *format;
  if (mark) s += mark->empty() ? " mark absent" : " mark=" + *mark;
  if (!data.empty()) {
    s += " data=";
    for (std::size_t i = 0; i < data.size(); ++i) s += (i ? "|" : "") + data[i];
  }
  if (correlator)
    s += correlator->empty() ? " correlator absent"
                             : " correlator=" + *correlator;
  return s;
}

bool AlertMatches(const ExpectedAlert& e, const Command& a, std::string* why) {
  auto no = [&](std::string w) {
    if (why) *why = std::move(w);
    return false;
  };
  if (a.type != CommandType::kAlert || a.Code() != e.code)
    return no("code " + a.data.value_or("") + ", expected " +
              std::to_string(e.code));
  const codec::Item* it = a.items.empty() ? nullptr : &a.items[0];
  auto meta = [&](auto field) -> std::optional<std::string> {
    if (it && it->meta && (*it->meta).*field) return (*it->meta).*field;
    if (a.meta && (*a.meta).*field) return (*a.meta).*field;
    return std::nullopt;
  };
  std::optional<std::string> src;
  if (it && it->source) src = it->source->loc_uri;
  if (e.source && src != e.source)
    return no("Source LocURI " + Field(src) + ", expected '" + *e.source + "'");
  if (auto t = meta(&codec::Meta::type); e.type && t != e.type)
    return no("Meta Type " + Field(t) + ", expected '" + *e.type + "'");
  if (auto f = meta(&codec::Meta::format); e.format && f != e.format)
    return no("Meta Format " + Field(f) + ", expected '" + *e.format + "'");
  if (e.mark) {
    auto m = meta(&codec::Meta::mark);
    if (e.mark->empty() ? m.has_value() : m != e.mark)
      return no("Meta Mark " + Field(m) + ", expected " +
                (e.mark->empty() ? "none" : "'" + *e.mark + "'"));
  }
  if (!e.data.empty()) {
    std::optional<std::string> d;
    if (it && it->data) d = it->data->AsText();
    if (!d || std::find(e.data.begin(), e.data.end(), *d) == e.data.end())
      return no("Data " + Field(d) + ", expected one of " + e.ToString());
  }
  if (e.correlator) {
    if (e.correlator->empty() ? a.correlator.has_value()
                              : a.correlator != e.correlator)
      return no("Correlator " + Field(a.correlator) + ", expected " +
                (e.correlator->empty() ? "none" : "'" + *e.correlator + "'"));
  }
  return true;
}

Result<DmScript> ParseDmScript(std::string_view xml) {
  OMAIOP_ASSIGN_OR_RETURN(auto doc, codec::ParseXml(xml, "DM script"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || codec::NodeName(root) != "DmScript")
    return codec::PathError("root element must be <DmScript>", "/", kRule);
  DmScript script;
  for (const xmlNode* p = codec::FirstChildElement(root); p;
       p = codec::NextSiblingElement(p)) {
    if (codec::NodeName(p) == "Package1") {
      if (!script.packages.empty())
        return codec::PathError("<Package1> must come before every <Package>",
                                codec::NodePath(p), kRule);
      for (const xmlNode* c = codec::FirstChildElement(p); c;
           c = codec::NextSiblingElement(c)) {
        if (codec::NodeName(c) != "ExpectAlert")
          return codec::PathError("<Package1> holds only <ExpectAlert>",
                                  codec::NodePath(c), kRule);
        OMAIOP_ASSIGN_OR_RETURN(auto e, ParseExpectAlert(c));
        script.package1_alerts.push_back(std::move(e));
      }
      continue;
    }
    if (codec::NodeName(p) != "Package")
      return codec::PathError("expected <Package>", codec::NodePath(p), kRule);
    ScriptPackage pkg;
    for (const xmlNode* c = codec::FirstChildElement(p); c;
         c = codec::NextSiblingElement(c)) {
      if (codec::NodeName(c) == "ExpectAlert") {
        OMAIOP_ASSIGN_OR_RETURN(auto e, ParseExpectAlert(c));
        pkg.expect_alerts.push_back(std::move(e));
        continue;
      }
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
