// SMPP 3.4 PDU codec (SMPP Developers Forum, "Short Message Peer to Peer
// Protocol Specification v3.4", Issue 1.2, 1999): the command header and the
// bodies an SMSC needs to talk to a push server (Kannel, a PPG): bind_*,
// submit_sm, deliver_sm, enquire_link, unbind, generic_nack, with optional
// TLV parameters.
//
// Why our own codec and not Debian's libsmpp34 (1.14.1, evaluated): its
// smpp34_unpack() reports failure through the process globals smpp34_errno /
// smpp34_strerror[2048] (not thread-safe, one SMSC session per thread here),
// gives no byte offset of the fault, and fixes field sizes in C structs so a
// conformance tool can neither report "which octet broke which rule" nor
// encode deliberately faulty PDUs. A conformance tool needs both.
//
// Section numbers are those of SMPP 3.4 Issue 1.2 from memory (MEMORY): §3.1
// field notation (C-Octet String), §3.2 PDU format / §5.1 header fields,
// §4.x per-PDU body layouts, §5.1.3 command_status values, §5.3 optional
// parameters (TLV). Tag values and status codes are the well-known ones that
// Kannel, Wireshark and libsmpp34 agree on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

// command_id values, SMPP 3.4 §5.1.2.
namespace smpp_cmd {
inline constexpr std::uint32_t kGenericNack = 0x80000000;
inline constexpr std::uint32_t kBindReceiver = 0x00000001;
inline constexpr std::uint32_t kBindReceiverResp = 0x80000001;
inline constexpr std::uint32_t kBindTransmitter = 0x00000002;
inline constexpr std::uint32_t kBindTransmitterResp = 0x80000002;
inline constexpr std::uint32_t kSubmitSm = 0x00000004;
inline constexpr std::uint32_t kSubmitSmResp = 0x80000004;
inline constexpr std::uint32_t kDeliverSm = 0x00000005;
inline constexpr std::uint32_t kDeliverSmResp = 0x80000005;
inline constexpr std::uint32_t kUnbind = 0x00000006;
inline constexpr std::uint32_t kUnbindResp = 0x80000006;
inline constexpr std::uint32_t kBindTransceiver = 0x00000009;
inline constexpr std::uint32_t kBindTransceiverResp = 0x80000009;
inline constexpr std::uint32_t kEnquireLink = 0x00000015;
inline constexpr std::uint32_t kEnquireLinkResp = 0x80000015;
}  // namespace smpp_cmd

// command_status values, SMPP 3.4 §5.1.3.
namespace smpp_status {
inline constexpr std::uint32_t kOk = 0x00000000;
inline constexpr std::uint32_t kInvMsgLen = 0x00000001;    // ESME_RINVMSGLEN
inline constexpr std::uint32_t kInvCmdLen = 0x00000002;    // ESME_RINVCMDLEN
inline constexpr std::uint32_t kInvCmdId = 0x00000003;     // ESME_RINVCMDID
inline constexpr std::uint32_t kInvBndSts = 0x00000004;    // ESME_RINVBNDSTS
inline constexpr std::uint32_t kAlyBnd = 0x00000005;       // ESME_RALYBND
inline constexpr std::uint32_t kSysErr = 0x00000008;       // ESME_RSYSERR
inline constexpr std::uint32_t kInvDstAdr = 0x0000000B;    // ESME_RINVDSTADR
inline constexpr std::uint32_t kInvPaswd = 0x0000000E;     // ESME_RINVPASWD
inline constexpr std::uint32_t kInvSysId = 0x0000000F;     // ESME_RINVSYSID
inline constexpr std::uint32_t kBindFail = 0x0000000D;     // ESME_RBINDFAIL
inline constexpr std::uint32_t kInvEsmClass = 0x00000043;  // ESME_RINVESMCLASS
inline constexpr std::uint32_t kSubmitFail = 0x00000045;   // ESME_RSUBMITFAIL
inline constexpr std::uint32_t kInvOptParStream = 0x000000C0;
inline constexpr std::uint32_t kOptParNotAllwd = 0x000000C1;
inline constexpr std::uint32_t kInvParLen = 0x000000C2;
inline constexpr std::uint32_t kMissingOptParam = 0x000000C3;
inline constexpr std::uint32_t kInvOptParamVal = 0x000000C4;
}  // namespace smpp_status

// Optional parameter tags, SMPP 3.4 §5.3.2.
namespace smpp_tag {
inline constexpr std::uint16_t kDestAddrSubunit = 0x0005;
inline constexpr std::uint16_t kSourcePort = 0x020A;
inline constexpr std::uint16_t kDestinationPort = 0x020B;
inline constexpr std::uint16_t kSarMsgRefNum = 0x020C;
inline constexpr std::uint16_t kSarTotalSegments = 0x020E;
inline constexpr std::uint16_t kSarSegmentSeqnum = 0x020F;
inline constexpr std::uint16_t kScInterfaceVersion = 0x0210;
inline constexpr std::uint16_t kPayloadType = 0x0019;
inline constexpr std::uint16_t kMessagePayload = 0x0424;
inline constexpr std::uint16_t kMoreMessagesToSend = 0x0426;
}  // namespace smpp_tag

