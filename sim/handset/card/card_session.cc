#include "sim/handset/card/card_session.h"

#include <algorithm>
#include <utility>

#include "codec/ber_tlv.h"
#include "sim/uicc/apdu.h"

namespace omaiop::sim::handset::card {
namespace {

using codec::Bytes;
using codec::ByteView;
using codec::Diagnostic;
using codec::Error;
using codec::Result;
using codec::Status;
namespace p15 = codec::pkcs15;

constexpr char kRuleSelect[] = "ETSI TS 102 221 §11.1.1";
constexpr char kRuleGsmSelect[] = "GSM 11.11 §9.2.1";
constexpr char kRuleReadBinary[] = "ETSI TS 102 221 §11.1.3";
constexpr char kRuleUpdateBinary[] = "ETSI TS 102 221 §11.1.4";
constexpr char kRuleReadRecord[] = "ETSI TS 102 221 §11.1.5";
constexpr char kRuleVerify[] = "ETSI TS 102 221 §11.1.9";
constexpr char kRuleGsmVerify[] = "GSM 11.11 §9.2.9";
constexpr char kRuleIccid[] = "ETSI TS 102 221 §13.2";
constexpr char kRuleImsi[] = "3GPP TS 31.102 §4.2.2, GSM 11.11 §10.3.2";
constexpr char kRuleImsiM[] = "3GPP2 C.S0005 §2.3.1 / C.S0023 (UNCERTAIN)";
constexpr char kRuleT0[] = "ETSI TS 102 221 §7.3.1.1";

constexpr std::uint16_t kSwOk = 0x9000;

std::string Sw(std::uint16_t sw) { return uicc::DescribeStatusWord(sw); }
std::string Hex(ByteView b) { return codec::ToHex(b); }
std::string Hex16(std::uint16_t v) {
  const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8),
                             static_cast<std::uint8_t>(v)};
  return codec::ToHex(ByteView(b, 2));
}

bool StartsWith(ByteView data, ByteView prefix) {
  return data.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), data.begin());
}

bool IsSecuritySw(std::uint16_t sw) {
  // 6982 security status not satisfied (TS 102 221 §10.2.1.4); GSM 9804
  // "access condition not fulfilled" (GSM 11.11 §9.4.5).
  return sw == 0x6982 || sw == 0x9804;
}

Bytes Cmd(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
          ByteView data, std::optional<std::size_t> le = std::nullopt) {
  Bytes c{cla, ins, p1, p2};
  if (!data.empty()) {
    c.push_back(static_cast<std::uint8_t>(data.size()));
    c.insert(c.end(), data.begin(), data.end());
  }
  if (le) c.push_back(static_cast<std::uint8_t>(*le >= 256 ? 0 : *le));
  return c;
}

// FCP template 62 (TS 102 221 §11.1.1.4): 82 descriptor, 80/81 size.
Result<FileInfo> ParseFcp(ByteView fcp, FileInfo info) {
  codec::BerTlvOptions o;
  auto t = codec::ParseSingleTlv(fcp, o);
  if (!t.ok() || t->tag != 0x62)
    return Error(
        "SELECT " + info.name + ": response is not an FCP template (62)",
        t.ok() ? t->offset : t.error().offset, "ETSI TS 102 221 §11.1.1.4");
  const codec::Tlv* fd = t->Find(0x82);
  if (!fd || fd->value.empty())
    return Error("SELECT " + info.name + ": FCP lacks the file descriptor (82)",
                 t->offset, "ETSI TS 102 221 §11.1.1.4.3");
  const std::uint8_t fdb = fd->value[0];
  info.is_df = (fdb & 0x38) == 0x38;
  info.transparent = !info.is_df && (fdb & 0x07) == 0x01;
  if (!info.is_df && !info.transparent && fd->value.size() >= 5) {
    info.record_size =
        static_cast<std::size_t>(fd->value[2] << 8 | fd->value[3]);
    info.record_count = fd->value[4];
  }
  const codec::Tlv* size = t->Find(info.is_df ? 0x81 : 0x80);
  if (size) {
    std::size_t n = 0;
    for (std::uint8_t b :
         size->value.first(std::min<std::size_t>(size->value.size(), 4)))
      n = n << 8 | b;
    info.size = n;
  } else if (!info.is_df) {
    return Error("SELECT " + info.name + ": FCP lacks the file size (80)",
                 t->offset, "ETSI TS 102 221 §11.1.1.4.1");
  }
  return info;
}

// GSM 11.11 §9.2.1 response data of SELECT (bytes numbered from 1 there).
Result<FileInfo> ParseGsmResponse(ByteView r, FileInfo info) {
  if (r.size() < 7)
    return Error("SELECT " + info.name + ": GSM response data is " +
                     std::to_string(r.size()) + " bytes, need at least 7",
                 r.size(), kRuleGsmSelect);
  const std::uint8_t type = r[6];
  info.is_df = type == 0x01 || type == 0x02;
  if (!info.is_df) {
    if (type != 0x04)
      return Error(
          "SELECT " + info.name + ": unknown file type " + Hex(r.subspan(6, 1)),
          6, kRuleGsmSelect);
    if (r.size() < 14)
      return Error("SELECT " + info.name + ": EF response data is " +
                       std::to_string(r.size()) + " bytes, need 14",
                   r.size(), kRuleGsmSelect);
    info.size = static_cast<std::size_t>(r[2] << 8 | r[3]);
    info.transparent = r[13] == 0x00;
    if (!info.transparent) {
      if (r.size() < 15)
        return Error(
            "SELECT " + info.name + ": record EF without record length",
            r.size(), kRuleGsmSelect);
      info.record_size = r[14];
      info.record_count = info.record_size ? info.size / info.record_size : 0;
    }
  }
  return info;
}

