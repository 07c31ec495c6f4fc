#include "harness/script/testcase.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "codec/bytes.h"
#include "codec/xml.h"
#include "harness/script/schema_validate.h"
#include "omaiop/testcase_xsd.h"
#include "sim/handset/dm/client_defects.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/faults.h"

namespace omaiop::harness::script {
namespace {

namespace fs = std::filesystem;
using codec::Diagnostic;
using codec::GetAttr;
using codec::HasAttr;
using codec::NodeName;
using codec::Result;
using codec::Status;

constexpr char kRuleSchema[] = "omaiop testcase.xsd";
constexpr char kRuleVars[] = "omaiop variables (${NAME})";
// A test case is a hand-written file; anything larger is not one.
constexpr std::uintmax_t kMaxFileBytes = 4u << 20;
constexpr std::uint32_t kMaxRuns = 100000;

Result<std::string> ReadText(const std::string& path, const char* rule) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return codec::PathError("not a regular file (or missing)", path, rule);
  if (fs::file_size(path, ec) > kMaxFileBytes)
    return codec::PathError("file larger than 4 MiB", path, rule);
  std::ifstream in(path, std::ios::binary);
  if (!in) return codec::PathError("cannot open file", path, rule);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<Millis> ParseDuration(std::string_view s) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 10)
    n = n * 10 + (s[i++] - '0');
  const std::string_view unit = s.substr(i);
  if (i == 0 || i > 9) return codec::Error("bad duration", 0, kRuleSchema);
  if (unit == "ms") return Millis(n);
  if (unit == "s") return Millis(n * 1000);
  if (unit == "min") return Millis(n * 60000);
  return codec::Error("bad duration unit", i, kRuleSchema);
}

bool ParseBool(const xmlNode* n, const char* attr, bool def) {
  if (!HasAttr(n, attr)) return def;
  const std::string v = codec::TrimXmlSpace(GetAttr(n, attr));
  return v == "true" || v == "1";
}

// Every child element, in order.
std::vector<const xmlNode*> Children(const xmlNode* n) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c))
    out.push_back(c);
  return out;
}

class Builder {
 public:
  Builder(TestCase& tc, const LoadOptions& o) : tc_(tc), o_(o) {}
  Status Build(const xmlNode* root);

 private:
  SourceLoc Loc(const xmlNode* n) const {
    return {tc_.source_file, static_cast<int>(xmlGetLineNo(n))};
  }
  Diagnostic Err(const xmlNode* n, std::string what,
                 std::string rule = kRuleSchema) const {
    return codec::PathError(std::move(what),
                            Loc(n).ToString() + " " + codec::NodePath(n),
                            std::move(rule));
  }
  Result<std::uint32_t> Uint(const xmlNode* n, const char* attr,
                             std::uint32_t def) const {
    if (!HasAttr(n, attr)) return def;
    const std::string s = codec::TrimXmlSpace(GetAttr(n, attr));
    std::uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9' || v > 0xFFFFFFFFull)
        return Err(n, std::string(attr) + " '" + s + "' is not a number");
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (s.empty() || v > 0xFFFFFFFFull)
      return Err(n, std::string(attr) + " '" + s + "' is out of range");
    return static_cast<std::uint32_t>(v);
  }
  Result<std::optional<Millis>> Timeout(const xmlNode* n,
                                        const char* attr = "timeout") const {
    if (!HasAttr(n, attr)) return std::optional<Millis>();
    auto d = ParseDuration(codec::TrimXmlSpace(GetAttr(n, attr)));
    if (!d.ok()) return Err(n, std::string(attr) + ": " + d.error().what);
    return std::optional<Millis>(*d);
  }
  Status CheckHex(const xmlNode* n, const std::string& hex) const {
    if (hex.find("${") != std::string::npos) return codec::OkStatus();
    auto b = codec::ParseHex(hex);
    if (!b.ok()) return Err(n, "hex: " + b.error().what);
    return codec::OkStatus();
  }
  Status CheckFault(const xmlNode* n, const std::string& name) const {
    if (!o_.check_fault_names) return codec::OkStatus();
    // Role dm_server: the faults are DEFECTS of the simulated DM client.
    if (tc_.header.role == Role::kDmServer) {
      if (sim::handset::dm::DmClientDefectByName(name))
        return codec::OkStatus();
      std::string known;
      for (const auto& d : sim::handset::dm::AllDmClientDefects())
        known += (known.empty() ? "" : ", ") + std::string(d.name);
      return Err(
          n, "unknown DM client defect '" + name + "' (known: " + known + ")",
          "sim/handset/dm/client_defects.h");
    }
    // CP push server knobs, or DM server knobs (role dm_client).
    if (sim::servers::FaultByName(name) || sim::servers::DmFaultByName(name))
      return codec::OkStatus();
    std::string known;
    for (const auto& f : sim::servers::AllFaults())
      known += (known.empty() ? "" : ", ") + std::string(f.name);
    for (const auto& f : sim::servers::AllDmFaults())
      known += ", " + std::string(f.name);
    return Err(n, "unknown fault '" + name + "' (known: " + known + ")",
               "omaiop cp faults");
  }

