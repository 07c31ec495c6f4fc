#include "sim/servers/cp_push_server.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "codec/wsp_push.h"
#include "codec/xml.h"

namespace omaiop::sim::servers {

namespace {

using codec::Diagnostic;
using codec::Error;
using codec::Result;
using codec::SecMethod;
using codec::Status;

constexpr char kRuleCompose[] = "omaiop CP push server";

Diagnostic NotApplicable(FaultId id, const std::string& why) {
  return Error(
      "fault " + std::string(InfoOf(id).name) + " does not apply: " + why,
      Diagnostic::kNoOffset, kRuleCompose);
}

bool Has(const ComposeOptions& o, FaultId id) {
  return std::find(o.faults.begin(), o.faults.end(), id) != o.faults.end();
}

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// Every element in document order.
void ForEachElement(xmlNode* n, const std::function<bool(xmlNode*)>& f) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (!f(n)) return;
    ForEachElement(n->children, f);
  }
}

xmlNode* FindCharacteristic(xmlDoc* doc, std::string_view type) {
  xmlNode* found = nullptr;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* n) {
    if (codec::NodeName(n) == "characteristic" &&
        codec::GetAttr(n, "type") == type) {
      found = n;
      return false;
    }
    return !found;
  });
  return found;
}

xmlNode* FindParm(xmlNode* characteristic, std::string_view name) {
  for (xmlNode* c = codec::FirstChildElement(characteristic, "parm"); c;
       c = codec::NextSiblingElement(c, "parm"))
    if (codec::GetAttr(c, "name") == name) return c;
  return nullptr;
}

xmlNode* AddParm(xmlNode* characteristic, const char* name, const char* value) {
  xmlNode* p = xmlNewChild(characteristic, nullptr, X("parm"), nullptr);
  xmlNewProp(p, X("name"), X(name));
  if (value) xmlNewProp(p, X("value"), X(value));
  return p;
}

// PROVURL of the first BOOTSTRAP that has one, or "".
std::string FirstProvUrl(xmlDoc* doc) {
  std::string url;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* n) {
    if (codec::NodeName(n) == "characteristic" &&
        codec::GetAttr(n, "type") == "BOOTSTRAP") {
      if (xmlNode* p = FindParm(n, "PROVURL")) url = codec::GetAttr(p, "value");
    }
    return url.empty();
  });
  return url;
}

// ---- document faults (ProvCont) ------------------------------------------

Result<std::string> MissingMandatoryParm(xmlDoc* doc) {
  // cp.md §1.2 cardinality "1" parms, in the order the knob documents.
  static constexpr std::pair<const char*, const char*> kMandatory[] = {
      {"NAPDEF", "NAPID"},         {"PXLOGICAL", "PROXY-ID"},
      {"APPLICATION", "APPID"},    {"CLIENTIDENTITY", "CLIENT-ID"},
      {"PXPHYSICAL", "PXADDR"},    {"PORT", "PORTNBR"},
      {"NAPAUTHINFO", "AUTHTYPE"},
  };
  for (const auto& [type, parm] : kMandatory) {
    xmlNode* found = nullptr;
    ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* n) {
      if (codec::NodeName(n) == "characteristic" &&
          codec::GetAttr(n, "type") == type)
        found = FindParm(n, parm);
      return !found;
    });
    if (!found) continue;
    std::string where = codec::NodePath(found->parent);
    xmlUnlinkNode(found);
    xmlFreeNode(found);
    return std::string("removed ") + parm + " from " + type + " at " + where;
  }
  return NotApplicable(FaultId::kMissingMandatoryParm,
                       "the document has no characteristic carrying a "
                       "mandatory parm this knob knows");
}

