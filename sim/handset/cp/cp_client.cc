#include "sim/handset/cp/cp_client.h"

#include <algorithm>
#include <cctype>

#include "codec/wbxml.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"

namespace omaiop::sim::handset::cp {

namespace {

using codec::ByteView;
using codec::SecMethod;

// Rules named by the intake's decisions ("cp.md §x" = the fact digest; the
// OMA/3GPP clause it summarises beside it).
constexpr char kRuleUdh[] = "3GPP TS 23.040 §9.2.3.24 (UDH)";
constexpr char kRuleConcat[] =
    "3GPP TS 23.040 §9.2.3.24.1: concatenated SM identified by reference, "
    "total and sequence number";
constexpr char kRulePort[] =
    "WAP-259-WDP / cp.md §0, §2.3: connectionless WSP push is WDP port 2948; "
    "ProvUAB-U-C-001 default push port";
constexpr char kRuleNoPorts[] =
    "3GPP TS 23.040 §9.2.3.24.3/.4: WDP over SMS needs the application port "
    "IE";
constexpr char kRulePdu[] =
    "WAP-230-WSP §8.2.4.1 / cp.md §0: connectionless push PDU type 0x06";
constexpr char kRuleWsp[] = "WAP-230-WSP §8.2.4.1, §8.4 (push PDU)";
constexpr char kRuleDmNotification[] =
    "dm.md §3.2 row 0, §3.8: package 0 (application/vnd.syncml.notification)";
// WSP well-known content type application/vnd.syncml.notification (WINA).
constexpr std::uint32_t kCtDmNotification = 0x44;
// ... and application/vnd.syncml.dm+wbxml (WINA 0x42).
constexpr std::uint32_t kCtDmWbxml = 0x42;
constexpr char kRuleDmBootstrap[] =
    "dm.md §2.1-§2.3 (DM-profile bootstrap, SEC/MAC as CP: §2.2)";
constexpr char kRuleContentType[] =
    "ProvBoot B-C-001 / ProvUAB-U-C-001 / cp.md §0, §2.3: CP push content type "
    "application/vnd.wap.connectivity-wbxml (0x36)";
constexpr char kRuleSecValue[] =
    "cp.md §0: SEC NETWPIN=0, USERPIN=1, USERNETWPIN=2, USERPINMAC=3";
constexpr char kRuleSecPair[] =
    "cp.md §2.1, §2.3: SEC names the key, MAC carries the HMAC; they travel "
    "together (USERPINMAC verifies through the PIN)";
constexpr char kRuleMac[] =
    "ProvBoot B-C-006 / cp.md §2.1, §2.4: MAC = HMAC-SHA1(K, body); a document "
    "whose MAC does not verify is discarded";
constexpr char kRuleMacFormat[] =
    "cp.md §0, §2.1: MAC = 40 hex characters of the 20-octet HMAC";
constexpr char kRuleImsi[] =
    "cp.md §2.1, §2.4: NETWPIN/USERNETWPIN key = the IMSI (shared secret); "
    "usable only when the IMSI is available";
constexpr char kRulePin[] =
    "cp.md §2.4, §4: user enters the PIN delivered out of band; limited "
    "retries, then the message is discarded";
constexpr char kRuleUserPinMac[] =
    "cp.md §2.1 USERPINMAC: PIN = K || m, m_i = HMAC-SHA1(K, body)[i] mod 10";
constexpr char kRuleUnauth[] =
    "cp.md §2.4 (MEMORY): a document without SEC/MAC must not be accepted as a "
    "bootstrap and never creates a TPS context";
constexpr char kRuleContinuous[] =
    "cp.md §2.4: continuous provisioning is accepted only from a trusted TPS "
    "(Push-Flag initiator authenticated + X-Wap-Initiator-URI = PROVURL) or "
    "from PROVURL";
constexpr char kRuleWbxmlId[] =
    "cp.md §0 / WBXML 1.3 §5.6: wap-provisioningdoc public id 0x0B "
    "(\"-//WAPFORUM//DTD PROV 1.0//EN\")";
constexpr char kRuleMultiProvurl[] =
    "cp.md §1.2: only one BOOTSTRAP carrying PROVURL per document; ProvBoot "
    "B-C-008";
constexpr char kRuleCard[] =
    "ProvSC / cp.md §3 (MEMORY): a smart-card bootstrap takes precedence over "
    "OTA bootstrap";
constexpr char kRuleFetch[] =
    "cp.md §2.4 (CP 1.2 trusted HTTP context): a document fetched from "
    "PROVURL over a TLS-verified connection is trusted for that context";
constexpr char kRuleRemove[] =
    "ProvSC / cp.md §3 (MEMORY): card-derived settings are removed with the "
    "card";
constexpr char kRuleAccept[] = "ProvUAB-U-C-001 / cp.md §4";

constexpr char kProvPublicIdString[] = "-//WAPFORUM//DTD PROV 1.0//EN";

std::string PortName(std::uint16_t port) {
  switch (port) {
    case 2948:
      return "2948 (WAP push, connectionless)";
    case 2949:
      return "2949 (WAP push over WTLS, secure)";
    case 9200:
      return "9200 (WSP connectionless)";
    case 9201:
      return "9201 (WSP session)";
    case 9202:
      return "9202 (WSP connectionless over WTLS)";
    case 9203:
      return "9203 (WSP session over WTLS)";
    default:
      return std::to_string(port);
  }
}

std::string Hex8(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s = "0x";
  s += kDigits[(v >> 4) & 0xF];
  s += kDigits[v & 0xF];
  return s;
}

std::string At(std::size_t offset) {
  return offset == codec::Diagnostic::kNoOffset
             ? std::string()
             : " (offset " + std::to_string(offset) + ")";
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<const Characteristic*> RootBootstrapsWithProvurl(
    const Document& doc) {
  std::vector<const Characteristic*> out;
  for (const auto& c : doc.characteristics)
    if (c.type == "BOOTSTRAP" && c.Has("PROVURL")) out.push_back(&c);
  return out;
}

}  // namespace

// ---- small types ------------------------------------------------------------

ScriptedUser::ScriptedUser(std::vector<std::optional<std::string>> answers)
    : answers_(answers.begin(), answers.end()) {}

std::optional<std::string> ScriptedUser::EnterPin(int attempt,
                                                  const PinRequest& request) {
  requests_.push_back(request);
  if (answers_.empty()) return std::nullopt;
  std::optional<std::string> a = std::move(answers_.front());
  answers_.pop_front();
  return a;
}

DocumentSource DocumentSource::SmartCard(std::string iccid, std::string file) {
  DocumentSource s;
  s.kind = Kind::kSmartCard;
  s.iccid = std::move(iccid);
  s.file = std::move(file);
  return s;
}

DocumentSource DocumentSource::HttpFetch(std::string url, bool tls_verified,
                                         std::string tls_error) {
  DocumentSource s;
  s.kind = Kind::kHttpFetch;
  s.url = std::move(url);
  s.tls_verified = tls_verified;
  s.tls_error = std::move(tls_error);
  return s;
}

std::string_view MacCheckName(MacCheck m) {
  switch (m) {
    case MacCheck::kNone:
      return "none";
    case MacCheck::kVerified:
      return "verified";
    case MacCheck::kMismatch:
      return "mismatch";
    case MacCheck::kMalformed:
      return "malformed";
  }
  return "none";
}

std::size_t PushOutcome::Count(EventKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(),
                    [&](const CpEvent& e) { return e.kind == kind; }));
}

