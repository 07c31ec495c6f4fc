#include "codec/dissect.h"

#include <libxml/tree.h>

#include <cctype>

#include "codec/cp_security.h"
#include "codec/dm_notification.h"
#include "codec/sms_udh.h"
#include "codec/syncml.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"

namespace omaiop::codec {

namespace {

constexpr struct {
  InputFormat format;
  std::string_view name;
} kFormatNames[] = {
    {InputFormat::kAuto, "auto"},
    {InputFormat::kSms, "sms"},
    {InputFormat::kWsp, "wsp"},
    {InputFormat::kWbxml, "wbxml"},
    {InputFormat::kDmNotification, "pkg0"},
    {InputFormat::kXml, "xml"},
};

bool LooksLikeXml(ByteView b) {
  for (std::uint8_t c : b) {
    if (std::isspace(c)) continue;
    return c == '<';
  }
  return false;
}

bool LooksLikeSms(ByteView b) {
  if (b.size() < 3 || b[0] == 0 || b[0] + 1u > b.size()) return false;
  auto ud = ParseSmsUserData(b);
  return ud.ok() && (ud->ports || ud->concat);
}

bool LooksLikeWsp(ByteView b) {
  return b.size() >= 3 &&
         (b[1] == kWspPduPush || b[1] == kWspPduConfirmedPush) &&
         ParseWspPush(b).ok();
}

bool LooksLikeWbxml(ByteView b) {
  if (b.size() < 4 || b[0] < 0x01 || b[0] > 0x03) return false;
  WbxmlDecodeOptions lenient;
  lenient.strict = false;
  return TokenizeWbxml(b, lenient).ok();
}

bool LooksLikeDmNotification(ByteView b) {
  if (b.size() < kDmNotificationDigestSize + kDmNotificationHeaderSize)
    return false;
  // The 10-bit version field opens the header: DM 1.2 = 11 (dm.md §3.8).
  unsigned version = (b[16] << 2) | (b[17] >> 6);
  return version == kDmNotificationVersion12;
}

InputFormat Detect(ByteView b) {
  if (LooksLikeXml(b)) return InputFormat::kXml;
  if (LooksLikeWsp(b)) return InputFormat::kWsp;
  if (LooksLikeWbxml(b)) return InputFormat::kWbxml;
  if (LooksLikeSms(b)) return InputFormat::kSms;
  if (LooksLikeDmNotification(b)) return InputFormat::kDmNotification;
  return InputFormat::kAuto;
}

class Dissector {
 public:
  Dissector(const DissectOptions& options, Dissection& out)
      : options_(options), out_(out) {}

  void Sms(const std::vector<Bytes>& segments) {
    SmsReassembler reassembler;
    std::optional<WdpDatagram> datagram;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      ProtoNode layer = DescribeSmsUserData(segments[i]);
      layer.name = "SMS user data, input " + std::to_string(i + 1) + " of " +
                   std::to_string(segments.size());
      out_.layers.push_back(std::move(layer));
      auto added = reassembler.Add(segments[i]);
      if (!added.ok()) {
        Fail(added.error(), "input " + std::to_string(i + 1));
        continue;
      }
      if (*added) datagram = std::move(**added);
    }
    if (!datagram) {
      for (auto& d : reassembler.Missing()) Fail(d, "reassembly");
      if (reassembler.Missing().empty() && out_.errors.empty())
        Fail(Error("no complete WDP datagram in the input", 0,
                   "WAP-259-WDP §6.5"),
             "reassembly");
      return;
    }
    ProtoNode wdp{"WDP datagram (reassembled)", "", 0,
                  datagram->payload.size(),     {}, {}};
    wdp.Add("Destination port", PortName(datagram->dst_port), 0, 0);
    wdp.Add("Source port", PortName(datagram->src_port), 0, 0);
    wdp.Add("Segments", std::to_string(segments.size()), 0, 0);
    out_.layers.push_back(std::move(wdp));
    if (datagram->dst_port == kWdpPortWapPush ||
        datagram->dst_port == kWdpPortWapPush + 1 ||
        datagram->dst_port == kWdpPortWspConnless) {
      Wsp(datagram->payload);
    } else {
      Fail(Error("destination port " + std::to_string(datagram->dst_port) +
                     " is not the WAP push port 2948",
                 0, "WAP-259-WDP Appendix B"),
           "WDP");
    }
  }

