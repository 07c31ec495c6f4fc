// SMS user data with a User Data Header (3GPP TS 23.040 §9.2.3.24) as WDP
// uses it for WAP push over GSM SMS (WAP-259-WDP, GSM SMS adaptation):
// application-port IEs, concatenation IEs, segmentation of a WDP datagram
// into <= 140-octet 8-bit user data and out-of-order reassembly.
// 8-bit data coding only (no 7-bit septet fill bits): WAP push uses DCS 0xF5
// or 0x04 (cp.md §2.3).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

inline constexpr std::uint8_t kIeiConcat8 = 0x00;           // §9.2.3.24.1
inline constexpr std::uint8_t kIeiPorts8 = 0x04;            // §9.2.3.24.3
inline constexpr std::uint8_t kIeiPorts16 = 0x05;           // §9.2.3.24.4
inline constexpr std::uint8_t kIeiConcat16 = 0x08;          // §9.2.3.24.8
inline constexpr std::size_t kSmsMaxUserData = 140;         // 8-bit octets
inline constexpr std::uint16_t kWdpPortWapPush = 2948;      // 0x0B84
inline constexpr std::uint16_t kWdpPortWspConnless = 9200;  // 0x23F0

struct UdhIe {
  std::uint8_t iei = 0;
  Bytes data;
  std::size_t offset = 0;  // of the IEI octet; set by the parser
  bool operator==(const UdhIe& o) const {
    return iei == o.iei && data == o.data;
  }
};

struct SmsConcat {
  std::uint16_t reference = 0;
  std::uint8_t total = 1;
  std::uint8_t seq = 1;
  bool ref16 = false;  // IEI 0x08 instead of 0x00
  bool operator==(const SmsConcat&) const = default;
};

struct SmsPorts {
  std::uint16_t dst = kWdpPortWapPush;
  std::uint16_t src = kWdpPortWapPush;
  bool bits16 = true;  // IEI 0x05 instead of 0x04
  bool operator==(const SmsPorts&) const = default;
};

UdhIe MakeConcatIe(const SmsConcat& c);
UdhIe MakePortsIe(const SmsPorts& p);  // 8-bit form masks ports to 0..255

struct SmsUserData {
  bool has_udh = true;     // TP-UDHI
  std::vector<UdhIe> ies;  // wire order, known and unknown IEs alike
  Bytes payload;
  // Encoder fault: a UDHL that lies. Unset = the true length.
  std::optional<std::uint8_t> udhl_override;

  // Set by the parser: decoded views (the last occurrence wins, §9.2.3.24:
  // "the receiving entity shall use the last occurrence") and offsets.
  std::optional<SmsConcat> concat;
  std::optional<SmsPorts> ports;
  std::optional<std::size_t> ports_offset;
  std::size_t payload_offset = 0;
};

// Parses one segment's user data (TP-UD, 8-bit). `udhi` = TP-UDHI.
Result<SmsUserData> ParseSmsUserData(ByteView ud, std::size_t base_offset = 0,
                                     bool udhi = true);
Bytes EncodeSmsUserData(const SmsUserData& ud);
ProtoNode DescribeSmsUserData(ByteView ud, std::size_t base_offset = 0,
                              bool udhi = true);

struct WdpDatagram {
  std::uint16_t dst_port = kWdpPortWapPush;
  std::uint16_t src_port = kWdpPortWapPush;
  Bytes payload;
  bool operator==(const WdpDatagram&) const = default;
};

struct WdpSegmentOptions {
  bool ports_16bit = true;    // WDP over GSM SMS uses IEI 0x05 (Kannel too)
  bool concat_16bit = false;  // IEI 0x08 instead of 0x00
  std::uint16_t reference = 0;
  std::size_t max_user_data = kSmsMaxUserData;
};

// Splits a datagram into TP-UD octet strings, each <= max_user_data, with
// the ports IE in every segment (first) and a concatenation IE when more
// than one segment is needed. Fails if more than 255 segments are needed
// or the options cannot fit any payload.
Result<std::vector<Bytes>> SegmentWdpDatagram(const WdpDatagram& d,
                                              WdpSegmentOptions options = {});

// Collects segments in any order and yields each datagram once complete.
class SmsReassembler {
 public:
  // nullopt: stored (or an identical duplicate, ignored), waiting for more.
  Result<std::optional<WdpDatagram>> Add(ByteView user_data,
                                         std::size_t base_offset = 0);
  Result<std::optional<WdpDatagram>> Add(const SmsUserData& segment);

  // One diagnostic per missing segment of every incomplete message:
  // "segment 2 of 3 missing (reference 0x5A)".
  std::vector<Diagnostic> Missing() const;
  std::size_t pending_messages() const { return groups_.size(); }

 private:
  using Key = std::tuple<bool, std::uint16_t, std::uint8_t>;  // ref16,ref,total
  struct Group {
    SmsPorts ports;
    std::map<std::uint8_t, Bytes> segments;
  };
  std::map<Key, Group> groups_;
};

}  // namespace omaiop::codec
