#include "sim/handset/dm/session.h"

#include <memory>
#include <utility>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "sim/handset/dm/card_mo.h"

namespace omaiop::sim::handset::dm {

using codec::Command;
using codec::CommandType;
using codec::SyncMlMessage;

// --- trace
// ---------------------------------------------------------------------

std::string_view DmEventKindName(DmEventKind kind) {
  switch (kind) {
    case DmEventKind::kSessionStarted:
      return "session_started";
    case DmEventKind::kSessionEnded:
      return "session_ended";
    case DmEventKind::kSessionAborted:
      return "session_aborted";
    case DmEventKind::kMessageSent:
      return "message_sent";
    case DmEventKind::kMessageReceived:
      return "message_received";
    case DmEventKind::kTransportError:
      return "transport_error";
    case DmEventKind::kProtocolError:
      return "protocol_error";
    case DmEventKind::kHeaderMismatch:
      return "header_mismatch";
    case DmEventKind::kClientAuthChallenged:
      return "client_auth_challenged";
    case DmEventKind::kClientAuthAccepted:
      return "client_auth_accepted";
    case DmEventKind::kClientAuthFailed:
      return "client_auth_failed";
    case DmEventKind::kNonceUpdated:
      return "nonce_updated";
    case DmEventKind::kServerAuthVerified:
      return "server_auth_verified";
    case DmEventKind::kServerAuthFailed:
      return "server_auth_failed";
    case DmEventKind::kCommandExecuted:
      return "command_executed";
    case DmEventKind::kCommandFailed:
      return "command_failed";
    case DmEventKind::kAtomicRolledBack:
      return "atomic_rolled_back";
    case DmEventKind::kSequenceStopped:
      return "sequence_stopped";
    case DmEventKind::kUserAlert:
      return "user_alert";
    case DmEventKind::kNextMessage:
      return "next_message";
    case DmEventKind::kMessageSplit:
      return "message_split";
    case DmEventKind::kPackage0Accepted:
      return "package0_accepted";
    case DmEventKind::kPackage0Rejected:
      return "package0_rejected";
    case DmEventKind::kUnsupported:
      return "unsupported";
    case DmEventKind::kChunkBuffered:
      return "chunk_buffered";
    case DmEventKind::kChunkAssembled:
      return "chunk_assembled";
    case DmEventKind::kChunkSent:
      return "chunk_sent";
    case DmEventKind::kChunkAbandoned:
      return "chunk_abandoned";
    case DmEventKind::kGenericAlertSent:
      return "generic_alert_sent";
    case DmEventKind::kGenericAlertStatus:
      return "generic_alert_status";
    case DmEventKind::kFumoExec:
      return "fumo_exec";
    case DmEventKind::kFumoStateChanged:
      return "fumo_state_changed";
    case DmEventKind::kFumoAuthorised:
      return "fumo_authorised";
    case DmEventKind::kFumoRefused:
      return "fumo_refused";
    case DmEventKind::kFumoDownload:
      return "fumo_download";
    case DmEventKind::kFumoResult:
      return "fumo_result";
    case DmEventKind::kFumoCardRead:
      return "fumo_card_read";
    case DmEventKind::kCardMoMounted:
      return "card_mo_mounted";
    case DmEventKind::kCardMoWritten:
      return "card_mo_written";
    case DmEventKind::kCardMoDenied:
      return "card_mo_denied";
    case DmEventKind::kCardMoSynced:
      return "card_mo_synced";
    case DmEventKind::kCardMoConflict:
      return "card_mo_conflict";
  }
  return "unknown";
}

std::string DmEvent::ToString() const {
  return std::string(DmEventKindName(kind)) + ": " + detail + " [" + rule + "]";
}

void DmTrace::Add(DmEventKind kind, std::string rule, std::string detail) {
  events_.push_back({kind, std::move(rule), std::move(detail)});
}
std::size_t DmTrace::Count(DmEventKind kind) const {
  std::size_t n = 0;
  for (const auto& e : events_) n += e.kind == kind;
  return n;
}
std::vector<DmEvent> DmTrace::Find(DmEventKind kind) const {
  std::vector<DmEvent> out;
  for (const auto& e : events_)
    if (e.kind == kind) out.push_back(e);
  return out;
}
std::string DmTrace::ToString() const {
  std::string s;
  for (const auto& e : events_) s += e.ToString() + "\n";
  return s;
}

namespace {

constexpr char kXmlType[] = "application/vnd.syncml.dm+xml";
constexpr char kWbxmlType[] = "application/vnd.syncml.dm+wbxml";

constexpr char kRuleFlow[] = "dm.md §3.2: session flow";
constexpr char kRuleHdr[] = "dm.md §3.1: SyncHdr";
constexpr char kRuleAuth[] = "dm.md §3.7: authentication";
constexpr char kRuleMulti[] = "dm.md §3.2: multi-message packages (1222)";
constexpr char kRuleAbort[] = "dm.md §3.2: session abort 1223";
constexpr char kRulePkg0[] = "dm.md §3.8: notification package 0";
constexpr char kRuleUi[] = "dm.md §3.4: UI alerts 1100-1104";
constexpr char kRuleAtomic[] = "dm.md §3.1: Atomic all-or-nothing";
constexpr char kRuleSeq[] = "dm.md §3.1: Sequence in order";
constexpr char kRuleLo[] = "dm.md §3.3: large objects";
constexpr char kRuleGeneric[] = "dm.md §3.4/§4: Generic Alert 1226";

std::string ItemTarget(const codec::Item& i) {
  return i.target ? i.target->loc_uri : std::string();
}
std::string ItemSource(const codec::Item& i) {
  return i.source ? i.source->loc_uri : std::string();
}

Content ContentOf(const codec::Item& item,
                  const std::optional<codec::Meta>& m) {
  Content c;
  const codec::Meta* meta = item.meta ? &*item.meta : (m ? &*m : nullptr);
  if (meta && meta->format) {
    c.format_text = *meta->format;
    c.format = FormatFromName(*meta->format);
  }
  if (meta && meta->type) c.type = *meta->type;
  if (item.data) c.data = item.data->AsText();
  c.origin = "ota";
  return c;
}

std::unique_ptr<Node> CloneNode(const Node& n) {
  auto c = std::make_unique<Node>();
  c->name = n.name;
  c->format = n.format;
  c->type = n.type;
  c->value = n.value;
  c->acl = n.acl;
  c->title = n.title;
  c->tstamp = n.tstamp;
  c->ver_no = n.ver_no;
  c->permanent = n.permanent;
  c->access = n.access;
  c->origin = n.origin;
  for (const auto& ch : n.children) c->children.push_back(CloneNode(*ch));
  return c;
}

std::string SchemeType(DmAuthScheme s) {
  codec::DmAuthType t = codec::DmAuthType::kMd5;
  if (s == DmAuthScheme::kBasic) t = codec::DmAuthType::kBasic;
  if (s == DmAuthScheme::kHmac) t = codec::DmAuthType::kHmac;
  return std::string(codec::DmAuthTypeName(t));
}

codec::Diagnostic Fail(std::string what, std::string rule) {
  return codec::Error(std::move(what), codec::Diagnostic::kNoOffset,
                      std::move(rule));
}

}  // namespace

// --- account from the tree
// ------------------------------------------------------

codec::Result<DmAccount> AccountFromTree(const Tree& tree,
                                         std::string_view dmacc_uri) {
  const Node* acc = tree.Find(dmacc_uri);
  if (!acc || !acc->interior())
    return Fail("no DMAcc account at " + std::string(dmacc_uri),
                "dm.md §3.6: DMAcc");
  DmAccount a;
  auto leaf = [&](const Node* n, std::string_view name) -> std::string {
    const Node* c = n ? n->Child(name) : nullptr;
    return c ? c->value : std::string();
  };
  a.server_id = leaf(acc, "ServerID");
  if (a.server_id.empty())
    return Fail("account has no ServerID", "dm.md §3.6: DMAcc ServerID");
  if (const Node* addrs = acc->Child("AppAddr"); addrs)
    for (const auto& x : addrs->children)
      if (a.server_url.empty()) a.server_url = leaf(x.get(), "Addr");
  if (a.server_url.empty())
    return Fail("account has no AppAddr/<x>/Addr", "dm.md §3.6: DMAcc AppAddr");
  auto scheme = [](const std::string& t) {
    if (t == "BASIC" || t == "HTTP-BASIC") return DmAuthScheme::kBasic;
    if (t == "DIGEST" || t == "HTTP-DIGEST") return DmAuthScheme::kMd5;
    if (t == "HMAC") return DmAuthScheme::kHmac;
    return DmAuthScheme::kNone;
  };
  bool have_client = false;
  if (const Node* auths = acc->Child("AppAuth"); auths) {
    for (const auto& x : auths->children) {
      std::string level = leaf(x.get(), "AAuthLevel");
      if (level == "CLCRED") {
        have_client = true;
        a.client_auth = scheme(leaf(x.get(), "AAuthType"));
        a.client_name = leaf(x.get(), "AAuthName");
        a.client_secret = leaf(x.get(), "AAuthSecret");
        std::string d = leaf(x.get(), "AAuthData");
        a.client_nonce.assign(d.begin(), d.end());
      } else if (level == "SRVCRED") {
        a.check_server_cred = true;
        a.server_auth = scheme(leaf(x.get(), "AAuthType"));
        a.server_name = leaf(x.get(), "AAuthName");
        a.server_secret = leaf(x.get(), "AAuthSecret");
        std::string d = leaf(x.get(), "AAuthData");
        a.server_nonce.assign(d.begin(), d.end());
      }
    }
  }
  if (!have_client) a.client_auth = DmAuthScheme::kNone;
  if (a.server_auth == DmAuthScheme::kNone) a.check_server_cred = false;
  return a;
}

// --- the session
// -----------------------------------------------------------------

struct DmClient::Session {
  DmClient& c;
  DmSessionOutcome out;
  std::string url;
  std::string device_id;
  int msg_id = 0;
  std::string server_msg_id;
  int client_auth_tries = 0;
  int server_auth_failures = 0;
  std::size_t server_max_msg = 0;  // 0 = no limit announced
  std::vector<Command> queue;      // responses not yet sent (no hdr status)
  std::string lo_sending;          // URI of a Results being sent in chunks
  std::vector<std::string> server_msg_ids;
  bool server_hmac_seen = false;  // last response had x-syncml-hmac
  std::string server_hmac_error;  // ... and why it did not verify