  Status Header(const xmlNode* n);
  Status Variables(const xmlNode* n);
  Status Preconditions(const xmlNode* n);
  Status Steps(const xmlNode* n);
  Result<StepBody> Body(const xmlNode* n);

  TestCase& tc_;
  const LoadOptions& o_;
};

Status Builder::Header(const xmlNode* h) {
  auto& hd = tc_.header;
  for (const xmlNode* c : Children(h)) {
    const std::string_view name = NodeName(c);
    const std::string text = codec::TrimXmlSpace(codec::NodeText(c));
    if (name == "title") {
      hd.title = text;
    } else if (name == "purpose") {
      hd.purpose = text;
    } else if (name == "requirement") {
      const std::string id = GetAttr(c, "id");
      if (std::find(hd.requirements.begin(), hd.requirements.end(), id) !=
          hd.requirements.end())
        return Err(c, "requirement '" + id + "' listed twice");
      hd.requirements.push_back(id);
    } else if (name == "spec-ref") {
      hd.spec_refs.push_back({GetAttr(c, "document"), GetAttr(c, "section")});
    } else if (name == "scr") {
      hd.scr.push_back(text);
    } else if (name == "role") {
      if (text == "handset")
        hd.role = Role::kHandset;
      else if (text == "push_server")
        hd.role = Role::kPushServer;
      else if (text == "dm_server")
        hd.role = Role::kDmServer;
      else if (text == "dm_client")
        hd.role = Role::kDmClient;
      else
        return Err(c, "unknown role '" + text + "'");
    } else if (name == "applicability") {
      hd.applicability_text = text;
      auto e = ParsePics(text);
      if (!e.ok())
        return Err(c,
                   "applicability: " + e.error().what + " at offset " +
                       std::to_string(e.error().offset) + " of '" + text + "'",
                   e.error().rule);
      hd.applicability = std::move(*e);
    } else if (name == "tag") {
      hd.tags.push_back(text);
    } else if (name == "proven-by") {
      const std::string fault = GetAttr(c, "name");
      OMAIOP_RETURN_IF_ERROR(CheckFault(c, fault));
      hd.proven_by.push_back(fault);
    }
  }
  return codec::OkStatus();
}

Status Builder::Variables(const xmlNode* n) {
  std::set<std::string> seen;
  for (const xmlNode* c : Children(n)) {
    if (NodeName(c) == "var") {
      Variable v{GetAttr(c, "name"), GetAttr(c, "value"), Loc(c)};
      if (!seen.insert(v.name).second)
        return Err(c, "variable '" + v.name + "' declared twice", kRuleVars);
      tc_.variables.push_back(std::move(v));
      continue;
    }
    DataSource d;
    d.file = GetAttr(c, "file");
    d.loc = Loc(c);
    const std::string mode = GetAttr(c, "mode");
    d.mode = mode == "sequential" ? DataMode::kSequential
             : mode == "random"   ? DataMode::kRandom
                                  : DataMode::kEach;
    if (HasAttr(c, "separator")) {
      const std::string sep = GetAttr(c, "separator");
      if (sep.size() != 1) return Err(c, "separator must be one character");
      d.separator = sep[0];
    }
    OMAIOP_ASSIGN_OR_RETURN(d.runs, Uint(c, "runs", 1));
    OMAIOP_ASSIGN_OR_RETURN(d.seed, Uint(c, "seed", 0));
    if (d.runs == 0) return Err(c, "runs must be at least 1");
    // Each run is a full copy of the case: bound the campaign's size.
    if (d.runs > kMaxRuns)
      return Err(c, "runs " + std::to_string(d.runs) + " exceeds " +
                        std::to_string(kMaxRuns));
    if (d.mode == DataMode::kEach && HasAttr(c, "runs"))
      return Err(c, "runs applies to mode sequential or random, not each");
    d.resolved = ResolveCasePath(tc_, d.file);
    if (o_.load_data_files) {
      auto t = LoadCsv(d.resolved, d.separator);
      if (!t.ok())
        return Err(c,
                   "data file: " + t.error().what + " (" + t.error().path + ")",
                   t.error().rule);
      if (t->rows.empty())
        return Err(c, "data file " + d.file + " has no rows");
      for (const auto& col : t->columns)
        if (seen.count(col))
          return Err(
              c, "CSV column '" + col + "' has the name of a declared <var>",
              kRuleVars);
      d.table = std::move(*t);
    }
    tc_.data = std::move(d);
  }
  return codec::OkStatus();
}

