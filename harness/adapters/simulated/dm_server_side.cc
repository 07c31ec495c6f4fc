#include "harness/adapters/simulated/dm_server_side.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "codec/syncml.h"

namespace omaiop::harness::adapters {

namespace {

namespace servers = sim::servers;
namespace network = sim::network;
using codec::Command;
using codec::CommandType;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kRuleStatus[] = "dm.md §3.5: Status code of the command";
constexpr char kRuleStatusMissing[] =
    "dm.md §3.1: every server command gets a Status";

// The inline commands as a SyncML body (their own form) ...
codec::Result<servers::ScriptPackage> ParseSyncMlCommands(
    const std::string& xml) {
  const std::string msg =
      "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>"
      "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>"
      "<Target><LocURI>client</LocURI></Target><Source><LocURI>server</LocURI>"
      "</Source></SyncHdr><SyncBody>" +
      xml + "<Final/></SyncBody></SyncML>";
  OMAIOP_ASSIGN_OR_RETURN(auto m, codec::SyncMlFromXml(msg));
  std::function<servers::ScriptCommand(const Command&)> conv =
      [&](const Command& c) {
        servers::ScriptCommand sc;
        sc.command = c;
        for (const auto& child : c.children) sc.children.push_back(conv(child));
        return sc;
      };
  servers::ScriptPackage p;
  for (const auto& c : m.body.commands) p.commands.push_back(conv(c));
  return p;
}

std::vector<std::string> TargetsOf(const Command& c) {
  std::vector<std::string> t;
  for (const auto& it : c.items)
    if (it.target) t.push_back(it.target->loc_uri);
  return t;
}

struct SentCommand {
  std::string cmd;
  std::vector<std::string> targets;
};

void IndexSent(const std::string& msg_id, const Command& c,
               std::map<std::string, SentCommand>& out) {
  out[msg_id + "/" + c.cmd_id] = {std::string(codec::CommandName(c.type)),
                                  TargetsOf(c)};
  for (const auto& child : c.children) IndexSent(msg_id, child, out);
}

TraceEntry Decision(std::string source, std::string summary, std::string rule) {
  TraceEntry e;
  e.source = std::move(source);
  e.peer = src::kHandset;
  e.kind = knd::kDecision;
  e.summary = std::move(summary);
  e.rule = std::move(rule);
  return e;
}

// The Alert 1200/1201 code of the session's first client message, or "".
std::string SessionAlert(const servers::DmSessionLog& s) {
  for (const auto& m : s.messages) {
    if (m.direction != servers::DmLoggedMessage::Direction::kIn) continue;
    auto parsed = codec::SyncMlFromXml(m.xml);
    if (!parsed.ok()) return {};
    for (const auto& c : parsed->body.commands)
      if (c.type == CommandType::kAlert &&
          (c.Code() == codec::kAlertClientInitiated ||
           c.Code() == codec::kAlertServerInitiated))
        return c.data.value_or("");
    return {};
  }
  return {};
}

bool Contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

DmServerSide::DmServerSide(const script::TestCase& tc,
                           DmServerSideOptions options,
                           std::shared_ptr<Recorder> recorder)
    : tc_(tc), options_(std::move(options)), rec_(std::move(recorder)) {}

DmServerSide::~DmServerSide() {
  if (front_) front_->Stop();
}

void DmServerSide::SetCredentials(const DmServerSideOptions& o) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.server_id = o.server_id;
  options_.client_auth = o.client_auth;
  options_.client_user = o.client_user;
  options_.client_secret = o.client_secret;
  options_.client_nonce = o.client_nonce;
  options_.server_secret = o.server_secret;
  options_.server_nonce = o.server_nonce;
}

codec::Status DmServerSide::Start() {
  network::HttpServerConfig hc;
  hc.bind_address = options_.bind_address;
  hc.port = options_.port;
  front_ = std::make_unique<network::HttpServer>(
      hc, [this](const network::HttpRequest& r, const network::PeerInfo&) {
        return Forward(r);
      });
  return front_->Start();
}

std::string DmServerSide::url() const {
  return front_ ? front_->BaseUrl() + "/dm" : std::string();
}

network::HttpResponse DmServerSide::Forward(const network::HttpRequest& req) {
  std::shared_ptr<servers::DmServer> server;
  {
    std::lock_guard lock(mu_);
    server = server_;
  }
  if (!server) {
    network::HttpResponse r;
    r.status = 503;
    r.reason = "no DM session expected by the test case now";
    return r;
  }
  if (options_.defects.empty()) return server->Handle(req);
  network::HttpRequest changed = req;
  auto ct = network::FindHeader(req.headers, "Content-Type").value_or("");
  auto d = sim::handset::dm::ApplyDmClientDefectsToBody(options_.defects, ct,
                                                        req.body);
  if (!d.applied.empty()) {
    changed.body = std::move(d.body);
    std::lock_guard lock(mu_);
    for (auto& a : d.applied) applied_defects_.push_back(std::move(a));
  }
  return server->Handle(changed);
}

StepOutcome DmServerSide::QueueCommands(const script::ServerCommandsStep& s) {
  if (!s.file.empty()) {
    const std::string path = script::ResolveCasePath(tc_, s.file);
    auto sc = servers::LoadDmScript(path);
    if (!sc.ok())
      return ErrorOutcome("server-commands file " + path + ": " +
                          sc.error().ToString());
    for (auto& p : sc->packages) queued_.packages.push_back(std::move(p));
    return Pass(std::to_string(sc->packages.size()) +
                " package(s) queued from " + s.file);
  }
  auto p = ParseSyncMlCommands(s.inline_xml);
  if (!p.ok()) {
    auto alt = servers::ParseDmScript("<DmScript><Package>" + s.inline_xml +
                                      "</Package></DmScript>");
    if (!alt.ok() || alt->packages.empty())
      return ErrorOutcome(
          "server-commands: neither SyncML commands (" + p.error().ToString() +
          ") nor DM script commands (" +
          (alt.ok() ? std::string("empty") : alt.error().ToString()) + ")");
    p = std::move(alt->packages.front());
  }
  const std::size_t n = p->commands.size();
  queued_.packages.push_back(std::move(*p));
  return Pass(std::to_string(n) + " command(s) queued as server package " +
              std::to_string(2 * queued_.packages.size()));
}

void DmServerSide::QueuePackage(servers::ScriptPackage p) {
  queued_.packages.push_back(std::move(p));
}

std::size_t DmServerSide::EndedSessions() const {
  std::lock_guard lock(mu_);
  return server_ ? server_->ended_sessions() : 0;
}

void DmServerSide::BeginSession() {
  servers::DmServerConfig c;
  c.server_id = options_.server_id;
  c.client_auth = options_.client_auth;
  c.username = options_.client_user;
  c.password = options_.client_secret;
  c.client_nonce = options_.client_nonce;
  if (!options_.server_secret.empty()) {
    c.server_cred = codec::DmAuthType::kMd5;
    c.server_password = options_.server_secret;
    c.server_nonce = options_.server_nonce;
  }
  c.script = std::move(queued_);
  queued_ = {};
  auto server = std::make_shared<servers::DmServer>(std::move(c));
  std::lock_guard lock(mu_);
  server_ = std::move(server);
  applied_defects_.clear();
}

codec::Bytes DmServerSide::Package0(std::uint16_t session_id,
                                    codec::DmUiMode ui_mode) {
  std::shared_ptr<servers::DmServer> server;
  {
    std::lock_guard lock(mu_);
    server = server_;
  }
  if (!server) return {};
  servers::Package0Options o;
  o.server_id = options_.server_id;
  o.server_password = options_.server_secret;
  o.nonce = options_.server_nonce;
  o.ui_mode = ui_mode;
  o.session_id = session_id;
  codec::Bytes pkg0 = server->NotifySession(o, {});
  TraceEntry e;
  e.source = src::kServer;
  e.peer = src::kHandset;
  e.kind = knd::kDmMessage;
  e.direction = Direction::kOut;
  e.summary = "DM package 0 (notification), session " +
              std::to_string(session_id) + ", " + std::to_string(pkg0.size()) +
              " octets";
  e.raw = pkg0;
  rec_->Add(std::move(e));
  return pkg0;
}

void DmServerSide::EndSession() {
  std::shared_ptr<servers::DmServer> server;
  std::vector<std::string> applied;
  {
    std::lock_guard lock(mu_);
    server = std::move(server_);
    server_.reset();
    applied = std::move(applied_defects_);
    applied_defects_.clear();
  }
  if (!server) return;
  ran_ = true;
  for (const auto& a : applied)
    rec_->Add(Decision(src::kHarness, "client defect applied: " + a, {}));
  for (const auto& s : server->Sessions()) {
    std::map<std::string, SentCommand> sent;
    events_.push_back({"session", "", s.session_id, SessionAlert(s)});
    if (s.authenticated)
      events_.push_back({"client_authenticated", "", s.client_uri, ""});
    for (const auto& m : s.messages) {
      TraceEntry e;
      e.source = src::kServer;
      e.peer = src::kHandset;
      e.kind = knd::kDmMessage;
      const bool in = m.direction == servers::DmLoggedMessage::Direction::kIn;
      e.direction = in ? Direction::kIn : Direction::kOut;
      e.summary = std::string(in ? "client" : "server") + " message MsgID " +
                  (m.msg_id.empty() ? "?" : m.msg_id) + ", " +
                  std::to_string(m.body.size()) + " octets " +
                  (m.wbxml ? "WBXML" : "XML") +
                  (in ? "" : ", HTTP " + std::to_string(m.http_status));
      for (const auto& f : m.applied_faults) e.summary += ", fault " + f;
      e.raw = m.body;
      if (!m.xml.empty()) e.decoded = m.xml;
      rec_->Add(std::move(e));

      if (m.xml.empty()) continue;
      auto parsed = codec::SyncMlFromXml(m.xml);
      if (!parsed.ok()) continue;
      if (!in) {
        for (const auto& c : parsed->body.commands)
          IndexSent(parsed->hdr.msg_id, c, sent);
        continue;
      }
      for (const auto& c : parsed->body.commands) {
        if (c.type == CommandType::kResults) {
          for (const auto& it : c.items)
            events_.push_back({"results", "",
                               it.source
                                   ? it.source->loc_uri
                                   : (it.target ? it.target->loc_uri : ""),
                               it.data ? it.data->AsText() : ""});
          continue;
        }
        if (c.type != CommandType::kStatus || c.cmd.value_or("") == "SyncHdr")
          continue;
        DmStatusSeen st;
        st.code = c.Code().value_or(0);
        const std::string msg_ref = c.msg_ref.value_or("");
        st.ref = "MsgRef " + msg_ref + " CmdRef " + c.cmd_ref.value_or("");
        auto it = sent.find(msg_ref + "/" + c.cmd_ref.value_or(""));
        st.cmd = it != sent.end() ? it->second.cmd : c.cmd.value_or("");
        if (it != sent.end()) st.targets = it->second.targets;
        for (const auto& t : c.target_refs)
          if (std::find(st.targets.begin(), st.targets.end(), t) ==
              st.targets.end())
            st.targets.push_back(t);
        events_.push_back({"status", "", Join(st.targets),
                           st.cmd + " " + std::to_string(st.code)});
        statuses_.push_back(std::move(st));
      }
    }
    for (const auto& v : s.violations) {
      rec_->Add(Decision(src::kServer,
                         "client violates " + v.rule + ": " + v.evidence,
                         v.rule + " (" + v.spec_ref + ")"));
      events_.push_back({"violation", v.rule, v.spec_ref, v.evidence});
      violations_.push_back(v);
    }
    if (s.ended) events_.push_back({"session_end", "", s.key, ""});
  }
}

void DmServerSide::AddEvents(std::vector<DmCaseEvent> events) {
  for (auto& e : events) events_.push_back(std::move(e));
}

std::string DmServerSide::FirstViolationRule() const {
  return violations_.empty() ? std::string() : violations_.front().rule;
}

std::string DmServerSide::ViolationsSummary() const {
  std::string s;
  for (const auto& v : violations_)
    s += (s.empty() ? "" : "; ") + v.rule + ": " + v.evidence;
  return s.empty() ? "no client rule violation" : "violations: " + s;
}

StepOutcome DmServerSide::ExpectStatus(
    const script::ExpectStatusStep& e) const {
  std::vector<int> codes;
  {
    std::string t = e.code;
    std::replace_if(
        t.begin(), t.end(), [](char c) { return c == '|' || c == ','; }, ' ');
    std::istringstream in(t);
    std::string w;
    while (in >> w) {
      if (w.size() != 3 || !std::all_of(w.begin(), w.end(), [](char c) {
            return c >= '0' && c <= '9';
          }))
        return ErrorOutcome("expect-status code '" + e.code +
                            "' is not a DM status code (or list: 404|405)");
      codes.push_back(std::stoi(w));
    }
  }
  if (codes.empty()) return ErrorOutcome("expect-status without a code");
  if (!ran_)
    return ErrorOutcome("expect-status: no DM session ran (add <dm-session>)");
  std::string what = e.cmd.empty() ? std::string("a command") : e.cmd;
  if (!e.target.empty()) what += " " + e.target;
  std::vector<const DmStatusSeen*> match;
  for (const auto& s : statuses_)
    if ((e.cmd.empty() || s.cmd == e.cmd) &&
        (e.target.empty() || std::find(s.targets.begin(), s.targets.end(),
                                       e.target) != s.targets.end()))
      match.push_back(&s);
  std::string want;
  for (int c : codes) want += (want.empty() ? "" : "|") + std::to_string(c);
  if (match.empty()) {
    const std::string rule = FirstViolationRule().empty()
                                 ? std::string(kRuleStatusMissing)
                                 : FirstViolationRule();
    return Fail("no Status from the client for " + what + " (expected " + want +
                    "); " + ViolationsSummary() + " [" + rule + "]",
                rule);
  }
  std::string got;
  for (const auto* s : match) {
    if (std::find(codes.begin(), codes.end(), s->code) != codes.end())
      return Pass(what + " answered " + std::to_string(s->code) + " (" +
                  s->ref + ")");
    got += (got.empty() ? "" : ", ") + std::to_string(s->code) + " (" + s->ref +
           ")";
  }
  return Fail(what + " answered " + got + ", expected " + want + "; " +
                  ViolationsSummary() + " [" + kRuleStatus + "]",
              kRuleStatus);
}

std::vector<DmCaseEvent> DmServerSide::AllEvents() const { return events_; }

StepOutcome DmServerSide::ExpectEvent(const script::ExpectEventStep& e) const {
  std::size_t n = 0;
  for (const auto& ev : events_)
    if (ev.kind == e.kind && Contains(ev.rule, e.rule) &&
        Contains(ev.path, e.path) && Contains(ev.detail, e.detail))
      ++n;
  std::string what = e.kind;
  if (!e.rule.empty()) what += " with rule ~'" + e.rule + "'";
  if (!e.path.empty()) what += " at ~'" + e.path + "'";
  if (!e.detail.empty()) what += " detail ~'" + e.detail + "'";
  const std::string viol_rule = FirstViolationRule();
  if (e.absent) {
    if (n == 0) return Pass("no " + what + " event");
    std::string rule = e.kind == "violation" ? viol_rule : "expect-event";
    return Fail("unexpected " + what + " event (" + std::to_string(n) + "x); " +
                    ViolationsSummary() + " [" + rule + "]",
                rule);
  }
  if (e.count ? n == *e.count : n > 0)
    return Pass(std::to_string(n) + "x " + what);
  std::string seen;
  for (const auto& ev : events_)
    if (ev.kind == e.kind)
      seen += (seen.empty() ? "" : "; ") + ev.path + " " + ev.detail;
  const std::string rule =
      viol_rule.empty() ? "expect-event " + e.kind : viol_rule;
  return Fail("expected " +
                  (e.count ? std::to_string(*e.count) + "x " : std::string()) +
                  what + " event, got " + std::to_string(n) +
                  (seen.empty() ? "" : " (seen: " + seen + ")") + "; " +
                  ViolationsSummary() + " [" + rule + "]",
              rule);
}

}  // namespace omaiop::harness::adapters