  void Wsp(ByteView pdu) {
    out_.layers.push_back(DescribeWspPush(pdu));
    auto push = ParseWspPush(pdu);
    if (!push.ok()) {
      Fail(push.error(), "WSP");
      return;
    }
    const WspContentType& ct = push->content_type;
    out_.content_type = ct.MediaName();
    ByteView body = push->body;
    Security(ct, body);
    switch (ct.well_known.value_or(0xFFFFFFFF)) {
      case kCtConnectivityWbxml:
      case kCtSyncmlDmWbxml:
        Wbxml(body, push->body_offset);
        break;
      case kCtSyncmlNotification:
        DmNotification(body, push->body_offset);
        break;
      case kCtConnectivityXml:
      case kCtSyncmlDmXml:
        Xml(body);
        break;
      default:
        if (LooksLikeWbxml(body)) Wbxml(body, push->body_offset);
        break;
    }
  }

  void Wbxml(ByteView data, std::size_t base) {
    WbxmlDecodeOptions opts;
    opts.strict = options_.strict_wbxml;
    out_.layers.push_back(DescribeWbxml(data, opts, base));
    auto doc = DecodeWbxml(data, opts, base);
    if (!doc.ok()) {
      Fail(doc.error(), "WBXML");
      return;
    }
    for (auto& w : doc->warnings) out_.layers.back().notes.push_back(w);
    out_.xml = SerializeXml(doc->doc.get());
    if (doc->language == &SyncMlDmLanguage()) SyncMl(doc->doc.get());
  }

  void Xml(ByteView text) {
    auto doc = ParseXml(AsString(text), "XML document");
    if (!doc.ok()) {
      Fail(doc.error(), "XML");
      return;
    }
    out_.xml = SerializeXml(doc->get());
    const xmlNode* root = xmlDocGetRootElement(doc->get());
    if (root && NodeName(root) == "SyncML") {
      SyncMl(doc->get());
    } else {
      ProtoNode layer{
          "XML document", std::string(NodeName(root)), 0, text.size(), {}, {}};
      out_.layers.push_back(std::move(layer));
    }
  }

  void DmNotification(ByteView data, std::size_t base) {
    out_.layers.push_back(DescribeDmNotification(data, base));
    auto n = ParseDmNotification(data, base);
    if (!n.ok()) Fail(n.error(), "DM notification");
  }

 private:
  void SyncMl(const xmlDoc* doc) {
    auto msg = SyncMlFromXmlDoc(doc);
    if (!msg.ok()) {
      Fail(msg.error(), "SyncML");
      return;
    }
    out_.layers.push_back(DescribeSyncMl(*msg));
  }

