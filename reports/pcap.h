// Writes UDP/IPv4 datagrams into a pcap file (LINKTYPE_RAW: each record is
// an IPv4 packet) with libpcap, so captures of simulated pushes open in
// Wireshark/tshark. Default addresses are loopback; timestamps are given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::reports {

struct UdpDatagram {
  std::uint64_t timestamp_us = 0;     // microseconds since the Unix epoch
  std::uint32_t src_ip = 0x7F000001;  // 127.0.0.1, host order
  std::uint32_t dst_ip = 0x7F000001;
  std::uint16_t src_port = 9200;
  std::uint16_t dst_port = 2948;
  codec::Bytes payload;
};

// The IPv4 + UDP packet (RFC 791 header checksum, RFC 768 UDP checksum).
// Fails when the payload does not fit one IPv4 packet.
codec::Result<codec::Bytes> BuildIpv4Udp(const UdpDatagram& d);

// Writes all datagrams to `path` (overwriting it).
codec::Status WritePcap(const std::string& path,
                        const std::vector<UdpDatagram>& datagrams);

// Any link type: e.g. LINKTYPE_USER0 (147) records holding GSM SMS TPDUs,
// which tshark dissects with -o 'uat:user_dlts:"User 0 (DLT=147)","gsm_sms",
// "0","","0",""' (reassembling concatenated SMS into WSP).
inline constexpr int kLinkTypeRaw = 101;  // raw IPv4/IPv6
inline constexpr int kLinkTypeUser0 = 147;

struct PcapRecord {
  std::uint64_t timestamp_us = 0;
  codec::Bytes data;
};
codec::Status WritePcapRecords(const std::string& path, int link_type,
                               const std::vector<PcapRecord>& records);

}  // namespace omaiop::reports

namespace omaiop::reports {

// GSMTAP (osmocom gsmtap.h): UDP port 4729, header version 2, length in
// 32-bit words (4 = 16 octets), type 0x04 SIM. Wireshark hands the payload to
// its gsm_sim dissector, which reads a SIMtrace-style APDU: the 5-octet
// header, the command data, any response data, then SW1 SW2 last.
inline constexpr std::uint16_t kGsmtapPort = 4729;
inline constexpr std::uint8_t kGsmtapVersion = 2;
inline constexpr std::uint8_t kGsmtapTypeSim = 0x04;

// GSMTAP header + the APDU exchange `command` (C-APDU) / `response` (R-APDU:
// data then SW1 SW2). A short case-4 C-APDU's trailing Le is dropped and a
// case-1 C-APDU gets P3 = 00, so that P3 tells the dissector the data length.
codec::Bytes BuildGsmtapSim(codec::ByteView command, codec::ByteView response);

// One TCP segment in an IPv4 packet (RFC 793 header without options, RFC
// 793 §3.1 checksum over the pseudo-header).
inline constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpPsh = 0x08,
                              kTcpAck = 0x10;
struct TcpSegment {
  std::uint32_t src_ip = 0x7F000001, dst_ip = 0x7F000001;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  codec::Bytes payload;
};
codec::Result<codec::Bytes> BuildIpv4Tcp(const TcpSegment& s);

// A whole TCP connection synthesised around application messages: the
// three-way handshake, each message in segments of at most `mss` octets
// with PSH on its last, an ACK from the receiver after each message, and
// FIN/ACK from both ends; sequence and acknowledgement numbers follow RFC
// 793 (SYN and FIN each take one). Timestamps start at the first message's
// and grow by 1 µs per packet unless a later message's time is later.
struct TcpEndpoint {
  std::uint32_t ip = 0x7F000001;
  std::uint16_t port = 0;
};
struct TcpMessage {
  std::uint64_t timestamp_us = 0;
  bool from_client = true;
  codec::Bytes data;
};
codec::Result<std::vector<PcapRecord>> SynthesizeTcpConnection(
    TcpEndpoint client, TcpEndpoint server,
    const std::vector<TcpMessage>& messages, std::size_t mss = 1460);

}  // namespace omaiop::reports
