#include "harness/script/iut.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "codec/xml.h"
#include "harness/script/schema_validate.h"
#include "omaiop/iut_xsd.h"

namespace omaiop::harness::script {
namespace {

using codec::Diagnostic;
using codec::GetAttr;
using codec::HasAttr;
using codec::NodeName;
using codec::Result;
using codec::Status;

constexpr char kRule[] = "omaiop iut.xsd";

std::vector<const xmlNode*> Children(const xmlNode* n) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c))
    out.push_back(c);
  return out;
}

Diagnostic Err(const std::string& file, const xmlNode* n, std::string what,
               std::string rule = kRule) {
  return codec::PathError(
      std::move(what),
      file + ":" + std::to_string(xmlGetLineNo(n)) + " " + codec::NodePath(n),
      std::move(rule));
}

// Which adapters can stand in for the side opposite omaiop's role.
bool AdapterPlays(AdapterKind a, Role omaiop_role) {
  if (a == AdapterKind::kSimulated || a == AdapterKind::kCommand) return true;
  switch (omaiop_role) {
    case Role::kHandset:  // the IUT pushes
      return a == AdapterKind::kSmppPushServer;
    case Role::kPushServer:  // the IUT is a handset: only command / simulated
      return false;
    case Role::kDmServer:  // the IUT is a DM client
      return a == AdapterKind::kDmClient;
    case Role::kDmClient:  // the IUT is a DM server
      return a == AdapterKind::kHttpDmServer;
  }
  return false;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                            c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::optional<Millis>> ParseTimeout(std::string_view s) {
  std::int64_t n = 0;
  std::size_t i = 0;
  while (i < s.size() && i < 9 && s[i] >= '0' && s[i] <= '9')
    n = n * 10 + (s[i++] - '0');
  const std::string_view u = s.substr(i);
  if (i == 0) return codec::Error("bad timeout", 0, kRule);
  if (u == "ms") return std::optional<Millis>(Millis(n));
  if (u == "s") return std::optional<Millis>(Millis(n * 1000));
  if (u == "min") return std::optional<Millis>(Millis(n * 60000));
  return codec::Error("bad timeout unit", i, kRule);
}

}  // namespace

std::string_view AdapterName(AdapterKind k) {
  switch (k) {
    case AdapterKind::kSimulated:
      return "simulated";
    case AdapterKind::kSmppPushServer:
      return "smpp_push_server";
    case AdapterKind::kHttpDmServer:
      return "http_dm_server";
    case AdapterKind::kDmClient:
      return "dm_client";
    case AdapterKind::kCommand:
      return "command";
  }
  return "?";
}

const IutTrigger* Iut::FindTrigger(std::string_view n) const {
  for (const auto& t : triggers)
    if (t.name == n) return &t;
  return nullptr;
}
const IutAddress* Iut::FindAddress(std::string_view n) const {
  for (const auto& a : addresses)
    if (a.name == n) return &a;
  return nullptr;
}

std::string_view EmbeddedIutSchema() { return generated::kIutXsd; }