Result<std::string> DanglingToNapid(xmlDoc* doc) {
  constexpr char kNoSuchNap[] = "OMAIOP_NO_SUCH_NAP";
  xmlNode* ref = nullptr;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* n) {
    if (codec::NodeName(n) == "parm" && codec::GetAttr(n, "name") == "TO-NAPID")
      ref = n;
    return !ref;
  });
  if (ref) {
    std::string old = codec::GetAttr(ref, "value");
    xmlSetProp(ref, X("value"), X(kNoSuchNap));
    return "TO-NAPID at " + codec::NodePath(ref) + " changed from \"" + old +
           "\" to \"" + kNoSuchNap + "\"";
  }
  xmlNode* holder = FindCharacteristic(doc, "PXPHYSICAL");
  if (!holder) holder = FindCharacteristic(doc, "APPLICATION");
  if (!holder)
    return NotApplicable(FaultId::kDanglingToNapid,
                         "the document has no PXPHYSICAL or APPLICATION to "
                         "carry a TO-NAPID");
  xmlNode* p = AddParm(holder, "TO-NAPID", kNoSuchNap);
  return "added TO-NAPID \"" + std::string(kNoSuchNap) + "\" at " +
         codec::NodePath(p);
}

Result<std::string> DuplicateProvUrl(xmlDoc* doc) {
  constexpr char kSecondUrl[] = "http://second-tps.omaiop.example/prov";
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* boot = nullptr;
  ForEachElement(root, [&](xmlNode* n) {
    if (codec::NodeName(n) == "characteristic" &&
        codec::GetAttr(n, "type") == "BOOTSTRAP" && FindParm(n, "PROVURL"))
      boot = n;
    return !boot;
  });
  std::string detail;
  if (!boot) {  // none yet: add the first one too
    boot = xmlNewChild(root, nullptr, X("characteristic"), nullptr);
    xmlNewProp(boot, X("type"), X("BOOTSTRAP"));
    AddParm(boot, "PROVURL", "http://first-tps.omaiop.example/prov");
    detail = "added a BOOTSTRAP with PROVURL; ";
  }
  xmlNode* copy = xmlCopyNode(boot, 1);
  xmlSetProp(FindParm(copy, "PROVURL"), X("value"), X(kSecondUrl));
  xmlAddNextSibling(boot, copy);
  return detail + "added a second BOOTSTRAP with PROVURL " + kSecondUrl +
         " after " + codec::NodePath(boot);
}

std::string UnknownCharacteristic(xmlDoc* doc) {
  xmlNode* c = xmlNewChild(xmlDocGetRootElement(doc), nullptr,
                           X("characteristic"), nullptr);
  xmlNewProp(c, X("type"), X("X-OMAIOP-UNKNOWN"));
  AddParm(c, "X-OMAIOP-PARM", "1");
  return "appended characteristic type=\"X-OMAIOP-UNKNOWN\" at " +
         codec::NodePath(c);
}

// ---- WBXML faults ---------------------------------------------------------