// C.S0005 §2.3.1: each decimal digit d is coded as d (0 as 10); the
// n-digit value is sum(d_i * 10^i) - 11..1. Equivalently the coded number's
// base-10 digits are d_i - 1, so decoding adds 1 to each (10 → 0).
Result<std::string> Cs0005Digits(unsigned value, int n, std::size_t offset) {
  unsigned limit = 1;
  for (int i = 0; i < n; ++i) limit *= 10;
  if (value >= limit)
    return Error("IMSI_M field value " + std::to_string(value) +
                     " exceeds the " + std::to_string(n) + "-digit range",
                 offset, kRuleImsiM);
  std::string s(n, '0');
  for (int i = n - 1; i >= 0; --i) {
    s[i] = static_cast<char>('0' + (value % 10 + 1) % 10);
    value /= 10;
  }
  return s;
}

}  // namespace

std::string_view CardKindName(CardKind kind) {
  switch (kind) {
    case CardKind::kSim2g:
      return "2G SIM";
    case CardKind::kUicc:
      return "3G UICC (USIM)";
    case CardKind::kRuim:
      return "R-UIM";
    case CardKind::kCsim:
      return "UICC (CSIM)";
    case CardKind::kUnknown:
      break;
  }
  return "unknown";
}

// ---------------------------------------------------------------------------
// Decoders.

Result<std::string> DecodeIccid(ByteView ef) {
  if (ef.empty()) return Error("EF.ICCID is empty", 0, kRuleIccid);
  std::string out;
  for (std::size_t i = 0; i < ef.size(); ++i) {
    for (int half = 0; half < 2; ++half) {
      const int d = half == 0 ? ef[i] & 0x0F : ef[i] >> 4;
      if (d == 0x0F) {
        if (out.empty()) return Error("EF.ICCID has no digits", i, kRuleIccid);
        return out;
      }
      if (d > 9)
        return Error(
            "EF.ICCID nibble " + std::to_string(d) + " is not a BCD digit", i,
            kRuleIccid);
      out.push_back(static_cast<char>('0' + d));
    }
  }
  return out;
}

Result<std::string> DecodeImsi(ByteView ef) {
  if (ef.empty()) return Error("EF.IMSI is empty", 0, kRuleImsi);
  const std::size_t len = ef[0];
  if (len == 0 || len > 8)
    return Error(
        "EF.IMSI length byte " + std::to_string(len) + " is outside 1..8", 0,
        kRuleImsi);
  if (ef.size() < len + 1)
    return Error("EF.IMSI length byte says " + std::to_string(len) +
                     " bytes but the file has " + std::to_string(ef.size() - 1),
                 ef.size(), kRuleImsi);
  // Byte 1: low nibble = parity/type (b4 = odd number of digits, b3..b1 =
  // 001 IMSI), high nibble = digit 1; then two digits per byte, low first.
  const int type = ef[1] & 0x0F;
  if ((type & 0x07) != 0x01)
    return Error("EF.IMSI type nibble " + std::to_string(type) +
                     " is not IMSI (b3..b1 = 001)",
                 1, kRuleImsi);
  std::string out;
  for (std::size_t i = 1; i <= len; ++i) {
    for (int half = 0; half < 2; ++half) {
      if (i == 1 && half == 0) continue;
      const int d = half == 0 ? ef[i] & 0x0F : ef[i] >> 4;
      if (d == 0x0F) {
        // Only the last nibble may be filler.
        if (i != len || half != 1)
          return Error("EF.IMSI filler F before the end of the digits", i,
                       kRuleImsi);
        continue;
      }
      if (d > 9)
        return Error(
            "EF.IMSI nibble " + std::to_string(d) + " is not a BCD digit", i,
            kRuleImsi);
      out.push_back(static_cast<char>('0' + d));
    }
  }
  const bool odd = type & 0x08;
  if (odd != (out.size() % 2 == 1))
    return Error("EF.IMSI parity bit says " +
                     std::string(odd ? "odd" : "even") + " but there are " +
                     std::to_string(out.size()) + " digits",
                 1, kRuleImsi);
  if (out.size() < 6 || out.size() > 15)
    return Error(
        "EF.IMSI has " + std::to_string(out.size()) + " digits, expected 6..15",
        0, kRuleImsi);
  return out;
}