  void Ev(DmEventKind k, std::string rule, std::string detail = {}) {
    c.trace_.Add(k, std::move(rule), std::move(detail));
  }

  std::string NodeValue(std::string_view uri) {
    const Node* n = c.tree_.Find(uri);
    return n ? n->value : std::string();
  }

  std::optional<codec::Cred> MakeCred() {
    const DmAccount& a = c.account_;
    if (out.client_authenticated || a.client_auth == DmAuthScheme::kNone ||
        a.client_auth == DmAuthScheme::kHmac)
      return std::nullopt;
    codec::Cred cred;
    cred.meta = codec::Meta{};
    cred.meta->type = SchemeType(a.client_auth);
    cred.meta->format = "b64";
    cred.data = a.client_auth == DmAuthScheme::kBasic
                    ? codec::BasicCredential(a.client_name, a.client_secret)
                    : codec::Md5Credential(a.client_name, a.client_secret,
                                           a.client_nonce);
    return cred;
  }

  codec::SyncHdr MakeHdr() {
    codec::SyncHdr h;
    h.session_id = out.session_id;
    h.msg_id = std::to_string(++msg_id);
    h.target.loc_uri = c.account_.server_url;
    h.source.loc_uri = device_id;
    h.cred = MakeCred();
    // dm.md §3.7: HMAC username = SyncHdr Source/LocName.
    if (h.cred || c.account_.client_auth == DmAuthScheme::kHmac)
      h.source.loc_name = c.account_.client_name;
    if (!c.options_.max_msg_size.empty() || !c.options_.max_obj_size.empty()) {
      h.meta = codec::Meta{};
      if (!c.options_.max_msg_size.empty())
        h.meta->max_msg_size = c.options_.max_msg_size;
      if (!c.options_.max_obj_size.empty())
        h.meta->max_obj_size = c.options_.max_obj_size;
    }
    return h;
  }

  codec::Result<std::string> Encode(const SyncMlMessage& m) {
    if (!c.options_.wbxml) return codec::SyncMlToXml(m);
    auto doc = codec::SyncMlToXmlDoc(m);
    OMAIOP_ASSIGN_OR_RETURN(
        codec::Bytes b,
        codec::EncodeWbxml(doc.get(), codec::SyncMlDmLanguage()));
    return codec::AsString(b);
  }

  // POSTs `m`, returns the server's reply (parsed).
  // Asks the alert source (if any) and returns the Alerts to send.
  std::vector<Command> PollAlerts(AlertPoint point) {
    std::vector<Command> cmds;
    if (!c.options_.generic_alerts) return cmds;
    for (auto& a : c.options_.generic_alerts(point)) {
      GenericAlertRecord r;
      r.alert = a;
      out.generic_alerts.push_back(r);
      cmds.push_back(codec::BuildGenericAlert(a));
    }
    return cmds;
  }

  // Ties each Generic Alert in `m` to its record (MsgID, CmdID).
  void NoteAlertsSent(const SyncMlMessage& m) {
    for (const auto& cmd : m.body.commands) {
      if (cmd.type != CommandType::kAlert ||
          cmd.Code() != codec::kAlertGeneric || cmd.items.empty())
        continue;
      const codec::Item& it = cmd.items[0];
      std::string src = it.source ? it.source->loc_uri : "";
      std::string data = it.data ? it.data->AsText() : "";
      for (auto& r : out.generic_alerts) {
        if (r.status || r.alert.source_uri != src || r.alert.data != data ||
            r.alert.correlator != cmd.correlator)
          continue;
        if (!r.cmd_id.empty() && (r.cmd_id != cmd.cmd_id || r.msg_id.empty()))
          continue;
        if (r.msg_id == m.hdr.msg_id) continue;  // taken by an earlier one
        bool resent = !r.msg_id.empty();
        r.msg_id = m.hdr.msg_id;
        r.cmd_id = cmd.cmd_id;
        Ev(DmEventKind::kGenericAlertSent, kRuleGeneric,
           std::string(resent ? "resent" : "sent") + " in MsgID " + r.msg_id +
               " CmdID " + r.cmd_id + ": " + src + " type " + r.alert.type +
               " data " + data +
               (cmd.correlator ? " correlator " + *cmd.correlator
                               : " (no correlator)") +
               (r.alert.mark ? " mark " + *r.alert.mark : ""));
        break;
      }
    }
  }