Result<std::string> WbxmlFault(FaultId id, Bytes& body) {
  using codec::WbxmlTokenKind;
  OMAIOP_ASSIGN_OR_RETURN(codec::WbxmlTokens t, codec::TokenizeWbxml(body));
  const auto& tokens = t.tokens;
  auto at = [](std::size_t off) { return " at offset " + std::to_string(off); };
  switch (id) {
    case FaultId::kWbxmlTruncated: {
      std::size_t old = body.size();
      body.resize(old / 2);
      return "body cut from " + std::to_string(old) + " to " +
             std::to_string(body.size()) + " octets";
    }
    case FaultId::kWbxmlStringTableOffsetPastEnd: {
      const std::uint32_t index =
          static_cast<std::uint32_t>(t.header.string_table.size()) + 16;
      for (const auto& tk : tokens) {
        if (!tk.attribute_space || (tk.kind != WbxmlTokenKind::kStrI &&
                                    tk.kind != WbxmlTokenKind::kStrT))
          continue;
        Bytes strt = codec::WbxmlWriter().StrT(index).Take();
        body.erase(body.begin() + tk.offset,
                   body.begin() + tk.offset + tk.length);
        body.insert(body.begin() + tk.offset, strt.begin(), strt.end());
        return "attribute string \"" + tk.text + "\"" + at(tk.offset) +
               " replaced by STR_T " + std::to_string(index) +
               " (string table holds " +
               std::to_string(t.header.string_table.size()) + " octets)";
      }
      return NotApplicable(id, "the WBXML has no attribute string");
    }
    case FaultId::kWbxmlUnknownTag: {
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i].kind != WbxmlTokenKind::kTag ||
            tokens[i].name != "characteristic" ||
            !(tokens[i].code & codec::wbxml_token::kHasContent))
          continue;
        // The attribute list's END, then the content begins.
        for (std::size_t j = i + 1; j < tokens.size(); ++j) {
          if (tokens[j].kind == WbxmlTokenKind::kEnd &&
              tokens[j].attribute_space) {
            std::size_t pos = tokens[j].offset + tokens[j].length;
            body.insert(body.begin() + pos, 0x3F);
            return "tag token 0x3F (empty element) inserted" + at(pos);
          }
        }
      }
      return NotApplicable(id, "no characteristic with content");
    }
    case FaultId::kWbxmlUnknownAttribute: {
      bool in_characteristic = false;
      for (const auto& tk : tokens) {
        if (tk.kind == WbxmlTokenKind::kTag && tk.name == "characteristic")
          in_characteristic = true;
        if (!in_characteristic || tk.kind != WbxmlTokenKind::kAttrStart ||
            tk.page != 0)
          continue;
        const std::uint8_t attr[] = {0x4D, codec::wbxml_token::kStrI, 'x',
                                     0x00};
        body.insert(body.begin() + tk.offset, std::begin(attr), std::end(attr));
        return "attribute-start token 0x4D with value \"x\" inserted" +
               at(tk.offset);
      }
      return NotApplicable(id, "no characteristic attribute on code page 0");
    }
    case FaultId::kWbxmlWrongPublicId: {
      std::size_t off = t.header.public_id_offset;
      if (off >= body.size() || body[off] != 0x0B)
        return NotApplicable(id, "the public id is not the single octet 0x0B");
      body[off] = 0x04;
      return "public id 0x0B replaced by 0x04" + at(off);
    }
    default:
      return std::string();
  }
}

// ---- security -------------------------------------------------------------

std::string UpperHex(codec::ByteView b) {
  return codec::ToHex(b, codec::HexCase::kUpper);
}

std::string BumpLastDigit(std::string s) {
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.back())))
    s.back() = static_cast<char>('0' + (s.back() - '0' + 1) % 10);
  else
    s += '0';
  return s;
}

bool MacVerified(SecMethod m) { return m != SecMethod::kUserPinMac; }
bool UsesImsi(SecMethod m) {
  return m == SecMethod::kNetwPin || m == SecMethod::kUserNetwPin;
}

struct Security {
  std::vector<codec::WspParameter> params;  // SEC/MAC for the content type
  std::string mac;
  std::optional<std::string> user_pin;
};

