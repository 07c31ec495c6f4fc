#include "sim/servers/dm_server.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"

namespace omaiop::sim::servers {

using codec::Bytes;
using codec::Command;
using codec::CommandType;
using codec::SyncMlMessage;
using network::HttpRequest;
using network::HttpResponse;

namespace {

// Spec references used in violations (dm.md digest sections + the TS).
constexpr char kRefMime[] = "dm.md §3.1 (media types)";
constexpr char kRefHdr[] = "dm.md §3.1; OMA-TS-DM_Protocol-V1_2 SyncHdr";
constexpr char kRefStatus[] = "dm.md §3.1, §3.2; OMA-TS-DM_RepPro-V1_2 Status";
constexpr char kRefPkg1[] = "dm.md §3.2 package 1";
constexpr char kRefFlow[] = "dm.md §3.2 session flow";
constexpr char kRefAuth[] = "dm.md §3.7; OMA-TS-DM_Security-V1_2 §5.1.3";

std::optional<int> ToInt(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool HasFault(const DmServerConfig& c, DmFaultId id) {
  return std::find(c.faults.begin(), c.faults.end(), id) != c.faults.end();
}

// A server command (or the SyncHdr, cmd_id "0") awaiting the client's Status.
struct Outstanding {
  std::string msg_id;
  std::string cmd_id;
  std::string cmd;  // "SyncHdr", "Get", ...
  std::vector<int> expect;
  bool is_get = false;
  std::optional<int> status;
  bool results = false;
};

struct Session {
  DmSessionLog log;
  // Expected client alerts for the client package in progress, and the
  // alerts seen in it so far.
  std::vector<ExpectedAlert> awaiting_alerts;
  std::vector<Command> package_alerts;
  bool wbxml = false;
  int last_client_msg_id = 0;
  int server_msg_id = 0;
  int auth_failures = 0;
  bool package1_done = false;  // package 1 (with Final) accepted
  std::size_t next_package = 0;
  std::vector<Outstanding> outstanding;
  std::optional<std::size_t> client_max_msg_size;
  bool last_sent_had_commands = false;
  bool max_msg_size_sent = false;
  std::optional<DmLargeObject> lo;  // a chunked object in progress
};

// The item's Data as octets (WBXML opaque as is, text as its UTF-8).
std::string ItemData(const codec::Item& it) {
  return it.data ? it.data->AsText() : std::string();
}
std::string ItemUri(const codec::Item& it) {
  if (it.source) return it.source->loc_uri;
  return it.target ? it.target->loc_uri : std::string();
}

}  // namespace

struct DmServer::State {
  DmServerConfig config;
  DmEventSink on_event;
  mutable std::mutex mu;
  std::map<std::string, std::unique_ptr<Session>> sessions;
  std::vector<Session*> order;
  std::map<std::string, std::string> nonce_b64;  // client LocURI -> nonce
  std::vector<std::string> notified_session_ids;
  // Correlators of the Execs sent, per client LocURI (a FUMO result may come
  // in a later session, dm.md §4).
  std::map<std::string, std::vector<std::string>> exec_correlators;
  Session unparsed;  // messages that could not be tied to a session
  std::size_t ended = 0;
  codec::Bytes server_nonce;

  void Emit(const DmEvent& e) {
    if (on_event) on_event(e);
  }
  void Violate(Session& s, const std::string& msg_id, std::string rule,
               std::string ref, std::string evidence) {
    s.log.violations.push_back(DmRuleViolation{s.log.key, msg_id,
                                               std::move(rule), std::move(ref),
                                               std::move(evidence)});
    Emit(
        {DmEvent::Kind::kViolation, nullptr, &s.log.violations.back(), &s.log});
  }
  void Log(Session& s, DmLoggedMessage m) {
    m.session = s.log.key;
    m.index = s.log.messages.size();
    s.log.messages.push_back(std::move(m));
    Emit({DmEvent::Kind::kMessage, &s.log.messages.back(), nullptr, &s.log});
  }
  void End(Session& s) {
    if (s.log.ended) return;
    s.log.ended = true;
    ++ended;
    Emit({DmEvent::Kind::kSessionEnd, nullptr, nullptr, &s.log});
  }