  // A Status answering one of our Generic Alerts.
  void NoteAlertStatus(const Command& st) {
    for (auto& r : out.generic_alerts) {
      if (r.msg_id.empty() || r.cmd_id != st.cmd_ref.value_or("") ||
          r.msg_id != st.msg_ref.value_or(r.msg_id))
        continue;
      r.status = st.Code().value_or(0);
      Ev(DmEventKind::kGenericAlertStatus, kRuleGeneric,
         "server Status " + std::to_string(r.status) + " for the alert on " +
             r.alert.source_uri + " (MsgID " + r.msg_id + " CmdID " + r.cmd_id +
             ")");
      return;
    }
  }

  codec::Result<SyncMlMessage> Exchange(const SyncMlMessage& m) {
    OMAIOP_ASSIGN_OR_RETURN(std::string body, Encode(m));
    NoteAlertsSent(m);
    const char* ctype = c.options_.wbxml ? kWbxmlType : kXmlType;
    c.messages_.push_back({true, ctype, body.size(), codec::SyncMlToXml(m), 0});
    ++out.messages_sent;
    Ev(DmEventKind::kMessageSent, kRuleFlow,
       "MsgID " + m.hdr.msg_id + ", " + std::to_string(m.body.commands.size()) +
           " commands" + (m.body.final ? ", Final" : ", no Final") + ", " +
           std::to_string(body.size()) + " octets to " + url);
    network::HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.body = std::move(body);
    req.headers.push_back({"Content-Type", ctype});
    req.headers.push_back({"Accept", ctype});
    const DmAccount& a = c.account_;
    if (a.client_auth == DmAuthScheme::kHmac) {
      // dm.md §3.7: once HMAC is in use, every message carries the header.
      codec::HmacHeader h;
      h.username = a.client_name;
      h.mac = codec::ComputeHmacMac(a.client_name, a.client_secret,
                                    a.client_nonce, codec::AsBytes(req.body));
      req.headers.push_back({std::string(codec::kHmacHeaderName),
                             codec::BuildHmacHeaderValue(h)});
    }
    auto resp = http.Fetch(req);
    if (!resp.ok()) {
      Ev(DmEventKind::kTransportError, resp.error().rule, resp.error().what);
      return resp.error();
    }
    std::string rtype =
        network::FindHeader(resp->headers, "Content-Type").value_or("");
    if (resp->status != 200) {
      c.messages_.push_back(
          {false, rtype, resp->body.size(), resp->body, resp->status});
      std::string what =
          "HTTP status " + std::to_string(resp->status) + " from the server";
      Ev(DmEventKind::kTransportError, "dm.md §3.1: HTTP binding", what);
      return Fail(what, "dm.md §3.1: HTTP binding");
    }
    codec::Result<SyncMlMessage> parsed = Fail("", "");
    if (rtype.find("wbxml") != std::string::npos) {
      auto doc = codec::DecodeWbxml(codec::AsBytes(resp->body));
      if (!doc.ok())
        parsed = doc.error();
      else
        parsed = codec::SyncMlFromXmlDoc(doc->doc.get());
    } else {
      parsed = codec::SyncMlFromXml(resp->body);
    }
    server_hmac_seen = false;
    server_hmac_error.clear();
    if (a.check_server_cred && a.server_auth == DmAuthScheme::kHmac) {
      auto hv = network::FindHeader(resp->headers, codec::kHmacHeaderName);
      if (hv) {
        server_hmac_seen = true;
        auto h = codec::ParseHmacHeader(*hv);
        if (!h.ok()) {
          server_hmac_error = h.error().what;
        } else if (h->username != a.server_name) {
          server_hmac_error =
              "username '" + h->username + "' is not '" + a.server_name + "'";
        } else {
          auto v = codec::VerifyHmac(*h, a.server_secret, a.server_nonce,
                                     codec::AsBytes(resp->body));
          if (!v.ok()) server_hmac_error = v.error().what;
        }
      }
    }
    if (!parsed.ok()) {
      c.messages_.push_back({false, rtype, resp->body.size(), resp->body, 200});
      Ev(DmEventKind::kTransportError, parsed.error().rule,
         "server message undecodable: " + parsed.error().what);
      return parsed.error();
    }
    c.messages_.push_back({false, rtype, resp->body.size(),
                           rtype.find("wbxml") != std::string::npos
                               ? codec::SyncMlToXml(*parsed)
                               : resp->body,
                           200});
    ++out.messages_received;
    Ev(DmEventKind::kMessageReceived, kRuleFlow,
       "MsgID " + parsed->hdr.msg_id + ", " +
           std::to_string(parsed->body.commands.size()) + " commands" +
           (parsed->body.final ? ", Final" : ", no Final"));
    return parsed;
  }

  void Record(const Command& cmd, const std::string& uri, int code,
              const std::string& reason) {
    out.commands.push_back(
        {std::string(codec::CommandName(cmd.type)), uri, code, reason});
    bool ok = code >= 200 && code < 300;
    Ev(ok ? DmEventKind::kCommandExecuted : DmEventKind::kCommandFailed,
       "dm.md §3.1/§3.5: " + std::string(codec::CommandName(cmd.type)),
       std::string(codec::CommandName(cmd.type)) + " " + uri + " -> " +
           std::to_string(code) + (reason.empty() ? "" : " (" + reason + ")"));
  }

  Command StatusFor(const Command& cmd, int code) {
    return codec::BuildCommandStatus(server_msg_id, cmd, "0", code);
  }