Result<Security> ComposeSecurity(const ComposeOptions& o, const Bytes& body,
                                 std::vector<AppliedFault>& applied) {
  Security s;
  const bool none = Has(o, FaultId::kNoSecurity);
  for (FaultId id : o.faults) {
    const FaultInfo& f = InfoOf(id);
    if (f.layer != FaultLayer::kSecurity || id == FaultId::kNoSecurity)
      continue;
    if (!o.sec) return NotApplicable(id, "it needs a SEC method (--sec)");
    if (none)
      return NotApplicable(id, "no-security removes SEC and MAC altogether");
    SecMethod m = *o.sec;
    const bool needs_mac_check =
        id == FaultId::kWrongMac || id == FaultId::kLowerCaseMac ||
        id == FaultId::kMissingMac || id == FaultId::kMacWrongLength ||
        id == FaultId::kMacNonHex;
    if (needs_mac_check && !MacVerified(m))
      return NotApplicable(id,
                           "USERPINMAC is verified through the PIN, not "
                           "the MAC parameter (cp.md §2.1)");
    if ((id == FaultId::kAsciiImsiKey || id == FaultId::kWrongImsi) &&
        !UsesImsi(m))
      return NotApplicable(id, "only NETWPIN and USERNETWPIN use the IMSI");
    if (id == FaultId::kPinMismatch && m == SecMethod::kNetwPin)
      return NotApplicable(id, "NETWPIN uses no PIN");
  }
  if (!o.sec) return s;
  const SecMethod m = *o.sec;
  if (UsesImsi(m) && o.imsi.empty())
    return Error(std::string(codec::SecMethodName(m)) + " needs an IMSI",
                 Diagnostic::kNoOffset, kRuleCompose);
  if (m != SecMethod::kNetwPin && o.pin.empty())
    return Error(std::string(codec::SecMethodName(m)) + " needs a PIN",
                 Diagnostic::kNoOffset, kRuleCompose);
  if (none) {
    applied.push_back(
        {FaultId::kNoSecurity, "SEC " + std::string(codec::SecMethodName(m)) +
                                   " and its MAC left out"});
    return s;
  }

  // The key material the MAC is computed with (cp.md §2.1).
  std::string imsi = o.imsi, pin = o.pin;
  if (Has(o, FaultId::kWrongImsi)) {
    imsi = BumpLastDigit(o.imsi);
    applied.push_back({FaultId::kWrongImsi, "MAC keyed with IMSI " + imsi +
                                                " instead of " + o.imsi});
  }
  if (Has(o, FaultId::kPinMismatch) && m != SecMethod::kUserPinMac) {
    pin = BumpLastDigit(o.pin);
    applied.push_back({FaultId::kPinMismatch, "MAC keyed with PIN " + pin +
                                                  ", user is handed " + o.pin});
  }
  if (Has(o, FaultId::kAsciiImsiKey)) {
    // The mistake cp.md §2.1 warns of: the IMSI digits as ASCII octets.
    std::string key = imsi;
    if (m == SecMethod::kUserNetwPin) key += pin;
    s.mac = UpperHex(codec::HmacSha1(codec::AsBytes(key), body));
    applied.push_back(
        {FaultId::kAsciiImsiKey, "MAC keyed with the ASCII IMSI \"" + imsi +
                                     "\" instead of its semi-octets"});
  } else {
    OMAIOP_ASSIGN_OR_RETURN(s.mac, codec::ComputeMac(m, imsi, pin, body));
  }

  if (m == SecMethod::kUserPin || m == SecMethod::kUserNetwPin) {
    s.user_pin = o.pin;
  } else if (m == SecMethod::kUserPinMac) {
    OMAIOP_ASSIGN_OR_RETURN(std::string full,
                            codec::MakeUserPinMacPin(o.pin, body));
    if (Has(o, FaultId::kPinMismatch)) {
      std::string good = full;
      char& d = full[o.pin.size()];  // first digit of m
      d = static_cast<char>('0' + (d - '0' + 1) % 10);
      applied.push_back({FaultId::kPinMismatch,
                         "user is handed " + full + " instead of " + good});
    }
    s.user_pin = full;
  }

  if (Has(o, FaultId::kWrongMac)) {
    std::string good = s.mac;
    s.mac[0] = s.mac[0] == '0' ? '1' : '0';
    applied.push_back(
        {FaultId::kWrongMac, "MAC " + s.mac + " instead of " + good});
  }
  if (Has(o, FaultId::kLowerCaseMac)) {
    for (char& c : s.mac)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    applied.push_back({FaultId::kLowerCaseMac, "MAC sent as " + s.mac});
  }
  if (Has(o, FaultId::kMacWrongLength)) {
    s.mac.pop_back();
    applied.push_back(
        {FaultId::kMacWrongLength,
         "MAC sent with " + std::to_string(s.mac.size()) + " characters"});
  }
  if (Has(o, FaultId::kMacNonHex)) {
    s.mac[0] = 'G';
    applied.push_back({FaultId::kMacNonHex, "MAC sent as " + s.mac});
  }

  std::uint8_t sec_value = static_cast<std::uint8_t>(m);
  if (Has(o, FaultId::kSecOutOfRange)) {
    sec_value = 4;
    applied.push_back({FaultId::kSecOutOfRange, "SEC parameter value 4"});
  }
  if (!Has(o, FaultId::kMissingSec)) {
    s.params.push_back(codec::WspParameter::Sec(sec_value));
  } else {
    applied.push_back({FaultId::kMissingSec, "SEC parameter left out"});
  }
  if (!Has(o, FaultId::kMissingMac)) {
    s.params.push_back(codec::WspParameter::Mac(s.mac));
  } else {
    applied.push_back({FaultId::kMissingMac, "MAC parameter left out"});
    s.mac.clear();
  }
  return s;
}