Status Builder::Preconditions(const xmlNode* n) {
  auto& p = tc_.preconditions;
  for (const xmlNode* c : Children(n)) {
    const std::string_view name = NodeName(c);
    if (name == "card") {
      CardSetup card;
      card.profile = GetAttr(c, "profile");
      card.inserted = ParseBool(c, "inserted", true);
      card.loc = Loc(c);
      for (const xmlNode* e : Children(c)) {
        if (NodeName(e) == "write-file") {
          WriteFile w;
          w.path = GetAttr(e, "path");
          OMAIOP_ASSIGN_OR_RETURN(w.record, Uint(e, "record", 0));
          w.hex = GetAttr(e, "hex");
          w.text = GetAttr(e, "text");
          w.file = GetAttr(e, "file");
          w.loc = Loc(e);
          const int sources =
              HasAttr(e, "hex") + HasAttr(e, "text") + HasAttr(e, "file");
          if (sources != 1)
            return Err(e, "write-file needs exactly one of hex, text, file");
          if (HasAttr(e, "hex")) OMAIOP_RETURN_IF_ERROR(CheckHex(e, w.hex));
          card.edits.emplace_back(std::move(w));
        } else {
          SetPin s;
          s.ref = GetAttr(e, "ref");
          s.state = GetAttr(e, "state");
          s.value = GetAttr(e, "value");
          s.loc = Loc(e);
          if (HasAttr(e, "tries")) {
            OMAIOP_ASSIGN_OR_RETURN(std::uint32_t t, Uint(e, "tries", 0));
            s.tries = static_cast<int>(t);
          }
          if (s.state == "verified" && !HasAttr(e, "value"))
            return Err(e, "set-pin state verified needs the PIN value");
          card.edits.emplace_back(std::move(s));
        }
      }
      p.card = std::move(card);
    } else if (name == "handset" || name == "server") {
      auto& opts = name == "handset" ? p.handset : p.server;
      for (const xmlNode* o : Children(c)) {
        Option opt{GetAttr(o, "name"), GetAttr(o, "value"), Loc(o)};
        for (const auto& prev : opts)
          if (prev.name == opt.name)
            return Err(o, "option '" + opt.name + "' set twice");
        opts.push_back(std::move(opt));
      }
    } else if (name == "fault") {
      const std::string f = GetAttr(c, "name");
      OMAIOP_RETURN_IF_ERROR(CheckFault(c, f));
      p.faults.push_back(f);
    }
  }
  return codec::OkStatus();
}

