#include "sim/handset/cp/validator.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace omaiop::sim::handset::cp {
namespace {

constexpr Card k1 = Card::kOne, kQ = Card::kOptional, kS = Card::kAny,
               kP = Card::kOneOrMore;
constexpr char kRuleTable[] = "ProvCont characteristic tables / cp.md §1.2";
constexpr char kRuleUab[] = "ProvUAB forward compatibility / cp.md §4";
constexpr char kRuleRefs[] = "ProvCont reference semantics / cp.md §1.2, §4";
constexpr char kRuleDup[] = "ProvUAB duplicates / cp.md §1.2, §4";
constexpr char kRuleDefaults[] = "ProvCont defaults (CPClient) / cp.md §1.2";
constexpr char kRuleVocab[] = "ProvCont value vocabularies / cp.md §1.2";
constexpr char kRuleCp10[] = "ProvCont 1.0 vs 1.1 / cp.md §1.3";
constexpr char kRuleBoot[] = "ProvCont BOOTSTRAP / cp.md §1.2, §2.4";

bool IsMandatory(Card c) { return c == Card::kOne || c == Card::kOneOrMore; }
bool IsSingle(Card c) { return c == Card::kOne || c == Card::kOptional; }

std::vector<CharRule> BuildSchema() {
  using V = Vocab;
  std::vector<ParmRule> qos;
  for (std::string_view n :
       {"DELIVERY-ERR-SDU", "DELIVERY-ORDER", "TRAFFIC-CLASS", "MAX-SDU-SIZE",
        "MAX-BITRATE-UPLINK", "MAX-BITRATE-DNLINK", "RESIDUAL-BER",
        "SDU-ERROR-RATIO", "TRAFFIC-HANDL-PRIO", "TRANSFER-DELAY",
        "GUARANTEED-BITRATE-UPLINK", "GUARANTEED-BITRATE-DNLINK"})
    qos.push_back({n, kQ});
  std::vector<ParmRule> napdef = {
      {"NAPID", k1},
      {"NAME", k1},
      {"NAP-ADDRESS", k1},
      {"NAP-ADDRTYPE", kQ, V::kAddrType},
      {"BEARER", kS},
      {"INTERNET", kQ, V::kFlag},
      {"CALLTYPE", kQ, V::kCallType},
      {"LOCAL-ADDR", kQ},
      {"LOCAL-ADDRTYPE", kQ, V::kAddrType},
      {"LINKSPEED", kQ},
      {"DNLINKSPEED", kQ},
      {"LINGER", kQ},
      {"DNS-ADDR", kS, V::kNone, true},
      {"MAX-NUM-RETRY", kQ, V::kNone, true},
      {"FIRST-RETRY-TIMEOUT", kQ, V::kNone, true},
      {"REREG-THRESHOLD", kQ, V::kNone, true},
      {"T-BIT", kQ, V::kFlag, true},
  };
  napdef.insert(napdef.end(), qos.begin(), qos.end());
  std::vector<ParmRule> application = {
      {"APPID", k1},
      {"PROVIDER-ID", kQ},
      {"NAME", kQ},
      {"AACCEPT", kQ},
      {"APROTOCOL", kQ},
      {"TO-PROXY", kS},
      {"TO-NAPID", kS},
      {"ADDR", kS},
      // WLAN CR (cp.md §1.4): an APPLICATION names itself (APPREF) and
      // references others (TO-APPREF).
      {"APPREF", kQ, V::kNone, true},
      {"TO-APPREF", kS, V::kNone, true},
      // OMNA application-specific parms (w4, w5, w7, e-mail...).
      {"INIT", kQ, V::kFlag},
      {"CM", kS},
      {"RM", kS},
      {"MS", kS},
      {"PC-ADDR", kS},
      {"Ma", kS},
      {"FROM", kS},
      {"RT-ADDR", kS},
      {"CIDPREFIX", kS},
      {"SERVICES", kS}};
  std::vector<CharRule> s = {
      {"",
       {{"PXLOGICAL", kS},
        {"NAPDEF", kS},
        {"BOOTSTRAP", kS},
        {"CLIENTIDENTITY", kQ},
        {"VENDORCONFIG", kS},
        {"APPLICATION", kS},
        {"ACCESS", kS},
        {"WLAN", kS}},
       {}},
      {"PXLOGICAL",
       {{"PXAUTHINFO", kS}, {"PORT", kS}, {"PXPHYSICAL", kP}},
       {{"PROXY-ID", k1},
        {"NAME", k1},
        {"PROXY-PW", kQ, V::kNone, true},
        {"PPGAUTH-TYPE", kQ, V::kNone, true},
        {"PROXY-PROVIDER-ID", kQ},
        {"DOMAIN", kS},
        {"TRUST", kQ, V::kFlag},
        {"MASTER", kQ, V::kFlag},
        {"STARTPAGE", kQ},
        {"BASAUTH-ID", kQ},
        {"BASAUTH-PW", kQ},
        {"WSP-VERSION", kQ},
        {"PUSHENABLED", kQ, V::kBool01},
        {"PULLENABLED", kQ, V::kBool01, true}}},
      {"PXAUTHINFO",
       {},
       {{"PXAUTH-TYPE", k1, V::kAuthType},
        {"PXAUTH-ID", kQ},
        {"PXAUTH-PW", kQ}}},
      {"PORT", {}, {{"PORTNBR", k1, V::kPort}, {"SERVICE", kS, V::kService}}},
      {"PXPHYSICAL",
       {{"PORT", kS}},
       {{"PHYSICAL-PROXY-ID", k1},
        {"DOMAIN", kS},
        {"PXADDR", k1},
        {"PXADDRTYPE", kQ, V::kAddrType},
        {"PXADDR-FQDN", kQ, V::kNone, true},
        {"WSP-VERSION", kQ},
        {"PUSHENABLED", kQ, V::kBool01},
        {"PULLENABLED", kQ, V::kBool01, true},
        {"TO-NAPID", kP}}},
      {"NAPDEF", {{"NAPAUTHINFO", kS}, {"VALIDITY", kS}}, napdef},
      {"NAPAUTHINFO",
       {},
       {{"AUTHTYPE", k1, V::kAuthType},
        {"AUTHNAME", kQ},
        {"AUTHSECRET", kQ},
        {"AUTH-ENTITY", kS, V::kAuthEntity, true},
        {"SPI", kQ, V::kNone, true}}},
      {"VALIDITY",
       {},
       {{"COUNTRY", kQ},
        {"NETWORK", kQ},
        {"SID", kQ},
        {"SOC", kQ},
        {"VALIDUNTIL", kQ}}},
      {"BOOTSTRAP",
       {},
       {{"NAME", kQ},
        {"PROVURL", kQ},
        {"CONTEXT-ALLOW", kQ, V::kByte},
        {"PROXY-ID", kS},
        {"NETWORK", kS},
        {"COUNTRY", kQ}}},
      {"CLIENTIDENTITY", {}, {{"CLIENT-ID", k1}}},
      {"VENDORCONFIG", {}, {{"NAME", k1}}, /*open_parms=*/true},
      {"APPLICATION",
       {{"APPADDR", kS}, {"APPAUTH", kS}, {"RESOURCE", kS}},
       application,
       /*open_parms=*/false,
       /*cp11=*/true},
      {"APPADDR",
       {{"PORT", kS}},
       {{"ADDR", k1}, {"ADDRTYPE", kQ, V::kAppAddrType}},
       false,
       true},
      {"APPAUTH",
       {},
       {{"AAUTHLEVEL", kQ},
        {"AAUTHTYPE", kQ, V::kAAuthType},
        {"AAUTHNAME", kQ},
        {"AAUTHSECRET", kQ},
        {"AAUTHDATA", kQ}},
       false,
       true},
      {"RESOURCE",
       {},
       {{"URI", k1},
        {"NAME", kQ},
        {"AACCEPT", kQ},
        {"AAUTHTYPE", kQ, V::kAAuthType},
        {"AAUTHNAME", kQ},
        {"AAUTHSECRET", kQ},
        {"AAUTHDATA", kQ},
        {"STARTPAGE", kQ, V::kFlag}},
       false,
       true},
      {"ACCESS",
       {},
       {{"RULE", kP},
        {"APPID", kS},
        {"PORTNBR", kS, V::kPort},
        {"DOMAIN", kS},
        {"TO-NAPID", kS},
        {"TO-PROXY", kS}},
       false,
       true},
      // WLAN CR (cp.md §1.4, UNCERTAIN): structure as implied by Kannel's
      // tokens; cardinalities are not documented, so all parms are 0..1
      // except PRI-SSID which names the network.
      {"WLAN",
       {{"SEC-SSID", kS}, {"EAP", kS}, {"WEPKEY", kS}},
       {{"PRI-SSID", k1},
        {"PRI-U-SSID", kQ},
        {"PRI-H-SSID", kQ},
        {"NETMODE", kQ},
        {"SECMODE", kQ},
        {"WPA-PRES-KEY-ASC", kQ},
        {"WPA-PRES-KEY-HEX", kQ},
        {"WEPKEYIND", kQ},
        {"WEPAUTHMODE", kQ},
        {"WLANHAND", kQ},
        {"EDIT-SET", kQ},
        {"VIEW-SET", kQ},
        {"FORW-SET", kQ},
        {"TO-APPREF", kS}},
       false,
       true},
      {"SEC-SSID", {}, {{"S-SSID", kQ}, {"S-U-SSID", kQ}}, false, true},
      {"EAP",
       {{"CERT", kS}},
       {{"EAPTYPE", k1},
        {"USERNAME", kQ},
        {"PASSWORD", kQ},
        {"REALM", kQ},
        {"USE-PSEUD", kQ},
        {"ENCAPS", kQ},
        {"VER-SER-REALM", kQ},
        {"CLIENT-AUTH", kQ},
        {"SES-VAL-TIME", kQ},
        {"CIP-SUIT", kQ},
        {"PEAP-V0", kQ},
        {"PEAP-V1", kQ},
        {"PEAP-V2", kQ}},
       false,
       true},
      {"CERT",
       {},
       {{"ISS-NAME", kQ},
        {"SUB-NAME", kQ},
        {"CERT-TYPE", kQ},
        {"SER-NUM", kQ},
        {"SUB-KEY-ID", kQ},
        {"THUMBPRINT", kQ}},
       false,
       true},
      {"WEPKEY",
       {},
       {{"LENGTH", kQ}, {"INDEX", kQ}, {"DATA", kQ}},
       false,
       true},
  };
  return s;
}

const ParmRule* FindParmRule(const CharRule& r, std::string_view name) {
  for (const auto& p : r.parms)
    if (p.name == name) return &p;
  return nullptr;
}
const ChildRule* FindChildRule(const CharRule& r, std::string_view type) {
  for (const auto& c : r.children)
    if (c.type == type) return &c;
  return nullptr;
}

bool InList(std::string_view v, std::initializer_list<std::string_view> l) {
  return std::find(l.begin(), l.end(), v) != l.end();
}
bool IsAddrType(std::string_view v) {
  return InList(v, {"IPV4", "IPV6", "E164", "ALPHA", "APN", "SCODE",
                    "TETRA-ITSI", "MAN"});
}

bool ParseInt(std::string_view s, long max, long* out) {
  if (s.empty() || s.size() > 9) return false;
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max)
    return false;
  *out = v;
  return true;
}