// ---- SMS ------------------------------------------------------------------

Result<std::vector<Bytes>> Segment(const ComposeOptions& o,
                                   const codec::WdpDatagram& dgram,
                                   bool need_two) {
  codec::WdpSegmentOptions so;
  so.reference = o.concat_reference;
  so.concat_16bit = o.concat_16bit;
  so.max_user_data = o.max_user_data;
  OMAIOP_ASSIGN_OR_RETURN(auto segments, codec::SegmentWdpDatagram(dgram, so));
  if (segments.size() >= 2 || !need_two) return segments;
  // Split in two: UDHL + ports IE (6) + concatenation IE (5, or 6 for the
  // 16-bit reference), then half the payload (3GPP TS 23.040 §9.2.3.24).
  const std::size_t overhead = 1 + 6 + (o.concat_16bit ? 6 : 5);
  so.max_user_data = overhead + (dgram.payload.size() + 1) / 2;
  return codec::SegmentWdpDatagram(dgram, so);
}

}  // namespace

Result<ComposedPush> CpPushServer::Compose(
    std::string_view document_xml, const ComposeOptions& options) const {
  OMAIOP_ASSIGN_OR_RETURN(codec::XmlDoc doc,
                          codec::ParseXml(document_xml, "CP document"));
  return Compose(doc.get(), options);
}

