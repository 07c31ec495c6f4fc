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