  // Executes one tree command (not Atomic/Sequence/Alert); appends its
  // Status(es) and Results to `q`. Returns the worst code.
  int ExecuteTreeCommand(const Command& cmd, std::vector<Command>& q) {
    Caller caller = Caller::Server(c.account_.server_id);
    if (cmd.items.empty()) {
      Record(cmd, "", 412, "command without Item");
      if (!cmd.no_resp) q.push_back(StatusFor(cmd, 412));
      return 412;
    }
    int worst = 200;
    for (const auto& item : cmd.items) {
      std::string uri = ItemTarget(item);
      bool add_or_replace =
          cmd.type == CommandType::kAdd || cmd.type == CommandType::kReplace;
      if (add_or_replace &&
          (item.more_data || (lo && lo->uri == uri && lo->type == cmd.type))) {
        int code = Chunk(cmd, item, q);
        if (code >= 300) worst = code;
        continue;
      }
      OpResult r;
      switch (cmd.type) {
        case CommandType::kAdd:
          r = c.tree_.Add(caller, uri, ContentOf(item, cmd.meta));
          break;
        case CommandType::kReplace:
          r = c.tree_.Replace(caller, uri, ContentOf(item, cmd.meta));
          break;
        case CommandType::kDelete:
          r = c.tree_.Delete(caller, uri);
          break;
        case CommandType::kGet:
          r = c.tree_.Get(caller, uri);
          break;
        case CommandType::kExec:
          r = c.tree_.Exec(caller, uri,
                           item.data ? item.data->AsText() : std::string(),
                           cmd.correlator.value_or(""));
          break;
        case CommandType::kCopy:
          r = c.tree_.Copy(caller, uri, ItemSource(item));
          break;
        default:
          r.code = 406;
          r.reason = "command not supported by the client";
      }
      Record(cmd, uri, r.code, r.reason);
      if (!r.ok()) worst = r.code;
      if (!cmd.no_resp) {
        Command st = StatusFor(cmd, r.code);
        if (cmd.items.size() > 1) st.target_refs = {uri};
        q.push_back(std::move(st));
      }
      if (cmd.type == CommandType::kGet && r.ok()) {
        std::vector<codec::ResultValue> vals;
        for (const auto& gi : r.items) {
          codec::ResultValue v;
          v.uri = gi.uri;
          v.data = codec::DataValue::Text(gi.data);
          v.format = gi.format.empty() ? std::optional<std::string>("chr")
                                       : std::optional<std::string>(gi.format);
          if (!gi.type.empty()) v.type = gi.type;
          vals.push_back(std::move(v));
        }
        Command get1 = cmd;
        get1.items = {item};
        q.push_back(codec::BuildResults(server_msg_id, get1, "0", vals));
      }
    }
    return worst;
  }

  // --- large objects (dm.md §3.3) ---
  struct LargeObject {
    CommandType type;
    std::string uri;
    std::optional<std::size_t> size;  // Meta Size of the first chunk
    Content content;                  // Format / Type of the first chunk
    std::string data;
    int chunks = 0;
  };
  std::optional<LargeObject> lo;

  bool ContinuesObject(const Command& cmd) const {
    return lo && cmd.type == lo->type && cmd.items.size() == 1 &&
           ItemTarget(cmd.items[0]) == lo->uri;
  }

  // Something other than the next chunk arrived: Alert 1225 (no end of
  // data), nothing committed. The Alert's Item names the object by its
  // Target LocURI [R: the exact Item form of 1225 is not in dm.md].
  void AbandonObject(const std::string& why) {
    Ev(DmEventKind::kChunkAbandoned, kRuleLo,
       lo->uri + " after " + std::to_string(lo->chunks) + " chunk(s): " + why +
           " -> Alert 1225");
    Command a = Alert(1225);
    codec::Item it;
    it.target = codec::LocInfo{lo->uri, {}};
    a.items.push_back(std::move(it));
    queue.push_back(std::move(a));
    lo.reset();
  }

  int Chunk(const Command& cmd, const codec::Item& item,
            std::vector<Command>& q) {
    std::string uri = ItemTarget(item);
    auto respond = [&](int code, const std::string& reason) {
      Record(cmd, uri, code, reason);
      if (!cmd.no_resp) q.push_back(StatusFor(cmd, code));
      return code;
    };
    if (!lo) {
      LargeObject o{cmd.type, uri, {}, ContentOf(item, cmd.meta), {}, 0};
      const codec::Meta* m = item.meta && item.meta->size ? &*item.meta
                             : cmd.meta && cmd.meta->size ? &*cmd.meta
                                                          : nullptr;
      if (m) {
        try {
          o.size = std::stoul(*m->size);
        } catch (...) {
          return respond(412, "Meta Size '" + *m->size + "' not a number");
        }
      }
      if (o.size && !c.options_.max_obj_size.empty()) {
        std::size_t max = 0;
        try {
          max = std::stoul(c.options_.max_obj_size);
        } catch (...) {
        }
        if (max && *o.size > max)
          return respond(416, "object of " + std::to_string(*o.size) +
                                  " octets exceeds MaxObjSize " +
                                  c.options_.max_obj_size);
      }
      lo = std::move(o);
    }
    if (item.data) lo->data += item.data->AsText();
    ++lo->chunks;
    if (item.more_data) {
      Ev(DmEventKind::kChunkBuffered, kRuleLo,
         uri + " chunk " + std::to_string(lo->chunks) + ", " +
             std::to_string(lo->data.size()) + " octets so far -> 213");
      return respond(213, "chunk buffered");
    }
    LargeObject o = std::move(*lo);
    lo.reset();
    if (o.size && *o.size != o.data.size()) {
      Ev(DmEventKind::kChunkAbandoned, kRuleLo,
         uri + ": " + std::to_string(o.data.size()) +
             " octets received, Meta Size " + std::to_string(*o.size) +
             " -> 424");
      return respond(424, "size mismatch");
    }
    Content ct = o.content;
    ct.data = std::move(o.data);
    Caller caller = Caller::Server(c.account_.server_id);
    OpResult r = cmd.type == CommandType::kAdd
                     ? c.tree_.Add(caller, uri, ct)
                     : c.tree_.Replace(caller, uri, ct);
    Ev(DmEventKind::kChunkAssembled, kRuleLo,
       uri + ": " + std::to_string(o.chunks) + " chunks, " +
           std::to_string(ct.data.size()) + " octets -> " +
           std::to_string(r.code));
    return respond(r.code, r.reason);
  }

  int ExecuteAlert(const Command& cmd, std::vector<Command>& q) {
    int code = cmd.Code().value_or(0);
    int status_code = 200;
    Command st;
    if (code >= 1100 && code <= 1104) {
      UiRequest req;
      req.alert_code = code;
      for (std::size_t i = 0; i < cmd.items.size(); ++i) {
        std::string d =
            cmd.items[i].data ? cmd.items[i].data->AsText() : std::string();
        if (i == 0)
          req.options = d;
        else
          req.texts.push_back(d);
      }
      UiAnswer a = c.options_.ui ? c.options_.ui(req) : UiAnswer{};
      std::vector<std::string> data;
      switch (a.kind) {
        case UiAnswer::Kind::kAccept:
          status_code = 200;
          if (code == 1102 || code == 1103 || code == 1104) data = a.data;
          break;
        case UiAnswer::Kind::kReject:
          status_code = code == 1101 ? c.options_.confirm_reject_code : 214;
          break;
        case UiAnswer::Kind::kCancel:
          status_code = 214;
          break;
        case UiAnswer::Kind::kTimeout:
          // 1100 display just times out (shown); others: no answer = 214.
          status_code = code == 1100 ? 200 : 214;
          break;
      }
      Ev(DmEventKind::kUserAlert, kRuleUi,
         "Alert " + std::to_string(code) + " '" +
             (req.texts.empty() ? std::string() : req.texts[0]) +
             "' answered " + std::to_string(status_code));
      st = StatusFor(cmd, status_code);
      for (auto& d : data) {
        codec::Item it;
        it.data = codec::DataValue::Text(d);
        st.items.push_back(std::move(it));
      }
    } else {
      // 1200/1201/1224/1226 are client->server alerts (dm.md §3.4).
      status_code = 405;
      st = StatusFor(cmd, status_code);
    }
    out.commands.push_back({"Alert", std::to_string(code), status_code, ""});
    if (!cmd.no_resp) q.push_back(std::move(st));
    return status_code;
  }