Result<ComposedPush> CpPushServer::Compose(const xmlDoc* document,
                                           const ComposeOptions& o) const {
  ComposedPush out;
  if (!document || !xmlDocGetRootElement(const_cast<xmlDoc*>(document)))
    return Error("no CP document", Diagnostic::kNoOffset, kRuleCompose);
  codec::XmlDoc doc(xmlCopyDoc(const_cast<xmlDoc*>(document), 1));

  // 1. document faults, then encode (cp.md §1.3).
  for (FaultId id : o.faults) {
    Result<std::string> detail = std::string();
    switch (id) {
      case FaultId::kMissingMandatoryParm:
        detail = MissingMandatoryParm(doc.get());
        break;
      case FaultId::kDanglingToNapid:
        detail = DanglingToNapid(doc.get());
        break;
      case FaultId::kDuplicateProvurl:
        detail = DuplicateProvUrl(doc.get());
        break;
      case FaultId::kUnknownCharacteristic:
        detail = UnknownCharacteristic(doc.get());
        break;
      default:
        continue;
    }
    if (!detail.ok()) return detail.error();
    out.applied.push_back({id, *detail});
  }
  out.document_xml = codec::SerializeXml(doc.get());
  OMAIOP_ASSIGN_OR_RETURN(
      out.wbxml, codec::EncodeWbxml(
                     doc.get(), codec::ProvLanguage(o.cp_version), o.wbxml));

  // 2. WBXML faults on the body as sent.
  for (FaultId id : o.faults) {
    if (InfoOf(id).layer != FaultLayer::kWbxml) continue;
    OMAIOP_ASSIGN_OR_RETURN(std::string detail, WbxmlFault(id, out.wbxml));
    out.applied.push_back({id, detail});
  }

  // 3. SEC/MAC over that body (cp.md §2.1), content type (§2.3).
  OMAIOP_ASSIGN_OR_RETURN(Security sec,
                          ComposeSecurity(o, out.wbxml, out.applied));
  out.mac = sec.mac;
  out.user_pin = sec.user_pin;
  codec::WspPush push;
  push.tid = o.tid;
  push.content_type.well_known = codec::kCtConnectivityWbxml;
  if (sec.params.empty()) {
    push.content_type.form = codec::WspContentType::Form::kShort;
  } else {
    push.content_type.form = codec::WspContentType::Form::kGeneral;
    push.content_type.params = std::move(sec.params);
  }
  push.body = out.wbxml;

  // 4. WSP faults and trust headers (cp.md §2.4).
  if (o.initiator_uri) push.initiator_uri = o.initiator_uri;
  if (o.initiator_authenticated)
    push.push_flag = codec::kPushFlagInitiatorAuthenticated;
  else if (o.initiator_uri)
    push.push_flag = 0x00;
  const std::string provurl = FirstProvUrl(doc.get());
  if (Has(o, FaultId::kUntrustedInitiator)) {
    std::string uri = o.initiator_uri.value_or(provurl);
    if (uri.empty())
      return NotApplicable(FaultId::kUntrustedInitiator,
                           "no initiator URI given and no PROVURL in the "
                           "document");
    push.initiator_uri = uri;
    push.push_flag = 0x00;
    out.applied.push_back({FaultId::kUntrustedInitiator,
                           "Push-Flag 0x00 (initiator not authenticated), "
                           "X-Wap-Initiator-URI " +
                               uri});
  }
  if (Has(o, FaultId::kInitiatorUriMismatch)) {
    if (Has(o, FaultId::kUntrustedInitiator))
      return NotApplicable(FaultId::kInitiatorUriMismatch,
                           "combine it with untrusted-initiator in two pushes");
    const std::string uri = "http://impostor.omaiop.example/prov";
    push.initiator_uri = uri;
    push.push_flag = codec::kPushFlagInitiatorAuthenticated;
    out.applied.push_back(
        {FaultId::kInitiatorUriMismatch,
         "X-Wap-Initiator-URI " + uri + " (PROVURL is " +
             (provurl.empty() ? std::string("absent") : provurl) +
             "), Push-Flag authenticated"});
  }
  if (Has(o, FaultId::kWrongContentType)) {
    push.content_type.well_known = codec::kCtConnectivityXml;
    out.applied.push_back({FaultId::kWrongContentType,
                           "content type text/vnd.wap.connectivity-xml "
                           "(0x35) over a WBXML body"});
  }
  if (Has(o, FaultId::kWrongPduType)) {
    push.pdu_type = 0x40;
    out.applied.push_back({FaultId::kWrongPduType, "PDU type 0x40 (Get)"});
  }
  out.wsp_pdu = codec::EncodeWspPush(push);
  if (Has(o, FaultId::kHeaderLengthLies)) {
    Bytes probe = out.wsp_pdu;  // parseable even with wrong-pdu-type
    probe[1] = codec::kWspPduPush;
    OMAIOP_ASSIGN_OR_RETURN(codec::WspPush honest, codec::ParseWspPush(probe));
    push.headers_length_override =
        static_cast<std::uint32_t>(out.wsp_pdu.size() + 1);
    out.wsp_pdu = codec::EncodeWspPush(push);
    out.applied.push_back(
        {FaultId::kHeaderLengthLies,
         "HeadersLen " + std::to_string(*push.headers_length_override) +
             " instead of " + std::to_string(honest.headers_length) +
             " (the PDU has " + std::to_string(out.wsp_pdu.size()) +
             " octets)"});
  }

  // 5. WDP over SMS, then SMS faults.
  codec::WdpDatagram dgram{o.dst_port, o.src_port, out.wsp_pdu};
  if (Has(o, FaultId::kWrongPort)) {
    dgram.dst_port = 9201;
    out.applied.push_back(
        {FaultId::kWrongPort,
         "WDP destination port 9201 instead of " + std::to_string(o.dst_port)});
  }
  const bool need_two = Has(o, FaultId::kMissingSegment) ||
                        Has(o, FaultId::kDuplicateSegment) ||
                        Has(o, FaultId::kSegmentsOutOfOrder);
  OMAIOP_ASSIGN_OR_RETURN(out.segments, Segment(o, dgram, need_two));
  const std::size_t total = out.segments.size();
  if (Has(o, FaultId::kSegmentsOutOfOrder)) {
    std::reverse(out.segments.begin(), out.segments.end());
    out.applied.push_back(
        {FaultId::kSegmentsOutOfOrder,
         std::to_string(total) + " segments sent in reverse order"});
  }
  if (Has(o, FaultId::kDuplicateSegment)) {
    // Segment 1 (sequence number 1) twice, wherever it is in the order.
    auto first = std::find_if(
        out.segments.begin(), out.segments.end(), [](const Bytes& s) {
          auto ud = codec::ParseSmsUserData(s);
          return ud.ok() && ud->concat && ud->concat->seq == 1;
        });
    if (first == out.segments.end())
      return NotApplicable(FaultId::kDuplicateSegment,
                           "the push was not concatenated");
    out.segments.insert(first + 1, Bytes(*first));
    out.applied.push_back(
        {FaultId::kDuplicateSegment,
         "segment 1 of " + std::to_string(total) + " sent twice"});
  }
  if (Has(o, FaultId::kMissingSegment)) {
    auto second = std::find_if(
        out.segments.begin(), out.segments.end(), [](const Bytes& s) {
          auto ud = codec::ParseSmsUserData(s);
          return ud.ok() && ud->concat && ud->concat->seq == 2;
        });
    std::size_t copies = 0;
    for (auto it = second; it != out.segments.end();) {
      auto ud = codec::ParseSmsUserData(*it);
      if (ud.ok() && ud->concat && ud->concat->seq == 2) {
        it = out.segments.erase(it);
        ++copies;
      } else {
        ++it;
      }
    }
    out.applied.push_back({FaultId::kMissingSegment,
                           "segment 2 of " + std::to_string(total) +
                               " not sent" +
                               (copies > 1 ? " (nor its copies)" : "")});
  }
  if (Has(o, FaultId::kUdhlLies)) {
    Bytes& seg = out.segments.front();
    if (seg.empty() || seg.size() > 0xFF)
      return NotApplicable(FaultId::kUdhlLies, "segment too long");
    const std::uint8_t old = seg[0];
    seg[0] = static_cast<std::uint8_t>(seg.size());  // one octet too many
    out.applied.push_back({FaultId::kUdhlLies,
                           "UDHL " + std::to_string(seg[0]) + " instead of " +
                               std::to_string(old) + " in the first segment (" +
                               std::to_string(seg.size()) + " octets)"});
  }
  return out;
}

Result<ComposedPush> ComposeAndDeliver(const CpPushServer& server,
                                       std::string_view document_xml,
                                       const ComposeOptions& options,
                                       PushSink& sink,
                                       const std::string& to_msisdn) {
  OMAIOP_ASSIGN_OR_RETURN(ComposedPush push,
                          server.Compose(document_xml, options));
  OMAIOP_RETURN_IF_ERROR(sink.Deliver(push.segments, to_msisdn));
  return push;
}

}  // namespace omaiop::sim::servers