Result<std::string> DecodeImsiM(ByteView m) {
  if (m.size() < 10)
    return Error(
        "EF.IMSI_M is " + std::to_string(m.size()) + " bytes, expected 10",
        m.size(), kRuleImsiM);
  // Byte 7 b8: IMSI_M_PROGRAMMED.
  if (!(m[7] & 0x80))
    return Error("EF.IMSI_M is not programmed (byte 7 b8 = 0)", 7, kRuleImsiM);
  const unsigned mcc = static_cast<unsigned>((m[9] & 0x03) << 8 | m[8]);
  const unsigned d11_12 = m[6] & 0x7F;
  const unsigned s2 = static_cast<unsigned>((m[2] & 0x03) << 8 | m[1]);
  const unsigned s1 = static_cast<unsigned>(m[5] << 16 | m[4] << 8 | m[3]);
  const unsigned s1_hi = (s1 >> 14) & 0x3FF;
  const unsigned s1_mid = (s1 >> 10) & 0x0F;
  const unsigned s1_lo = s1 & 0x3FF;
  OMAIOP_ASSIGN_OR_RETURN(std::string a, Cs0005Digits(mcc, 3, 8));
  OMAIOP_ASSIGN_OR_RETURN(std::string b, Cs0005Digits(d11_12, 2, 6));
  OMAIOP_ASSIGN_OR_RETURN(std::string c, Cs0005Digits(s2, 3, 1));
  OMAIOP_ASSIGN_OR_RETURN(std::string d, Cs0005Digits(s1_hi, 3, 4));
  // The single thousands digit of S1 is 4-bit BCD with 10 for 0.
  if (s1_mid == 0 || s1_mid > 10)
    return Error("IMSI_M S1 thousands digit code " + std::to_string(s1_mid) +
                     " is outside 1..10",
                 4, kRuleImsiM);
  const char mid = static_cast<char>('0' + s1_mid % 10);
  OMAIOP_ASSIGN_OR_RETURN(std::string e, Cs0005Digits(s1_lo, 3, 3));
  return a + b + c + d + mid + e;
}

// ---------------------------------------------------------------------------
// Session.

CardSession::CardSession(reader::CardReader& reader, CardSessionOptions options)
    : reader_(reader), options_(std::move(options)) {
  options_.read_chunk = std::clamp<std::size_t>(options_.read_chunk, 1, 256);
  options_.write_chunk = std::clamp<std::size_t>(options_.write_chunk, 1, 255);
}

Status CardSession::Open() {
  Close();
  if (!reader_.CardPresent())
    return Error("no card in reader '" + reader_.name() + "'",
                 Diagnostic::kNoOffset, "ISO/IEC 7816-3 §6.2 (activation)");
  auto atr = reader_.Connect();
  if (!atr.ok()) {
    Diagnostic d = atr.error();
    d.what =
        "power-on of the card in '" + reader_.name() + "' failed: " + d.what;
    return d;
  }
  if (atr->empty() || ((*atr)[0] != 0x3B && (*atr)[0] != 0x3F))
    return Error("ATR " + Hex(*atr) + " does not start with TS 3B or 3F", 0,
                 "ISO/IEC 7816-3 §8.1");
  atr_ = std::move(*atr);
  open_ = true;
  pin_verified_ = false;
  pin_rejected_.reset();
  if (auto s = Detect(); !s.ok()) {
    open_ = false;
    return s;
  }
  auto iccid = ReadIccid();
  if (!iccid.ok()) {
    open_ = false;
    return iccid.error();
  }
  iccid_ = std::move(*iccid);
  return codec::OkStatus();
}

void CardSession::Close() {
  if (open_) reader_.Disconnect();
  open_ = false;
  gsm_ = false;
  kind_ = CardKind::kUnknown;
  atr_.clear();
  iccid_.clear();
  apps_.clear();
  dir_error_.reset();
  telecom_aid_.clear();
  pin_verified_ = false;
  pin_rejected_.reset();
}

Result<CardSession::Response> CardSession::Raw(ByteView command,
                                               std::string_view purpose) {
  ApduExchange x;
  x.command.assign(command.begin(), command.end());
  x.purpose = std::string(purpose);
  auto r = reader_.Transmit(command);
  last_sw_ = 0;
  if (!r.ok()) {
    if (options_.trace) options_.trace(x);
    Diagnostic d = r.error();
    d.what = std::string(purpose) + ": transport failure (" + d.what + ")";
    return d;
  }
  x.response = *r;
  if (r->size() < 2) {
    if (options_.trace) options_.trace(x);
    return Error(std::string(purpose) + ": response of " +
                     std::to_string(r->size()) + " bytes has no status word",
                 r->size(), "ISO/IEC 7816-4 §5.1");
  }
  Response out;
  out.sw = static_cast<std::uint16_t>((*r)[r->size() - 2] << 8 | r->back());
  out.data.assign(r->begin(), r->end() - 2);
  x.sw = out.sw;
  last_sw_ = out.sw;
  if (options_.trace) options_.trace(x);
  return out;
}