  int ExecuteAtomic(const Command& cmd, std::vector<Command>& q) {
    std::unique_ptr<Node> snapshot = CloneNode(c.tree_.root());
    std::vector<Command> inner;
    std::vector<std::size_t> child_status;  // index of each child's Status
    int failed = 0;
    std::size_t i = 0;
    for (; i < cmd.children.size(); ++i) {
      std::size_t before = inner.size();
      int code = Execute(cmd.children[i], inner);
      child_status.push_back(before);
      if (code >= 300) {
        failed = code;
        ++i;
        break;
      }
    }
    if (!failed) {
      out.commands.push_back({"Atomic", "", 200, ""});
      if (!cmd.no_resp) q.push_back(StatusFor(cmd, 200));
      for (auto& s : inner) q.push_back(std::move(s));
      return 200;
    }
    // Roll back: restore the whole tree (Exec side effects outside the
    // tree cannot be undone).
    Node* root = c.tree_.FindMutable(".");
    *root = std::move(*snapshot);
    c.tree_.NotifyRestored();  // card-resident MOs follow (card_mo.h)
    Ev(DmEventKind::kAtomicRolledBack, kRuleAtomic,
       "child " + std::to_string(i) + " failed with " + std::to_string(failed) +
           ": tree restored, Atomic 507");
    out.commands.push_back({"Atomic", "", 507, "rolled back"});
    if (!cmd.no_resp) q.push_back(StatusFor(cmd, 507));
    // Children that succeeded become 216 (rolled back); Results dropped.
    for (auto& s : inner) {
      if (s.type != CommandType::kStatus) continue;
      int code = s.Code().value_or(0);
      if (code >= 200 && code < 300) s.data = "216";
      q.push_back(std::move(s));
    }
    for (; i < cmd.children.size(); ++i)
      if (!cmd.children[i].no_resp)
        q.push_back(StatusFor(cmd.children[i], 215));
    return 507;
  }

  int ExecuteSequence(const Command& cmd, std::vector<Command>& q) {
    std::vector<Command> inner;
    std::size_t i = 0;
    bool stopped = false;
    for (; i < cmd.children.size(); ++i) {
      int code = Execute(cmd.children[i], inner);
      if (code >= 300 && c.options_.sequence_stop_on_failure) {
        ++i;
        stopped = true;
        break;
      }
    }
    out.commands.push_back({"Sequence", "", 200, ""});
    if (!cmd.no_resp) q.push_back(StatusFor(cmd, 200));
    for (auto& s : inner) q.push_back(std::move(s));
    if (stopped) {
      Ev(DmEventKind::kSequenceStopped, kRuleSeq,
         std::to_string(cmd.children.size() - i) +
             " command(s) after the failure answered 215");
      for (; i < cmd.children.size(); ++i)
        if (!cmd.children[i].no_resp)
          q.push_back(StatusFor(cmd.children[i], 215));
    }
    return 200;
  }

  int Execute(const Command& cmd, std::vector<Command>& q) {
    switch (cmd.type) {
      case CommandType::kAtomic:
        return ExecuteAtomic(cmd, q);
      case CommandType::kSequence:
        return ExecuteSequence(cmd, q);
      case CommandType::kAlert:
        return ExecuteAlert(cmd, q);
      case CommandType::kResults:
      case CommandType::kStatus:
        Ev(DmEventKind::kProtocolError, "dm.md §3.1: server->client commands",
           std::string(codec::CommandName(cmd.type)) + " inside a container");
        if (!cmd.no_resp) q.push_back(StatusFor(cmd, 405));
        return 405;
      default:
        return ExecuteTreeCommand(cmd, q);
    }
  }

  // Builds the next message: hdr status first, then queued commands while
  // they fit the server's MaxMsgSize. `more` = something to send after.
  codec::Result<SyncMlMessage> Compose(const Command& hdr_status,
                                       std::vector<Command> extra_tail,
                                       bool final_allowed) {
    SyncMlMessage m;
    m.hdr = MakeHdr();
    m.body.commands.push_back(hdr_status);
    std::size_t taken = 0;
    for (; taken < queue.size(); ++taken) {
      m.body.commands.push_back(queue[taken]);
      if (server_max_msg) {
        for (std::size_t k = 0; k < m.body.commands.size(); ++k)
          m.body.commands[k].cmd_id = std::to_string(k + 1);
        OMAIOP_ASSIGN_OR_RETURN(std::string enc, Encode(m));
        // Leave room for a trailing Alert 1222 / Final (~100 octets).
        if (enc.size() + 100 > server_max_msg) {
          if (m.body.commands.size() > 2) {
            m.body.commands.pop_back();
            break;
          }
          // Alone and still too big: a large object, if it is one.
          OMAIOP_ASSIGN_OR_RETURN(bool chunked, ChunkLast(m, taken));
          if (chunked) {
            ++taken;
            break;  // nothing may follow a chunk in its message
          }
        }
      }
    }
    queue.erase(queue.begin(), queue.begin() + static_cast<long>(taken));
    for (const auto& cmd : m.body.commands)  // the last chunk went out
      if (cmd.type == CommandType::kResults && cmd.items.size() == 1 &&
          !cmd.items[0].more_data && cmd.items[0].source &&
          cmd.items[0].source->loc_uri == lo_sending)
        lo_sending.clear();
    bool more = !queue.empty();
    if (more)
      Ev(DmEventKind::kMessageSplit, "dm.md §3.3: MaxMsgSize",
         std::to_string(queue.size()) +
             " command(s) held back for the next message (server MaxMsgSize " +
             std::to_string(server_max_msg) + ")");
    for (auto& t : extra_tail) m.body.commands.push_back(std::move(t));
    m.body.final = final_allowed && !more;
    for (std::size_t k = 0; k < m.body.commands.size(); ++k)
      m.body.commands[k].cmd_id = std::to_string(k + 1);
    return m;
  }

