// WSP connectionless Push PDU (WAP-230-WSP §8.2.4.1) with the header encoding
// of §8.4: Content-Type (short and general form, typed and untyped
// parameters), X-Wap-Application-Id, Push-Flag, X-Wap-Initiator-URI,
// Content-Length; other headers are kept as raw octets.
//
// The model is deliberately loose (every field explicit, overrides for
// lengths) so that a push server simulator can emit wrong PDUs on purpose.
// Codes checked against Wireshark epan/dissectors/packet-wsp.c and
// cp.md §0/§2.3. Section numbers below 8.4.2 are cited from WAP-230-WSP-
// 20010705-a as far as known; the field-name table is "Table 39".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

// PDU types (WAP-230-WSP Table 34).
inline constexpr std::uint8_t kWspPduPush = 0x06;
inline constexpr std::uint8_t kWspPduConfirmedPush = 0x07;

// Well-known content types (WAP-230-WSP Table 40 / OMNA registry; verified
// against packet-wsp.c vals_content_types).
inline constexpr std::uint8_t kCtConnectivityXml =
    0x35;  // text/vnd.wap.connectivity-xml
inline constexpr std::uint8_t kCtConnectivityWbxml =
    0x36;  // application/vnd.wap.connectivity-wbxml
inline constexpr std::uint8_t kCtSyncmlDmWbxml =
    0x42;  // application/vnd.syncml.dm+wbxml
inline constexpr std::uint8_t kCtSyncmlDmXml =
    0x43;  // application/vnd.syncml.dm+xml
inline constexpr std::uint8_t kCtSyncmlNotification =
    0x44;  // application/vnd.syncml.notification

// Well-known parameters (WAP-230-WSP Table 38).
inline constexpr std::uint8_t kParamCharset = 0x01;
inline constexpr std::uint8_t kParamSec = 0x11;
inline constexpr std::uint8_t kParamMac = 0x12;

// Well-known header field names (WAP-230-WSP Table 39).
inline constexpr std::uint8_t kHdrContentLength = 0x0D;
inline constexpr std::uint8_t kHdrContentType = 0x11;
inline constexpr std::uint8_t kHdrXWapApplicationId = 0x2F;
inline constexpr std::uint8_t kHdrXWapInitiatorUri = 0x31;
inline constexpr std::uint8_t kHdrPushFlag = 0x34;

// Push-Flag bits (WAP-230-WSP §8.4.2 "Push-flag" field; as in Wireshark).
inline constexpr std::uint8_t kPushFlagInitiatorAuthenticated = 0x01;
inline constexpr std::uint8_t kPushFlagTrusted = 0x02;
inline constexpr std::uint8_t kPushFlagLast = 0x04;

inline constexpr std::uint8_t kCharsetUtf8 = 0x6A;  // IANA MIBenum 106

// Name of a well-known content type, or "" when unknown.
std::string_view WellKnownContentTypeName(std::uint32_t code);
std::optional<std::uint8_t> WellKnownContentTypeCode(std::string_view name);
std::string_view WellKnownParameterName(std::uint8_t code);  // "" if unknown
std::string_view WellKnownHeaderName(std::uint8_t code);     // "" if unknown
// OMNA Push Application ID registry, codes 0x00..0x0A (as in Wireshark's
// vals_wap_application_ids): 0x04 "x-wap-application:mms.ua", ...
std::string_view WellKnownApplicationIdName(std::uint32_t code);

// One encoded WSP value (§8.4.2.1 / §8.4.1.2): how it is on the wire.
struct WspValue {
  enum class Kind {
    kShortInteger,  // 0x80 | v (v <= 127; larger values are masked: faults)
    kLongInteger,   // Short-length + big-endian octets (minimal)
    kText,          // Text-string: chars + 0x00
    kQuotedText,    // Quoted-string: 0x22 + chars + 0x00
    kNoValue,       // 0x00
    kLengthData,    // Value-length + opaque data
  };
  Kind kind = Kind::kNoValue;
  std::uint64_t integer = 0;  // kShortInteger / kLongInteger
  std::string text;           // kText / kQuotedText (no quote, no NUL)
  Bytes data;                 // kLengthData

  static WspValue Short(std::uint8_t v) {
    return {Kind::kShortInteger, v, {}, {}};
  }
  static WspValue Long(std::uint64_t v) {
    return {Kind::kLongInteger, v, {}, {}};
  }
  static WspValue Text(std::string t) {
    return {Kind::kText, 0, std::move(t), {}};
  }
  bool is_integer() const {
    return kind == Kind::kShortInteger || kind == Kind::kLongInteger;
  }
  bool is_text() const {
    return kind == Kind::kText || kind == Kind::kQuotedText;
  }
  std::string ToString() const;  // "0x03", "\"text\"", "<4 octets>"
  bool operator==(const WspValue&) const = default;
};