Result<Iut> LoadIutFromString(std::string_view xml, const std::string& name) {
  auto doc = codec::ParseXml(xml, name);
  if (!doc.ok()) {
    Diagnostic d = doc.error();
    std::string line = d.path.rfind("line ", 0) == 0 ? d.path.substr(5) : "";
    d.path = name + (line.empty() ? "" : ":" + line);
    return d;
  }
  OMAIOP_RETURN_IF_ERROR(ValidateAgainstSchema(
      doc->get(), name, {"iut.xsd", EmbeddedIutSchema(), ""},
      "IUT description"));
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  Iut iut;
  iut.source_file = name;
  iut.name = GetAttr(root, "name");
  const std::string adapter = GetAttr(root, "adapter");
  for (AdapterKind k : {AdapterKind::kSimulated, AdapterKind::kSmppPushServer,
                        AdapterKind::kHttpDmServer, AdapterKind::kDmClient,
                        AdapterKind::kCommand})
    if (AdapterName(k) == adapter) iut.adapter = k;
  // Unique per kind (an address and a credential may share a name: their
  // variables differ, IUT.<name>.host vs IUT.<name>.user).
  std::set<std::string> names;
  auto unique = [&](const xmlNode* n, const std::string& what,
                    const std::string& id) -> Status {
    if (!names.insert(what + "\n" + id).second)
      return Err(name, n, what + " '" + id + "' declared twice");
    return codec::OkStatus();
  };
  for (const xmlNode* c : Children(root)) {
    const std::string_view cn = NodeName(c);
    if (cn == "description") {
      iut.description = codec::TrimXmlSpace(codec::NodeText(c));
    } else if (cn == "pics") {
      for (const xmlNode* item : Children(c)) {
        const std::string k = GetAttr(item, "name");
        if (!iut.pics.emplace(k, GetAttr(item, "value")).second)
          return Err(name, item, "PICS item '" + k + "' declared twice");
      }
    } else if (cn == "pixit") {
      for (const xmlNode* p : Children(c)) {
        const std::string_view pn = NodeName(p);
        const std::string id = GetAttr(p, "name");
        OMAIOP_RETURN_IF_ERROR(unique(p, std::string(pn), id));
        if (pn == "address") {
          IutAddress a{id, GetAttr(p, "host"), std::nullopt, GetAttr(p, "url"),
                       GetAttr(p, "msisdn")};
          if (HasAttr(p, "port")) {
            const long v = std::strtol(GetAttr(p, "port").c_str(), nullptr, 10);
            a.port = static_cast<std::uint16_t>(v);
          }
          iut.addresses.push_back(std::move(a));
        } else if (pn == "credential") {
          iut.credentials.push_back({id, GetAttr(p, "user"),
                                     GetAttr(p, "password"),
                                     GetAttr(p, "secret")});
        } else if (pn == "trigger") {
          IutTrigger t;
          t.name = id;
          t.kind = GetAttr(p, "kind") == "url" ? IutTrigger::Kind::kUrl
                                               : IutTrigger::Kind::kCommand;
          if (HasAttr(p, "method")) t.method = GetAttr(p, "method");
          t.text = codec::TrimXmlSpace(codec::NodeText(p));
          if (HasAttr(p, "timeout")) {
            auto to = ParseTimeout(GetAttr(p, "timeout"));
            if (!to.ok()) return Err(name, p, to.error().what);
            t.timeout = *to;
          }
          auto refs = ReferencedVariables(t.text);
          if (!refs.ok())
            return Err(name, p, "trigger template: " + refs.error().what,
                       refs.error().rule);
          iut.triggers.push_back(std::move(t));
        } else if (pn == "param") {
          iut.params[id] = GetAttr(p, "value");
        }
      }
    }
  }
  return iut;
}

Result<Iut> LoadIut(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return codec::PathError("not a regular file (or missing)", path, kRule);
  std::ifstream in(path, std::ios::binary);
  if (!in) return codec::PathError("cannot open file", path, kRule);
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadIutFromString(ss.str(), path);
}

Iut SimulatedIut() {
  Iut iut;
  iut.name = "omaiop simulated peers";
  iut.adapter = AdapterKind::kSimulated;
  iut.description = "the in-process simulated handset, card and servers";
  iut.source_file = "(built in)";
  // Kept in step with fixtures/iut/simulated.xml (a test checks they agree).
  iut.pics = {{"CP-BOOT", "true"},
              {"CP-CONT", "true"},
              {"CP-SEC-NETWPIN", "true"},
              {"CP-SEC-USERPIN", "true"},
              {"CP-SEC-USERNETWPIN", "true"},
              {"CP-SEC-USERPINMAC", "true"},
              {"CP-SMARTCARD", "true"},
              {"CP-UAB", "true"},
              {"CP-WLAN", "true"},
              {"DM-CLIENT", "true"},
              {"DM-SERVER", "true"},
              {"DM-SMARTCARD", "true"},
              {"UICC", "true"},
              {"SMS-MAX-SEGMENTS", "8"}};
  // The simulated DM peers run in-process: the URL is a name only (cases
  // may refer to ${IUT.dm.url}); fixtures/iut/simulated.xml declares it too.
  IutAddress dm;
  dm.name = "dm";
  dm.url = "http://simulated.invalid/dm";
  iut.addresses.push_back(dm);
  return iut;
}