inline constexpr std::size_t kSmppHeaderSize = 16;
inline constexpr std::uint8_t kEsmClassUdhi = 0x40;  // §5.2.12 bit 6 (GSM)

struct SmppTlv {
  std::uint16_t tag = 0;
  Bytes value;
  std::size_t offset = 0;  // of the tag; set by the parser
  bool operator==(const SmppTlv& o) const {
    return tag == o.tag && value == o.value;
  }
};

// bind_transmitter / bind_receiver / bind_transceiver body, §4.1.1.
struct SmppBind {
  std::string system_id;    // C-Octet String, max 16 incl. NUL
  std::string password;     // max 9
  std::string system_type;  // max 13
  std::uint8_t interface_version = 0x34;
  std::uint8_t addr_ton = 0;
  std::uint8_t addr_npi = 0;
  std::string address_range;  // max 41
  bool operator==(const SmppBind&) const = default;
};

// bind_*_resp body, §4.1.2 (absent when command_status != 0).
struct SmppBindResp {
  std::string system_id;      // max 16
  std::vector<SmppTlv> tlvs;  // sc_interface_version
  bool operator==(const SmppBindResp&) const = default;
};

// submit_sm §4.4.1 and deliver_sm §4.6.1 share one body layout.
struct SmppSm {
  std::string service_type;  // max 6
  std::uint8_t source_addr_ton = 0;
  std::uint8_t source_addr_npi = 0;
  std::string source_addr;  // max 21
  std::uint8_t dest_addr_ton = 0;
  std::uint8_t dest_addr_npi = 0;
  std::string destination_addr;  // max 21
  std::uint8_t esm_class = 0;
  std::uint8_t protocol_id = 0;
  std::uint8_t priority_flag = 0;
  std::string schedule_delivery_time;  // 1 or 17
  std::string validity_period;         // 1 or 17
  std::uint8_t registered_delivery = 0;
  std::uint8_t replace_if_present_flag = 0;
  std::uint8_t data_coding = 0;
  std::uint8_t sm_default_msg_id = 0;
  Bytes short_message;  // sm_length octets, 0..254
  std::vector<SmppTlv> tlvs;
  bool operator==(const SmppSm&) const = default;

  const SmppTlv* FindTlv(std::uint16_t tag) const;
};

// submit_sm_resp §4.4.2 / deliver_sm_resp §4.6.2 (message_id, max 65).
struct SmppSmResp {
  std::string message_id;
  bool operator==(const SmppSmResp&) const = default;
};

// generic_nack, enquire_link(_resp), unbind(_resp): header only.
struct SmppEmpty {
  bool operator==(const SmppEmpty&) const = default;
};

using SmppBody =
    std::variant<SmppEmpty, SmppBind, SmppBindResp, SmppSm, SmppSmResp>;

struct SmppPdu {
  std::uint32_t command_id = 0;
  std::uint32_t command_status = 0;
  std::uint32_t sequence_number = 0;
  SmppBody body;
  // Encoder fault: a command_length that lies. Unset = the true length.
  std::optional<std::uint32_t> length_override;
  bool operator==(const SmppPdu& o) const {
    return command_id == o.command_id && command_status == o.command_status &&
           sequence_number == o.sequence_number && body == o.body;
  }
};

struct SmppHeader {
  std::uint32_t command_length = 0;
  std::uint32_t command_id = 0;
  std::uint32_t command_status = 0;
  std::uint32_t sequence_number = 0;
};

// Name of a command_id ("submit_sm"), or "unknown".
std::string SmppCommandName(std::uint32_t command_id);
// Name of a command_status ("ESME_RINVPASWD"), or "0x..".
std::string SmppStatusName(std::uint32_t status);

// The 16-octet header alone (for stream framing). Checks command_length >= 16
// and <= max_length (§5.1.1; the maximum is a local policy, the spec sets
// none).
Result<SmppHeader> ParseSmppHeader(ByteView data, std::size_t base_offset = 0,
                                   std::uint32_t max_length = 65536);

// One complete PDU: exactly command_length octets. An unknown command_id is an
// error (the SMSC answers generic_nack ESME_RINVCMDID).
// On error, *error_status (if given) receives the command_status an SMSC
// should answer with (ESME_RINVCMDLEN, ESME_RINVCMDID, ESME_RINVPARLEN...).
Result<SmppPdu> ParseSmppPdu(ByteView data, std::size_t base_offset = 0,
                             std::uint32_t* error_status = nullptr);
Bytes EncodeSmppPdu(const SmppPdu& pdu);
ProtoNode DescribeSmppPdu(ByteView data, std::size_t base_offset = 0);
// One line: "submit_sm seq=3 status=ESME_ROK dst=4915... dcs=0xf5 sm=140".
std::string SummarizeSmppPdu(const SmppPdu& pdu);

}  // namespace omaiop::codec