  void Security(const WspContentType& ct, ByteView body) {
    auto sec = ct.Sec();
    auto mac = ct.Mac();
    if (!sec && !mac) {
      if (ct.well_known == kCtConnectivityWbxml)
        out_.security = SecurityReport{"none", std::nullopt, std::nullopt,
                                       "no SEC/MAC parameters: the document "
                                       "is unauthenticated (ProvBoot §5)"};
      return;
    }
    SecurityReport r;
    r.mac = mac;
    auto method = sec ? SecMethodFromWire(*sec) : std::nullopt;
    if (!sec) {
      r.method = "missing";
      r.detail = "MAC parameter without SEC: the method is unknown";
      r.mac_ok = false;
      out_.security = r;
      return;
    }
    if (!method) {
      r.method = "unknown (" + std::to_string(*sec) + ")";
      r.detail = "SEC value outside 0..3 (cp.md §0)";
      r.mac_ok = false;
      out_.security = r;
      return;
    }
    r.method = std::string(SecMethodName(*method));
    const bool need_imsi =
        *method == SecMethod::kNetwPin || *method == SecMethod::kUserNetwPin;
    const bool need_pin = *method != SecMethod::kNetwPin;
    if ((need_imsi && !options_.imsi) || (need_pin && !options_.pin)) {
      r.detail = std::string("MAC not checked: ") + r.method + " needs " +
                 (need_imsi && need_pin ? "--imsi and --pin"
                  : need_imsi           ? "--imsi"
                                        : "--pin");
      out_.security = r;
      return;
    }
    if (*method == SecMethod::kUserPinMac) {
      auto v = VerifyUserPinMac(*options_.pin, body);
      r.mac_ok = v.ok();
      r.detail = std::string(UserPinMacVerdictName(v.verdict)) +
                 (v.detail.empty() ? "" : ": " + v.detail);
      out_.security = r;
      return;
    }
    if (!mac) {
      r.mac_ok = false;
      r.detail = "SEC given but no MAC parameter";
      out_.security = r;
      return;
    }
    MacVerifyOptions vo;
    vo.accept_lower_case = options_.accept_lower_case_mac;
    auto v = VerifyMac(*method, options_.imsi.value_or(""),
                       options_.pin.value_or(""), body, *mac, vo);
    if (!v.ok()) {
      r.mac_ok = false;
      r.detail = v.error().ToString();
    } else {
      r.mac_ok = v->ok();
      r.detail = v->detail.empty() ? std::string(MacVerdictName(v->verdict))
                                   : v->detail;
      if (v->verdict == MacVerdict::kMalformedLength ||
          v->verdict == MacVerdict::kMalformedNonHex) {
        const WspParameter* p = ct.Find(kParamMac);
        Fail(Error("malformed MAC parameter: " + v->detail,
                   p ? p->offset : ct.offset,
                   "ProvBoot SEC/MAC: MAC is the HMAC-SHA1 as 40 hexadecimal "
                   "characters (WAP-230-WSP Table 38 MAC = Text-value)"),
             "WSP");
      }
    }
    out_.security = r;
  }

  static std::string PortName(std::uint16_t port) {
    std::string s = std::to_string(port);
    if (port == kWdpPortWapPush) s += " (WAP push, connectionless)";
    if (port == kWdpPortWapPush + 1) s += " (WAP push, secure)";
    if (port == kWdpPortWspConnless) s += " (WSP connectionless)";
    return s;
  }

  void Fail(Diagnostic d, const std::string& layer) {
    if (d.path.empty()) d.path = layer;
    out_.errors.push_back(std::move(d));
  }

  const DissectOptions& options_;
  Dissection& out_;
};

}  // namespace

std::string_view InputFormatName(InputFormat f) {
  for (const auto& e : kFormatNames)
    if (e.format == f) return e.name;
  return "?";
}

std::optional<InputFormat> InputFormatFromName(std::string_view name) {
  for (const auto& e : kFormatNames)
    if (e.name == name) return e.format;
  return std::nullopt;
}

Dissection Dissect(const std::vector<Bytes>& inputs,
                   const DissectOptions& options) {
  Dissection out;
  Dissector d(options, out);
  if (inputs.empty()) {
    out.errors.push_back(Error("no input", 0, ""));
    return out;
  }
  InputFormat format = options.format;
  if (format == InputFormat::kAuto)
    format = inputs.size() > 1 ? InputFormat::kSms : Detect(inputs[0]);
  out.format = format;
  if (inputs.size() > 1 && format != InputFormat::kSms) {
    out.errors.push_back(
        Error("several inputs are only meaningful as SMS segments", 0, ""));
    return out;
  }
  switch (format) {
    case InputFormat::kSms:
      d.Sms(inputs);
      break;
    case InputFormat::kWsp:
      d.Wsp(inputs[0]);
      break;
    case InputFormat::kWbxml:
      d.Wbxml(inputs[0], 0);
      break;
    case InputFormat::kDmNotification:
      d.DmNotification(inputs[0], 0);
      break;
    case InputFormat::kXml:
      d.Xml(inputs[0]);
      break;
    case InputFormat::kAuto:
      out.errors.push_back(Error(
          "format not recognised: not SMS user data with a UDH, a WSP push, "
          "WBXML, a DM package 0 or XML (use --as to force one)",
          0, ""));
      break;
  }
  return out;
}

}  // namespace omaiop::codec
