#include "sim/uicc/apdu.h"

#include <array>
#include <cstdio>
#include <utility>

namespace omaiop::sim::uicc {
namespace {

constexpr char kIso7816Apdu[] = "ISO/IEC 7816-4 §5.1";

struct SwName {
  std::uint16_t sw;
  const char* text;
};

// Exact status words (TS 102 221 §10.2.1, GSM 11.11 §9.4).
constexpr std::array<SwName, 40> kExact = {{
    {0x9000, "normal ending of the command"},
    {0x6282,
     "end of file/record reached before reading Le bytes or unsuccessful "
     "search"},
    {0x6284, "selected file in termination state"},
    {0x9862, "authentication error, application specific"},
    {0x6283, "selected file invalidated"},
    {0x6700, "wrong length"},
    {0x6881, "logical channel not supported"},
    {0x6882, "secure messaging not supported"},
    {0x6981, "command incompatible with file structure"},
    {0x6982, "security status not satisfied"},
    {0x6983, "authentication/PIN method blocked"},
    {0x6984, "referenced data invalidated"},
    {0x6985, "conditions of use not satisfied"},
    {0x6986, "command not allowed (no EF selected)"},
    {0x6A80, "incorrect parameters in the data field"},
    {0x6A81, "function not supported"},
    {0x6A82, "file or application not found"},
    {0x6A83, "record not found"},
    {0x6A84, "not enough memory space"},
    {0x6A86, "incorrect parameters P1 to P2"},
    {0x6A87, "Lc inconsistent with P1 to P2"},
    {0x6A88, "referenced data not found"},
    {0x6B00, "wrong parameter(s) P1-P2"},
    {0x6D00, "instruction code not supported or invalid"},
    {0x6E00, "class not supported"},
    {0x6F00, "technical problem, no precise diagnosis"},
    {0x9400, "GSM: no EF selected"},
    {0x9402, "GSM: out of range (invalid address)"},
    {0x9404, "GSM: file ID or pattern not found"},
    {0x9408, "GSM: file is inconsistent with the command"},
    {0x9802, "GSM: no CHV initialised"},
    {0x9804, "GSM: access condition not fulfilled / CHV verification failed"},
    {0x9808, "GSM: in contradiction with CHV status"},
    {0x9810, "GSM: in contradiction with invalidation status"},
    {0x9840, "GSM: CHV blocked"},
    {0x6400, "execution error, state of non-volatile memory unchanged"},
    {0x6581, "memory problem"},
    {0x6A00, "wrong parameters, no information"},
    {0x6800, "functions in CLA not supported"},
    {0x6900, "command not allowed"},
}};

std::string Hex4(std::uint16_t sw) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", sw);
  return buf;
}

}  // namespace

std::string DescribeStatusWord(std::uint16_t status_word) {
  const std::string hex = Hex4(status_word);
  for (const auto& e : kExact)
    if (e.sw == status_word) return hex + " " + e.text;
  const int sw1 = status_word >> 8;
  const int sw2 = status_word & 0xFF;
  switch (sw1) {
    case 0x61:
      return hex + " " + std::to_string(sw2 == 0 ? 256 : sw2) +
             " response bytes available (GET RESPONSE)";
    case 0x6C:
      return hex + " wrong Le, exact length is " +
             std::to_string(sw2 == 0 ? 256 : sw2);
    case 0x63:
      if ((sw2 & 0xF0) == 0xC0)
        return hex + " verification failed, " + std::to_string(sw2 & 0x0F) +
               " tries left";
      return hex + " warning, state of non-volatile memory changed";
    case 0x62:
      return hex + " warning, state of non-volatile memory unchanged";
    case 0x9F:
      return hex + " GSM: " + std::to_string(sw2 == 0 ? 256 : sw2) +
             " response bytes available";
    case 0x91:
      return hex + " normal ending, proactive command of " +
             std::to_string(sw2) + " bytes pending";
    case 0x64:
      return hex + " execution error, memory unchanged";
    case 0x65:
      return hex + " execution error, memory changed";
    case 0x67:
      return hex + " wrong length";
    case 0x68:
      return hex + " functions in CLA not supported";
    case 0x69:
      return hex + " command not allowed";
    case 0x6A:
      return hex + " wrong parameters P1-P2";
    default:
      return hex + " unknown status word";
  }
}