Result<StepBody> Builder::Body(const xmlNode* n) {
  const std::string_view e = NodeName(n);
  if (e == "push") {
    PushStep s;
    s.document = GetAttr(n, "document");
    if (HasAttr(n, "sec")) s.sec = GetAttr(n, "sec");
    s.pin = GetAttr(n, "pin");
    s.imsi = GetAttr(n, "imsi");
    s.to = GetAttr(n, "to");
    s.initiator = GetAttr(n, "initiator");
    s.authenticated = ParseBool(n, "authenticated", false);
    for (const xmlNode* f : Children(n)) {
      s.faults.push_back(GetAttr(f, "name"));
      OMAIOP_RETURN_IF_ERROR(CheckFault(f, s.faults.back()));
    }
    // ProvBoot SEC methods need their key material (cp.md §2.1).
    const bool needs_imsi = s.sec == "NETWPIN" || s.sec == "USERNETWPIN";
    const bool needs_pin =
        s.sec == "USERPIN" || s.sec == "USERNETWPIN" || s.sec == "USERPINMAC";
    if (needs_imsi && s.imsi.empty())
      return Err(n, "sec " + s.sec + " needs imsi", "cp.md §2.1");
    if (needs_pin && s.pin.empty())
      return Err(n, "sec " + s.sec + " needs pin", "cp.md §2.1");
    return StepBody(std::move(s));
  }
  if (e == "wait-sms") {
    WaitSmsStep s;
    s.from = GetAttr(n, "from");
    if (HasAttr(n, "port")) {
      OMAIOP_ASSIGN_OR_RETURN(std::uint32_t p, Uint(n, "port", 0));
      s.port = static_cast<std::uint16_t>(p);
    }
    OMAIOP_ASSIGN_OR_RETURN(s.count, Uint(n, "count", 1));
    return StepBody(std::move(s));
  }
  if (e == "card-insert")
    return StepBody(CardInsertStep{GetAttr(n, "profile")});
  if (e == "card-remove") return StepBody(CardRemoveStep{});
  if (e == "power-cycle") {
    PowerCycleStep s;
    if (HasAttr(n, "target")) s.target = GetAttr(n, "target");
    return StepBody(std::move(s));
  }
  if (e == "dm-session") {
    DmSessionStep s;
    s.server_id = GetAttr(n, "server-id");
    if (HasAttr(n, "trigger")) s.trigger = GetAttr(n, "trigger");
    s.session_id = GetAttr(n, "session-id");
    return StepBody(std::move(s));
  }
  if (e == "server-commands") {
    ServerCommandsStep s;
    s.file = GetAttr(n, "file");
    for (const xmlNode* c : Children(n))
      s.inline_xml += codec::SerializeNode(c, /*pretty=*/false);
    if (s.file.empty() == s.inline_xml.empty())
      return Err(n,
                 "server-commands needs a file attribute or inline commands, "
                 "not both");
    return StepBody(std::move(s));
  }
  if (e == "user-pin") return StepBody(UserPinStep{GetAttr(n, "pin")});
  if (e == "user-accept") return StepBody(UserAcceptStep{});
  if (e == "user-reject") return StepBody(UserRejectStep{});
  if (e == "expect-event") {
    ExpectEventStep s;
    s.kind = GetAttr(n, "kind");
    s.rule = GetAttr(n, "rule");
    s.path = GetAttr(n, "path");
    s.detail = GetAttr(n, "detail");
    if (HasAttr(n, "count")) {
      OMAIOP_ASSIGN_OR_RETURN(std::uint32_t c, Uint(n, "count", 0));
      s.count = c;
    }
    s.absent = ParseBool(n, "absent", false);
    if (s.absent && s.count)
      return Err(n, "expect-event: absent and count exclude each other");
    return StepBody(std::move(s));
  }
  if (e == "expect-status")
    return StepBody(ExpectStatusStep{GetAttr(n, "code"), GetAttr(n, "cmd"),
                                     GetAttr(n, "target")});
  if (e == "check-setting") {
    CheckSettingStep s;
    s.kind = GetAttr(n, "kind");
    s.id = GetAttr(n, "id");
    s.parm = GetAttr(n, "parm");
    s.value = GetAttr(n, "value");
    s.has_value = HasAttr(n, "value");
    s.present = ParseBool(n, "present", true);
    if (!s.present && s.has_value)
      return Err(n, "check-setting: present=\"false\" with a value");
    return StepBody(std::move(s));
  }
  if (e == "check-tree") {
    CheckTreeStep s;
    s.path = GetAttr(n, "path");
    s.value = GetAttr(n, "value");
    s.has_value = HasAttr(n, "value");
    s.format = GetAttr(n, "format");
    s.present = ParseBool(n, "present", true);
    if (!s.present && s.has_value)
      return Err(n, "check-tree: present=\"false\" with a value");
    return StepBody(std::move(s));
  }
  if (e == "check-card-file") {
    CheckCardFileStep s;
    s.path = GetAttr(n, "path");
    OMAIOP_ASSIGN_OR_RETURN(s.record, Uint(n, "record", 0));
    s.hex = GetAttr(n, "hex");
    s.xml_file = GetAttr(n, "xml-file");
    if (const xmlNode* x = codec::FirstChildElement(n, "xml"))
      if (const xmlNode* doc = codec::FirstChildElement(x))
        s.xml = codec::SerializeNode(doc, /*pretty=*/false);
    const int sources = HasAttr(n, "hex") + HasAttr(n, "xml-file") +
                        (codec::FirstChildElement(n, "xml") != nullptr);
    if (sources != 1)
      return Err(n,
                 "check-card-file needs exactly one of hex, xml-file, <xml>");
    if (HasAttr(n, "hex")) OMAIOP_RETURN_IF_ERROR(CheckHex(n, s.hex));
    return StepBody(std::move(s));
  }
  if (e == "wait") return StepBody(WaitStep{});
  return Err(n, "unknown step <" + std::string(e) + ">");
}