  HttpResponse HandleLocked(const HttpRequest& req);
  void CheckHeader(Session& s, const SyncMlMessage& m, bool new_session);
  void CheckPackage1(Session& s, const SyncMlMessage& m);
  void CheckStatuses(Session& s, const SyncMlMessage& m);
  void CheckClientAlerts(Session& s, const SyncMlMessage& m);
  // Status code for a client Results/Replace, following its large object
  // (dm.md §3.3): 213 per chunk, 200 or 424 at the last one.
  int LargeObjectStatus(Session& s, const SyncMlMessage& m, const Command& c);
  // Returns the SyncHdr status code and the Chal to send.
  int Authenticate(Session& s, const SyncMlMessage& m, const HttpRequest& req,
                   std::optional<codec::Chal>& chal);
  int AuthenticateHmac(Session& s, const SyncMlMessage& m,
                       const HttpRequest& req,
                       std::optional<codec::Chal>& chal);
  Bytes CurrentNonce(const std::string& client, bool* ok);
  codec::Chal MakeChal(const std::string& client);
  HttpResponse Respond(Session& s, SyncMlMessage out,
                       std::vector<Outstanding> sent);
};

// --- JSON --------------------------------------------------------------------

std::string DmRuleViolation::ToJson() const {
  nlohmann::json j = {{"type", "violation"}, {"session", session},
                      {"msg_id", msg_id},    {"rule", rule},
                      {"spec", spec_ref},    {"evidence", evidence}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DmLoggedMessage::ToJson() const {
  nlohmann::json j = {{"type", "message"},
                      {"session", session},
                      {"index", index},
                      {"direction", direction == Direction::kIn ? "in" : "out"},
                      {"content_type", content_type},
                      {"encoding", wbxml ? "wbxml" : "xml"},
                      {"size", body.size()},
                      {"msg_id", msg_id},
                      {"xml", xml}};
  if (direction == Direction::kOut) {
    j["http_status"] = http_status;
    j["faults"] = applied_faults;
  }
  if (wbxml) j["hex"] = codec::ToHex(body);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view DmAuthModeName(DmAuthMode m) {
  switch (m) {
    case DmAuthMode::kNone:
      return "none";
    case DmAuthMode::kBasic:
      return "basic";
    case DmAuthMode::kDigest:
      return "digest";
    case DmAuthMode::kHmac:
      return "hmac";
  }
  return "?";
}

std::optional<DmAuthMode> DmAuthModeByName(std::string_view name) {
  for (auto m : {DmAuthMode::kNone, DmAuthMode::kBasic, DmAuthMode::kDigest,
                 DmAuthMode::kHmac})
    if (DmAuthModeName(m) == name) return m;
  return std::nullopt;
}

Bytes BuildPackage0(const Package0Options& o) {
  codec::DmNotification n;
  n.ui_mode = o.ui_mode;
  n.initiator = codec::DmInitiator::kServer;
  n.session_id = o.session_id;
  n.server_id = o.server_id;
  n.trigger_body = o.trigger_body;
  codec::SignDmNotification(n, o.server_password, o.nonce);
  return codec::EncodeDmNotification(n);
}

// --- checks ------------------------------------------------------------------

void DmServer::State::CheckHeader(Session& s, const SyncMlMessage& m,
                                  bool new_session) {
  const auto& h = m.hdr;
  const std::string& id = h.msg_id;
  if (h.ver_dtd != "1.2")
    Violate(s, id, "dm.hdr.verdtd", kRefHdr,
            "VerDTD is '" + h.ver_dtd + "', expected '1.2'");
  if (h.ver_proto != "DM/1.2")
    Violate(s, id, "dm.hdr.verproto", kRefHdr,
            "VerProto is '" + h.ver_proto + "', expected 'DM/1.2'");
  if (h.session_id.empty())
    Violate(s, id, "dm.hdr.session-id", kRefHdr, "SessionID is empty");
  auto n = ToInt(h.msg_id);
  int expected = new_session ? 1 : s.last_client_msg_id + 1;
  if (!n) {
    Violate(s, id, "dm.hdr.msgid", kRefHdr,
            "MsgID '" + h.msg_id + "' is not a number");
  } else {
    // MsgID starts at 1 and grows by one per message [R: RepPro practice;
    // the digest only says "unique per message in session"].
    if (*n != expected)
      Violate(
          s, id, "dm.hdr.msgid", kRefHdr,
          "MsgID is " + h.msg_id + ", expected " + std::to_string(expected));
    s.last_client_msg_id = *n;
  }
  if (!config.server_uri.empty() && h.target.loc_uri != config.server_uri)
    Violate(s, id, "dm.hdr.target", kRefHdr,
            "Target LocURI is '" + h.target.loc_uri + "', expected '" +
                config.server_uri + "'");
  if (h.source.loc_uri.empty())
    Violate(s, id, "dm.hdr.source", kRefHdr,
            "Source LocURI (device id) is empty");
  if (h.meta && h.meta->max_msg_size) {
    if (auto v = ToInt(*h.meta->max_msg_size); v && *v > 0)
      s.client_max_msg_size = static_cast<std::size_t>(*v);
    else
      Violate(s, id, "dm.hdr.maxmsgsize", "dm.md §3.3",
              "MaxMsgSize '" + *h.meta->max_msg_size + "' is not a number");
  }
  // CmdIDs unique within the message (RepPro), SyncHdr is 0.
  std::vector<std::string> seen;
  for (const auto& c : m.body.commands) {
    if (c.cmd_id.empty() || c.cmd_id == "0")
      Violate(s, id, "dm.body.cmdid", kRefHdr,
              std::string(codec::CommandName(c.type)) + " has CmdID '" +
                  c.cmd_id + "'");
    else if (std::find(seen.begin(), seen.end(), c.cmd_id) != seen.end())
      Violate(s, id, "dm.body.cmdid", kRefHdr,
              "CmdID " + c.cmd_id + " used twice in one message");
    seen.push_back(c.cmd_id);
    // Client -> server: only Alert, Replace, Results, Status (dm.md §3.1).
    if (c.type != CommandType::kAlert && c.type != CommandType::kReplace &&
        c.type != CommandType::kResults && c.type != CommandType::kStatus)
      Violate(s, id, "dm.body.client-command", "dm.md §3.1",
              std::string(codec::CommandName(c.type)) +
                  " is not a command a client may send");
  }
  // No Final = the package goes on in the next message (dm.md §3.2): not a
  // violation; the server asks for it with Alert 1222.
}

int DmServer::State::LargeObjectStatus(Session& s, const SyncMlMessage& m,
                                       const Command& c) {
  const std::string& id = m.hdr.msg_id;
  constexpr char kRefLo[] = "dm.md §3.3 (large objects)";
  if (c.items.size() != 1) {
    for (const auto& it : c.items)
      if (it.more_data)
        Violate(s, id, "dm.lo.items", kRefLo,
                std::string(codec::CommandName(c.type)) + " CmdID " + c.cmd_id +
                    ": MoreData in a command with " +
                    std::to_string(c.items.size()) + " items");
    return 200;
  }
  const codec::Item& it = c.items[0];
  const std::string uri = ItemUri(it);
  if (!s.lo) {
    if (!it.more_data) return 200;
    DmLargeObject lo;
    lo.uri = uri;
    if (it.meta && it.meta->size) {
      if (auto n = ToInt(*it.meta->size); n && *n >= 0)
        lo.size = static_cast<std::size_t>(*n);
      else
        Violate(s, id, "dm.lo.size", kRefLo,
                uri + ": Meta Size '" + *it.meta->size + "' is not a number");
    } else {
      Violate(s, id, "dm.lo.size-missing", kRefLo,
              uri + ": first chunk without Meta Size");
    }
    lo.chunks = 1;
    lo.data = ItemData(it);
    s.lo = std::move(lo);
    return 213;
  }
  // A chunk of the object in progress (an interruption was handled by the
  // caller before this command).
  if (it.meta && it.meta->size)
    Violate(s, id, "dm.lo.size-repeated", kRefLo,
            uri + ": Meta Size in chunk " + std::to_string(s.lo->chunks + 1) +
                " (only the first chunk carries it)");
  ++s.lo->chunks;
  s.lo->data += ItemData(it);
  if (it.more_data) return 213;
  int code = 200;
  if (s.lo->size && *s.lo->size != s.lo->data.size()) {
    code = 424;
    Violate(s, id, "dm.lo.size", kRefLo,
            uri + ": " + std::to_string(s.lo->data.size()) + " octets in " +
                std::to_string(s.lo->chunks) + " chunks, Meta Size said " +
                std::to_string(*s.lo->size));
  }
  s.lo->status = code;
  s.log.large_objects.push_back(std::move(*s.lo));
  s.lo.reset();
  return code;
}

void DmServer::State::CheckPackage1(Session& s, const SyncMlMessage& m) {
  const std::string& id = m.hdr.msg_id;
  const Command* alert = nullptr;
  for (const auto& c : m.body.commands)
    if (c.type == CommandType::kAlert &&
        (c.Code() == codec::kAlertClientInitiated ||
         c.Code() == codec::kAlertServerInitiated))
      alert = &c;
  if (!alert) {
    Violate(s, id, "dm.pkg1.alert", kRefPkg1,
            "package 1 has no Alert 1200/1201");
  } else if (alert->Code() == codec::kAlertServerInitiated) {
    bool notified =
        std::find(notified_session_ids.begin(), notified_session_ids.end(),
                  m.hdr.session_id) != notified_session_ids.end();
    if (!notified)
      Violate(s, id, "dm.pkg1.session-id", "dm.md §3.8",
              "Alert 1200 with SessionID '" + m.hdr.session_id +
                  "' that no package 0 announced");
  }
  std::vector<std::string> leaves;
  for (const auto& c : m.body.commands) {
    if (c.type != CommandType::kReplace) continue;
    for (const auto& it : c.items) {
      const auto& uri = it.source ? it.source->loc_uri
                                  : (it.target ? it.target->loc_uri : "");
      if (uri.rfind("./DevInfo/", 0) == 0) leaves.push_back(uri.substr(10));
    }
  }
  if (leaves.empty()) {
    Violate(s, id, "dm.pkg1.devinfo", kRefPkg1,
            "package 1 has no Replace of ./DevInfo leaves");
  } else {
    std::string missing;
    for (const char* leaf : {"DevId", "Man", "Mod", "DmV", "Lang"})
      if (std::find(leaves.begin(), leaves.end(), leaf) == leaves.end())
        missing += std::string(missing.empty() ? "" : ", ") + leaf;
    if (!missing.empty())
      Violate(s, id, "dm.pkg1.devinfo", kRefPkg1,
              "DevInfo Replace lacks ./DevInfo/" + missing);
  }
}

void DmServer::State::CheckStatuses(Session& s, const SyncMlMessage& m) {
  const std::string& id = m.hdr.msg_id;
  for (const auto& c : m.body.commands) {
    if (c.type != CommandType::kStatus && c.type != CommandType::kResults)
      continue;
    const char* what = c.type == CommandType::kStatus ? "Status" : "Results";
    std::string ref = std::string(what) + " CmdID " + c.cmd_id + " (MsgRef " +
                      c.msg_ref.value_or("-") + ", CmdRef " +
                      c.cmd_ref.value_or("-") + ")";
    auto it = std::find_if(s.outstanding.begin(), s.outstanding.end(),
                           [&](const Outstanding& o) {
                             return o.cmd_id == c.cmd_ref.value_or("") &&
                                    o.msg_id == c.msg_ref.value_or(o.msg_id);
                           });
    if (!c.msg_ref) {
      // MsgRef may be omitted meaning "the last message" [R: RepPro].
    } else if (std::none_of(s.outstanding.begin(), s.outstanding.end(),
                            [&](const Outstanding& o) {
                              return o.msg_id == *c.msg_ref;
                            })) {
      Violate(s, id, "dm.status.msgref", kRefStatus,
              ref + ": MsgRef names no server message awaiting an answer");
      continue;
    }
    if (it == s.outstanding.end()) {
      Violate(s, id, "dm.status.cmdref", kRefStatus,
              ref + ": CmdRef names no server command");
      continue;
    }
    if (c.type == CommandType::kResults) {
      if (!it->is_get)
        Violate(s, id, "dm.results.cmdref", kRefStatus,
                ref + " answers a " + it->cmd + ", not a Get");
      it->results = true;
      continue;
    }
    if (c.cmd.value_or("") != it->cmd)
      Violate(s, id, "dm.status.cmd", kRefStatus,
              ref + ": Cmd is '" + c.cmd.value_or("") + "', expected '" +
                  it->cmd + "'");
    auto code = c.Code();
    if (!code || *code < 100 || *code > 599) {
      Violate(
          s, id, "dm.status.code", "dm.md §3.5",
          ref + ": Data '" + c.data.value_or("") + "' is not a status code");
      it->status = 0;
      continue;
    }
    if (it->status)
      Violate(s, id, "dm.status.duplicate", kRefStatus,
              ref + ": second Status for the same command");
    it->status = *code;
    if (!it->expect.empty() && std::find(it->expect.begin(), it->expect.end(),
                                         *code) == it->expect.end()) {
      std::string exp;
      for (int e : it->expect)
        exp += (exp.empty() ? "" : ",") + std::to_string(e);
      Violate(s, id, "script.expect.status", "DM script expectation",
              it->cmd + " CmdID " + it->cmd_id + " got status " +
                  std::to_string(*code) + ", script expects " + exp);
    }
  }
  if (!m.body.final) return;  // the package goes on
  for (const auto& o : s.outstanding) {
    if (!o.status)
      Violate(s, id, "dm.status.missing", kRefStatus,
              "no Status for server " + o.cmd + " (MsgRef " + o.msg_id +
                  ", CmdID " + o.cmd_id + ")");
    else if (o.is_get && *o.status == 200 && !o.results)
      Violate(s, id, "dm.results.missing", "dm.md §3.1 (Get → Results)",
              "Get CmdID " + o.cmd_id + " has status 200 but no Results");
  }
  s.outstanding.clear();
}

void DmServer::State::CheckClientAlerts(Session& s, const SyncMlMessage& m) {
  const std::string& id = m.hdr.msg_id;
  constexpr char kRefGeneric[] = "dm.md §3.4 (1226), §4 (FUMO Generic Alert)";
  for (const auto& c : m.body.commands) {
    if (c.type != CommandType::kAlert) continue;
    auto code = c.Code();
    if (!code || *code == codec::kAlertClientInitiated ||
        *code == codec::kAlertServerInitiated || *code == 1222 || *code == 1223)
      continue;
    s.log.client_alerts.push_back({id, c});
    s.package_alerts.push_back(c);
    if (*code != codec::kAlertGeneric) continue;
    std::string at = "Generic Alert CmdID " + c.cmd_id;
    if (c.items.empty()) {
      Violate(s, id, "dm.alert.generic", kRefGeneric, at + " has no Item");
      continue;
    }
    const codec::Item& it = c.items[0];
    std::optional<std::string> type =
        it.meta && it.meta->type ? it.meta->type
                                 : (c.meta ? c.meta->type : std::nullopt);
    std::optional<std::string> format =
        it.meta && it.meta->format ? it.meta->format
                                   : (c.meta ? c.meta->format : std::nullopt);
    if (!it.source || it.source->loc_uri.empty())
      Violate(s, id, "dm.alert.generic", kRefGeneric,
              at + " has no Item Source LocURI (the node the alert is about)");
    if (!type || type->empty()) {
      Violate(s, id, "dm.alert.generic", kRefGeneric, at + " has no Meta Type");
      continue;
    }
    if (type->rfind("org.openmobilealliance.dm.firmwareupdate.", 0) != 0)
      continue;
    if (format.value_or("") != "int")
      Violate(s, id, "fumo.alert.format", kRefGeneric,
              at + " (" + *type + ") has Meta Format '" + format.value_or("") +
                  "', expected 'int'");
    std::string data = it.data ? it.data->AsText() : "";
    auto rc = ToInt(data);
    if (!rc || *rc < 100 || *rc > 999)
      Violate(s, id, "fumo.alert.result-code", kRefGeneric,
              at + " Data '" + data + "' is not a FUMO ResultCode");
    if (c.correlator) {
      const auto& sent = exec_correlators[s.log.client_uri];
      if (std::find(sent.begin(), sent.end(), *c.correlator) == sent.end())
        Violate(s, id, "fumo.alert.correlator", kRefGeneric,
                at + " Correlator '" + *c.correlator +
                    "' was not sent in any Exec to this client");
    }
  }
  if (!m.body.final) return;  // the client's package goes on
  for (const auto& e : s.awaiting_alerts) {
    bool met = false;
    std::string closest;
    for (const auto& a : s.package_alerts) {
      std::string why;
      if (AlertMatches(e, a, &why)) {
        met = true;
        break;
      }
      if (closest.empty()) closest = "Alert CmdID " + a.cmd_id + ": " + why;
    }
    if (!met)
      Violate(s, id, "script.expect.alert", "DM script expectation",
              "expected " + e.ToString() + " in this client package; " +
                  (closest.empty() ? std::string("it has no client Alert")
                                   : closest));
  }
  s.awaiting_alerts.clear();
  s.package_alerts.clear();
}

codec::Chal DmServer::State::MakeChal(const std::string& client) {
  codec::Chal chal;
  chal.meta.format = "b64";
  if (config.client_auth == DmAuthMode::kBasic) {
    chal.meta.type = std::string(DmAuthTypeName(codec::DmAuthType::kBasic));
    return chal;
  }
  chal.meta.type = std::string(DmAuthTypeName(
      config.client_auth == DmAuthMode::kHmac ? codec::DmAuthType::kHmac
                                              : codec::DmAuthType::kMd5));
  // A fresh nonce per challenge (dm.md §3.7: new nonce per session; stale
  // nonce ⇒ challenge again with a new one).
  auto fresh = config.nonce_source ? codec::Result<Bytes>(config.nonce_source())
                                   : codec::FreshNonce(16);
  std::string b64 = codec::Base64Encode(fresh.ok() ? *fresh : Bytes(16, 0x5A));
  nonce_b64[client] = b64;
  chal.meta.next_nonce = b64;
  if (HasFault(config, DmFaultId::kBadNonce))
    chal.meta.next_nonce = "!!not-base64!!";
  return chal;
}

Bytes DmServer::State::CurrentNonce(const std::string& client, bool* ok) {
  auto it = nonce_b64.find(client);
  std::string b64 = it != nonce_b64.end()
                        ? it->second
                        : codec::Base64Encode(config.client_nonce);
  auto nonce = codec::NonceForDigest(b64, config.nonce_form);
  *ok = nonce.ok();
  return nonce.ok() ? *nonce : Bytes{};
}

int DmServer::State::AuthenticateHmac(Session& s, const SyncMlMessage& m,
                                      const HttpRequest& req,
                                      std::optional<codec::Chal>& chal) {
  const std::string& id = m.hdr.msg_id;
  const std::string& client = m.hdr.source.loc_uri;
  constexpr char kRefHmac[] = "dm.md §3.7; OMA-TS-DM_Security-V1_2 §5.1.4";
  auto fail = [&](int code, std::string rule, std::string evidence) {
    Violate(s, id, std::move(rule), kRefHmac, std::move(evidence));
    if (++s.auth_failures >= config.max_auth_attempts) return 401;
    chal = MakeChal(client);
    return code;
  };
  auto value = network::FindHeader(req.headers, codec::kHmacHeaderName);
  if (!value)
    return fail(407, "dm.auth.missing-hmac",
                "no x-syncml-hmac header; server requires syncml:auth-MAC");
  auto h = codec::ParseHmacHeader(*value);
  if (!h.ok())
    return fail(401, "dm.auth.hmac-syntax",
                "x-syncml-hmac '" + *value + "': " + h.error().what);
  if (h->username != config.username)
    return fail(401, "dm.auth.hmac-username",
                "username \"" + h->username + "\", expected \"" +
                    config.username + "\"");
  if (m.hdr.source.loc_name.value_or("") != h->username)
    Violate(s, id, "dm.auth.hmac-locname", kRefHmac,
            "SyncHdr Source LocName '" + m.hdr.source.loc_name.value_or("") +
                "' is not the HMAC username '" + h->username + "'");
  bool ok = false;
  Bytes nonce = CurrentNonce(client, &ok);
  Bytes body(req.body.begin(), req.body.end());
  if (!ok || !codec::VerifyHmac(*h, config.password, nonce, body).ok())
    return fail(401, "dm.auth.hmac-mac",
                "mac=" + h->mac + " does not verify over the " +
                    std::to_string(body.size()) + "-octet body");
  s.log.authenticated = true;
  chal = MakeChal(client);  // a NextNonce in each message
  return 200;
}

int DmServer::State::Authenticate(Session& s, const SyncMlMessage& m,
                                  const HttpRequest& req,
                                  std::optional<codec::Chal>& chal) {
  const std::string& id = m.hdr.msg_id;
  const std::string& client = m.hdr.source.loc_uri;
  if (config.client_auth == DmAuthMode::kHmac)
    return AuthenticateHmac(s, m, req, chal);
  if (config.client_auth == DmAuthMode::kNone || s.log.authenticated)
    return 200;
  auto fail = [&](int code, std::string rule, std::string evidence) {
    Violate(s, id, std::move(rule), kRefAuth, std::move(evidence));
    if (++s.auth_failures >= config.max_auth_attempts) return 401;
    chal = MakeChal(client);
    return code;
  };
  const auto& cred = m.hdr.cred;
  if (!cred)
    return fail(407, "dm.auth.missing-cred",
                "no Cred in SyncHdr; server requires " +
                    std::string(DmAuthModeName(config.client_auth)));
  std::string type = cred->meta && cred->meta->type ? *cred->meta->type : "";
  bool ok = false;
  if (config.client_auth == DmAuthMode::kBasic) {
    if (type != "syncml:auth-basic")
      return fail(401, "dm.auth.type",
                  "Cred type '" + type + "', expected syncml:auth-basic");
    ok = codec::VerifyBasicCredential(cred->data, config.username,
                                      config.password);
  } else {
    if (type != "syncml:auth-md5")
      return fail(401, "dm.auth.type",
                  "Cred type '" + type + "', expected syncml:auth-md5");
    bool nonce_ok = false;
    Bytes nonce = CurrentNonce(client, &nonce_ok);
    ok = nonce_ok && codec::VerifyMd5Credential(cred->data, config.username,
                                                config.password, nonce);
  }
  if (!ok)
    return fail(401, "dm.auth.wrong-cred",
                "Cred data '" + cred->data + "' does not verify for user '" +
                    config.username + "'");
  s.log.authenticated = true;
  if (config.client_auth == DmAuthMode::kDigest && config.next_nonce_on_success)
    chal = MakeChal(client);  // next nonce for the next session
  return 212;
}

HttpResponse DmServer::State::Respond(Session& s, SyncMlMessage out,
                                      std::vector<Outstanding> sent) {
  const auto& f = config;
  std::vector<std::string> applied;
  auto note = [&](DmFaultId id) {
    applied.push_back(std::string(InfoOf(id).name));
  };
  // Server credentials (SRVCRED).
  bool server_hmac = f.server_cred == codec::DmAuthType::kHmac;
  if (!server_hmac && (f.server_cred || HasFault(f, DmFaultId::kWrongDigest))) {
    codec::Cred cred;
    cred.meta = codec::Meta{};
    cred.meta->format = "b64";
    bool md5 = !f.server_cred || *f.server_cred == codec::DmAuthType::kMd5;
    std::string pwd = f.server_password;
    if (HasFault(f, DmFaultId::kWrongDigest)) {
      pwd += "-wrong";
      note(DmFaultId::kWrongDigest);
    }
    if (md5) {
      cred.meta->type = std::string(DmAuthTypeName(codec::DmAuthType::kMd5));
      cred.data = codec::Md5Credential(f.server_id, pwd, server_nonce);
    } else {
      cred.meta->type = std::string(DmAuthTypeName(codec::DmAuthType::kBasic));
      cred.data = codec::BasicCredential(f.server_id, pwd);
    }
    out.hdr.cred = cred;
  }
  if (HasFault(f, DmFaultId::kMissingCred)) {
    out.hdr.cred.reset();  // (and no x-syncml-hmac header, below)
    note(DmFaultId::kMissingCred);
  }
  auto& cmds = out.body.commands;
  if (HasFault(f, DmFaultId::kWrongSessionId)) {
    out.hdr.session_id = out.hdr.session_id == "FFFF" ? "FFFE" : "FFFF";
    note(DmFaultId::kWrongSessionId);
  }
  if (HasFault(f, DmFaultId::kWrongMsgId)) {
    out.hdr.msg_id = std::to_string(s.server_msg_id - 1);
    note(DmFaultId::kWrongMsgId);
  }
  if (HasFault(f, DmFaultId::kWrongVerDtd)) {
    out.hdr.ver_dtd = "1.1";
    note(DmFaultId::kWrongVerDtd);
  }
  if (HasFault(f, DmFaultId::kWrongVerProto)) {
    out.hdr.ver_proto = "DM/1.1";
    note(DmFaultId::kWrongVerProto);
  }
  if (HasFault(f, DmFaultId::kWrongTargetUri)) {
    out.hdr.target.loc_uri = "IMEI:000000000000000";
    note(DmFaultId::kWrongTargetUri);
  }
  if (HasFault(f, DmFaultId::kMissingFinal)) {
    out.body.final = false;
    note(DmFaultId::kMissingFinal);
  }
  if (HasFault(f, DmFaultId::kBadNonce)) {
    for (const auto& c : cmds)
      if (c.chal) note(DmFaultId::kBadNonce);  // set by MakeChal
  }
  for (auto& c : cmds) {
    if (c.type != CommandType::kStatus) continue;
    if (HasFault(f, DmFaultId::kBadStatusCode) && c.cmd == "SyncHdr") {
      c.data = "999";
      note(DmFaultId::kBadStatusCode);
    }
    if (HasFault(f, DmFaultId::kWrongMsgRef)) c.msg_ref = "99";
  }
  if (HasFault(f, DmFaultId::kWrongMsgRef)) note(DmFaultId::kWrongMsgRef);
  if (HasFault(f, DmFaultId::kMissingHdrStatus)) {
    std::erase_if(cmds, [](const Command& c) {
      return c.type == CommandType::kStatus && c.cmd == "SyncHdr";
    });
    note(DmFaultId::kMissingHdrStatus);
  }
  if (HasFault(f, DmFaultId::kOversizeMessage)) {
    std::size_t limit = s.client_max_msg_size.value_or(65536);
    Command pad;
    pad.type = CommandType::kReplace;
    pad.cmd_id = std::to_string(cmds.size() + 100);
    codec::Item item;
    item.target = codec::LocInfo{"./omaiop/Padding", {}};
    item.meta = codec::Meta{};
    item.meta->format = "chr";
    item.data = codec::DataValue::Text(std::string(limit + 1, 'P'));
    pad.items.push_back(std::move(item));
    cmds.push_back(std::move(pad));
    note(DmFaultId::kOversizeMessage);
  }
  if (HasFault(f, DmFaultId::kDuplicateCmdId) && cmds.size() >= 2) {
    cmds[1].cmd_id = cmds[0].cmd_id;
    note(DmFaultId::kDuplicateCmdId);
  }

  codec::XmlDoc doc = codec::SyncMlToXmlDoc(out);
  if (HasFault(f, DmFaultId::kUnknownCommand)) {
    // <Sync> is SyncML DS, not DM: insert it before <Final/>.
    xmlNode* root = xmlDocGetRootElement(doc.get());
    xmlNode* body = codec::FirstChildElement(root, "SyncBody");
    if (body) {
      xmlNode* sync = xmlNewNode(body->ns, BAD_CAST "Sync");
      xmlNewChild(sync, body->ns, BAD_CAST "CmdID",
                  BAD_CAST std::to_string(cmds.size() + 200).c_str());
      xmlNode* fin = codec::FirstChildElement(body, "Final");
      if (fin)
        xmlAddPrevSibling(fin, sync);
      else
        xmlAddChild(body, sync);
      note(DmFaultId::kUnknownCommand);
    }
  }
  std::string xml = codec::SerializeXml(doc.get());
  HttpResponse resp;
  Bytes body;
  if (s.wbxml) {
    codec::WbxmlEncodeOptions eo;
    eo.literal_unknown_names = true;
    auto enc = codec::EncodeWbxml(doc.get(), codec::SyncMlDmLanguage(), eo);
    if (enc.ok()) body = std::move(*enc);
  } else {
    body.assign(xml.begin(), xml.end());
  }
  if (HasFault(f, DmFaultId::kMalformedXml)) {
    body.resize(body.size() / 2);
    note(DmFaultId::kMalformedXml);
  }
  std::string ctype = s.wbxml ? kDmWbxmlContentType : kDmXmlContentType;
  if (HasFault(f, DmFaultId::kWrongContentType)) {
    ctype = "text/plain";
    note(DmFaultId::kWrongContentType);
  }
  resp.status = 200;
  resp.headers.push_back({"Content-Type", ctype});
  if (server_hmac && !HasFault(f, DmFaultId::kMissingCred)) {
    codec::HmacHeader h;
    h.username = f.server_id;
    std::string pwd = f.server_password;
    if (HasFault(f, DmFaultId::kWrongDigest)) {
      pwd += "-wrong";
      note(DmFaultId::kWrongDigest);
    }
    h.mac = codec::ComputeHmacMac(f.server_id, pwd, server_nonce, body);
    resp.headers.push_back(
        {std::string(codec::kHmacHeaderName), codec::BuildHmacHeaderValue(h)});
  }
  resp.body.assign(body.begin(), body.end());
  s.outstanding = std::move(sent);
  bool has_cmds = std::any_of(cmds.begin(), cmds.end(), [](const Command& c) {
    return c.type != CommandType::kStatus;
  });
  s.last_sent_had_commands = has_cmds;
  DmLoggedMessage lm;
  lm.direction = DmLoggedMessage::Direction::kOut;
  lm.http_status = resp.status;
  lm.content_type = ctype;
  lm.wbxml = s.wbxml;
  lm.body = std::move(body);
  lm.xml = std::move(xml);
  lm.msg_id = out.hdr.msg_id;
  lm.applied_faults = std::move(applied);
  Log(s, std::move(lm));
  return resp;
}

HttpResponse DmServer::State::HandleLocked(const HttpRequest& req) {
  auto ctype_opt = network::FindHeader(req.headers, "Content-Type");
  std::string ctype = ctype_opt.value_or("");
  std::string base = ctype.substr(0, ctype.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  bool wbxml;
  bool ctype_ok = true;
  if (base == kDmWbxmlContentType) {
    wbxml = true;
  } else if (base == kDmXmlContentType) {
    wbxml = false;
  } else {
    ctype_ok = false;
    std::size_t i = 0;
    while (i < req.body.size() &&
           std::isspace(static_cast<unsigned char>(req.body[i])))
      ++i;
    wbxml = !(i < req.body.size() && req.body[i] == '<');
  }
  Bytes raw(req.body.begin(), req.body.end());

  // Decode.
  std::string xml;
  codec::Result<SyncMlMessage> parsed = codec::Diagnostic{};
  if (wbxml) {
    auto dec = codec::DecodeWbxml(raw);
    if (dec.ok()) {
      xml = codec::SerializeXml(dec->doc.get());
      parsed = codec::SyncMlFromXmlDoc(dec->doc.get());
    } else {
      parsed = dec.error();
    }
  } else {
    xml = req.body;
    parsed = codec::SyncMlFromXml(req.body);
  }

  DmLoggedMessage in;
  in.direction = DmLoggedMessage::Direction::kIn;
  in.content_type = ctype;
  in.wbxml = wbxml;
  in.body = raw;
  in.xml = parsed.ok() ? xml : "";

  if (!parsed.ok()) {
    Session& s = unparsed;
    s.log.key = "?";
    Log(s, std::move(in));
    if (!ctype_ok)
      Violate(s, "", "dm.http.content-type", kRefMime,
              "Content-Type '" + ctype + "'");
    const auto& d = parsed.error();
    Violate(s, "", "dm.parse", "dm.md §3.1; OMA-TS-DM_RepPro-V1_2 DTD",
            d.what + (d.path.empty() ? "" : " at " + d.path) +
                (wbxml ? " (offset " + std::to_string(d.offset) + ")" : ""));
    HttpResponse r;
    r.status = 400;
    return r;
  }
  const SyncMlMessage& m = *parsed;
  in.msg_id = m.hdr.msg_id;
  const std::string client = m.hdr.source.loc_uri;
  std::string key = m.hdr.session_id + "|" + client;
  bool is_pkg1 = std::any_of(
      m.body.commands.begin(), m.body.commands.end(), [](const Command& c) {
        return c.type == CommandType::kAlert &&
               (c.Code() == codec::kAlertClientInitiated ||
                c.Code() == codec::kAlertServerInitiated);
      });

  Session* sp = nullptr;
  bool new_session = false;
  std::string pre_violation;
  if (auto it = sessions.find(key); it != sessions.end()) {
    sp = it->second.get();
    if (sp->log.ended && is_pkg1) {
      sp = nullptr;  // same SessionID reused for a new session
    }
  }
  if (!sp && !is_pkg1) {
    // A continuing session under another SessionID?
    for (Session* o : order)
      if (!o->log.ended && o->log.client_uri == client) {
        sp = o;
        pre_violation = "SessionID is '" + m.hdr.session_id +
                        "', the session's is '" + o->log.session_id + "'";
      }
  }
  if (!sp) {
    auto ns = std::make_unique<Session>();
    ns->log.key = key;
    ns->log.session_id = m.hdr.session_id;
    ns->log.client_uri = client;
    ns->wbxml = wbxml;
    sp = ns.get();
    order.push_back(sp);
    if (auto it = sessions.find(key); it != sessions.end()) {
      // An ended session whose SessionID is reused: keep its log (order_
      // points at it) under another key.
      auto prev = std::move(it->second);
      sessions.erase(it);
      sessions[key + "#" + std::to_string(order.size())] = std::move(prev);
    }
    ns->awaiting_alerts = config.script.package1_alerts;
    sessions[key] = std::move(ns);
    new_session = true;
  }
  Session& s = *sp;
  Log(s, std::move(in));
  const std::string& id = m.hdr.msg_id;
  if (!ctype_ok)
    Violate(s, id, "dm.http.content-type", kRefMime,
            "Content-Type '" + ctype + "', expected " + kDmXmlContentType +
                " or " + kDmWbxmlContentType);
  if (config.max_msg_size && s.max_msg_size_sent &&
      req.body.size() > *config.max_msg_size)
    Violate(s, id, "dm.msg.oversize", "dm.md §3.3 (MaxMsgSize) [R]",
            "message is " + std::to_string(req.body.size()) +
                " octets, the server's MaxMsgSize is " +
                std::to_string(*config.max_msg_size));
  if (!pre_violation.empty())
    Violate(s, id, "dm.hdr.session-id", kRefHdr, pre_violation);
  for (const auto& w : m.warnings)
    Violate(s, id, w.rule.empty() ? "dm.parse.warning" : w.rule,
            "OMA-TS-DM_RepPro-V1_2", w.what);
  CheckHeader(s, m, new_session);
  if (new_session && !is_pkg1)
    Violate(s, id, "dm.pkg1.alert", kRefPkg1,
            "first message of the session has no Alert 1200/1201");
  if (s.log.ended && !new_session)
    Violate(s, id, "dm.flow.after-end", kRefFlow,
            "client sent a message after the server's final package without "
            "commands (client must not reply to it)");
  if (!new_session) CheckStatuses(s, m);
  if (is_pkg1 && m.body.final) CheckPackage1(s, m);
  CheckClientAlerts(s, m);

  // Build the reply.
  SyncMlMessage out;
  out.hdr.session_id = m.hdr.session_id;
  out.hdr.msg_id = std::to_string(++s.server_msg_id);
  out.hdr.target = codec::LocInfo{client, {}};
  out.hdr.source = codec::LocInfo{config.server_id, {}};
  if (config.max_msg_size) {
    out.hdr.meta = codec::Meta{};
    out.hdr.meta->max_msg_size = std::to_string(*config.max_msg_size);
    s.max_msg_size_sent = true;
  }
  std::optional<codec::Chal> chal;
  int hdr_code = Authenticate(s, m, req, chal);
  int cmd_id = 1;
  out.body.commands.push_back(codec::BuildSyncHdrStatus(
      m.hdr, std::to_string(cmd_id++), hdr_code, chal));
  std::vector<Outstanding> sent;
  sent.push_back({out.hdr.msg_id, "0", "SyncHdr", {}, false, {}, false});
  out.body.final = true;
  bool authed = hdr_code == 200 || hdr_code == 212;
  if (!authed) {
    if (hdr_code == 401 && !chal) End(s);  // too many attempts
    return Respond(s, std::move(out), std::move(sent));
  }
  bool abort = false;
  bool interrupted = false;
  for (const auto& c : m.body.commands) {
    if (c.type == CommandType::kStatus) continue;
    // A chunked object must continue with the next command (dm.md §3.3:
    // chunks in contiguous messages, nothing in between).
    if (s.lo && !interrupted &&
        !((c.type == CommandType::kResults ||
           c.type == CommandType::kReplace) &&
          c.items.size() == 1 && ItemUri(c.items[0]) == s.lo->uri)) {
      interrupted = true;
      Violate(s, m.hdr.msg_id, "dm.lo.interrupted", "dm.md §3.3",
              s.lo->uri + ": " + std::string(codec::CommandName(c.type)) +
                  " CmdID " + c.cmd_id + " came before the last chunk (" +
                  std::to_string(s.lo->chunks) +
                  " received); the server sends Alert 1225");
      Command nodata;
      nodata.type = CommandType::kAlert;
      nodata.cmd_id = std::to_string(cmd_id++);
      nodata.data = "1225";
      codec::Item i;
      i.target = codec::LocInfo{s.lo->uri, {}};
      nodata.items.push_back(std::move(i));
      sent.push_back(
          {out.hdr.msg_id, nodata.cmd_id, "Alert", {}, false, {}, false});
      out.body.commands.push_back(std::move(nodata));
      s.log.large_objects.push_back(std::move(*s.lo));
      s.lo.reset();
    }
    if (c.no_resp) continue;
    if (c.type == CommandType::kAlert && c.Code() == 1223) abort = true;
    int code = 200;
    if (c.type == CommandType::kResults || c.type == CommandType::kReplace)
      code = LargeObjectStatus(s, m, c);
    out.body.commands.push_back(codec::BuildCommandStatus(
        m.hdr.msg_id, c, std::to_string(cmd_id++), code));
  }
  if (abort) {
    End(s);
    return Respond(s, std::move(out), std::move(sent));
  }
  if (!m.body.final) {
    // Multi-message client package: ask for the next message (dm.md §3.2).
    Command more;
    more.type = CommandType::kAlert;
    more.cmd_id = std::to_string(cmd_id++);
    more.data = "1222";
    // An Alert is a command: the client answers it with a Status.
    sent.push_back(
        {out.hdr.msg_id, more.cmd_id, "Alert", {}, false, {}, false});
    out.body.commands.push_back(std::move(more));
    out.body.final = false;
    // The client still owes Statuses for the commands of the server's
    // package it is answering: keep waiting for them.
    sent.insert(sent.begin(), s.outstanding.begin(), s.outstanding.end());
    return Respond(s, std::move(out), std::move(sent));
  }
  if (s.log.ended) return Respond(s, std::move(out), std::move(sent));
  if (s.next_package < config.script.packages.size()) {
    const auto& pkg = config.script.packages[s.next_package++];
    ++s.log.packages_sent;
    s.awaiting_alerts = pkg.expect_alerts;
    std::function<void(const ScriptCommand&, Command&)> number =
        [&](const ScriptCommand& sc, Command& c) {
          c.cmd_id = std::to_string(cmd_id++);
          if (c.type == CommandType::kExec && c.correlator)
            exec_correlators[client].push_back(*c.correlator);
          sent.push_back({out.hdr.msg_id,
                          c.cmd_id,
                          std::string(codec::CommandName(c.type)),
                          sc.expect_status,
                          c.type == CommandType::kGet,
                          {},
                          false});
          for (std::size_t i = 0; i < c.children.size(); ++i)
            number(i < sc.children.size() ? sc.children[i] : ScriptCommand{},
                   c.children[i]);
        };
    for (const auto& sc : pkg.commands) {
      Command c = sc.command;
      number(sc, c);
      out.body.commands.push_back(std::move(c));
    }
    return Respond(s, std::move(out), std::move(sent));
  }
  // Script done: a package with only Status + Final ends the session.
  HttpResponse r = Respond(s, std::move(out), std::move(sent));
  s.outstanding.clear();  // the client must not answer it
  End(s);
  return r;
}

// --- DmServer ----------------------------------------------------------------

DmServer::DmServer(DmServerConfig config, DmEventSink on_event)
    : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
  state_->on_event = std::move(on_event);
  state_->server_nonce = state_->config.server_nonce;
  http_ = std::make_unique<network::HttpServer>(
      state_->config.http,
      [this](const HttpRequest& r, const network::PeerInfo&) {
        return Handle(r);
      });
}

DmServer::~DmServer() { Stop(); }

codec::Status DmServer::Start() { return http_->Start(); }
void DmServer::Stop() {
  if (http_) http_->Stop();
}
std::uint16_t DmServer::port() const { return http_->port(); }
std::string DmServer::BaseUrl() const { return http_->BaseUrl(); }

HttpResponse DmServer::Handle(const HttpRequest& request) {
  std::lock_guard lock(state_->mu);
  if (request.method != "POST") {
    HttpResponse r;
    r.status = 405;
    r.headers.push_back({"Allow", "POST"});
    return r;
  }
  return state_->HandleLocked(request);
}

Bytes DmServer::NotifySession(const Package0Options& o,
                              const NotificationSink& sink) {
  Package0Options p = o;
  if (p.server_id.empty()) p.server_id = state_->config.server_id;
  Bytes pkg0 = BuildPackage0(p);
  {
    std::lock_guard lock(state_->mu);
    state_->notified_session_ids.push_back(
        codec::SessionIdForSyncHdr(p.session_id));
  }
  if (sink) sink(pkg0);
  return pkg0;
}

std::vector<DmSessionLog> DmServer::Sessions() const {
  std::lock_guard lock(state_->mu);
  std::vector<DmSessionLog> out;
  if (!state_->unparsed.log.messages.empty())
    out.push_back(state_->unparsed.log);
  for (const Session* s : state_->order) out.push_back(s->log);
  return out;
}

std::size_t DmServer::ended_sessions() const {
  std::lock_guard lock(state_->mu);
  return state_->ended;
}

}  // namespace omaiop::sim::servers