  // dm.md §3.3: the last command of `m` (queue[i]), a one-item Results too
  // large for the server's MaxMsgSize, becomes the largest chunk that fits
  // (MoreData; Meta Size = the whole object on the first chunk only) and
  // the rest goes back into the queue after it. False: not chunkable.
  codec::Result<bool> ChunkLast(SyncMlMessage& m, std::size_t i) {
    Command& cmd = m.body.commands.back();
    if (cmd.type != CommandType::kResults || cmd.items.size() != 1 ||
        !cmd.items[0].data)
      return false;
    const codec::Item whole = cmd.items[0];
    const bool binary = whole.data->kind == codec::DataValue::Kind::kBinary;
    const std::string data = whole.data->AsText();
    const std::string uri = whole.source ? whole.source->loc_uri : "";
    const bool first = lo_sending != uri;
    auto set = [&](std::size_t n) {
      codec::Item& it = cmd.items[0];
      it = whole;
      std::string part = data.substr(0, n);
      it.data =
          binary
              ? codec::DataValue::Binary(codec::Bytes(part.begin(), part.end()))
              : codec::DataValue::Text(std::move(part));
      it.more_data = true;
      if (first) {
        if (!it.meta) it.meta = codec::Meta{};
        it.meta->size = std::to_string(data.size());
      } else if (it.meta) {
        it.meta->size.reset();
      }
    };
    // The largest prefix that fits (binary search on the encoded size).
    std::size_t lo = 1, hi = data.size() > 1 ? data.size() - 1 : 0, best = 0;
    while (lo <= hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      set(mid);
      OMAIOP_ASSIGN_OR_RETURN(std::string enc, Encode(m));
      if (enc.size() + 100 <= server_max_msg) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best == 0) {
      cmd.items[0] = whole;
      return false;
    }
    set(best);
    Command rest = queue[i];
    codec::Item& r = rest.items[0];
    const std::string tail = data.substr(best);
    r.data =
        binary
            ? codec::DataValue::Binary(codec::Bytes(tail.begin(), tail.end()))
            : codec::DataValue::Text(tail);
    if (r.meta) r.meta->size.reset();
    queue.insert(queue.begin() + static_cast<long>(i) + 1, std::move(rest));
    Ev(DmEventKind::kChunkSent, kRuleLo,
       uri + ": " + std::to_string(best) + " octets" +
           (first ? " (first chunk, Meta Size " + std::to_string(data.size()) +
                        ")"
                  : "") +
           ", " + std::to_string(tail.size()) + " to follow");
    lo_sending = uri;
    return true;
  }

  Command Alert(int code) {
    Command a;
    a.type = CommandType::kAlert;
    a.data = std::to_string(code);
    return a;
  }

  bool CheckServerCred(const SyncMlMessage& in, Command& hdr_status) {
    const DmAccount& a = c.account_;
    int code = 212;
    std::string why;
    if (a.server_auth == DmAuthScheme::kHmac) {
      // dm.md §3.7: with HMAC the header status is 200, per message.
      code = 200;
      if (!server_hmac_seen) {
        code = 407;
        why = "server response without x-syncml-hmac";
      } else if (!server_hmac_error.empty()) {
        code = 401;
        why = "server x-syncml-hmac: " + server_hmac_error;
      }
    } else if (!in.hdr.cred) {
      code = 407;
      why = "server message without Cred";
    } else {
      const codec::Cred& cr = *in.hdr.cred;
      std::string type = cr.meta && cr.meta->type ? *cr.meta->type : "";
      bool ok = false;
      if (type == SchemeType(DmAuthScheme::kBasic) &&
          a.server_auth == DmAuthScheme::kBasic)
        ok = codec::VerifyBasicCredential(cr.data, a.server_name,
                                          a.server_secret);
      else if (type == SchemeType(DmAuthScheme::kMd5) &&
               a.server_auth == DmAuthScheme::kMd5)
        ok = codec::VerifyMd5Credential(cr.data, a.server_name, a.server_secret,
                                        a.server_nonce);
      else
        why = "Cred type '" + type + "' is not the configured SRVCRED type " +
              SchemeType(a.server_auth);
      if (!ok) {
        code = 401;
        if (why.empty()) why = "server Cred does not verify (SRVCRED)";
      }
    }
    if (code == 212 || code == 200) {
      out.server_authenticated = true;
      Ev(DmEventKind::kServerAuthVerified, kRuleAuth,
         std::string(code == 200 ? "server x-syncml-hmac" : "server Cred") +
             " verified for " + a.server_name);
      hdr_status = codec::BuildSyncHdrStatus(in.hdr, "1", code);
      return true;
    }
    ++server_auth_failures;
    Ev(DmEventKind::kServerAuthFailed, kRuleAuth,
       why + " -> " + std::to_string(code) + " (failure " +
           std::to_string(server_auth_failures) + ")");
    codec::Chal chal;
    chal.meta.type = SchemeType(a.server_auth);
    chal.meta.format = "b64";
    if (a.server_auth != DmAuthScheme::kBasic) {
      auto nonce = c.options_.nonce_source
                       ? codec::Result<codec::Bytes>(c.options_.nonce_source())
                       : codec::FreshNonce();
      if (nonce.ok()) {
        c.account_.server_nonce = *nonce;
        chal.meta.next_nonce = codec::Base64Encode(*nonce);
        Ev(DmEventKind::kNonceUpdated, kRuleAuth,
           "new server nonce sent in Chal");
      }
    }
    hdr_status = codec::BuildSyncHdrStatus(in.hdr, "1", code, chal);
    return false;
  }

  // Handles a Chal: stores NextNonce and the type asked for.
  void TakeChal(const codec::Chal& chal) {
    if (chal.meta.type) {
      auto t = codec::ParseDmAuthType(*chal.meta.type);
      if (t.ok() && *t == codec::DmAuthType::kBasic)
        c.account_.client_auth = DmAuthScheme::kBasic;
      else if (t.ok() && *t == codec::DmAuthType::kMd5)
        c.account_.client_auth = DmAuthScheme::kMd5;
      else if (t.ok() && *t == codec::DmAuthType::kHmac)
        c.account_.client_auth = DmAuthScheme::kHmac;
      else
        Ev(DmEventKind::kUnsupported, kRuleAuth,
           "challenge type '" + *chal.meta.type + "' not supported");
    }
    if (chal.meta.next_nonce) {
      auto n =
          codec::NonceForDigest(*chal.meta.next_nonce, c.options_.nonce_form);
      if (n.ok()) {
        c.account_.client_nonce = *n;
        Ev(DmEventKind::kNonceUpdated, kRuleAuth,
           "client nonce from NextNonce " + *chal.meta.next_nonce);
      } else {
        Ev(DmEventKind::kProtocolError, kRuleAuth,
           "NextNonce is not base64: " + n.error().what);
      }
    }
  }

  enum class Next { kEnd, kSend };