nlohmann::json EventToJson(const CpEvent& e) {
  return {{"kind", EventKindName(e.kind)},
          {"rule", e.rule},
          {"path", e.path},
          {"detail", e.detail}};
}

nlohmann::json PushOutcome::ToJson() const {
  auto opt = [](const std::optional<std::string>& s) {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
  };
  auto nonempty = [](const std::string& s) {
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
  };
  nlohmann::json j;
  j["accepted"] = accepted;
  j["source"] = source;
  j["stage"] = stage;
  j["reject_rule"] = accepted ? nlohmann::json(nullptr) : nonempty(reject_rule);
  j["reject_reason"] =
      accepted ? nlohmann::json(nullptr) : nonempty(reject_reason);
  j["sender"] = sender;
  j["destination"] = destination;
  j["dst_port"] =
      dst_port ? nlohmann::json(*dst_port) : nlohmann::json(nullptr);
  j["src_port"] =
      src_port ? nlohmann::json(*src_port) : nlohmann::json(nullptr);
  j["segments"] = segments;
  j["sec"] = sec;
  j["mac_check"] = MacCheckName(mac_check);
  j["pin_attempts"] = pin_attempts;
  j["push_flag_authenticated"] = push_flag_authenticated;
  j["initiator_uri"] = opt(initiator_uri);
  j["origin"] = opt(origin);
  j["context_created"] = opt(context_created);
  j["settings_applied"] = settings_applied;
  nlohmann::json ev = nlohmann::json::array();
  for (const auto& e : events) ev.push_back(EventToJson(e));
  j["events"] = std::move(ev);
  return j;
}

// ---- one pass through the pipeline -----------------------------------------

struct CpClient::Run {
  PushOutcome out;
  EventSink sink;
  bool done = false;  // a final decision has been made

  void Emit(EventKind kind, std::string rule, std::string path,
            std::string detail) {
    sink.Add(kind, std::move(rule), std::move(path), std::move(detail));
  }
  // Rejects the push at `stage`; `kind` names the decision.
  void Reject(std::string stage, EventKind kind, std::string rule,
              std::string path, std::string what) {
    if (kind != EventKind::kIntakeRejected) Emit(kind, rule, path, what);
    out.stage = std::move(stage);
    out.reject_rule = rule;
    out.reject_reason = what;
    out.accepted = false;
    Emit(EventKind::kIntakeRejected, std::move(rule), std::move(path),
         std::move(what));
    done = true;
  }
  // Rejection after a component already emitted its own event.
  void RejectQuiet(std::string stage, std::string rule, std::string path,
                   std::string what) {
    Reject(std::move(stage), EventKind::kIntakeRejected, std::move(rule),
           std::move(path), std::move(what));
  }
};

