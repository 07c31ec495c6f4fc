// Command/response APDUs (ISO/IEC 7816-4 §5.1) and the status words a UICC
// answers with (ETSI TS 102 221 §10.2, GSM 11.11 §9.4 for the 9Fxx/98xx/94xx
// family of the classic SIM).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::sim::uicc {

using codec::Bytes;
using codec::ByteView;

// Status words used by the card. Two-byte values SW1<<8 | SW2; the "xx"
// families (61xx, 6Cxx, 63Cx, 9Fxx) are built with the helpers below.
namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kEndOfFile = 0x6282;
inline constexpr std::uint16_t kFileInvalidated = 0x6283;
// Execution error, ISO 7816-4 §5.6 / TS 102 221 §10.2.1.
inline constexpr std::uint16_t kMemoryProblem = 0x6581;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kChannelNotSupported = 0x6881;
inline constexpr std::uint16_t kSecureMessagingNotSupported = 0x6882;
inline constexpr std::uint16_t kIncompatibleFileStructure = 0x6981;
inline constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
inline constexpr std::uint16_t kAuthMethodBlocked = 0x6983;
inline constexpr std::uint16_t kReferencedDataInvalidated = 0x6984;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kNoCurrentEf = 0x6986;
inline constexpr std::uint16_t kIncorrectData = 0x6A80;
inline constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kRecordNotFound = 0x6A83;
inline constexpr std::uint16_t kNotEnoughMemory = 0x6A84;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kLcInconsistent = 0x6A87;
inline constexpr std::uint16_t kReferencedDataNotFound = 0x6A88;
inline constexpr std::uint16_t kWrongP1P2 = 0x6B00;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kTechnicalProblem = 0x6F00;
// GSM 11.11 §9.4 (CLA A0).
inline constexpr std::uint16_t kGsmNoEfSelected = 0x9400;
inline constexpr std::uint16_t kGsmOutOfRange = 0x9402;
inline constexpr std::uint16_t kGsmNotFound = 0x9404;
inline constexpr std::uint16_t kGsmFileInconsistent = 0x9408;
inline constexpr std::uint16_t kGsmNoChvInitialised = 0x9802;
inline constexpr std::uint16_t kGsmAccessDenied = 0x9804;
inline constexpr std::uint16_t kGsmContradictionChv = 0x9808;
inline constexpr std::uint16_t kGsmContradictionInvalidation = 0x9810;
inline constexpr std::uint16_t kGsmChvBlocked = 0x9840;
inline constexpr std::uint16_t kGsmMemoryProblem = 0x9240;  // GSM 11.11 §9.4.5

// 61xx: xx response bytes available (T=0; xx=00 means 256).
constexpr std::uint16_t BytesAvailable(std::size_t n) {
  return static_cast<std::uint16_t>(0x6100 | (n >= 256 ? 0 : n));
}
// 6Cxx: wrong Le, resend with Le=xx.
constexpr std::uint16_t WrongLe(std::size_t exact) {
  return static_cast<std::uint16_t>(0x6C00 | (exact >= 256 ? 0 : exact));
}
// 63Cx: verification failed, x tries left (TS 102 221 §10.2.1.3).
constexpr std::uint16_t TriesLeft(int n) {
  return static_cast<std::uint16_t>(0x63C0 | (n & 0x0F));
}
// 9Fxx: GSM response of xx bytes available (GSM 11.11 §9.4.1).
constexpr std::uint16_t GsmResponseLength(std::size_t n) {
  return static_cast<std::uint16_t>(0x9F00 | (n >= 256 ? 0 : n));
}
}  // namespace sw

// "6A82 file or application not found", "63C2 verification failed, 2 tries
// left". Unknown words are described by their ISO 7816-4 SW1 group.
std::string DescribeStatusWord(std::uint16_t status_word);

// A parsed short command APDU. Extended-length APDUs are rejected by
// ParseCommandApdu: the card does not announce extended Lc/Le in its ATR
// historical bytes (card capabilities 3rd byte b7 = 0), so a reader must not
// send them; the engine answers 6700 (ISO 7816-4 §5.1).
struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;                     // command data field (Nc = data.size())
  std::optional<std::size_t> le;  // Ne; Le byte 00 means 256
  int apdu_case = 1;              // ISO 7816-3 §12.1.3 cases 1..4 (short)

  bool has_le() const { return le.has_value(); }
};

// Cases 1-4 short. Errors name the offending offset.
codec::Result<CommandApdu> ParseCommandApdu(ByteView apdu);

// Serialises a command back to bytes (short encoding).
Bytes EncodeCommandApdu(const CommandApdu& command);

// data || SW1 SW2.
Bytes MakeResponse(ByteView data, std::uint16_t status_word);
inline Bytes MakeResponse(std::uint16_t status_word) {
  return MakeResponse({}, status_word);
}
// Last two bytes of a response; 0 if shorter than 2 bytes.
std::uint16_t StatusWordOf(ByteView response);

// Dissection of a command APDU (CLA/INS/P1/P2/Lc/data/Le with offsets).
codec::Result<codec::ProtoNode> DescribeCommandApdu(ByteView apdu);

// Name of an instruction byte ("SELECT", "READ BINARY"), or "" if unknown.
std::string_view InstructionName(std::uint8_t ins);

}  // namespace omaiop::sim::uicc