codec::Result<CommandApdu> ParseCommandApdu(ByteView apdu) {
  if (apdu.size() < 4)
    return codec::Error("command APDU of " + std::to_string(apdu.size()) +
                            " bytes is shorter than the 4-byte header",
                        apdu.size(), kIso7816Apdu);
  CommandApdu c;
  c.cla = apdu[0];
  c.ins = apdu[1];
  c.p1 = apdu[2];
  c.p2 = apdu[3];
  const std::size_t body = apdu.size() - 4;
  if (body == 0) {
    c.apdu_case = 1;
    return c;
  }
  const std::uint8_t b1 = apdu[4];
  if (body == 1) {
    c.apdu_case = 2;
    c.le = b1 == 0 ? 256 : b1;
    return c;
  }
  if (b1 == 0)
    return codec::Error(
        "extended-length APDU (byte 4 = 00 followed by more bytes) is not "
        "supported by this card",
        4, std::string(kIso7816Apdu) + " extended length");
  const std::size_t lc = b1;
  if (body == 1 + lc) {
    c.apdu_case = 3;
  } else if (body == 2 + lc) {
    c.apdu_case = 4;
    const std::uint8_t le = apdu[5 + lc];
    c.le = le == 0 ? 256 : le;
  } else {
    return codec::Error("Lc=" + std::to_string(lc) + " announces " +
                            std::to_string(lc) + " data bytes but " +
                            std::to_string(body - 1) + " follow",
                        4, kIso7816Apdu);
  }
  c.data.assign(apdu.begin() + 5, apdu.begin() + 5 + lc);
  return c;
}

Bytes EncodeCommandApdu(const CommandApdu& command) {
  Bytes out = {command.cla, command.ins, command.p1, command.p2};
  if (!command.data.empty()) {
    out.push_back(static_cast<std::uint8_t>(command.data.size()));
    out.insert(out.end(), command.data.begin(), command.data.end());
  }
  if (command.le) out.push_back(static_cast<std::uint8_t>(*command.le & 0xFF));
  return out;
}

Bytes MakeResponse(ByteView data, std::uint16_t status_word) {
  Bytes out(data.begin(), data.end());
  out.push_back(static_cast<std::uint8_t>(status_word >> 8));
  out.push_back(static_cast<std::uint8_t>(status_word & 0xFF));
  return out;
}

std::uint16_t StatusWordOf(ByteView response) {
  if (response.size() < 2) return 0;
  return static_cast<std::uint16_t>(response[response.size() - 2] << 8 |
                                    response[response.size() - 1]);
}

std::string_view InstructionName(std::uint8_t ins) {
  switch (ins) {
    case 0xA4:
      return "SELECT";
    case 0xF2:
      return "STATUS";
    case 0xB0:
      return "READ BINARY";
    case 0xD6:
      return "UPDATE BINARY";
    case 0xB2:
      return "READ RECORD";
    case 0xDC:
      return "UPDATE RECORD";
    case 0xA2:
      return "SEARCH RECORD";
    case 0x32:
      return "INCREASE";
    case 0x20:
      return "VERIFY PIN";
    case 0x24:
      return "CHANGE PIN";
    case 0x26:
      return "DISABLE PIN";
    case 0x28:
      return "ENABLE PIN";
    case 0x2C:
      return "UNBLOCK PIN";
    case 0x04:
      return "DEACTIVATE FILE";
    case 0x44:
      return "ACTIVATE FILE";
    case 0x88:
      return "AUTHENTICATE";
    case 0xC0:
      return "GET RESPONSE";
    case 0x70:
      return "MANAGE CHANNEL";
    case 0x10:
      return "TERMINAL PROFILE";
    case 0xC2:
      return "ENVELOPE";
    case 0x12:
      return "FETCH";
    case 0x14:
      return "TERMINAL RESPONSE";
    default:
      return "";
  }
}

codec::Result<codec::ProtoNode> DescribeCommandApdu(ByteView apdu) {
  OMAIOP_ASSIGN_OR_RETURN(CommandApdu c, ParseCommandApdu(apdu));
  codec::ProtoNode root{"Command APDU",
                        "case " + std::to_string(c.apdu_case),
                        0,
                        apdu.size(),
                        {},
                        {}};
  auto hex = [](std::uint8_t b) { return codec::ToHex(ByteView(&b, 1)); };
  root.Add("CLA", hex(c.cla), 0, 1);
  std::string ins = hex(c.ins);
  if (auto name = InstructionName(c.ins); !name.empty())
    ins += " (" + std::string(name) + ")";
  root.Add("INS", ins, 1, 1);
  root.Add("P1", hex(c.p1), 2, 1);
  root.Add("P2", hex(c.p2), 3, 1);
  if (!c.data.empty()) {
    root.Add("Lc", std::to_string(c.data.size()), 4, 1);
    root.Add("Data", codec::ToHex(c.data), 5, c.data.size());
  }
  if (c.le) root.Add("Le", std::to_string(*c.le), apdu.size() - 1, 1);
  return root;
}

}  // namespace omaiop::sim::uicc