// How the document reached the handset, for the trust decision.
struct CpClient::Admission {
  enum class Via { kPush, kCard, kFetch } via = Via::kPush;
  bool authenticated = false;  // SEC/MAC (or USERPINMAC PIN) verified
  bool push_flag_authenticated = false;
  std::optional<std::string> initiator_uri;
  std::string card_origin;  // kCard
  std::string fetch_url;    // kFetch
};

CpClient::CpClient(CpClientOptions options)
    : options_(std::move(options)),
      contexts_(options_.contexts),
      store_(options_.store) {}

PushOutcome CpClient::Finish(Run& run) {
  for (const auto& e : run.sink.events()) {
    trace_.Add(e.kind, e.rule, e.path, e.detail);
    run.out.events.push_back(e);
  }
  return std::move(run.out);
}

// ---- SMS / WDP ----------------------------------------------------------

std::optional<PushOutcome> CpClient::OnSmsSegment(ByteView ud,
                                                  const SmsMeta& meta) {
  Run run;
  run.out.sender = meta.originator;
  run.out.destination = meta.destination;
  run.out.segments = 1;
  auto parsed = codec::ParseSmsUserData(ud);
  if (!parsed.ok()) {
    const auto& d = parsed.error();
    run.Reject("sms", EventKind::kSegmentMalformed,
               d.rule.empty() ? kRuleUdh : d.rule, "TP-UD" + At(d.offset),
               "segment discarded: " + d.what);
    return Finish(run);
  }
  codec::SmsUserData seg = std::move(parsed).value();
  if (seg.ports) {
    run.out.dst_port = seg.ports->dst;
    run.out.src_port = seg.ports->src;
  }
  if (!seg.concat || seg.concat->total == 1) {
    if (seg.concat && seg.concat->seq != 1) {
      run.Reject("sms", EventKind::kSegmentMalformed, kRuleConcat, "TP-UD",
                 "sequence number " + std::to_string(seg.concat->seq) +
                     " of a 1-segment message");
      return Finish(run);
    }
    if (!seg.ports) {
      run.Reject("wdp", EventKind::kPortIgnored, kRuleNoPorts, "TP-UD",
                 "no application port IE: a plain SMS, not a WDP datagram");
      return Finish(run);
    }
    codec::WdpDatagram d{seg.ports->dst, seg.ports->src,
                         std::move(seg.payload)};
    return OnWdpDatagram(d, meta, 1);
  }

  const codec::SmsConcat c = *seg.concat;
  const std::string ref = (c.ref16 ? "16-bit reference " : "reference ") +
                          std::to_string(c.reference);
  if (c.total == 0 || c.seq == 0 || c.seq > c.total) {
    run.Reject("sms", EventKind::kSegmentMalformed, kRuleConcat, "TP-UD",
               "segment " + std::to_string(c.seq) + " of " +
                   std::to_string(c.total) + " (" + ref +
                   "): sequence must be 1..total");
    return Finish(run);
  }
  const Key key{meta.originator, c.ref16, c.reference, c.total};
  const std::string what = "segment " + std::to_string(c.seq) + " of " +
                           std::to_string(c.total) + " (" + ref + " from " +
                           meta.originator + ")";

  auto it = groups_.find(key);
  if (it == groups_.end()) {
    if (groups_.size() >= options_.max_pending_datagrams && !groups_.empty()) {
      auto oldest = std::min_element(
          groups_.begin(), groups_.end(), [](const auto& a, const auto& b) {
            return a.second.meta.time < b.second.meta.time;
          });
      Key k = oldest->first;
      evicted_.push_back(
          ExpireGroup(k, oldest->second,
                      "evicted: more than " +
                          std::to_string(options_.max_pending_datagrams) +
                          " incomplete datagrams pending"));
      groups_.erase(k);
    }
    it = groups_.emplace(key, Group{meta, {}, {}, {}}).first;
  }
  Group& g = it->second;
  if (seg.ports && !g.ports) g.ports = seg.ports;
  if (auto prev = g.segments.find(c.seq); prev != g.segments.end()) {
    bool same = prev->second == seg.payload;
    run.Emit(EventKind::kSegmentDuplicate, kRuleConcat, "TP-UD",
             what + (same ? ": identical copy ignored"
                          : ": differs from the first copy; first kept"));
    for (const auto& e : run.sink.events()) g.events.push_back(e);
    Finish(run);
    return std::nullopt;
  }
  g.segments.emplace(c.seq, std::move(seg.payload));
  if (g.segments.size() < c.total) {
    run.Emit(EventKind::kSegmentBuffered, kRuleConcat, "TP-UD",
             what + " stored; " + std::to_string(g.segments.size()) + " of " +
                 std::to_string(c.total) + " present");
    for (const auto& e : run.sink.events()) g.events.push_back(e);
    Finish(run);
    return std::nullopt;
  }

  // Complete: concatenate by sequence number (arrival order is irrelevant).
  codec::Bytes payload;
  for (const auto& [n, bytes] : g.segments)
    payload.insert(payload.end(), bytes.begin(), bytes.end());
  std::vector<CpEvent> earlier = std::move(g.events);
  std::optional<codec::SmsPorts> ports = g.ports;
  SmsMeta first = g.meta;
  groups_.erase(it);

  run.Emit(EventKind::kDatagramReassembled, kRuleConcat, "TP-UD",
           std::to_string(c.total) + " segments (" + ref + " from " +
               meta.originator + "), " + std::to_string(payload.size()) +
               " octets");
  // Events of the earlier segments (already in the trace) lead the list.
  std::vector<CpEvent> lead = std::move(earlier);
  PushOutcome reassembled = Finish(run);
  lead.insert(lead.end(), reassembled.events.begin(), reassembled.events.end());

  PushOutcome out;
  if (!ports) {
    Run r2;
    r2.out.sender = first.originator;
    r2.out.destination = first.destination;
    r2.out.segments = c.total;
    r2.Reject("wdp", EventKind::kPortIgnored, kRuleNoPorts, "TP-UD",
              "no application port IE in any segment: not a WDP datagram");
    out = Finish(r2);
  } else {
    codec::WdpDatagram d{ports->dst, ports->src, std::move(payload)};
    out = OnWdpDatagram(d, first, c.total);
  }
  lead.insert(lead.end(), out.events.begin(), out.events.end());
  out.events = std::move(lead);
  return out;
}