Result<CardSession::Response> CardSession::Exchange(ByteView command,
                                                    std::string_view purpose) {
  OMAIOP_ASSIGN_OR_RETURN(Response r, Raw(command, purpose));
  // 6Cxx: resend with Le = xx (TS 102 221 §7.3.1.1.5), once.
  if ((r.sw >> 8) == 0x6C && command.size() >= 4) {
    Bytes again(command.begin(), command.end());
    std::size_t lc = again.size() > 5 ? again[4] : 0;
    const bool has_le =
        again.size() == 5 || (again.size() > 5 && again.size() == 6 + lc);
    if (has_le)
      again.back() = static_cast<std::uint8_t>(r.sw & 0xFF);
    else
      again.push_back(static_cast<std::uint8_t>(r.sw & 0xFF));
    OMAIOP_ASSIGN_OR_RETURN(r,
                            Raw(again, std::string(purpose) + " (Le from 6C)"));
  }
  // 61xx (T=0 UICC) / 9Fxx (GSM): fetch the response data with GET
  // RESPONSE; a bounded number of rounds against a looping card.
  Bytes data = std::move(r.data);
  for (int round = 0; round < 8; ++round) {
    const std::uint8_t sw1 = r.sw >> 8;
    if (sw1 != 0x61 && sw1 != 0x9F) break;
    const std::uint8_t cla_byte = sw1 == 0x9F ? 0xA0 : (command[0] & 0x03);
    const std::size_t n = (r.sw & 0xFF) == 0 ? 256 : (r.sw & 0xFF);
    const Bytes get = Cmd(cla_byte, 0xC0, 0x00, 0x00, {}, n);
    OMAIOP_ASSIGN_OR_RETURN(r,
                            Raw(get, std::string(purpose) + " (GET RESPONSE)"));
    data.insert(data.end(), r.data.begin(), r.data.end());
    if (round == 7 && ((r.sw >> 8) == 0x61 || (r.sw >> 8) == 0x9F))
      return Error(std::string(purpose) +
                       ": card keeps answering 61xx/9Fxx to GET RESPONSE",
                   Diagnostic::kNoOffset, kRuleT0);
  }
  r.data = std::move(data);
  return r;
}

Status CardSession::Detect() {
  const Bytes mf{0x3F, 0x00};
  bool uicc_ok = false;
  if (!options_.prefer_gsm_class) {
    OMAIOP_ASSIGN_OR_RETURN(
        Response r,
        Exchange(Cmd(0x00, 0xA4, 0x00, 0x04, mf), "SELECT MF (probe CLA 00)"));
    uicc_ok = r.sw == kSwOk;
  }
  if (uicc_ok) {
    // EF.DIR (TS 102 221 §13.1): find USIM / CSIM / PKCS#15 applications.
    ReadEfDir();
    for (const auto& app : apps_) {
      if (StartsWith(app.aid, kUsimAidPrefix)) {
        kind_ = CardKind::kUicc;
        telecom_aid_ = app.aid;
        return codec::OkStatus();
      }
    }
    for (const auto& app : apps_) {
      if (StartsWith(app.aid, kCsimAidPrefix)) {
        kind_ = CardKind::kCsim;
        telecom_aid_ = app.aid;
        return codec::OkStatus();
      }
    }
  }
  // GSM 11.11 command set: SELECT MF with CLA A0 answers 9Fxx.
  OMAIOP_ASSIGN_OR_RETURN(Response g, Exchange(Cmd(0xA0, 0xA4, 0x00, 0x00, mf),
                                               "SELECT MF (probe CLA A0)"));
  if (g.sw == kSwOk && !g.data.empty()) {
    gsm_ = true;
    if (SelectFid(0x7F20, Bytes{0x3F, 0x00, 0x7F, 0x20}, "DF.GSM").ok()) {
      kind_ = CardKind::kSim2g;
    } else if (SelectFid(options_.df_cdma,
                         Bytes{0x3F, 0x00,
                               static_cast<std::uint8_t>(options_.df_cdma >> 8),
                               static_cast<std::uint8_t>(options_.df_cdma)},
                         "DF.CDMA")
                   .ok()) {
      kind_ = CardKind::kRuim;
    } else if (uicc_ok) {
      gsm_ = false;  // neither DF: treat as a UICC without telecom app
      kind_ = CardKind::kUicc;
    } else {
      kind_ = CardKind::kSim2g;
    }
    if (gsm_ && apps_.empty()) ReadEfDir();
    return codec::OkStatus();
  }
  if (uicc_ok) {
    kind_ = CardKind::kUicc;  // no USIM/CSIM in EF.DIR and no GSM mode
    return codec::OkStatus();
  }
  return Error(
      "card answers SELECT MF neither with CLA 00 (TS 102 221) nor "
      "with CLA A0 (GSM 11.11): last SW " +
          Sw(g.sw),
      Diagnostic::kNoOffset, kRuleSelect);
}