VariableMap IutVariables(const Iut& iut) {
  VariableMap v;
  v["IUT.name"] = iut.name;
  for (const auto& a : iut.addresses) {
    const std::string p = "IUT." + a.name + ".";
    if (!a.host.empty()) v[p + "host"] = a.host;
    if (a.port) v[p + "port"] = std::to_string(*a.port);
    if (!a.url.empty()) v[p + "url"] = a.url;
    if (!a.msisdn.empty()) v[p + "msisdn"] = a.msisdn;
  }
  for (const auto& c : iut.credentials) {
    const std::string p = "IUT." + c.name + ".";
    if (!c.user.empty()) v[p + "user"] = c.user;
    if (!c.password.empty()) v[p + "password"] = c.password;
    if (!c.secret.empty()) v[p + "secret"] = c.secret;
  }
  for (const auto& [k, val] : iut.params) v["IUT." + k] = val;
  return v;
}

Result<std::vector<std::string>> ExpandCommandTrigger(const IutTrigger& t,
                                                      const VariableMap& vars) {
  std::vector<std::string> argv;
  std::istringstream words(t.text);
  std::string w;
  while (words >> w) {
    auto r = SubstituteVariables(w, vars);
    if (!r.ok()) {
      Diagnostic d = r.error();
      d.path = "trigger " + t.name;
      d.offset = Diagnostic::kNoOffset;
      return d;
    }
    argv.push_back(std::move(*r));
  }
  if (argv.empty())
    return codec::PathError("empty command", "trigger " + t.name, kRule);
  return argv;
}

Result<std::string> ExpandUrlTrigger(const IutTrigger& t,
                                     const VariableMap& vars) {
  VariableMap encoded;
  for (const auto& [k, v] : vars) encoded[k] = PercentEncode(v);
  auto r = SubstituteVariables(t.text, encoded);
  if (!r.ok()) {
    Diagnostic d = r.error();
    d.path = "trigger " + t.name;
    d.offset = Diagnostic::kNoOffset;
    return d;
  }
  return *r;
}

ApplicabilityResult Applicability(const TestCase& tc, const Iut& iut) {
  const Role role = tc.header.role;
  if (!AdapterPlays(iut.adapter, role))
    return {false, "omaiop plays " + std::string(RoleName(role)) +
                       " in this case; the IUT's adapter " +
                       std::string(AdapterName(iut.adapter)) +
                       " cannot play the other side"};
  // A command IUT may be one side only: <param name="omaiop-roles"
  // value="push_server,..."/> lists the roles omaiop may take against it.
  if (auto it = iut.params.find("omaiop-roles"); it != iut.params.end()) {
    const std::string list = "," + it->second + ",";
    if (list.find("," + std::string(RoleName(role)) + ",") == std::string::npos)
      return {false, "omaiop plays " + std::string(RoleName(role)) +
                         " in this case; the IUT lets omaiop play only " +
                         it->second + " (param omaiop-roles)"};
  }
  const PicsResult r = EvaluatePics(tc.header.applicability, iut.pics);
  if (!r.value)
    return {false,
            "PICS " + tc.header.applicability_text + " is false: " + r.reason};
  return {true, tc.header.applicability_text.empty()
                    ? "no PICS condition"
                    : "PICS " + tc.header.applicability_text + ": " + r.reason};
}

}  // namespace omaiop::harness::script