// A content-type parameter: typed (well-known code) or untyped (token name).
struct WspParameter {
  std::optional<std::uint8_t> code;  // well-known (encoded 0x80|code)
  std::string name;                  // untyped Token-text, when !code
  WspValue value;
  std::size_t offset = 0;  // set by the parser

  static WspParameter Sec(std::uint8_t v) {
    return {kParamSec, {}, WspValue::Short(v), 0};
  }
  static WspParameter Mac(std::string hex) {
    return {kParamMac, {}, WspValue::Text(std::move(hex)), 0};
  }
  static WspParameter Charset(std::uint8_t mib) {
    return {kParamCharset, {}, WspValue::Short(mib), 0};
  }
  bool operator==(const WspParameter& o) const {
    return code == o.code && name == o.name && value == o.value;
  }
};

struct WspContentType {
  enum class Form {
    kShort,    // one octet 0x80|code (Constrained-media, well-known)
    kText,     // Constrained-media as Extension-media text, no params
    kGeneral,  // Value-length Media-type *(Parameter)
  };
  Form form = Form::kShort;
  std::optional<std::uint32_t> well_known;  // media code; else `media` text
  std::string media;
  std::vector<WspParameter> params;
  // Encoder faults: a Value-length that lies, or 0x1F even when short-length
  // would do. The parser leaves them unset.
  std::optional<std::uint32_t> value_length_override;
  bool force_length_quote = false;
  std::size_t offset = 0;  // set by the parser

  std::string MediaName() const;  // well-known name or the text
  // First parameter with that code, or nullptr.
  const WspParameter* Find(std::uint8_t code) const;
  std::optional<std::uint32_t> Sec() const;  // SEC as an integer, if present
  std::optional<std::string> Mac() const;    // MAC text, if present
};

// Any header after the content type, as its exact octets (field name and
// value). Known headers are additionally decoded into WspPush fields.
struct WspHeader {
  std::optional<std::uint8_t> code;  // well-known field; else application
  std::string name;                  // application header name
  Bytes raw;                         // every octet of the header
  std::size_t offset = 0;

  // Builders for the encoder.
  static WspHeader WellKnown(std::uint8_t code, ByteView value);
  static WspHeader Application(std::string_view name, std::string_view text);
};

struct WspApplicationId {
  std::optional<std::uint32_t> code;  // App-assigned-code (Integer-value)
  std::string uri;                    // Uri-value (Text-string)
  bool operator==(const WspApplicationId&) const = default;
};

struct WspPush {
  std::uint8_t tid = 0x01;
  std::uint8_t pdu_type = kWspPduPush;
  // Encoder fault: a HeadersLen that lies. Unset = the true length.
  std::optional<std::uint32_t> headers_length_override;
  WspContentType content_type;
  // Decoded known headers; the encoder emits them in this order, then
  // `other_headers` verbatim.
  std::optional<WspApplicationId> application_id;
  std::optional<std::string> initiator_uri;
  std::optional<std::uint8_t> push_flag;
  std::optional<std::uint32_t> content_length;
  std::vector<WspHeader> other_headers;  // unknown / application / repeats
  Bytes body;

  // Set by the parser: absolute offsets.
  std::size_t headers_offset = 0;  // first octet of the content type
  std::size_t headers_length = 0;  // HeadersLen as received
  std::size_t body_offset = 0;
};

struct WspParseOptions {
  // ConfirmedPush (0x07) has the same layout; accept it when set.
  bool accept_confirmed_push = false;
};

// Parses TID, PDU type, HeadersLen, content type, headers and body.
Result<WspPush> ParseWspPush(ByteView pdu, std::size_t base_offset = 0,
                             WspParseOptions options = {});
// Parses only a Content-Type field value (useful for other PDUs).
Result<WspContentType> ParseWspContentType(ByteView data,
                                           std::size_t base_offset,
                                           std::size_t* consumed);
Bytes EncodeWspContentType(const WspContentType& ct);
Bytes EncodeWspPush(const WspPush& push);
// A dissection tree; a malformed PDU yields the part understood plus a note.
ProtoNode DescribeWspPush(ByteView pdu, std::size_t base_offset = 0,
                          WspParseOptions options = {});

// The Kannel OMA CP push: 01 06 <len> 1F 2D B6 91 8s 92 <mac> 00 <body>.
WspPush MakeCpPush(std::uint8_t sec, std::string mac, Bytes body);

}  // namespace omaiop::codec