void CardSession::ReadEfDir() {
  // Not fatal for detection: a card without (a readable) EF.DIR is still a
  // SIM/UICC; the reason is kept for the PKCS#15 lookup's diagnostic.
  dir_error_.reset();
  apps_.clear();
  auto dir = SelectByPath(Bytes{0x2F, 0x00}, true, "EF.DIR");
  if (!dir.ok()) {
    dir_error_ = dir.error();
    return;
  }
  if (dir->is_df || dir->transparent) {
    // ISO 7816-4 allows a transparent EF.DIR; TS 102 221 §13.1 makes it
    // linear fixed.
    auto body = ReadBinary(*dir, 0, std::min<std::size_t>(dir->size, 0x8000));
    if (!body.ok()) {
      dir_error_ = body.error();
      return;
    }
    auto apps = p15::ParseDirFile(*body);
    if (apps.ok())
      apps_ = std::move(*apps);
    else
      dir_error_ = apps.error();
    return;
  }
  auto records = ReadRecords(*dir);
  if (!records.ok()) {
    dir_error_ = records.error();
    return;
  }
  auto apps = p15::ParseDirRecords(*records);
  if (apps.ok())
    apps_ = std::move(*apps);
  else
    dir_error_ = apps.error();
}

Result<FileInfo> CardSession::SelectFid(std::uint16_t fid, Bytes path,
                                        std::string_view name) {
  const Bytes f{static_cast<std::uint8_t>(fid >> 8),
                static_cast<std::uint8_t>(fid)};
  FileInfo info;
  info.path = std::move(path);
  info.name = std::string(name);
  const std::string purpose =
      "SELECT " + info.name + " (FID " + Hex16(fid) + ")";
  OMAIOP_ASSIGN_OR_RETURN(Response r,
                          Exchange(gsm_ ? Cmd(0xA0, 0xA4, 0x00, 0x00, f)
                                        : Cmd(0x00, 0xA4, 0x00, 0x04, f),
                                   purpose));
  if (r.sw != kSwOk)
    return Error(purpose + " (path " + Hex(info.path) + "): SW " + Sw(r.sw),
                 Diagnostic::kNoOffset, gsm_ ? kRuleGsmSelect : kRuleSelect);
  return gsm_ ? ParseGsmResponse(r.data, std::move(info))
              : ParseFcp(r.data, std::move(info));
}

Result<FileInfo> CardSession::SelectByPath(ByteView path, bool from_mf,
                                           std::string_view name) {
  if (path.empty() || path.size() % 2 != 0 || path.size() > 254)
    return Error("path " + Hex(path) + " for " + std::string(name) +
                     " is not a sequence of 2-byte FIDs",
                 0, p15::kRulePath);
  Bytes base;
  if (from_mf) base = {0x3F, 0x00};
  if (gsm_) {
    // GSM 11.11 has no path selection: walk the FIDs from the MF.
    Result<FileInfo> info = Error("empty path", 0, p15::kRulePath);
    Bytes walked;
    if (from_mf) {
      info = SelectFid(0x3F00, Bytes{0x3F, 0x00}, "MF");
      if (!info.ok()) return info;
      walked = {0x3F, 0x00};
    }
    for (std::size_t i = 0; i < path.size(); i += 2) {
      const std::uint16_t fid =
          static_cast<std::uint16_t>(path[i] << 8 | path[i + 1]);
      walked.insert(walked.end(), path.begin() + i, path.begin() + i + 2);
      const bool last = i + 2 == path.size();
      info = SelectFid(fid, walked, last ? name : "DF " + Hex16(fid));
      if (!info.ok()) {
        Diagnostic d = info.error();
        if (!last) d.what += " (on the way to " + std::string(name) + ")";
        return d;
      }
      if (!last && !info->is_df)
        return Error("path " + Hex(walked) + " on the way to " +
                         std::string(name) + " is an EF, not a DF",
                     i, p15::kRulePath);
    }
    return info;
  }
  FileInfo info;
  info.path = base;
  info.path.insert(info.path.end(), path.begin(), path.end());
  info.name = std::string(name);
  const std::string purpose = "SELECT " + info.name + " (path " +
                              Hex(info.path) + (from_mf ? "" : " relative") +
                              ")";
  OMAIOP_ASSIGN_OR_RETURN(
      Response r,
      Exchange(Cmd(0x00, 0xA4, from_mf ? 0x08 : 0x09, 0x04, path), purpose));
  if (r.sw != kSwOk)
    return Error(purpose + ": SW " + Sw(r.sw), Diagnostic::kNoOffset,
                 kRuleSelect);
  return ParseFcp(r.data, std::move(info));
}

Result<FileInfo> CardSession::SelectPath(ByteView absolute_path,
                                         std::string_view name) {
  if (!open_) return Error("card session is not open", 0, kRuleSelect);
  if (absolute_path.size() < 2 || absolute_path[0] != 0x3F ||
      absolute_path[1] != 0x00)
    return Error("path " + Hex(absolute_path) + " for " + std::string(name) +
                     " is not absolute (must start with 3F00)",
                 0, p15::kRulePath);
  if (absolute_path.size() == 2) {
    return SelectFid(0x3F00, Bytes{0x3F, 0x00}, name);
  }
  return SelectByPath(absolute_path.subspan(2), true, name);
}