Status Builder::Steps(const xmlNode* n) {
  OMAIOP_ASSIGN_OR_RETURN(auto def, Timeout(n, "default-timeout"));
  if (def) tc_.default_timeout = *def;
  for (const xmlNode* c : Children(n)) {
    Step s;
    s.element = std::string(NodeName(c));
    s.name = GetAttr(c, "name");
    s.loc = Loc(c);
    OMAIOP_ASSIGN_OR_RETURN(s.timeout, Timeout(c));
    s.effective_timeout = s.timeout.value_or(tc_.default_timeout);
    OMAIOP_ASSIGN_OR_RETURN(s.body, Body(c));
    tc_.steps.push_back(std::move(s));
  }
  return codec::OkStatus();
}

Status Builder::Build(const xmlNode* root) {
  tc_.id = GetAttr(root, "id");
  for (const xmlNode* c : Children(root)) {
    const std::string_view name = NodeName(c);
    if (name == "header") {
      OMAIOP_RETURN_IF_ERROR(Header(c));
    } else if (name == "variables") {
      OMAIOP_RETURN_IF_ERROR(Variables(c));
    } else if (name == "preconditions") {
      OMAIOP_RETURN_IF_ERROR(Preconditions(c));
    } else if (name == "steps") {
      OMAIOP_RETURN_IF_ERROR(Steps(c));
    } else if (name == "pass-criteria") {
      OMAIOP_ASSIGN_OR_RETURN(tc_.pass.timeout, Timeout(c));
      for (const xmlNode* k : Children(c))
        tc_.pass.criteria.push_back(codec::TrimXmlSpace(codec::NodeText(k)));
    }
  }
  return codec::OkStatus();
}

// Visits every string of the case that may hold ${NAME}, with the location of
// the element it came from.
template <typename F>
Status ForEachString(TestCase& tc, F&& f) {
  auto& p = tc.preconditions;
  if (p.card) {
    OMAIOP_RETURN_IF_ERROR(f(p.card->profile, p.card->loc));
    for (auto& edit : p.card->edits) {
      if (auto* w = std::get_if<WriteFile>(&edit)) {
        for (std::string* s : {&w->path, &w->hex, &w->text, &w->file})
          OMAIOP_RETURN_IF_ERROR(f(*s, w->loc));
      } else {
        auto& sp = std::get<SetPin>(edit);
        OMAIOP_RETURN_IF_ERROR(f(sp.value, sp.loc));
      }
    }
  }
  for (auto* opts : {&p.handset, &p.server})
    for (auto& o : *opts) OMAIOP_RETURN_IF_ERROR(f(o.value, o.loc));
  for (auto& step : tc.steps) {
    std::vector<std::string*> strs;
    std::visit(
        [&](auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, PushStep>)
            strs = {&b.document, &b.pin, &b.imsi, &b.to, &b.initiator};
          else if constexpr (std::is_same_v<T, WaitSmsStep>)
            strs = {&b.from};
          else if constexpr (std::is_same_v<T, CardInsertStep>)
            strs = {&b.profile};
          else if constexpr (std::is_same_v<T, DmSessionStep>)
            strs = {&b.server_id, &b.session_id};
          else if constexpr (std::is_same_v<T, ServerCommandsStep>)
            strs = {&b.file, &b.inline_xml};
          else if constexpr (std::is_same_v<T, UserPinStep>)
            strs = {&b.pin};
          else if constexpr (std::is_same_v<T, ExpectEventStep>)
            strs = {&b.rule, &b.path, &b.detail};
          else if constexpr (std::is_same_v<T, ExpectStatusStep>)
            strs = {&b.code, &b.cmd, &b.target};
          else if constexpr (std::is_same_v<T, CheckSettingStep>)
            strs = {&b.kind, &b.id, &b.parm, &b.value};
          else if constexpr (std::is_same_v<T, CheckTreeStep>)
            strs = {&b.path, &b.value, &b.format};
          else if constexpr (std::is_same_v<T, CheckCardFileStep>)
            strs = {&b.path, &b.hex, &b.xml, &b.xml_file};
        },
        step.body);
    for (std::string* s : strs) OMAIOP_RETURN_IF_ERROR(f(*s, step.loc));
  }
  return codec::OkStatus();
}