// Returns "" when valid, else the reason.
std::string CheckVocab(Vocab v, const std::optional<std::string>& value,
                       const ValidationPolicy& pol) {
  if (v == Vocab::kNone || v == Vocab::kFlag) return {};
  if (!value) return "value missing";
  const std::string& s = *value;
  long n;
  switch (v) {
    case Vocab::kAddrType:
      return IsAddrType(s) ? "" : "not an ADDRTYPE value";
    case Vocab::kAppAddrType:
      if (IsAddrType(s) || s == "APPSRV" || s == "OBEX") return {};
      for (const auto& e : pol.extra_appaddr_types)
        if (s == e) return {};
      return "not an APPADDR ADDRTYPE value";
    case Vocab::kCallType:
      return InList(s, {"ANALOG-MODEM", "V.120", "V.110", "X.31",
                        "BIT-TRANSPARENT", "DIRECT-ASYNCHRONOUS-DATA-SERVICE"})
                 ? ""
                 : "not a CALLTYPE value";
    case Vocab::kAuthType:
      return InList(s, {"PAP", "CHAP", "HTTP-BASIC", "HTTP-DIGEST", "WTLS-SS",
                        "MD5"})
                 ? ""
                 : "not an AUTHTYPE value";
    case Vocab::kService:
      return InList(s, {"CL-WSP", "CO-WSP", "CL-SEC-WSP", "CO-SEC-WSP",
                        "CL-SEC-WTA", "CO-SEC-WTA", "OTA-HTTP-TO",
                        "OTA-HTTP-TLS-TO", "OTA-HTTP-PO", "OTA-HTTP-TLS-PO"})
                 ? ""
                 : "not a SERVICE value";
    case Vocab::kAuthEntity:
      return InList(s, {"AAA", "HA"}) ? "" : "not an AUTH-ENTITY value";
    case Vocab::kAAuthType: {
      // Comma-separated items, each [HTTP-](BASIC|DIGEST) (page-1 tokens).
      std::string_view rest = s;
      while (true) {
        auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        if (item.starts_with("HTTP-")) item.remove_prefix(5);
        if (item != "BASIC" && item != "DIGEST")
          return "AAUTHTYPE item is not [HTTP-]BASIC|DIGEST";
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return {};
    }
    case Vocab::kBool01:
      return (s == "0" || s == "1") ? "" : "not 0 or 1";
    case Vocab::kByte:
      return ParseInt(s, 255, &n) ? "" : "not an integer 0..255";
    case Vocab::kPort:
      return ParseInt(s, 65535, &n) ? "" : "not a port number 0..65535";
    default:
      return {};
  }
}

class Validator {
 public:
  Validator(const ValidationPolicy& p, EventSink* sink, const KnownIds* known)
      : pol_(p), sink_(sink), known_(known) {}

  ValidatedDocument Run(const Document& in) {
    ValidatedDocument out;
    out.doc.version = in.version;
    out.doc.diagnostics = in.diagnostics;
    for (const auto& d : in.diagnostics)
      Emit(EventKind::kStructureError, d.rule, d.path, d.what);
    const CharRule& root = *FindCharRule("");
    std::map<std::string, int> seen;
    for (const auto& c : in.characteristics) {
      Characteristic copy = c;
      if (!CheckChild(root, copy, "/wap-provisioningdoc", &seen)) continue;
      if (CheckCharacteristic(&copy))
        out.doc.characteristics.push_back(std::move(copy));
    }
    auto& cs = out.doc.characteristics;
    DedupRootIds(&cs);
    LinkProxies(&cs);
    LinkApplications(&cs);
    Bootstraps(&cs);
    if (pol_.apply_defaults)
      for (auto& c : cs) ApplyDefaults(&c);
    if (cs.empty()) {
      out.rejected = true;
      out.reject_reason = "no usable characteristic left";
      Emit(EventKind::kRejected, kRuleUab, "/wap-provisioningdoc",
           out.reject_reason);
    } else {
      Emit(EventKind::kAccepted, kRuleUab, "/wap-provisioningdoc",
           std::to_string(cs.size()) + " characteristic(s) kept");
    }
    return out;
  }

 private:
  void Emit(EventKind k, std::string rule, std::string path,
            std::string detail = {}) {
    if (sink_)
      sink_->Add(k, std::move(rule), std::move(path), std::move(detail));
  }

  // Is `c` allowed under `parent` (known type, CP version, "?" count)?
  bool CheckChild(const CharRule& parent, const Characteristic& c,
                  const std::string& parent_path,
                  std::map<std::string, int>* seen) {
    const ChildRule* cr = FindChildRule(parent, c.type);
    const CharRule* rule = FindCharRule(c.type);
    if (!cr || !rule) {
      Emit(EventKind::kCharacteristicDropped, kRuleUab, c.path,
           "unknown characteristic " + c.type + " under " +
               (parent.type.empty() ? std::string("wap-provisioningdoc")
                                    : std::string(parent.type)) +
               ": subtree ignored");
      return false;
    }
    if (pol_.cp10_device && rule->cp11) {
      Emit(EventKind::kCharacteristicDropped, kRuleCp10, c.path,
           "CP 1.1 characteristic " + c.type + " ignored by a CP 1.0 device");
      return false;
    }
    if (!pol_.support_wlan && c.type == "WLAN") {
      Emit(EventKind::kCharacteristicDropped, "cp.md §1.4 (WLAN CR)", c.path,
           "WLAN not supported by this device");
      return false;
    }
    if (IsSingle(cr->card) && (*seen)[c.type]++ > 0) {
      Emit(EventKind::kDuplicateRemoved, kRuleTable, c.path,
           c.type + " allowed at most once here; first kept");
      return false;
    }
    return true;
  }

  // Filters parms and children of `c` in place; false = drop `c`.
  bool CheckCharacteristic(Characteristic* c) {
    const CharRule& rule = *FindCharRule(c->type);
    std::vector<Parm> kept;
    std::map<std::string, int> count;
    int domains = 0;
    for (auto& p : c->parms) {
      const ParmRule* pr = FindParmRule(rule, p.name);
      if (!pr) {
        if (rule.open_parms) {
          kept.push_back(p);
          continue;
        }
        Emit(EventKind::kParmIgnored, kRuleUab, p.path,
             "unknown parm " + p.name + " in " + c->type);
        continue;
      }
      if (pol_.cp10_device && pr->cp11) {
        Emit(EventKind::kParmIgnored, kRuleCp10, p.path,
             "CP 1.1 parm " + p.name + " ignored by a CP 1.0 device");
        continue;
      }
      if (IsSingle(pr->card) && count[p.name] > 0) {
        Emit(EventKind::kDuplicateIgnored, kRuleDup, p.path,
             p.name + " allowed once in " + c->type + "; first kept");
        continue;
      }
      if (pr->vocab == Vocab::kFlag && p.value) {
        // A flag's presence is what counts; a stray value is dropped.
        Emit(EventKind::kValueInvalid, kRuleVocab, p.path,
             p.name + " is a valueless flag; value '" + *p.value + "' ignored");
        p.value.reset();
      }
      std::string why = CheckVocab(pr->vocab, p.value, pol_);
      if (!why.empty()) {
        // CONTEXT-ALLOW and PORTNBR carry numbers the device must compute
        // with, so an invalid one is never kept.
        bool hard = pol_.strict_vocabulary || pr->vocab == Vocab::kByte ||
                    pr->vocab == Vocab::kPort;
        Emit(EventKind::kValueInvalid, kRuleVocab, p.path,
             p.name + "='" + p.value.value_or("") + "': " + why +
                 (hard ? " (parm ignored)" : " (kept, lenient)"));
        if (hard) continue;
      }
      if (p.name == "DOMAIN" && c->type == "PXLOGICAL" &&
          pol_.max_domains > 0 && ++domains > pol_.max_domains) {
        Emit(EventKind::kParmIgnored, "CPClient DOMAIN cap / cp.md §1.2",
             p.path,
             "more than " + std::to_string(pol_.max_domains) + " DOMAIN parms");
        continue;
      }
      ++count[p.name];
      kept.push_back(p);
    }
    c->parms = std::move(kept);
    for (const auto& pr : rule.parms) {
      if (IsMandatory(pr.card) && count[std::string(pr.name)] == 0 &&
          !(pol_.cp10_device && pr.cp11)) {
        Emit(EventKind::kCharacteristicDropped, kRuleTable, c->path,
             c->type + " needs " + std::string(pr.name) +
                 (pr.card == Card::kOne ? " (1)" : " (1..n)"));
        return false;
      }
    }
    std::vector<Characteristic> children;
    std::map<std::string, int> seen;
    for (auto& ch : c->children) {
      if (!CheckChild(rule, ch, c->path, &seen)) continue;
      if (CheckCharacteristic(&ch)) children.push_back(std::move(ch));
    }
    c->children = std::move(children);
    DedupChildren(c);
    return CheckMandatoryChildren(*c);
  }

  bool CheckMandatoryChildren(const Characteristic& c) {
    const CharRule& rule = *FindCharRule(c.type);
    for (const auto& cr : rule.children) {
      if (IsMandatory(cr.card) && c.Children(cr.type).empty()) {
        Emit(EventKind::kCharacteristicDropped, kRuleTable, c.path,
             c.type + " needs at least one " + std::string(cr.type));
        return false;
      }
    }
    return true;
  }

  // Identity of a child instance for duplicate removal (cp.md §1.2: PORT by
  // PORTNBR, NAPAUTHINFO by AUTHTYPE, VALIDITY by COUNTRY).
  static const char* DedupKey(std::string_view type) {
    if (type == "PORT") return "PORTNBR";
    if (type == "NAPAUTHINFO") return "AUTHTYPE";
    if (type == "VALIDITY") return "COUNTRY";
    return nullptr;
  }

  void DedupChildren(Characteristic* c) {
    std::set<std::pair<std::string, std::string>> keys;
    std::vector<Characteristic> kept;
    for (auto& ch : c->children) {
      if (ch.type == "PXPHYSICAL") {
        // CPClient merges PXPHYSICALs with the same PHYSICAL-PROXY-ID
        // (cp.md §4); kKeepFirst removes the later one instead.
        Characteristic* first = nullptr;
        for (auto& k : kept)
          if (k.type == "PXPHYSICAL" &&
              k.Value("PHYSICAL-PROXY-ID") == ch.Value("PHYSICAL-PROXY-ID"))
            first = &k;
        if (first) {
          bool merge = pol_.duplicate_ids == DuplicateIdPolicy::kMerge;
          Emit(merge ? EventKind::kDuplicateMerged
                     : EventKind::kDuplicateRemoved,
               kRuleDup, ch.path,
               "PXPHYSICAL PHYSICAL-PROXY-ID=" + ch.Value("PHYSICAL-PROXY-ID") +
                   (merge ? " merged into " : " already defined at ") +
                   first->path);
          if (merge) Merge(first, ch);
          continue;
        }
      }
      if (const char* k = DedupKey(ch.type)) {
        if (!keys.insert({ch.type, ch.Value(k)}).second) {
          Emit(EventKind::kDuplicateRemoved, kRuleDup, ch.path,
               "duplicate " + ch.type + " with " + k + "=" + ch.Value(k));
          continue;
        }
      }
      kept.push_back(std::move(ch));
    }
    c->children = std::move(kept);
  }

  // Merge `b` into `a` (same identity). Single parms: a's value wins; multi
  // parms: union. Children with an identity are merged recursively.
  void Merge(Characteristic* a, const Characteristic& b) {
    const CharRule& rule = *FindCharRule(a->type);
    for (const auto& p : b.parms) {
      const ParmRule* pr = FindParmRule(rule, p.name);
      bool single = !pr || IsSingle(pr->card);
      const Parm* existing = a->FindParm(p.name);
      if (single && existing) {
        if (existing->value != p.value)
          Emit(EventKind::kDuplicateIgnored, kRuleDup, p.path,
               p.name + " conflicts with the merged instance; first kept");
        continue;
      }
      bool same = false;
      int n = 0;
      for (const auto& q : a->parms) {
        same |= q.name == p.name && q.value == p.value;
        n += q.name == p.name;
      }
      if (same) continue;
      if (p.name == "DOMAIN" && a->type == "PXLOGICAL" &&
          pol_.max_domains > 0 && n >= pol_.max_domains) {
        Emit(EventKind::kParmIgnored, "CPClient DOMAIN cap / cp.md §1.2",
             p.path,
             "more than " + std::to_string(pol_.max_domains) +
                 " DOMAIN parms after merge");
        continue;
      }
      a->parms.push_back(p);
    }
    for (const auto& ch : b.children) {
      const char* key =
          ch.type == "PXPHYSICAL" ? "PHYSICAL-PROXY-ID" : DedupKey(ch.type);
      Characteristic* match = nullptr;
      if (key)
        for (auto& x : a->children)
          if (x.type == ch.type && x.Value(key) == ch.Value(key)) match = &x;
      if (match) {
        Emit(EventKind::kDuplicateMerged, kRuleDup, ch.path,
             ch.type + " " + key + "=" + ch.Value(key) + " merged into " +
                 match->path);
        Merge(match, ch);
      } else {
        a->children.push_back(ch);
      }
    }
  }

  void DedupRootIds(std::vector<Characteristic>* cs) {
    std::vector<Characteristic> kept;
    auto find = [&](std::string_view type, std::string_view key,
                    const std::string& v) -> Characteristic* {
      for (auto& k : kept)
        if (k.type == type && k.Value(key) == v) return &k;
      return nullptr;
    };
    for (auto& c : *cs) {
      const char* key = c.type == "NAPDEF"         ? "NAPID"
                        : c.type == "PXLOGICAL"    ? "PROXY-ID"
                        : c.type == "VENDORCONFIG" ? "NAME"
                                                   : nullptr;
      Characteristic* first = key ? find(c.type, key, c.Value(key)) : nullptr;
      if (!first) {
        kept.push_back(std::move(c));
        continue;
      }
      if (c.type == "PXLOGICAL" &&
          pol_.duplicate_ids == DuplicateIdPolicy::kMerge) {
        Emit(EventKind::kDuplicateMerged, kRuleDup, c.path,
             "PXLOGICAL PROXY-ID=" + c.Value(key) + " merged into " +
                 first->path);
        Merge(first, c);
      } else {
        Emit(EventKind::kDuplicateRemoved, kRuleDup, c.path,
             c.type + " " + key + "=" + c.Value(key) + " already defined at " +
                 first->path + "; first kept");
      }
    }
    *cs = std::move(kept);
  }

  // Removes references in `c` named `parm` that `ok` rejects; returns how
  // many remain.
  template <typename Ok>
  int FilterRefs(Characteristic* c, std::string_view parm, Ok ok,
                 const std::string& what) {
    int left = 0;
    std::vector<Parm> kept;
    for (auto& p : c->parms) {
      if (p.name == parm) {
        if (!ok(p.value.value_or(""))) {
          Emit(EventKind::kReferenceDropped, kRuleRefs, p.path,
               std::string(parm) + "='" + p.value.value_or("") + "' names no " +
                   what);
          continue;
        }
        ++left;
      }
      kept.push_back(std::move(p));
    }
    c->parms = std::move(kept);
    return left;
  }

  // Collects the NAPIDs the document (and the known context) defines; done
  // before any filtering so that moving characteristics is safe.
  void CollectNaps(const std::vector<Characteristic>& cs) {
    napids_.clear();
    internet_ = known_ && known_->internet_nap;
    if (known_) napids_ = known_->napids;
    for (const auto& c : cs) {
      if (c.type != "NAPDEF") continue;
      napids_.insert(c.Value("NAPID"));
      internet_ |= c.Has("INTERNET");
    }
  }

  bool NapOk(const std::string& v) const {
    if (napids_.count(v)) return true;
    // Reserved value INTERNET = any NAPDEF carrying the INTERNET flag.
    return v == "INTERNET" && internet_;
  }

  void LinkProxies(std::vector<Characteristic>* cs) {
    CollectNaps(*cs);
    std::vector<Characteristic> kept;
    for (auto& c : *cs) {
      if (c.type == "PXLOGICAL") {
        std::vector<Characteristic> phys;
        for (auto& ch : c.children) {
          if (ch.type == "PXPHYSICAL" &&
              FilterRefs(
                  &ch, "TO-NAPID",
                  [&](const std::string& v) { return NapOk(v); },
                  "NAPDEF (nor INTERNET-flagged NAPDEF)") == 0) {
            Emit(EventKind::kCharacteristicDropped, kRuleRefs, ch.path,
                 "PXPHYSICAL has no valid TO-NAPID left (needs 1..n)");
            continue;
          }
          phys.push_back(std::move(ch));
        }
        c.children = std::move(phys);
        if (!CheckMandatoryChildren(c)) continue;
      }
      kept.push_back(std::move(c));
    }
    *cs = std::move(kept);
  }

  void LinkApplications(std::vector<Characteristic>* cs) {
    std::set<std::string> proxies, apprefs;
    if (known_) {
      proxies = known_->proxy_ids;
      apprefs = known_->apprefs;
    }
    for (const auto& c : *cs) {
      if (c.type == "PXLOGICAL") proxies.insert(c.Value("PROXY-ID"));
      if (c.type == "APPLICATION" && c.Has("APPREF"))
        apprefs.insert(c.Value("APPREF"));
    }
    auto nap = [&](const std::string& v) { return NapOk(v); };
    auto proxy = [&](const std::string& v) { return proxies.count(v) > 0; };
    auto app = [&](const std::string& v) { return apprefs.count(v) > 0; };
    for (auto& c : *cs) {
      if (c.type != "APPLICATION" && c.type != "ACCESS" && c.type != "WLAN")
        continue;
      FilterRefs(&c, "TO-NAPID", nap, "NAPDEF (nor INTERNET-flagged NAPDEF)");
      FilterRefs(&c, "TO-PROXY", proxy, "PXLOGICAL PROXY-ID");
      FilterRefs(&c, "TO-APPREF", app, "APPLICATION APPREF");
    }
  }

  void Bootstraps(std::vector<Characteristic>* cs) {
    std::vector<Characteristic> kept;
    std::string with_url;  // path of the first BOOTSTRAP with PROVURL
    for (auto& c : *cs) {
      if (c.type == "BOOTSTRAP" && c.Has("PROVURL")) {
        if (!with_url.empty()) {
          Emit(EventKind::kCharacteristicDropped, kRuleBoot, c.path,
               "only one BOOTSTRAP with PROVURL per document (first at " +
                   with_url + ")");
          continue;
        }
        std::vector<Parm> parms;
        for (auto& p : c.parms) {
          if (p.name == "NETWORK" || p.name == "COUNTRY") {
            Emit(EventKind::kParmIgnored, kRuleBoot, p.path,
                 "a BOOTSTRAP with PROVURL ignores " + p.name);
            continue;
          }
          parms.push_back(std::move(p));
        }
        c.parms = std::move(parms);
        with_url = c.path;
      }
      kept.push_back(std::move(c));
    }
    *cs = std::move(kept);
  }

  void Default(Characteristic* c, std::string_view name,
               std::string_view value) {
    if (c->Has(name)) return;
    const ParmRule* pr = FindParmRule(*FindCharRule(c->type), name);
    if (pol_.cp10_device && pr && pr->cp11) return;
    c->parms.push_back(
        Parm{std::string(name), std::string(value),
             c->path + "/parm[@name='" + std::string(name) + "'](default)"});
    Emit(EventKind::kDefaultApplied, kRuleDefaults, c->path,
         std::string(name) + "=" + std::string(value));
  }

  void ApplyDefaults(Characteristic* c) {
    if (c->type == "PXLOGICAL" || c->type == "PXPHYSICAL") {
      if (c->type == "PXPHYSICAL") Default(c, "PXADDRTYPE", "IPV4");
      Default(c, "WSP-VERSION", "1.2");
      Default(c, "PUSHENABLED", "0");
      Default(c, "PULLENABLED", "0");
    } else if (c->type == "NAPDEF") {
      if (c->Has("NAP-ADDRESS")) Default(c, "NAP-ADDRTYPE", "E164");
      Default(c, "CALLTYPE", "ANALOG-MODEM");
      // cp.md gives LOCAL-ADDRTYPE=IPV6 without a condition; by analogy with
      // NAP-ADDRTYPE it is applied only when LOCAL-ADDR is present.
      if (c->Has("LOCAL-ADDR")) Default(c, "LOCAL-ADDRTYPE", "IPV6");
    }
    for (auto& ch : c->children) ApplyDefaults(&ch);
  }

  const ValidationPolicy& pol_;
  EventSink* sink_;
  const KnownIds* known_;
  std::set<std::string> napids_;
  bool internet_ = false;
};

}  // namespace

const std::vector<CharRule>& Schema() {
  static const std::vector<CharRule> schema = BuildSchema();
  return schema;
}

const CharRule* FindCharRule(std::string_view type) {
  for (const auto& r : Schema())
    if (r.type == type) return &r;
  return nullptr;
}

ValidatedDocument Validate(const Document& doc, const ValidationPolicy& policy,
                           EventSink* sink, const KnownIds* known) {
  return Validator(policy, sink, known).Run(doc);
}

}  // namespace omaiop::sim::handset::cp