  // Processes a server message; fills `to_send` when a reply is due.
  Next Process(const SyncMlMessage& in, const SyncMlMessage& last_sent,
               SyncMlMessage& to_send) {
    // --- header (dm.md §3.1) ---
    if (in.hdr.session_id != out.session_id) {
      std::string what = "SessionID '" + in.hdr.session_id + "', expected '" +
                         out.session_id + "'";
      Ev(DmEventKind::kHeaderMismatch, kRuleHdr, what);
      out.error = Fail(what, kRuleHdr);
      return Next::kEnd;
    }
    if (in.hdr.ver_proto != "DM/1.2" || in.hdr.ver_dtd != "1.2")
      Ev(DmEventKind::kHeaderMismatch, kRuleHdr,
         "VerDTD/VerProto '" + in.hdr.ver_dtd + "'/'" + in.hdr.ver_proto + "'");
    if (in.hdr.target.loc_uri != device_id) {
      std::string what = "Target LocURI '" + in.hdr.target.loc_uri +
                         "' is not our DevId '" + device_id + "'";
      Ev(DmEventKind::kHeaderMismatch, kRuleHdr, what);
      if (c.options_.strict_target) {
        out.error = Fail(what, kRuleHdr);
        return Next::kEnd;
      }
    }
    // dm.md §3.1: MsgID unique per message in the session (trace only).
    for (const auto& seen : server_msg_ids)
      if (seen == in.hdr.msg_id)
        Ev(DmEventKind::kHeaderMismatch, kRuleHdr,
           "server MsgID '" + in.hdr.msg_id + "' repeated in the session");
    server_msg_ids.push_back(in.hdr.msg_id);
    if (in.hdr.source.loc_uri != c.account_.server_url &&
        in.hdr.source.loc_uri != c.account_.server_id)
      Ev(DmEventKind::kHeaderMismatch, kRuleHdr,
         "server Source LocURI '" + in.hdr.source.loc_uri +
             "' is neither the account's address nor its ServerID");
    server_msg_id = in.hdr.msg_id;
    if (in.hdr.resp_uri && !in.hdr.resp_uri->empty()) url = *in.hdr.resp_uri;
    if (in.hdr.meta && in.hdr.meta->max_msg_size) {
      try {
        server_max_msg = std::stoul(*in.hdr.meta->max_msg_size);
      } catch (...) {
        Ev(DmEventKind::kProtocolError, "dm.md §3.3: MaxMsgSize",
           "MaxMsgSize '" + *in.hdr.meta->max_msg_size + "' not a number");
      }
    }

    // --- statuses on what we sent; alerts 1222/1223 ---
    bool resend = false, next_requested = false, has_cmds = false;
    for (const auto& cmd : in.body.commands) {
      if (cmd.type == CommandType::kStatus) {
        if (cmd.chal) TakeChal(*cmd.chal);
        if (cmd.cmd_ref.value_or("") != "0") {
          NoteAlertStatus(cmd);
          continue;
        }
        int code = cmd.Code().value_or(0);
        if (code == 212 || code == 200) {
          if (!out.client_authenticated)
            Ev(DmEventKind::kClientAuthAccepted, kRuleAuth,
               "SyncHdr status " + std::to_string(code));
          out.client_authenticated = true;
        } else if (code == 401 || code == 407) {
          out.client_authenticated = false;
          if (cmd.chal &&
              client_auth_tries < c.options_.max_client_auth_retries) {
            ++client_auth_tries;
            Ev(DmEventKind::kClientAuthChallenged, kRuleAuth,
               "SyncHdr status " + std::to_string(code) +
                   " with Chal: resend (" + std::to_string(client_auth_tries) +
                   ")");
            resend = true;
          } else {
            std::string what =
                "client credentials refused (" + std::to_string(code) +
                (cmd.chal ? ", challenges exhausted)" : ", no Chal)");
            Ev(DmEventKind::kClientAuthFailed, kRuleAuth, what);
            out.error = Fail(what, kRuleAuth);
            return Next::kEnd;
          }
        } else if (code >= 300) {
          std::string what = "SyncHdr status " + std::to_string(code);
          Ev(DmEventKind::kProtocolError, kRuleHdr, what);
          out.error = Fail(what, kRuleHdr);
          return Next::kEnd;
        }
      } else if (cmd.type == CommandType::kAlert && cmd.Code() == 1223) {
        Ev(DmEventKind::kSessionAborted, kRuleAbort,
           "server sent 1223: no response");
        out.aborted = true;
        return Next::kEnd;
      } else if (cmd.type == CommandType::kAlert && cmd.Code() == 1222) {
        next_requested = true;
        Ev(DmEventKind::kNextMessage, kRuleMulti, "server asks for more");
      } else {
        has_cmds = true;
      }
    }

    if (resend) {
      to_send = last_sent;
      codec::SyncHdr h = MakeHdr();
      to_send.hdr = h;
      return Next::kSend;
    }

    // --- server credentials (SRVCRED) ---
    Command hdr_status = codec::BuildSyncHdrStatus(in.hdr, "1", 200);
    if (c.account_.check_server_cred &&
        (!out.server_authenticated ||
         c.account_.server_auth == DmAuthScheme::kHmac)) {
      if (!CheckServerCred(in, hdr_status)) {
        if (server_auth_failures >= c.options_.max_server_auth_failures) {
          Ev(DmEventKind::kSessionAborted, kRuleAbort,
             "server not authenticated: client aborts with 1223");
          out.aborted = true;
          out.error = Fail("server credentials refused", kRuleAuth);
          queue.clear();
          auto m = Compose(hdr_status, {Alert(1223)}, true);
          if (m.ok()) {
            (void)Exchange(*m);  // the server SHOULD NOT answer; ignore
          }
          return Next::kEnd;
        }
        // Refuse every command until the server authenticates.
        for (const auto& cmd : in.body.commands)
          if (cmd.type != CommandType::kStatus) {
            out.commands.push_back(
                {std::string(codec::CommandName(cmd.type)),
                 cmd.items.empty() ? "" : ItemTarget(cmd.items[0]), 215,
                 "server not authenticated"});
          }
        queue.clear();
        auto m = Compose(hdr_status, {}, true);
        if (!m.ok()) {
          out.error = m.error();
          return Next::kEnd;
        }
        to_send = std::move(*m);
        return Next::kSend;
      }
    }

    // --- execute ---
    for (const auto& cmd : in.body.commands) {
      if (cmd.type == CommandType::kStatus) continue;
      if (cmd.type == CommandType::kAlert &&
          (cmd.Code() == 1222 || cmd.Code() == 1223)) {
        if (!cmd.no_resp) queue.push_back(StatusFor(cmd, 200));
        continue;
      }
      if (lo && !ContinuesObject(cmd)) AbandonObject("a new command");
      Execute(cmd, queue);
    }
    // Generic Alerts (FUMO results) ride in the reply to a complete server
    // package that had commands; a package that ends the session gets none.
    if (in.body.final && has_cmds)
      for (auto& a : PollAlerts(AlertPoint::kAfterServerPackage))
        queue.push_back(std::move(a));

    // --- what next (dm.md §3.2) ---
    if (next_requested) {
      // The server wants the rest of our package (dm.md §3.2): its 1222
      // message has no Final by rule, so this comes before the check below.
      auto m = Compose(hdr_status, {}, true);
      if (!m.ok()) {
        out.error = m.error();
        return Next::kEnd;
      }
      to_send = std::move(*m);
      return Next::kSend;
    }
    if (!in.body.final) {
      // Server's package continues: answer and ask for the next message.
      Ev(DmEventKind::kNextMessage, kRuleMulti,
         "server message without Final: client sends 1222");
      auto m = Compose(hdr_status, {Alert(1222)}, false);
      if (!m.ok()) {
        out.error = m.error();
        return Next::kEnd;
      }
      to_send = std::move(*m);
      return Next::kSend;
    }
    if (!has_cmds && !next_requested && queue.empty()) {
      Ev(DmEventKind::kSessionEnded, kRuleFlow,
         "server package with Final and no commands: session ends");
      out.completed = true;
      return Next::kEnd;
    }
    auto m = Compose(hdr_status, {}, true);
    if (!m.ok()) {
      out.error = m.error();
      return Next::kEnd;
    }
    to_send = std::move(*m);
    return Next::kSend;
  }