PushOutcome CpClient::ExpireGroup(const Key& key, Group& g, std::string why) {
  Run run;
  run.out.sender = g.meta.originator;
  run.out.destination = g.meta.destination;
  run.out.segments = g.segments.size();
  if (g.ports) {
    run.out.dst_port = g.ports->dst;
    run.out.src_port = g.ports->src;
  }
  const auto& [orig, ref16, ref, total] = key;
  std::string missing;
  for (int n = 1; n <= total; ++n)
    if (!g.segments.count(static_cast<std::uint8_t>(n)))
      missing += (missing.empty() ? "" : ", ") + std::to_string(n);
  run.out.events = g.events;  // already in the trace
  run.Reject(
      "sms", EventKind::kDatagramIncomplete, kRuleConcat, "TP-UD",
      "datagram (" + std::string(ref16 ? "16-bit reference " : "reference ") +
          std::to_string(ref) + " from " + orig +
          ") discarded: " + std::to_string(g.segments.size()) + " of " +
          std::to_string(total) + " segments, missing " + missing + "; " + why);
  return Finish(run);
}

std::vector<PushOutcome> CpClient::Expire(SmsTime now) {
  std::vector<PushOutcome> out = std::move(evicted_);
  evicted_.clear();
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (now - it->second.meta.time >= options_.reassembly_timeout) {
      out.push_back(
          ExpireGroup(it->first, it->second,
                      "reassembly timeout of " +
                          std::to_string(options_.reassembly_timeout.count()) +
                          " s elapsed"));
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

// ---- WSP push and security ------------------------------------------------

PushOutcome CpClient::OnWdpDatagram(const codec::WdpDatagram& d,
                                    const SmsMeta& meta, std::size_t segments) {
  Run run;
  run.out.sender = meta.originator;
  run.out.destination = meta.destination;
  run.out.segments = segments;
  run.out.dst_port = d.dst_port;
  run.out.src_port = d.src_port;
  run.out.stage = "wdp";
  if (d.dst_port != options_.push_port) {
    run.Reject("wdp", EventKind::kPortIgnored, kRulePort, "WDP",
               "destination port " + PortName(d.dst_port) +
                   " is not the CP push port " + PortName(options_.push_port) +
                   ": not dispatched to the CP client");
    return Finish(run);
  }
  run.out.stage = "wsp";
  const codec::Bytes& pdu = d.payload;
  if (pdu.size() >= 2 && pdu[1] != codec::kWspPduPush) {
    run.Reject("wsp", EventKind::kPduTypeRejected, kRulePdu,
               "WSP PDU type (offset 1)",
               "PDU type " + Hex8(pdu[1]) + " is not Push (0x06)");
    return Finish(run);
  }
  auto parsed = codec::ParseWspPush(pdu);
  if (!parsed.ok()) {
    const auto& e = parsed.error();
    run.Reject("wsp", EventKind::kWspMalformed,
               e.rule.empty() ? kRuleWsp : e.rule, "WSP" + At(e.offset),
               "push PDU discarded: " + e.what);
    return Finish(run);
  }
  const codec::WspPush& push = *parsed;
  run.out.initiator_uri = push.initiator_uri;
  run.out.push_flag_authenticated =
      push.push_flag &&
      (*push.push_flag & codec::kPushFlagInitiatorAuthenticated);
  const auto& ct = push.content_type;
  const bool dm_notification =
      ct.well_known ? *ct.well_known == kCtDmNotification
                    : IEquals(ct.media, "application/vnd.syncml.notification");
  if (dm_notification && dm_notification_) {
    run.out.stage = "dm";
    std::string detail;
    const bool taken = dm_notification_(push.body, &detail);
    if (!taken) {
      run.Reject("dm", EventKind::kDmNotification, kRuleDmNotification,
                 "WSP body", "package 0 refused by the DM client: " + detail);
      return Finish(run);
    }
    run.out.accepted = true;
    run.Emit(EventKind::kDmNotification, kRuleDmNotification, "WSP body",
             detail);
    return Finish(run);
  }
  const bool dm_bootstrap =
      dm_bootstrap_ &&
      (ct.well_known ? *ct.well_known == kCtDmWbxml
                     : IEquals(ct.media, "application/vnd.syncml.dm+wbxml"));
  const bool wbxml_ct =
      ct.well_known
          ? *ct.well_known == codec::kCtConnectivityWbxml
          : IEquals(ct.media, "application/vnd.wap.connectivity-wbxml");
  if (!wbxml_ct && !dm_bootstrap) {
    run.Reject("wsp", EventKind::kContentTypeRejected, kRuleContentType,
               "WSP Content-Type" + At(ct.offset),
               "content type " + ct.MediaName() +
                   " is not application/vnd.wap.connectivity-wbxml");
    return Finish(run);
  }

  // SEC / MAC (cp.md §2.1, §2.3).
  run.out.stage = "security";
  const codec::WspParameter* sec_p = ct.Find(codec::kParamSec);
  const codec::WspParameter* mac_p = ct.Find(codec::kParamMac);
  std::optional<std::string> mac = ct.Mac();
  Admission adm;
  adm.via = Admission::Via::kPush;
  adm.push_flag_authenticated = run.out.push_flag_authenticated;
  adm.initiator_uri = push.initiator_uri;
  if (mac_p && !mac) {
    run.out.mac_check = MacCheck::kMalformed;
    run.Reject(
        "security", EventKind::kMacMalformed, kRuleMacFormat,
        "WSP Content-Type MAC" + At(mac_p->offset),
        "MAC parameter is " + mac_p->value.ToString() + ", not a text string");
    return Finish(run);
  }
  if (!sec_p && mac_p) {
    run.Reject("security", EventKind::kSecRejected, kRuleSecPair,
               "WSP Content-Type" + At(ct.offset),
               "MAC parameter without SEC: the key is unknown");
    return Finish(run);
  }
  if (sec_p) {
    std::optional<std::uint32_t> v = ct.Sec();
    std::optional<SecMethod> m =
        v ? codec::SecMethodFromWire(*v) : std::nullopt;
    if (!m) {
      run.out.sec = v ? "invalid(" + std::to_string(*v) + ")" : "invalid";
      run.Reject("security", EventKind::kSecRejected, kRuleSecValue,
                 "WSP Content-Type SEC" + At(sec_p->offset),
                 "SEC " + sec_p->value.ToString() +
                     " is not a defined security method (0..3)");
      return Finish(run);
    }
    run.out.sec = std::string(codec::SecMethodName(*m));
    if (*m != SecMethod::kUserPinMac && !mac_p) {
      run.Reject("security", EventKind::kSecRejected, kRuleSecPair,
                 "WSP Content-Type" + At(ct.offset),
                 "SEC " + run.out.sec + " without a MAC parameter");
      return Finish(run);
    }
    if (!Authenticate(run, *m, mac, push.body, &adm.authenticated))
      return Finish(run);
  } else {
    run.Emit(EventKind::kSecAbsent, kRuleUnauth, "WSP Content-Type",
             "no SEC/MAC: the document is unauthenticated");
  }

  if (dm_bootstrap) {
    run.out.stage = "dm";
    if (!adm.authenticated) {
      run.Reject("dm", EventKind::kBootstrapUnauthenticated, kRuleDmBootstrap,
                 "WSP Content-Type",
                 "DM-profile bootstrap without a verified SEC/MAC: refused");
      return Finish(run);
    }
    std::string detail;
    if (!dm_bootstrap_(push.body, &detail)) {
      run.Reject("dm", EventKind::kIntakeRejected, kRuleDmBootstrap, "WSP body",
                 "DM bootstrap not applied: " + detail);
      return Finish(run);
    }
    run.out.accepted = true;
    run.Emit(EventKind::kIntakeAccepted, kRuleDmBootstrap, "WSP body",
             "DM bootstrap applied: " + detail);
    return Finish(run);
  }
  ProcessWbxml(run, push.body, push.body_offset, adm);
  return Finish(run);
}

bool CpClient::Authenticate(Run& run, SecMethod method,
                            const std::optional<std::string>& mac,
                            ByteView body, bool* authenticated) {
  const std::string name(codec::SecMethodName(method));
  const std::string where = "WSP Content-Type MAC";
  std::string imsi;
  if (method == SecMethod::kNetwPin || method == SecMethod::kUserNetwPin) {
    codec::Result<std::string> r =
        imsi_ ? imsi_()
              : codec::Result<std::string>(
                    codec::Error("no IMSI provider (no card)",
                                 codec::Diagnostic::kNoOffset, kRuleImsi));
    if (!r.ok()) {
      run.Reject("security", EventKind::kImsiUnavailable, kRuleImsi, where,
                 name + " needs the IMSI: " + r.error().what);
      return false;
    }
    imsi = *r;
    if (auto k = codec::ImsiToKey(imsi); !k.ok()) {
      run.Reject("security", EventKind::kImsiUnavailable, kRuleImsi, where,
                 "IMSI \"" + imsi + "\" unusable as " + name +
                     " key: " + k.error().what);
      return false;
    }
  }
  auto mac_verdict = [&](const codec::MacVerification& v) {
    switch (v.verdict) {
      case codec::MacVerdict::kMatches:
        run.out.mac_check = MacCheck::kVerified;
        run.Emit(EventKind::kMacVerified, kRuleMac, where, v.detail);
        return true;
      case codec::MacVerdict::kDoesNotMatch:
        if (options_.defect_accept_bad_mac) {
          run.out.mac_check = MacCheck::kVerified;
          run.Emit(EventKind::kMacVerified, kRuleMac, where,
                   "DEFECT accept-bad-mac: mismatch ignored: " + v.detail);
          return true;
        }
        run.out.mac_check = MacCheck::kMismatch;
        return false;
      default:
        run.out.mac_check = MacCheck::kMalformed;
        return false;
    }
  };

  if (method == SecMethod::kNetwPin) {
    auto v = codec::VerifyMac(method, imsi, "", body, mac.value_or(""),
                              options_.mac);
    if (!v.ok()) {
      run.Reject("security", EventKind::kImsiUnavailable, kRuleImsi, where,
                 v.error().what);
      return false;
    }
    if (mac_verdict(*v)) return *authenticated = true;
    if (run.out.mac_check == MacCheck::kMalformed)
      run.Reject("security", EventKind::kMacMalformed, kRuleMacFormat, where,
                 v->detail);
    else
      run.Reject("security", EventKind::kMacMismatch, kRuleMac, where,
                 v->detail + " (IMSI " + imsi + ")");
    return false;
  }

  if (method != SecMethod::kUserPinMac) {
    // A MAC that can never match: reject before bothering the user. The
    // format check does not depend on the key (probe with a dummy PIN).
    auto probe = codec::VerifyMac(SecMethod::kUserPin, "", "0", body,
                                  mac.value_or(""), options_.mac);
    if (probe.ok() && probe->verdict != codec::MacVerdict::kMatches &&
        probe->verdict != codec::MacVerdict::kDoesNotMatch) {
      run.out.mac_check = MacCheck::kMalformed;
      run.Reject("security", EventKind::kMacMalformed, kRuleMacFormat, where,
                 probe->detail);
      return false;
    }
  }

  const int max = std::max(1, options_.max_pin_attempts);
  PinRequest req{method, run.out.sender, max, {}};
  if (!user_) {
    run.Reject("security", EventKind::kPinCancelled, kRulePin, where,
               name + " needs a PIN and no user agent is attached");
    return false;
  }
  const char* rule =
      method == SecMethod::kUserPinMac ? kRuleUserPinMac : kRuleMac;
  for (int attempt = 1; attempt <= max; ++attempt) {
    run.Emit(EventKind::kPinRequested, kRulePin, where,
             name + " PIN requested (attempt " + std::to_string(attempt) +
                 " of " + std::to_string(max) + ")");
    std::optional<std::string> pin = user_->EnterPin(attempt, req);
    if (!pin) {
      run.Reject(
          "security", EventKind::kPinCancelled, kRulePin, where,
          "user cancelled PIN entry at attempt " + std::to_string(attempt));
      return false;
    }
    run.out.pin_attempts = attempt;
    std::string why;
    if (method == SecMethod::kUserPinMac) {
      auto v = codec::VerifyUserPinMac(*pin, body, options_.user_pin_mac);
      if (v.ok()) {
        run.out.mac_check = MacCheck::kVerified;
        run.Emit(EventKind::kMacVerified, rule, where,
                 "USERPINMAC PIN verifies on attempt " +
                     std::to_string(attempt) + ": " + v.detail);
        return *authenticated = true;
      }
      run.out.mac_check = MacCheck::kMismatch;
      why = std::string(codec::UserPinMacVerdictName(v.verdict)) + ": " +
            v.detail;
    } else {
      auto v = codec::VerifyMac(method, imsi, *pin, body, mac.value_or(""),
                                options_.mac);
      if (!v.ok()) {
        why = v.error().what;
        run.out.mac_check = MacCheck::kMismatch;
      } else if (mac_verdict(*v)) {
        return *authenticated = true;
      } else {
        why = v->detail;
      }
    }
    run.Emit(EventKind::kPinRejected, rule, where,
             "PIN \"" + *pin + "\" rejected (attempt " +
                 std::to_string(attempt) + " of " + std::to_string(max) +
                 "): " + why);
    req.previous_error = why;
  }
  run.Reject("security", EventKind::kPinLimitReached, kRulePin, where,
             std::to_string(max) + " wrong PIN(s): push discarded");
  return false;
}

// ---- WBXML and document ---------------------------------------------------

void CpClient::ProcessWbxml(Run& run, ByteView body, std::size_t base_offset,
                            const Admission& adm) {
  run.out.stage = "wbxml";
  codec::WbxmlDecodeOptions wo;
  wo.strict = options_.wbxml_strict;
  wo.language = &codec::ProvLanguage(options_.prov_version);
  wo.decode_embedded = false;
  auto dec = codec::DecodeWbxml(body, wo, base_offset);
  if (!dec.ok()) {
    const auto& e = dec.error();
    run.Reject("wbxml", EventKind::kWbxmlRejected,
               e.rule.empty() ? "WBXML 1.3 §5" : e.rule, "WBXML" + At(e.offset),
               "document discarded: " + e.what);
    return;
  }
  const codec::WbxmlHeader& h = dec->header;
  const bool prov_id = h.public_id_index
                           ? h.public_id_string == kProvPublicIdString
                           : h.public_id == 0x0B;
  if (!prov_id) {
    std::string id = h.public_id_index ? "\"" + h.public_id_string + "\""
                                       : Hex8(h.public_id);
    run.Reject("wbxml", EventKind::kWbxmlRejected, kRuleWbxmlId,
               "WBXML publicid" + At(h.public_id_offset),
               "public id " + id + " is not a provisioning document (0x0B)");
    return;
  }
  for (const auto& w : dec->warnings)
    run.Emit(EventKind::kWbxmlTokenIgnored, w.rule, "WBXML" + At(w.offset),
             w.what);
  auto doc = Parse(dec->doc.get());
  if (!doc.ok()) {
    run.Reject("document", EventKind::kRejected, doc.error().rule,
               doc.error().path, doc.error().what);
    return;
  }
  ProcessDocument(run, *doc, adm);
}

void CpClient::ProcessDocument(Run& run, const Document& doc,
                               const Admission& adm) {
  run.out.stage = "document";
  const auto boots = RootBootstrapsWithProvurl(doc);
  if (options_.reject_multiple_provurl && boots.size() > 1) {
    std::string urls;
    for (const auto* b : boots)
      urls += (urls.empty() ? "" : ", ") + b->Value("PROVURL");
    run.Reject("document", EventKind::kRejected, kRuleMultiProvurl,
               boots[1]->path,
               std::to_string(boots.size()) + " BOOTSTRAPs carry a PROVURL (" +
                   urls + ")");
    return;
  }

  // Trust (cp.md §2.4) before validation so that links may resolve into the
  // trusted context's stored settings.
  std::optional<std::string> trusted_ctx;
  if (adm.via == Admission::Via::kFetch) {
    trusted_ctx = contexts_.IsTrustedSource(true, adm.fetch_url, &run.sink);
    if (!trusted_ctx) {
      run.out.stage = "trust";
      run.Reject(
          "trust", EventKind::kFetchRejected, kRuleFetch, "PROVURL",
          "fetched from " + adm.fetch_url + ", which is no context's PROVURL");
      return;
    }
  } else if (adm.via == Admission::Via::kPush &&
             (adm.initiator_uri || adm.push_flag_authenticated)) {
    trusted_ctx = contexts_.IsTrustedSource(
        adm.push_flag_authenticated, adm.initiator_uri.value_or(""), &run.sink);
  }
  // A BOOTSTRAP naming the trusted context's own PROVURL is not a new
  // bootstrap; any other PROVURL is.
  std::string own_url;
  if (trusted_ctx)
    if (const Context* c = contexts_.Find(*trusted_ctx)) own_url = c->provurl;
  const bool is_bootstrap =
      !boots.empty() && boots[0]->Value("PROVURL") != own_url;

  KnownIds known = store_.Known();
  ValidatedDocument v = Validate(doc, options_.validation, &run.sink, &known);
  if (v.rejected) {
    run.RejectQuiet("document", kRuleAccept, "/wap-provisioningdoc",
                    "document rejected: " + v.reject_reason);
    return;
  }

  run.out.stage = "trust";
  std::string origin;
  const bool card = adm.via == Admission::Via::kCard;
  if (card) {
    origin = adm.card_origin;
  } else if (is_bootstrap) {
    if (!adm.authenticated) {
      if (options_.unauthenticated == UnauthenticatedPolicy::kReject) {
        run.Reject("trust", EventKind::kBootstrapUnauthenticated, kRuleUnauth,
                   boots[0]->path,
                   "bootstrap (PROVURL " + boots[0]->Value("PROVURL") +
                       ") without SEC/MAC discarded");
        return;
      }
      run.Emit(EventKind::kBootstrapUnauthenticated, kRuleUnauth,
               boots[0]->path,
               "unauthenticated: stored as " +
                   std::string(kOriginOtaUnauthenticated) +
                   ", no context created (policy accept-untrusted)");
      origin = kOriginOtaUnauthenticated;
    } else if (options_.card_bootstrap_precedence) {
      for (const auto& c : contexts_.contexts()) {
        if (!c.origin.starts_with("card:")) continue;
        run.Reject("trust", EventKind::kCardPrecedence, kRuleCard,
                   boots[0]->path,
                   "OTA bootstrap (PROVURL " + boots[0]->Value("PROVURL") +
                       ") refused: smart-card context " + c.id + " (PROVURL " +
                       c.provurl + ", " + c.origin + ") takes precedence");
        return;
      }
    }
  } else if (trusted_ctx) {
    if (options_.require_sec_for_continuous && !adm.authenticated &&
        adm.via == Admission::Via::kPush) {
      run.Reject("trust", EventKind::kSecAbsent, kRuleContinuous,
                 "WSP Content-Type",
                 "continuous provisioning without SEC/MAC refused (policy "
                 "require_sec_for_continuous)");
      return;
    }
    origin = *trusted_ctx;
  } else if (adm.authenticated) {
    origin = kOriginOta;
  } else if (options_.unauthenticated == UnauthenticatedPolicy::kReject) {
    run.RejectQuiet("trust", kRuleContinuous, "WSP X-Wap-Initiator-URI",
                    "unauthenticated document from an untrusted source "
                    "(no SEC/MAC, no trusted TPS) discarded");
    return;
  } else {
    origin = kOriginOtaUnauthenticated;
  }

  // Bootstrap: a context (cp.md §2.4); the card's is its own (ProvSC).
  if (is_bootstrap && origin != kOriginOtaUnauthenticated) {
    auto ctx = contexts_.Bootstrap(v.doc, card ? adm.card_origin : kOriginOta,
                                   &run.sink);
    if (!ctx.ok()) {
      run.RejectQuiet("trust", ctx.error().rule, ctx.error().path,
                      "bootstrap refused: " + ctx.error().what);
      return;
    }
    if (*ctx) {
      run.out.context_created = **ctx;
      if (!card) origin = **ctx;
    }
  }

  run.out.stage = "store";
  // Apply appends what it stores at the end of items().
  const std::size_t n = store_.Apply(v, origin, &run.sink);
  const auto& items = store_.items();
  for (std::size_t i = items.size() - n; i < items.size(); ++i)
    run.out.settings_applied.push_back(items[i].kind + "/" + items[i].id);
  run.out.origin = origin;
  run.out.accepted = true;
  run.done = true;
  run.Emit(EventKind::kIntakeAccepted, kRuleAccept, "/wap-provisioningdoc",
           "accepted under origin " + origin + ": " + std::to_string(n) +
               " item(s) stored" +
               (run.out.context_created
                    ? ", context " + *run.out.context_created + " created"
                    : std::string()));
}

// ---- documents that do not come by push ------------------------------------

PushOutcome CpClient::ApplyDocument(ByteView data, const DocumentSource& src) {
  Run run;
  Admission adm;
  run.out.stage = "trust";
  if (src.kind == DocumentSource::Kind::kSmartCard) {
    run.out.source = "card";
    run.out.sender = src.iccid;
    adm.via = Admission::Via::kCard;
    adm.card_origin = CardOrigin(src.iccid);
    adm.authenticated = true;  // card access control replaces SEC/MAC
  } else {
    run.out.source = "http";
    run.out.sender = src.url;
    adm.via = Admission::Via::kFetch;
    adm.fetch_url = src.url;
    if (!src.tls_verified) {
      run.Reject("trust", EventKind::kFetchRejected, kRuleFetch, src.url,
                 "TLS verification of " + src.url + " failed: " +
                     (src.tls_error.empty() ? std::string("(no reason given)")
                                            : src.tls_error));
      return Finish(run);
    }
    adm.authenticated = true;  // TLS-verified channel to the PROVURL
  }
  ByteView bytes = data;
  if (adm.via == Admission::Via::kCard && options_.strip_card_padding)
    while (!bytes.empty() && bytes.back() == 0xFF)
      bytes = bytes.first(bytes.size() - 1);
  if (!bytes.empty() && bytes[0] >= 0x01 && bytes[0] <= 0x03) {
    ProcessWbxml(run, bytes, 0, adm);
  } else {
    run.out.stage = "document";
    auto doc = ParseText(codec::AsString(bytes));
    if (!doc.ok()) {
      run.Reject("document", EventKind::kRejected,
                 doc.error().rule.empty() ? kRuleDocModel : doc.error().rule,
                 doc.error().path, doc.error().what);
      return Finish(run);
    }
    ProcessDocument(run, *doc, adm);
  }
  return Finish(run);
}

std::size_t CpClient::RemoveOrigin(std::string_view origin) {
  EventSink sink;
  std::size_t items = 0;
  std::vector<std::string> ctx_ids;
  for (const auto& c : contexts_.contexts())
    if (c.origin == origin) ctx_ids.push_back(c.id);
  for (const auto& id : ctx_ids) items += store_.RemoveOrigin(id, &sink);
  items += store_.RemoveOrigin(origin, &sink);
  std::size_t ctxs = contexts_.RemoveOrigin(origin);
  if (contexts_.Remove(origin)) ++ctxs;  // a context id
  std::string ids;
  for (const auto& id : ctx_ids) ids += (ids.empty() ? "" : ", ") + id;
  sink.Add(EventKind::kOriginRemoved, kRuleRemove, std::string(origin),
           std::to_string(items) + " item(s) and " + std::to_string(ctxs) +
               " context(s)" + (ids.empty() ? "" : " (" + ids + ")") +
               " removed");
  for (const auto& e : sink.events())
    trace_.Add(e.kind, e.rule, e.path, e.detail);
  return items;
}

nlohmann::json CpClient::StateJson() const {
  return {{"contexts", contexts_.ToJson()}, {"store", store_.ToJson()}};
}

}  // namespace omaiop::sim::handset::cp