Result<FileInfo> CardSession::SelectAid(ByteView aid, std::string_view name) {
  if (!open_) return Error("card session is not open", 0, kRuleSelect);
  if (gsm_)
    return Error("SELECT " + std::string(name) + " by AID " + Hex(aid) +
                     ": the GSM 11.11 command set has no application "
                     "selection",
                 Diagnostic::kNoOffset, kRuleGsmSelect);
  if (aid.empty() || aid.size() > 16)
    return Error("AID " + Hex(aid) + " must be 1..16 bytes", 0,
                 "ISO/IEC 7816-4 §8.2.1.2");
  FileInfo info;
  info.path.assign(aid.begin(), aid.end());
  info.name = std::string(name);
  const std::string purpose = "SELECT " + info.name + " (AID " + Hex(aid) + ")";
  OMAIOP_ASSIGN_OR_RETURN(Response r,
                          Exchange(Cmd(0x00, 0xA4, 0x04, 0x04, aid), purpose));
  if (r.sw != kSwOk)
    return Error(purpose + ": SW " + Sw(r.sw), Diagnostic::kNoOffset,
                 "ETSI TS 102 221 §8.4.2, §11.1.1");
  auto parsed = ParseFcp(r.data, info);
  if (!parsed.ok()) return parsed;
  parsed->path = info.path;
  return parsed;
}

Result<FileInfo> CardSession::SelectRelative(ByteView path,
                                             std::string_view name) {
  if (!open_) return Error("card session is not open", 0, kRuleSelect);
  if (path.size() == 2 && !gsm_) {
    return SelectFid(static_cast<std::uint16_t>(path[0] << 8 | path[1]),
                     Bytes(path.begin(), path.end()), name);
  }
  return SelectByPath(path, false, name);
}

Result<bool> CardSession::SatisfySecurity(std::uint16_t sw,
                                          std::string_view what) {
  if (!IsSecuritySw(sw)) return false;
  if (pin_rejected_) {
    Diagnostic d = *pin_rejected_;
    d.what = std::string(what) +
             " needs PIN1, which was rejected earlier: " + d.what;
    return d;
  }
  if (pin_verified_) return false;  // PIN1 is not what guards this file
  if (!options_.pin1)
    return Error(std::string(what) + ": SW " + Sw(sw) +
                     ": the file needs PIN1 and no PIN was given",
                 Diagnostic::kNoOffset,
                 gsm_ ? "GSM 11.11 §9.4.5" : "ETSI TS 102 221 §9.5.1");
  const std::string pin = *options_.pin1;
  OMAIOP_RETURN_IF_ERROR(VerifyPin1(pin));
  return true;
}

void CardSession::SetPin1(std::string pin) {
  options_.pin1 = std::move(pin);
  pin_rejected_.reset();
}