  network::HttpSession http;
  explicit Session(DmClient& client, int)
      : c(client), http(client.options_.http) {}

  DmSessionOutcome Run(const SessionTrigger& t) {
    url = c.account_.server_url;
    device_id = NodeValue("./DevInfo/DevId");
    out.session_id =
        t.session_id.empty() ? std::to_string(c.next_session_++) : t.session_id;
    codec::ClientPackage1 p;
    p.session_id = out.session_id;
    p.msg_id = std::to_string(++msg_id);
    p.server_uri = c.account_.server_url;
    p.device_id = device_id;
    p.cred = MakeCred();
    if (p.cred || c.account_.client_auth == DmAuthScheme::kHmac)
      p.source_name = c.account_.client_name;
    if (!c.options_.max_msg_size.empty())
      p.max_msg_size = c.options_.max_msg_size;
    if (!c.options_.max_obj_size.empty())
      p.max_obj_size = c.options_.max_obj_size;
    p.alert_code = t.kind == SessionTrigger::Kind::kServerInitiated
                       ? codec::kAlertServerInitiated
                       : codec::kAlertClientInitiated;
    for (const char* leaf : {"DevId", "Man", "Mod", "DmV", "Lang"})
      p.devinfo.push_back({leaf, NodeValue(std::string("./DevInfo/") + leaf)});
    p.extra = PollAlerts(AlertPoint::kPackage1);
    SyncMlMessage to_send = codec::BuildClientPackage1(p);
    Ev(DmEventKind::kSessionStarted, "dm.md §3.2: package 1",
       "Alert " + std::to_string(p.alert_code) + ", SessionID " +
           out.session_id + ", server " + c.account_.server_id + " at " + url);
    for (;;) {
      if (out.messages_sent >= c.options_.max_messages) {
        out.error = Fail("message limit reached", kRuleFlow);
        Ev(DmEventKind::kProtocolError, kRuleFlow, "message limit reached");
        break;
      }
      auto in = Exchange(to_send);
      if (!in.ok()) {
        out.error = in.error();
        break;
      }
      SyncMlMessage last = std::move(to_send);
      to_send = SyncMlMessage{};
      if (Process(*in, last, to_send) == Next::kEnd) break;
    }
    http.Close();
    if (!c.options_.account_uri.empty()) WriteBackNonces();
    return out;
  }

  // Stores the current nonces in the account's AppAuth/<x>/AAuthData (as the
  // device: AAuthData has no Get/Replace for servers).
  void WriteBackNonces() {
    const Node* auths =
        c.tree_.Find(JoinUri(c.options_.account_uri, "AppAuth"));
    if (!auths) return;
    for (const auto& x : auths->children) {
      const Node* level = x->Child("AAuthLevel");
      if (!level) continue;
      const codec::Bytes* nonce = nullptr;
      if (level->value == "CLCRED") nonce = &c.account_.client_nonce;
      if (level->value == "SRVCRED") nonce = &c.account_.server_nonce;
      if (!nonce) continue;
      std::string uri =
          JoinUri(JoinUri(JoinUri(c.options_.account_uri, "AppAuth"), x->name),
                  "AAuthData");
      OpResult r;
      if (x->Child("AAuthData")) {
        r = c.tree_.DeviceSet(uri, codec::AsString(*nonce));
      } else {
        // dm.md §3.6: AAuthData is bin, "No Get".
        NodeInit init;
        init.format = Format::kBin;
        init.type = "application/octet-stream";
        init.value = codec::AsString(*nonce);
        init.access = kAccessAdd | kAccessDelete | kAccessReplace;
        init.origin = "ota";
        r = c.tree_.DeviceAdd(uri, init);
      }
      if (r.ok())
        Ev(DmEventKind::kNonceUpdated, kRuleAuth,
           level->value + " nonce written to " + uri);
    }
  }
};

DmClient::DmClient(Tree& tree, DmAccount account, DmClientOptions options)
    : tree_(tree), account_(std::move(account)), options_(std::move(options)) {}

DmClient::~DmClient() { set_card_mo(nullptr); }

void DmClient::set_card_mo(CardMoBinding* binding) {
  if (card_mo_) card_mo_->RemoveSink(card_mo_sink_);
  card_mo_ = binding;
  if (card_mo_)
    card_mo_sink_ = card_mo_->AddSink([this](const CardMoEvent& e) {
      trace_.Add(e.kind, e.rule, e.name + ": " + e.detail);
    });
}

DmSessionOutcome DmClient::RunSession(const SessionTrigger& trigger) {
  // Card-resident MOs: catch up with OTA changes made behind our back and
  // with device changes made while the card was away (card_mo.h).
  if (card_mo_ && card_mo_->attached()) (void)card_mo_->Resync();
  Session s(*this, 0);
  return s.Run(trigger);
}

DmSessionOutcome DmClient::OnPackage0(codec::ByteView pkg0) {
  DmSessionOutcome refused;
  auto reject = [&](std::string what) {
    trace_.Add(DmEventKind::kPackage0Rejected, kRulePkg0, what);
    refused.error = Fail(std::move(what), kRulePkg0);
    return refused;
  };
  auto n = codec::ParseDmNotification(pkg0);
  if (!n.ok()) return reject("unparsable: " + n.error().what);
  if (n->server_id != account_.server_id)
    return reject("server-identifier '" + n->server_id +
                  "' is not the account's ServerID '" + account_.server_id +
                  "'");
  codec::NotificationDigestOptions dopt;
  if (options_.pkg0_try_default_nonce)
    dopt.fallback_nonce = codec::Bytes(codec::kLibdmclientDefaultNonce.begin(),
                                       codec::kLibdmclientDefaultNonce.end());
  auto v = codec::VerifyNotificationDigest(pkg0, account_.server_id,
                                           account_.server_secret,
                                           account_.server_nonce, dopt);
  if (!v.ok()) return reject("digest: " + v.error().what);
  trace_.Add(DmEventKind::kPackage0Accepted, kRulePkg0,
             "digest verified (" +
                 std::string(*v == codec::NotificationNonceUsed::kStored
                                 ? "stored nonce"
                                 : "fallback nonce") +
                 "), ui-mode " + std::string(codec::DmUiModeName(n->ui_mode)) +
                 ", session " + codec::SessionIdForSyncHdr(n->session_id));
  if (n->ui_mode == codec::DmUiMode::kUserInteraction && options_.ui) {
    UiRequest req;
    req.alert_code = 0;
    req.texts = {"Server " + n->server_id + " requests a management session"};
    UiAnswer a = options_.ui(req);
    if (a.kind != UiAnswer::Kind::kAccept)
      return reject("user declined the server-initiated session");
  }
  return RunSession(
      SessionTrigger::Server(codec::SessionIdForSyncHdr(n->session_id)));
}

}  // namespace omaiop::sim::handset::dm
