#include "codec/wsp_push.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>

#include "codec/byte_reader.h"
#include "codec/cp_security.h"

namespace omaiop::codec {
namespace {

constexpr char kRulePdu[] = "WAP-230-WSP §8.2.4.1";
constexpr char kRulePduType[] = "WAP-230-WSP §8.2.1 Table 34";
constexpr char kRuleUintvar[] = "WAP-230-WSP §8.1.2";
constexpr char kRuleBasic[] = "WAP-230-WSP §8.4.2.1";
constexpr char kRuleLength[] = "WAP-230-WSP §8.4.2.2";
constexpr char kRuleParam[] = "WAP-230-WSP §8.4.2.4 Table 38";
constexpr char kRuleCt[] = "WAP-230-WSP §8.4.2.24";
constexpr char kRuleField[] = "WAP-230-WSP §8.4.1.1";

struct CtName {
  std::uint8_t code;
  const char* name;
};
// WAP-230-WSP Table 40 plus the OMNA additions used by OMA enablers; the
// subset a CP/DM harness meets (the rest render as their code).
constexpr CtName kContentTypes[] = {
    {0x00, "*/*"},
    {0x01, "text/*"},
    {0x02, "text/html"},
    {0x03, "text/plain"},
    {0x08, "text/vnd.wap.wml"},
    {0x10, "application/vnd.wap.multipart.*"},
    {0x12, "application/x-www-form-urlencoded"},
    {0x14, "application/vnd.wap.wmlc"},
    {0x23, "application/vnd.wap.multipart.mixed"},
    {0x2D, "text/vnd.wap.si"},
    {0x2E, "application/vnd.wap.sic"},
    {0x2F, "text/vnd.wap.sl"},
    {0x30, "application/vnd.wap.slc"},
    {0x31, "text/vnd.wap.co"},
    {0x32, "application/vnd.wap.coc"},
    {0x33, "application/vnd.wap.multipart.related"},
    {0x34, "application/vnd.wap.sia"},
    {0x35, "text/vnd.wap.connectivity-xml"},
    {0x36, "application/vnd.wap.connectivity-wbxml"},
    {0x3E, "application/vnd.wap.mms-message"},
    {0x42, "application/vnd.syncml.dm+wbxml"},
    {0x43, "application/vnd.syncml.dm+xml"},
    {0x44, "application/vnd.syncml.notification"},
};

std::string QuoteText(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Parse-time helper that also builds a dissection tree when `node` is set.
ProtoNode* AddNode(ProtoNode* parent, std::string name, std::string value,
                   std::size_t off, std::size_t len) {
  if (!parent) return nullptr;
  return &parent->Add(std::move(name), std::move(value), off, len);
}

// Generic value (§8.4.1.2): Short-integer, Value-length + data, Text-string,
// Quoted-string. Length-prefixed data stays kLengthData; callers that expect
// an Integer-value convert it with ToInteger().
Result<WspValue> ParseValue(ByteReader& r, std::string_view what) {
  const std::size_t start = r.offset();
  if (r.empty()) {
    return Error("truncated " + std::string(what) + ": value missing", start,
                 kRuleBasic);
  }
  std::uint8_t b = r.peek();
  WspValue v;
  if (b >= 0x80) {
    r.Skip(1);
    v.kind = WspValue::Kind::kShortInteger;
    v.integer = b & 0x7F;
  } else if (b == 0x00) {
    r.Skip(1);
    v.kind = WspValue::Kind::kNoValue;
  } else if (b <= 0x1F) {
    r.Skip(1);
    std::uint32_t len = b;
    if (b == 0x1F) {
      OMAIOP_ASSIGN_OR_RETURN(
          len, r.Uintvar(std::string(what) + " length", kRuleUintvar));
    }
    if (len > r.remaining()) {
      return Error(std::string(what) + ": value length " + std::to_string(len) +
                       " past the end of its block (" +
                       std::to_string(r.remaining()) + " octet(s) left)",
                   start, kRuleLength);
    }
    OMAIOP_ASSIGN_OR_RETURN(ByteView d, r.Take(len, what, kRuleLength));
    v.kind = WspValue::Kind::kLengthData;
    v.data.assign(d.begin(), d.end());
  } else {
    if (b == 0x22) {
      r.Skip(1);
      v.kind = WspValue::Kind::kQuotedText;
    } else {
      v.kind = WspValue::Kind::kText;
    }
    auto s = r.CString(what, kRuleBasic);
    if (!s.ok()) {
      Diagnostic d = s.error();
      d.offset = start;
      return d;
    }
    v.text = AsString(*s);
  }
  return v;
}

// Integer-value = Short-integer | Long-integer (Short-length 1..30 + octets).
Result<WspValue> ToInteger(WspValue v, std::size_t offset,
                           std::string_view what) {
  if (v.kind == WspValue::Kind::kShortInteger) return v;
  if (v.kind == WspValue::Kind::kLengthData ||
      v.kind == WspValue::Kind::kNoValue) {
    if (v.data.empty() || v.data.size() > 8) {
      return Error("bad short-length " + std::to_string(v.data.size()) +
                       " for the Long-integer " + std::string(what) +
                       " (1..30 octets, at most 8 supported)",
                   offset, kRuleBasic);
    }
    std::uint64_t x = 0;
    for (std::uint8_t o : v.data) x = x << 8 | o;
    return WspValue::Long(x);
  }
  return Error(std::string(what) + " must be an Integer-value, found text " +
                   QuoteText(v.text),
               offset, kRuleBasic);
}

Result<WspParameter> ParseParameter(ByteReader& r, ProtoNode* parent) {
  WspParameter p;
  p.offset = r.offset();
  std::uint8_t b = r.peek();
  std::string label;
  if (b >= 0x80) {
    r.Skip(1);
    p.code = b & 0x7F;
    std::string_view n = WellKnownParameterName(*p.code);
    label = n.empty() ? "Parameter " + ToHexLiteral(*p.code) : std::string(n);
    OMAIOP_ASSIGN_OR_RETURN(p.value, ParseValue(r, label + " parameter value"));
    if (*p.code == kParamSec && p.value.kind != WspValue::Kind::kShortInteger) {
      return Error("SEC parameter value must be a Short-integer (0x80..0x83)",
                   p.offset + 1, kRuleParam);
    }
    if (*p.code == kParamMac && !p.value.is_text() &&
        p.value.kind != WspValue::Kind::kNoValue) {
      return Error("MAC parameter value must be a Text-value", p.offset + 1,
                   kRuleParam);
    }
    if (*p.code == kParamCharset) {
      OMAIOP_ASSIGN_OR_RETURN(
          p.value, ToInteger(std::move(p.value), p.offset + 1, "charset"));
    }
  } else if (b >= 0x20) {
    OMAIOP_ASSIGN_OR_RETURN(ByteView name,
                            r.CString("untyped parameter name", kRuleParam));
    p.name = AsString(name);
    label = p.name;
    const std::size_t voff = r.offset();
    OMAIOP_ASSIGN_OR_RETURN(p.value, ParseValue(r, "untyped parameter value"));
    if (p.value.kind == WspValue::Kind::kLengthData) {
      OMAIOP_ASSIGN_OR_RETURN(p.value, ToInteger(std::move(p.value), voff,
                                                 "untyped parameter value"));
    }
  } else {
    return Error("octet " + ToHexLiteral(b) +
                     " cannot start a parameter (expected a well-known "
                     "parameter 0x80.. or a token)",
                 p.offset, kRuleParam);
  }
  std::string shown = p.value.ToString();
  if (p.code == kParamSec && p.value.is_integer()) {
    // Name the ProvBoot security method (cp.md §0: NETWPIN=0 .. USERPINMAC=3).
    auto m = SecMethodFromWire(static_cast<std::uint32_t>(p.value.integer));
    shown += m ? " " + std::string(SecMethodName(*m)) : " (not a SEC method)";
  }
  AddNode(parent, "Parameter: " + label, shown, p.offset,
          r.offset() - p.offset);
  return p;
}

Result<WspContentType> ParseContentTypeImpl(ByteReader& r, ProtoNode* parent) {
  WspContentType ct;
  ct.offset = r.offset();
  if (r.empty()) {
    return Error("truncated Content-Type: header block is empty", ct.offset,
                 kRuleCt);
  }
  std::uint8_t b = r.peek();
  ProtoNode* node = nullptr;
  if (b >= 0x80) {
    r.Skip(1);
    ct.form = WspContentType::Form::kShort;
    ct.well_known = b & 0x7F;
    AddNode(parent, "Content-Type", ct.MediaName(), ct.offset, 1);
    return ct;
  }
  if (b >= 0x20) {
    ct.form = WspContentType::Form::kText;
    auto s = r.CString("Extension-media text", kRuleCt);
    if (!s.ok()) return s.error();
    ct.media = AsString(*s);
    AddNode(parent, "Content-Type", ct.media, ct.offset,
            r.offset() - ct.offset);
    return ct;
  }
  // Content-general-form = Value-length Media-type (§8.4.2.24, §8.4.2.2).
  ct.form = WspContentType::Form::kGeneral;
  r.Skip(1);
  std::uint32_t len = b;
  if (b == 0x1F) {
    OMAIOP_ASSIGN_OR_RETURN(
        len, r.Uintvar("Content-Type value length", kRuleUintvar));
  }
  if (len == 0) {
    return Error("bad short-length 0: Content-general-form needs a Media-type",
                 ct.offset, kRuleLength);
  }
  if (len > r.remaining()) {
    return Error("Content-Type value length " + std::to_string(len) +
                     " past the end of the header block (" +
                     std::to_string(r.remaining()) + " octet(s) left)",
                 ct.offset, kRuleLength);
  }
  const std::size_t value_off = r.offset();
  ByteView value = r.Take(len, "Content-Type value", kRuleLength).value();
  ByteReader v(value, value_off);
  node = AddNode(parent, "Content-Type", "", ct.offset, r.offset() - ct.offset);
  std::uint8_t m = v.peek();
  if (m >= 0x80) {
    v.Skip(1);
    ct.well_known = m & 0x7F;
  } else if (m >= 0x20) {
    auto s = v.CString("Extension-media text", kRuleCt);
    if (!s.ok()) return s.error();
    ct.media = AsString(*s);
  } else {
    OMAIOP_ASSIGN_OR_RETURN(WspValue raw, ParseValue(v, "Well-known-media"));
    OMAIOP_ASSIGN_OR_RETURN(
        WspValue i, ToInteger(std::move(raw), value_off, "Well-known-media"));
    if (i.integer > 0xFFFFFFFFu) {
      return Error("Well-known-media code exceeds 32 bits", value_off, kRuleCt);
    }
    ct.well_known = static_cast<std::uint32_t>(i.integer);
  }
  if (node) {
    node->value = ct.MediaName();
    node->Add("Media-type", ct.MediaName(), value_off, v.offset() - value_off);
  }
  while (!v.empty()) {
    OMAIOP_ASSIGN_OR_RETURN(WspParameter p, ParseParameter(v, node));
    ct.params.push_back(std::move(p));
  }
  return ct;
}

void AppendInteger(Bytes& out, std::uint64_t x) {
  if (x < 0x80) {
    out.push_back(static_cast<std::uint8_t>(0x80 | x));
    return;
  }
  Bytes be;
  while (x) {
    be.insert(be.begin(), static_cast<std::uint8_t>(x & 0xFF));
    x >>= 8;
  }
  out.push_back(static_cast<std::uint8_t>(be.size()));
  out.insert(out.end(), be.begin(), be.end());
}

void AppendValue(Bytes& out, const WspValue& v) {
  switch (v.kind) {
    case WspValue::Kind::kShortInteger:
      out.push_back(static_cast<std::uint8_t>(0x80 | (v.integer & 0x7F)));
      break;
    case WspValue::Kind::kLongInteger: {
      Bytes be;
      std::uint64_t x = v.integer;
      do {
        be.insert(be.begin(), static_cast<std::uint8_t>(x & 0xFF));
        x >>= 8;
      } while (x);
      out.push_back(static_cast<std::uint8_t>(be.size()));
      out.insert(out.end(), be.begin(), be.end());
      break;
    }
    case WspValue::Kind::kQuotedText:
      out.push_back(0x22);
      [[fallthrough]];
    case WspValue::Kind::kText: {
      ByteView t = AsBytes(v.text);
      out.insert(out.end(), t.begin(), t.end());
      out.push_back(0x00);
      break;
    }
    case WspValue::Kind::kNoValue:
      out.push_back(0x00);
      break;
    case WspValue::Kind::kLengthData:
      if (v.data.size() <= 30) {
        out.push_back(static_cast<std::uint8_t>(v.data.size()));
      } else {
        out.push_back(0x1F);
        AppendUintvar(out, static_cast<std::uint32_t>(v.data.size()));
      }
      out.insert(out.end(), v.data.begin(), v.data.end());
      break;
  }
}

void AppendText(Bytes& out, std::string_view s) {
  ByteView t = AsBytes(s);
  out.insert(out.end(), t.begin(), t.end());
  out.push_back(0x00);
}

std::string PushFlagText(std::uint8_t f) {
  std::string s = ToHexLiteral(f);
  if (f & kPushFlagInitiatorAuthenticated) s += " initiator-authenticated";
  if (f & kPushFlagTrusted) s += " trusted";
  if (f & kPushFlagLast) s += " last-push";
  return s;
}

// A Uri-value is a Text-string; one starting with '"' reads as a Quoted-string
// (§8.4.2.1), so the quote is kept in the text to re-encode the same octets.
std::string TextAsSent(const WspValue& v) {
  return v.kind == WspValue::Kind::kQuotedText ? "\"" + v.text : v.text;
}

// Decodes one header after the content type into `push`.
Status ParseHeader(ByteReader& r, WspPush& push, ProtoNode* parent) {
  WspHeader h;
  h.offset = r.offset();
  const std::size_t start_pos = r.position();
  std::uint8_t b = r.peek();
  std::string label, rendered;
  std::optional<WspValue> value;
  std::size_t value_off = 0;
  if (b >= 0x80) {
    r.Skip(1);
    h.code = b & 0x7F;
    std::string_view n = WellKnownHeaderName(*h.code);
    label = n.empty() ? "Header " + ToHexLiteral(*h.code) : std::string(n);
    value_off = r.offset();
    OMAIOP_ASSIGN_OR_RETURN(value, ParseValue(r, label));
    rendered = value->ToString();
  } else if (b == 0x7F) {  // Shift-delimiter Page-identity (§8.4.1.1)
    r.Skip(1);
    OMAIOP_ASSIGN_OR_RETURN(std::uint8_t page,
                            r.U8("header code page", kRuleField));
    label = "Shift-delimiter";
    rendered = "page " + std::to_string(page);
  } else if (b >= 0x20) {
    OMAIOP_ASSIGN_OR_RETURN(ByteView name,
                            r.CString("application header name", kRuleField));
    h.name = AsString(name);
    label = h.name;
    OMAIOP_ASSIGN_OR_RETURN(ByteView text,
                            r.CString("application header value", kRuleField));
    rendered = QuoteText(AsString(text));
  } else if (b != 0x00) {  // Short-cut-shift-delimiter
    r.Skip(1);
    label = "Short-cut-shift-delimiter";
    rendered = "page " + std::to_string(b);
  } else {
    return Error("octet 0x00 cannot start a header field name", h.offset,
                 kRuleField);
  }
  ByteView raw = r.data().subspan(start_pos, r.position() - start_pos);
  h.raw.assign(raw.begin(), raw.end());

  bool consumed = false;
  if (h.code && value) {
    switch (*h.code) {
      case kHdrXWapApplicationId:
        if (!push.application_id) {
          WspApplicationId id;
          if (value->is_text()) {
            id.uri = TextAsSent(*value);
          } else {
            OMAIOP_ASSIGN_OR_RETURN(
                WspValue i,
                ToInteger(*value, value_off, "X-Wap-Application-Id"));
            id.code = static_cast<std::uint32_t>(i.integer);
            std::string_view app = WellKnownApplicationIdName(*id.code);
            if (!app.empty()) rendered = std::string(app);
          }
          push.application_id = id;
          consumed = true;
        }
        break;
      case kHdrXWapInitiatorUri:
        if (!push.initiator_uri && value->is_text()) {
          push.initiator_uri = TextAsSent(*value);
          consumed = true;
        }
        break;
      case kHdrPushFlag:
        if (!push.push_flag) {
          if (value->kind != WspValue::Kind::kShortInteger) {
            return Error("Push-Flag value must be a Short-integer", value_off,
                         "WAP-230-WSP §8.4.2 Push-flag");
          }
          push.push_flag = static_cast<std::uint8_t>(value->integer);
          rendered = PushFlagText(*push.push_flag);
          consumed = true;
        }
        break;
      case kHdrContentLength:
        if (!push.content_length) {
          OMAIOP_ASSIGN_OR_RETURN(
              WspValue i, ToInteger(*value, value_off, "Content-Length"));
          if (i.integer > 0xFFFFFFFFu) {
            return Error("Content-Length exceeds 32 bits", value_off,
                         kRuleBasic);
          }
          push.content_length = static_cast<std::uint32_t>(i.integer);
          rendered = std::to_string(*push.content_length);
          consumed = true;
        }
        break;
      default:
        break;
    }
  }
  ProtoNode* n = AddNode(parent, label, rendered, h.offset, h.raw.size());
  if (!consumed) {
    if (n && h.code && value && WellKnownHeaderName(*h.code).size() &&
        (*h.code == kHdrXWapApplicationId || *h.code == kHdrPushFlag ||
         *h.code == kHdrXWapInitiatorUri || *h.code == kHdrContentLength)) {
      n->notes.push_back(Error("repeated header " + label + " kept as raw",
                               h.offset, kRuleField));
    }
    push.other_headers.push_back(std::move(h));
  }
  return OkStatus();
}

Result<WspPush> ParseImpl(ByteView pdu, std::size_t base,
                          WspParseOptions options, ProtoNode* root) {
  WspPush push;
  ByteReader r(pdu, base);
  OMAIOP_ASSIGN_OR_RETURN(push.tid, r.U8("TID", kRulePdu));
  AddNode(root, "Transaction ID", ToHexLiteral(push.tid), base, 1);
  OMAIOP_ASSIGN_OR_RETURN(push.pdu_type, r.U8("PDU type", kRulePdu));
  ProtoNode* tn =
      AddNode(root, "PDU Type",
              ToHexLiteral(push.pdu_type) +
                  (push.pdu_type == kWspPduPush            ? " (Push)"
                   : push.pdu_type == kWspPduConfirmedPush ? " (ConfirmedPush)"
                                                           : ""),
              base + 1, 1);
  (void)tn;
  if (push.pdu_type != kWspPduPush &&
      !(options.accept_confirmed_push &&
        push.pdu_type == kWspPduConfirmedPush)) {
    return Error("PDU type " + ToHexLiteral(push.pdu_type) +
                     " is not Push (0x06)" +
                     (push.pdu_type == kWspPduConfirmedPush
                          ? "; ConfirmedPush is connection-oriented only"
                          : ""),
                 base + 1, kRulePduType);
  }
  const std::size_t len_off = r.offset();
  OMAIOP_ASSIGN_OR_RETURN(std::uint32_t hlen,
                          r.Uintvar("HeadersLen", kRuleUintvar));
  push.headers_length = hlen;
  AddNode(root, "Headers Length", std::to_string(hlen), len_off,
          r.offset() - len_off);
  if (hlen > r.remaining()) {
    return Error("header length " + std::to_string(hlen) +
                     " past the end of the PDU (" +
                     std::to_string(r.remaining()) + " octet(s) left)",
                 len_off, kRulePdu);
  }
  push.headers_offset = r.offset();
  ByteView block = r.Take(hlen, "headers", kRulePdu).value();
  ByteReader h(block, push.headers_offset);
  ProtoNode* hn = AddNode(root, "Headers", "", push.headers_offset, hlen);
  OMAIOP_ASSIGN_OR_RETURN(push.content_type, ParseContentTypeImpl(h, hn));
  while (!h.empty()) OMAIOP_RETURN_IF_ERROR(ParseHeader(h, push, hn));
  push.body_offset = r.offset();
  push.body.assign(r.rest().begin(), r.rest().end());
  AddNode(root, "Data", std::to_string(push.body.size()) + " octet(s)",
          push.body_offset, push.body.size());
  return push;
}

}  // namespace

std::string WspValue::ToString() const {
  switch (kind) {
    case Kind::kShortInteger:
    case Kind::kLongInteger:
      return ToHexLiteral(static_cast<std::uint32_t>(integer)) + " (" +
             std::to_string(integer) + ")";
    case Kind::kText:
    case Kind::kQuotedText:
      return QuoteText(text);
    case Kind::kNoValue:
      return "(no value)";
    case Kind::kLengthData:
      return "<" + std::to_string(data.size()) + " octet(s) " + ToHex(data) +
             ">";
  }
  return "?";
}

std::string_view WellKnownContentTypeName(std::uint32_t code) {
  for (const CtName& c : kContentTypes)
    if (c.code == code) return c.name;
  return "";
}

std::optional<std::uint8_t> WellKnownContentTypeCode(std::string_view name) {
  for (const CtName& c : kContentTypes)
    if (name == c.name) return c.code;
  return std::nullopt;
}

std::string_view WellKnownParameterName(std::uint8_t code) {
  switch (code) {
    case 0x00:
      return "Q";
    case kParamCharset:
      return "Charset";
    case 0x02:
      return "Level";
    case 0x03:
      return "Type";
    case 0x05:
      return "Name";
    case 0x06:
      return "Filename";
    case 0x07:
      return "Differences";
    case 0x08:
      return "Padding";
    case 0x09:
      return "Type";  // multipart Type (1.2)
    case 0x0A:
      return "Start";
    case 0x0B:
      return "Start-info";
    case kParamSec:
      return "SEC";
    case kParamMac:
      return "MAC";
    default:
      return "";
  }
}

std::string_view WellKnownHeaderName(std::uint8_t code) {
  switch (code) {
    case kHdrContentLength:
      return "Content-Length";
    case kHdrContentType:
      return "Content-Type";
    case 0x12:
      return "Date";
    case 0x1D:
      return "Last-Modified";
    case kHdrXWapApplicationId:
      return "X-Wap-Application-Id";
    case 0x30:
      return "X-Wap-Content-URI";
    case kHdrXWapInitiatorUri:
      return "X-Wap-Initiator-URI";
    case kHdrPushFlag:
      return "Push-Flag";
    case 0x3F:
      return "X-Wap-Tod";
    case 0x40:
      return "Content-ID";
    case 0x43:
      return "Encoding-Version";
    case 0x46:
      return "X-Wap-Security";
    default:
      return "";
  }
}

std::string_view WellKnownApplicationIdName(std::uint32_t code) {
  static constexpr const char* kNames[] = {
      "x-wap-application:*",      "x-wap-application:push.sia",
      "x-wap-application:wml.ua", "x-wap-application:wta.ua",
      "x-wap-application:mms.ua", "x-wap-application:push.syncml",
      "x-wap-application:loc.ua", "x-wap-application:syncml.dm",
      "x-wap-application:drm.ua", "x-wap-application:emn.ua",
      "x-wap-application:wv.ua",
  };
  return code < std::size(kNames) ? kNames[code] : "";
}

std::string WspContentType::MediaName() const {
  if (!well_known) return media;
  std::string_view n = WellKnownContentTypeName(*well_known);
  return n.empty() ? "content type " + ToHexLiteral(*well_known)
                   : std::string(n);
}

const WspParameter* WspContentType::Find(std::uint8_t code) const {
  for (const auto& p : params)
    if (p.code && *p.code == code) return &p;
  return nullptr;
}

std::optional<std::uint32_t> WspContentType::Sec() const {
  const WspParameter* p = Find(kParamSec);
  if (!p || !p->value.is_integer()) return std::nullopt;
  return static_cast<std::uint32_t>(p->value.integer);
}

std::optional<std::string> WspContentType::Mac() const {
  const WspParameter* p = Find(kParamMac);
  if (!p || !p->value.is_text()) return std::nullopt;
  return p->value.text;
}

WspHeader WspHeader::WellKnown(std::uint8_t code, ByteView value) {
  WspHeader h;
  h.code = code & 0x7F;
  h.raw.resize(1 + value.size());  // sized first: GCC 12 -Warray-bounds
  h.raw[0] = static_cast<std::uint8_t>(0x80 | code);
  std::copy(value.begin(), value.end(), h.raw.begin() + 1);
  return h;
}

WspHeader WspHeader::Application(std::string_view name, std::string_view text) {
  WspHeader h;
  h.name = std::string(name);
  AppendText(h.raw, name);
  AppendText(h.raw, text);
  return h;
}

Result<WspContentType> ParseWspContentType(ByteView data,
                                           std::size_t base_offset,
                                           std::size_t* consumed) {
  ByteReader r(data, base_offset);
  auto ct = ParseContentTypeImpl(r, nullptr);
  if (consumed) *consumed = r.position();
  return ct;
}

Bytes EncodeWspContentType(const WspContentType& ct) {
  Bytes out;
  switch (ct.form) {
    case WspContentType::Form::kShort:
      out.push_back(
          static_cast<std::uint8_t>(0x80 | (ct.well_known.value_or(0) & 0x7F)));
      return out;
    case WspContentType::Form::kText:
      AppendText(out, ct.media);
      return out;
    case WspContentType::Form::kGeneral:
      break;
  }
  Bytes value;
  if (ct.well_known) {
    AppendInteger(value, *ct.well_known);
  } else {
    AppendText(value, ct.media);
  }
  for (const WspParameter& p : ct.params) {
    if (p.code) {
      value.push_back(static_cast<std::uint8_t>(0x80 | *p.code));
    } else {
      AppendText(value, p.name);
    }
    AppendValue(value, p.value);
  }
  std::uint32_t len = ct.value_length_override.value_or(
      static_cast<std::uint32_t>(value.size()));
  if (len <= 30 && !ct.force_length_quote) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else {
    out.push_back(0x1F);  // Length-quote (§8.4.2.2)
    AppendUintvar(out, len);
  }
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes EncodeWspPush(const WspPush& push) {
  Bytes headers = EncodeWspContentType(push.content_type);
  if (push.application_id) {
    headers.push_back(0x80 | kHdrXWapApplicationId);
    if (push.application_id->code) {
      AppendInteger(headers, *push.application_id->code);
    } else {
      AppendText(headers, push.application_id->uri);
    }
  }
  if (push.initiator_uri) {
    headers.push_back(0x80 | kHdrXWapInitiatorUri);
    AppendText(headers, *push.initiator_uri);
  }
  if (push.push_flag) {
    headers.push_back(0x80 | kHdrPushFlag);
    headers.push_back(
        static_cast<std::uint8_t>(0x80 | (*push.push_flag & 0x7F)));
  }
  if (push.content_length) {
    headers.push_back(0x80 | kHdrContentLength);
    AppendInteger(headers, *push.content_length);
  }
  for (const WspHeader& h : push.other_headers)
    headers.insert(headers.end(), h.raw.begin(), h.raw.end());

  Bytes out{push.tid, push.pdu_type};
  AppendUintvar(out, push.headers_length_override.value_or(
                         static_cast<std::uint32_t>(headers.size())));
  out.insert(out.end(), headers.begin(), headers.end());
  out.insert(out.end(), push.body.begin(), push.body.end());
  return out;
}

Result<WspPush> ParseWspPush(ByteView pdu, std::size_t base_offset,
                             WspParseOptions options) {
  return ParseImpl(pdu, base_offset, options, nullptr);
}

ProtoNode DescribeWspPush(ByteView pdu, std::size_t base_offset,
                          WspParseOptions options) {
  ProtoNode root{"WSP Push", "", base_offset, pdu.size(), {}, {}};
  auto r = ParseImpl(pdu, base_offset, options, &root);
  if (!r.ok()) {
    root.value = "malformed";
    root.notes.push_back(r.error());
  } else {
    root.value = r->content_type.MediaName();
  }
  return root;
}

WspPush MakeCpPush(std::uint8_t sec, std::string mac, Bytes body) {
  WspPush p;
  p.tid = 0x01;  // Kannel's choice
  p.content_type.form = WspContentType::Form::kGeneral;
  p.content_type.well_known = kCtConnectivityWbxml;
  p.content_type.params.push_back(WspParameter::Sec(sec));
  p.content_type.params.push_back(WspParameter::Mac(std::move(mac)));
  p.body = std::move(body);
  return p;
}

}  // namespace omaiop::codec