Status CardSession::VerifyPin1(std::string_view pin) {
  if (!open_) return Error("card session is not open", 0, kRuleVerify);
  if (pin.size() < 4 || pin.size() > 8 ||
      !std::all_of(pin.begin(), pin.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return Error("PIN1 must be 4..8 decimal digits", 0,
                 "ETSI TS 102 221 §9.5.1");
  // PIN block: ASCII digits, FF padded to 8 bytes (TS 102 221 §9.5.1).
  Bytes block(8, 0xFF);
  std::copy(pin.begin(), pin.end(), block.begin());
  OMAIOP_ASSIGN_OR_RETURN(
      Response r, Exchange(Cmd(cla(), 0x20, 0x00, 0x01, block), "VERIFY PIN1"));
  if (r.sw == kSwOk) {
    pin_verified_ = true;
    pin_rejected_.reset();
    options_.pin1 = std::string(pin);
    return codec::OkStatus();
  }
  pin_verified_ = false;
  Diagnostic d;
  if ((r.sw & 0xFFF0) == 0x63C0) {
    d = Error("VERIFY PIN1 rejected: SW " + Sw(r.sw) + " (" +
                  std::to_string(r.sw & 0x0F) + " tries left)",
              Diagnostic::kNoOffset, kRuleVerify);
  } else if (r.sw == 0x6983 || r.sw == 0x9840) {
    d = Error("VERIFY PIN1: PIN1 is blocked (SW " + Sw(r.sw) +
                  "); unblock it with the PUK",
              Diagnostic::kNoOffset, gsm_ ? kRuleGsmVerify : kRuleVerify);
  } else if (r.sw == 0x9804 && gsm_) {
    // GSM 11.11 reports no count in the SW; the CHV1 status byte does.
    auto left = Pin1TriesLeft();
    d = Error("VERIFY PIN1 rejected: SW " + Sw(r.sw) + " (" +
                  (left.ok() ? std::to_string(*left) : std::string("?")) +
                  " tries left)",
              Diagnostic::kNoOffset, kRuleGsmVerify);
  } else {
    d = Error("VERIFY PIN1: SW " + Sw(r.sw), Diagnostic::kNoOffset,
              gsm_ ? kRuleGsmVerify : kRuleVerify);
  }
  pin_rejected_ = d;
  return d;
}

Result<int> CardSession::Pin1TriesLeft() {
  if (!open_) return Error("card session is not open", 0, kRuleVerify);
  if (gsm_) {
    // STATUS (GSM 11.11 §9.2.2): the current DF's response data; byte 19 =
    // CHV1 status, b4..b1 = false presentations remaining.
    OMAIOP_ASSIGN_OR_RETURN(
        Response r, Exchange(Cmd(0xA0, 0xF2, 0x00, 0x00, {}, 22), "STATUS"));
    if (r.sw != kSwOk || r.data.size() < 19)
      return Error("STATUS: SW " + Sw(r.sw) + ", " +
                       std::to_string(r.data.size()) +
                       " bytes (need the CHV1 status byte 19)",
                   r.data.size(), "GSM 11.11 §9.2.1");
    return r.data[18] & 0x0F;
  }
  OMAIOP_ASSIGN_OR_RETURN(Response r, Exchange(Cmd(0x00, 0x20, 0x00, 0x01, {}),
                                               "VERIFY PIN1 (no data)"));
  if ((r.sw & 0xFFF0) == 0x63C0) return r.sw & 0x0F;
  if (r.sw == 0x6983) return 0;
  // 9000: verified or disabled; the count is not reported.
  if (r.sw == kSwOk) return -1;
  return Error("VERIFY PIN1 (no data): SW " + Sw(r.sw), Diagnostic::kNoOffset,
               kRuleVerify);
}

Result<Bytes> CardSession::ReadBinary(const FileInfo& ef, std::size_t offset,
                                      std::size_t length) {
  if (!open_) return Error("card session is not open", 0, kRuleReadBinary);
  const std::string where = ef.name + " (path " + Hex(ef.path) + ")";
  if (!ef.transparent || ef.is_df)
    return Error("READ BINARY " + where + ": not a transparent EF",
                 Diagnostic::kNoOffset, kRuleReadBinary);
  if (offset + length > ef.size)
    return Error("READ BINARY " + where + ": range " + std::to_string(offset) +
                     "+" + std::to_string(length) + " lies outside the " +
                     std::to_string(ef.size) + "-byte file",
                 offset, kRuleReadBinary);
  if (offset + length > 0x8000)
    return Error("READ BINARY " + where +
                     ": offsets beyond 32767 need the odd INS B1 (not "
                     "supported)",
                 offset, kRuleReadBinary);
  Bytes out;
  out.reserve(length);
  std::size_t pos = offset;
  const std::size_t end = offset + length;
  while (pos < end) {
    const std::size_t n = std::min(options_.read_chunk, end - pos);
    const std::string purpose = "READ BINARY " + ef.name + " @" +
                                std::to_string(pos) + " +" + std::to_string(n);
    const Bytes c = Cmd(cla(), 0xB0, static_cast<std::uint8_t>(pos >> 8),
                        static_cast<std::uint8_t>(pos), {}, n);
    OMAIOP_ASSIGN_OR_RETURN(Response r, Exchange(c, purpose));
    OMAIOP_ASSIGN_OR_RETURN(bool retry, SatisfySecurity(r.sw, purpose));
    if (retry) {
      OMAIOP_ASSIGN_OR_RETURN(r, Exchange(c, purpose));
    }
    const bool eof = r.sw == 0x6282;
    if (r.sw != kSwOk && !eof)
      return Error(purpose + " (path " + Hex(ef.path) + "): SW " + Sw(r.sw),
                   pos, gsm_ ? "GSM 11.11 §9.2.3" : kRuleReadBinary);
    if (r.data.size() > n)
      return Error(purpose + ": card returned " +
                       std::to_string(r.data.size()) + " bytes, asked " +
                       std::to_string(n),
                   pos, kRuleReadBinary);
    if (r.data.empty() && !eof)
      return Error(purpose + ": card returned no data with SW 9000", pos,
                   kRuleReadBinary);
    out.insert(out.end(), r.data.begin(), r.data.end());
    pos += r.data.size();
    if (eof) break;
  }
  return out;
}

Status CardSession::UpdateBinary(const FileInfo& ef, std::size_t offset,
                                 ByteView data) {
  if (!open_) return Error("card session is not open", 0, kRuleUpdateBinary);
  const std::string where = ef.name + " (path " + Hex(ef.path) + ")";
  if (!ef.transparent || ef.is_df)
    return Error("UPDATE BINARY " + where + ": not a transparent EF",
                 Diagnostic::kNoOffset, kRuleUpdateBinary);
  if (offset + data.size() > ef.size)
    return Error("UPDATE BINARY " + where + ": " + std::to_string(data.size()) +
                     " bytes at offset " + std::to_string(offset) +
                     " do not fit the " + std::to_string(ef.size) +
                     "-byte file",
                 offset, kRuleUpdateBinary);
  if (offset + data.size() > 0x8000)
    return Error("UPDATE BINARY " + where + ": offset beyond 32767", offset,
                 kRuleUpdateBinary);
  std::size_t done = 0;
  while (done < data.size()) {
    const std::size_t n = std::min(options_.write_chunk, data.size() - done);
    const std::size_t pos = offset + done;
    const std::string purpose = "UPDATE BINARY " + ef.name + " @" +
                                std::to_string(pos) + " +" + std::to_string(n);
    const Bytes c = Cmd(cla(), 0xD6, static_cast<std::uint8_t>(pos >> 8),
                        static_cast<std::uint8_t>(pos), data.subspan(done, n));
    OMAIOP_ASSIGN_OR_RETURN(Response r, Exchange(c, purpose));
    OMAIOP_ASSIGN_OR_RETURN(bool retry, SatisfySecurity(r.sw, purpose));
    if (retry) {
      OMAIOP_ASSIGN_OR_RETURN(r, Exchange(c, purpose));
    }
    if (r.sw != kSwOk)
      return Error(purpose + " (path " + Hex(ef.path) + "): SW " + Sw(r.sw),
                   pos, gsm_ ? "GSM 11.11 §9.2.4" : kRuleUpdateBinary);
    done += n;
  }
  return codec::OkStatus();
}

Result<std::vector<Bytes>> CardSession::ReadRecords(const FileInfo& ef) {
  if (!open_) return Error("card session is not open", 0, kRuleReadRecord);
  if (ef.transparent || ef.is_df || ef.record_size == 0)
    return Error("READ RECORD " + ef.name + ": not a record EF",
                 Diagnostic::kNoOffset, kRuleReadRecord);
  std::vector<Bytes> out;
  const std::size_t count = ef.record_count ? ef.record_count : 254;
  for (std::size_t n = 1; n <= std::min<std::size_t>(count, 254); ++n) {
    const std::string purpose =
        "READ RECORD " + ef.name + " #" + std::to_string(n);
    const Bytes c = Cmd(cla(), 0xB2, static_cast<std::uint8_t>(n), 0x04, {},
                        ef.record_size);
    OMAIOP_ASSIGN_OR_RETURN(Response r, Exchange(c, purpose));
    OMAIOP_ASSIGN_OR_RETURN(bool retry, SatisfySecurity(r.sw, purpose));
    if (retry) {
      OMAIOP_ASSIGN_OR_RETURN(r, Exchange(c, purpose));
    }
    if (r.sw == 0x6A83 || r.sw == 0x9402) break;
    if (r.sw != kSwOk)
      return Error(purpose + " (path " + Hex(ef.path) + "): SW " + Sw(r.sw),
                   Diagnostic::kNoOffset,
                   gsm_ ? "GSM 11.11 §9.2.5" : kRuleReadRecord);
    out.push_back(std::move(r.data));
  }
  return out;
}

Result<std::string> CardSession::ReadIccid() {
  OMAIOP_ASSIGN_OR_RETURN(
      FileInfo ef, SelectPath(Bytes{0x3F, 0x00, 0x2F, 0xE2}, "EF.ICCID"));
  OMAIOP_ASSIGN_OR_RETURN(
      Bytes b, ReadBinary(ef, 0, std::min<std::size_t>(ef.size, 10)));
  auto iccid = DecodeIccid(b);
  if (!iccid.ok()) {
    Diagnostic d = iccid.error();
    d.what += " (EF.ICCID 3F002FE2 = " + Hex(b) + ")";
    return d;
  }
  return iccid;
}

Result<std::string> CardSession::ReadImsi() {
  if (!open_) return Error("card session is not open", 0, kRuleImsi);
  Result<FileInfo> ef = Error("no IMSI file", 0, kRuleImsi);
  bool imsi_m = false;
  switch (kind_) {
    case CardKind::kSim2g:
      ef = SelectPath(Bytes{0x3F, 0x00, 0x7F, 0x20, 0x6F, 0x07}, "EF.IMSI");
      break;
    case CardKind::kRuim:
      imsi_m = true;
      ef = SelectPath(
          Bytes{0x3F, 0x00, static_cast<std::uint8_t>(options_.df_cdma >> 8),
                static_cast<std::uint8_t>(options_.df_cdma), 0x6F, 0x22},
          "EF.IMSI_M");
      break;
    case CardKind::kUicc:
    case CardKind::kCsim: {
      if (telecom_aid_.empty())
        return Error("no USIM or CSIM application in EF.DIR: no IMSI to read",
                     Diagnostic::kNoOffset, "ETSI TS 102 221 §13.1");
      imsi_m = kind_ == CardKind::kCsim;
      auto adf = SelectAid(telecom_aid_, imsi_m ? "ADF.CSIM" : "ADF.USIM");
      if (!adf.ok()) return adf.error();
      ef = SelectRelative(imsi_m ? Bytes{0x6F, 0x22} : Bytes{0x6F, 0x07},
                          imsi_m ? "EF.IMSI_M" : "EF.IMSI");
      break;
    }
    case CardKind::kUnknown:
      return Error("card kind unknown: no IMSI file", Diagnostic::kNoOffset,
                   kRuleImsi);
  }
  if (!ef.ok()) return ef.error();
  const std::size_t want = imsi_m ? 10 : 9;
  if (ef->size < want)
    return Error(ef->name + " is " + std::to_string(ef->size) +
                     " bytes, expected " + std::to_string(want),
                 ef->size, imsi_m ? kRuleImsiM : kRuleImsi);
  OMAIOP_ASSIGN_OR_RETURN(Bytes b, ReadBinary(*ef, 0, want));
  auto imsi = imsi_m ? DecodeImsiM(b) : DecodeImsi(b);
  if (!imsi.ok()) {
    Diagnostic d = imsi.error();
    d.what += " (" + ef->name + " = " + Hex(b) + ")";
    return d;
  }
  return imsi;
}

}  // namespace omaiop::sim::handset::card