Diagnostic VarError(const Diagnostic& d, const SourceLoc& loc) {
  return codec::PathError(d.what, loc.ToString(), d.rule);
}

Status CheckReferences(TestCase& tc, const LoadOptions& o) {
  std::set<std::string, std::less<>> declared(o.extra_variables.begin(),
                                              o.extra_variables.end());
  for (const auto& v : tc.variables) declared.insert(v.name);
  if (tc.data)
    declared.insert(tc.data->table.columns.begin(),
                    tc.data->table.columns.end());
  // Without the data file loaded its columns are unknown: accept any name.
  const bool any = tc.data && !o.load_data_files;
  auto check = [&](const std::string& s, const SourceLoc& loc) -> Status {
    auto refs = ReferencedVariables(s);
    if (!refs.ok()) return VarError(refs.error(), loc);
    for (const auto& r : *refs)
      if (!any && !declared.count(r) && r.rfind("IUT.", 0) != 0)
        return codec::PathError(
            "undefined variable ${" + r +
                "} (declare it with <var> or as a CSV column)",
            loc.ToString(), kRuleVars);
    return codec::OkStatus();
  };
  for (const auto& v : tc.variables)
    OMAIOP_RETURN_IF_ERROR(check(v.value, v.loc));
  return ForEachString(
      tc, [&](std::string& s, const SourceLoc& loc) { return check(s, loc); });
}

fs::path SuiteRoot(const fs::path& dir) {
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (p.filename() == "testcases") return p.parent_path();
    if (p == p.parent_path()) break;
  }
  return {};
}

}  // namespace

std::string SourceLoc::ToString() const {
  return file + ":" + std::to_string(line);
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kHandset:
      return "handset";
    case Role::kPushServer:
      return "push_server";
    case Role::kDmServer:
      return "dm_server";
    case Role::kDmClient:
      return "dm_client";
  }
  return "?";
}

std::string_view DataModeName(DataMode m) {
  switch (m) {
    case DataMode::kEach:
      return "each";
    case DataMode::kSequential:
      return "sequential";
    case DataMode::kRandom:
      return "random";
  }
  return "?";
}

std::string_view EmbeddedTestCaseSchema() { return generated::kTestCaseXsd; }

Result<TestCase> LoadTestCaseFromString(std::string_view xml,
                                        const std::string& name,
                                        const std::string& base_dir,
                                        const LoadOptions& options) {
  auto doc = codec::ParseXml(xml, name);
  if (!doc.ok()) {
    Diagnostic d = doc.error();
    // "line 7" -> "file.xml:7"
    std::string line = d.path.rfind("line ", 0) == 0 ? d.path.substr(5) : "";
    d.path = name + (line.empty() ? "" : ":" + line);
    return d;
  }
  OMAIOP_RETURN_IF_ERROR(ValidateAgainstSchema(
      doc->get(), name,
      {"testcase.xsd", EmbeddedTestCaseSchema(), options.schema_path},
      "test case"));
  TestCase tc;
  tc.source_file = name;
  tc.base_dir = base_dir.empty() ? "." : base_dir;
  Builder b(tc, options);
  OMAIOP_RETURN_IF_ERROR(b.Build(xmlDocGetRootElement(doc->get())));
  OMAIOP_RETURN_IF_ERROR(CheckReferences(tc, options));
  return tc;
}

Result<TestCase> LoadTestCase(const std::string& path,
                              const LoadOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(std::string text, ReadText(path, kRuleSchema));
  const std::string dir = fs::path(path).parent_path().string();
  return LoadTestCaseFromString(text, path, dir.empty() ? "." : dir, options);
}

Result<TestCase> Instantiate(const TestCase& tc, const VariableMap& row,
                             const VariableMap& extra) {
  // Priority: extra > row > <var>. <var> values may use extra and row names.
  VariableMap outer = row;
  for (const auto& [k, v] : extra) outer[k] = v;
  VariableMap vars;
  for (const auto& v : tc.variables) {
    auto value = SubstituteVariables(v.value, outer);
    if (!value.ok()) return VarError(value.error(), v.loc);
    vars[v.name] = *value;
  }
  for (const auto& [k, v] : outer) vars[k] = v;
  TestCase out = tc;
  OMAIOP_RETURN_IF_ERROR(
      ForEachString(out, [&](std::string& s, const SourceLoc& loc) -> Status {
        auto r = SubstituteVariables(s, vars);
        if (!r.ok()) return VarError(r.error(), loc);
        s = std::move(*r);
        return codec::OkStatus();
      }));
  return out;
}

Result<std::vector<TestCase>> Expand(const TestCase& tc,
                                     const ExpandOptions& options) {
  std::vector<TestCase> out;
  auto run = [&](std::optional<std::size_t> row_index) -> Status {
    VariableMap row;
    if (row_index) {
      const auto& t = tc.data->table;
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        row[t.columns[c]] = t.rows[*row_index][c];
    }
    OMAIOP_ASSIGN_OR_RETURN(TestCase inst, Instantiate(tc, row, options.extra));
    inst.data_row = row_index;
    inst.run_index = out.size();
    out.push_back(std::move(inst));
    return codec::OkStatus();
  };
  if (!tc.data || tc.data->table.rows.empty()) {
    OMAIOP_RETURN_IF_ERROR(run(std::nullopt));
    return out;
  }
  const auto& d = *tc.data;
  const std::size_t rows = d.table.rows.size();
  const std::uint32_t runs = options.runs ? options.runs : d.runs;
  switch (d.mode) {
    case DataMode::kEach:
      for (std::size_t r = 0; r < rows; ++r) OMAIOP_RETURN_IF_ERROR(run(r));
      break;
    case DataMode::kSequential:
      for (std::uint32_t i = 0; i < runs; ++i)
        OMAIOP_RETURN_IF_ERROR(run(i % rows));
      break;
    case DataMode::kRandom: {
      // mt19937 output is fixed by the standard; the modulo keeps the draw
      // portable (uniform_int_distribution is implementation-defined).
      std::mt19937 gen(d.seed);
      for (std::uint32_t i = 0; i < runs; ++i)
        OMAIOP_RETURN_IF_ERROR(run(gen() % rows));
      break;
    }
  }
  return out;
}

std::string ResolveCasePath(const TestCase& tc, std::string_view ref) {
  const fs::path r{std::string(ref)};
  if (r.is_absolute()) return r.string();
  std::error_code ec;
  const fs::path local = fs::path(tc.base_dir) / r;
  if (fs::exists(local, ec)) return local.lexically_normal().string();
  const fs::path root = SuiteRoot(fs::absolute(tc.base_dir, ec));
  if (!root.empty() && fs::exists(root / r, ec))
    return (root / r).lexically_normal().string();
  return local.lexically_normal().string();
}

codec::Status CheckFileReferences(const TestCase& tc) {
  std::vector<std::pair<std::string, SourceLoc>> refs;
  auto add = [&](const std::string& s, const SourceLoc& loc) {
    if (!s.empty() && s.find("${") == std::string::npos)
      refs.emplace_back(s, loc);
  };
  auto is_path = [](const std::string& s) {
    return s.find('/') != std::string::npos ||
           (s.size() > 4 && s.substr(s.size() - 4) == ".xml");
  };
  const auto& p = tc.preconditions;
  if (p.card) {
    if (is_path(p.card->profile)) add(p.card->profile, p.card->loc);
    for (const auto& e : p.card->edits)
      if (auto* w = std::get_if<WriteFile>(&e)) add(w->file, w->loc);
  }
  for (const auto& s : tc.steps) {
    if (auto* b = std::get_if<PushStep>(&s.body)) add(b->document, s.loc);
    if (auto* b = std::get_if<CardInsertStep>(&s.body))
      if (is_path(b->profile)) add(b->profile, s.loc);
    if (auto* b = std::get_if<ServerCommandsStep>(&s.body)) add(b->file, s.loc);
    if (auto* b = std::get_if<CheckCardFileStep>(&s.body))
      add(b->xml_file, s.loc);
  }
  for (const auto& [ref, loc] : refs) {
    std::error_code ec;
    if (!fs::is_regular_file(ResolveCasePath(tc, ref), ec))
      return codec::PathError("referenced file '" + ref + "' not found",
                              loc.ToString(), "omaiop test case");
  }
  return codec::OkStatus();
}

}  // namespace omaiop::harness::script
