#include "codec/sms_udh.h"

#include <cstdio>

#include "codec/byte_reader.h"

namespace omaiop::codec {
namespace {

constexpr char kRuleUdh[] = "3GPP TS 23.040 §9.2.3.24";
constexpr char kRuleConcat8[] = "3GPP TS 23.040 §9.2.3.24.1";
constexpr char kRulePorts8[] = "3GPP TS 23.040 §9.2.3.24.3";
constexpr char kRulePorts16[] = "3GPP TS 23.040 §9.2.3.24.4";
constexpr char kRuleConcat16[] = "3GPP TS 23.040 §9.2.3.24.8";
// WAP-259-WDP, GSM SMS adaptation: the port IE in every segment.
constexpr char kRuleWdp[] = "WAP-259-WDP (GSM SMS port addressing)";

std::string IeName(std::uint8_t iei) {
  switch (iei) {
    case kIeiConcat8:
      return "Concatenated SM, 8-bit reference";
    case kIeiPorts8:
      return "Application port addressing, 8-bit";
    case kIeiPorts16:
      return "Application port addressing, 16-bit";
    case kIeiConcat16:
      return "Concatenated SM, 16-bit reference";
    default:
      return "IE " + ToHexLiteral(iei);
  }
}

std::string PortsText(const SmsPorts& p) {
  return "dst " + std::to_string(p.dst) + ", src " + std::to_string(p.src);
}

std::string RefText(const SmsConcat& c) {
  char b[16];
  std::snprintf(b, sizeof b, c.ref16 ? "0x%04X" : "0x%02X", c.reference);
  return b;
}

// "segment 2 of 3 (reference 0x5A)", with `infix` after the counts.
std::string SegText(const SmsConcat& c, std::string_view infix = "") {
  return "segment " + std::to_string(c.seq) + " of " + std::to_string(c.total) +
         std::string(infix) + " (reference " + RefText(c) + ")";
}

// Validates a known IE and fills the decoded views. `off` = IEI offset.
Status DecodeIe(const UdhIe& ie, SmsUserData& ud, ProtoNode* node) {
  const std::size_t doff = ie.offset + 2;
  auto wrong_len = [&](std::size_t want, const char* rule) {
    return Error(IeName(ie.iei) + " IE has length " +
                     std::to_string(ie.data.size()) + ", expected " +
                     std::to_string(want),
                 ie.offset + 1, rule);
  };
  switch (ie.iei) {
    case kIeiConcat8:
    case kIeiConcat16: {
      const bool r16 = ie.iei == kIeiConcat16;
      const char* rule = r16 ? kRuleConcat16 : kRuleConcat8;
      const std::size_t want = r16 ? 4 : 3;
      if (ie.data.size() != want) return wrong_len(want, rule);
      SmsConcat c;
      c.ref16 = r16;
      c.reference =
          r16 ? static_cast<std::uint16_t>(ie.data[0] << 8 | ie.data[1])
              : ie.data[0];
      c.total = ie.data[want - 2];
      c.seq = ie.data[want - 1];
      // §9.2.3.24.1 says a receiver ignores an IE with these values; a
      // conformance harness reports them.
      if (c.total == 0) {
        return Error("concatenation total 0 (must be 1..255)", doff + want - 2,
                     rule);
      }
      if (c.seq == 0) {
        return Error("concatenation sequence number 0 (must start at 1)",
                     doff + want - 1, rule);
      }
      if (c.seq > c.total) {
        return Error("concatenation sequence number " + std::to_string(c.seq) +
                         " > total " + std::to_string(c.total),
                     doff + want - 1, rule);
      }
      ud.concat = c;
      if (node) {
        node->value = SegText(c);
        node->Add("Reference", std::to_string(c.reference), doff, r16 ? 2 : 1);
        node->Add("Total", std::to_string(c.total), doff + want - 2, 1);
        node->Add("Sequence", std::to_string(c.seq), doff + want - 1, 1);
      }
      break;
    }
    case kIeiPorts8:
    case kIeiPorts16: {
      const bool b16 = ie.iei == kIeiPorts16;
      const std::size_t want = b16 ? 4 : 2;
      if (ie.data.size() != want)
        return wrong_len(want, b16 ? kRulePorts16 : kRulePorts8);
      SmsPorts p;
      p.bits16 = b16;
      if (b16) {
        p.dst = static_cast<std::uint16_t>(ie.data[0] << 8 | ie.data[1]);
        p.src = static_cast<std::uint16_t>(ie.data[2] << 8 | ie.data[3]);
      } else {
        p.dst = ie.data[0];
        p.src = ie.data[1];
      }
      ud.ports = p;
      ud.ports_offset = ie.offset;
      if (node) {
        node->value = PortsText(p);
        node->Add("Destination port", std::to_string(p.dst), doff, b16 ? 2 : 1);
        node->Add("Source port", std::to_string(p.src), doff + (b16 ? 2 : 1),
                  b16 ? 2 : 1);
      }
      break;
    }
    default:
      break;  // unknown IEs are kept as they are (§9.2.3.24: skip by length)
  }
  return OkStatus();
}

Result<SmsUserData> ParseImpl(ByteView data, std::size_t base, bool udhi,
                              ProtoNode* root) {
  SmsUserData ud;
  ud.has_udh = udhi;
  ByteReader r(data, base);
  if (udhi) {
    OMAIOP_ASSIGN_OR_RETURN(std::uint8_t udhl, r.U8("UDHL", kRuleUdh));
    if (root) root->Add("UDHL", std::to_string(udhl), base, 1);
    if (udhl > r.remaining()) {
      return Error("UDHL " + std::to_string(udhl) +
                       " larger than the user data (" +
                       std::to_string(r.remaining()) + " octet(s) follow it)",
                   base, kRuleUdh);
    }
    ByteReader h(r.Take(udhl, "UDH", kRuleUdh).value(), base + 1);
    while (!h.empty()) {
      UdhIe ie;
      ie.offset = h.offset();
      ie.iei = h.U8("IEI", kRuleUdh).value();
      if (h.empty()) {
        return Error("bad UDH length: IE " + ToHexLiteral(ie.iei) +
                         " has no length octet inside the UDH",
                     ie.offset, kRuleUdh);
      }
      const std::size_t len_off = h.offset();
      std::uint8_t len = h.U8("IE length", kRuleUdh).value();
      if (len > h.remaining()) {
        return Error("bad UDH length: IE " + ToHexLiteral(ie.iei) + " length " +
                         std::to_string(len) + " overruns the UDH (" +
                         std::to_string(h.remaining()) + " octet(s) left)",
                     len_off, kRuleUdh);
      }
      ByteView d = h.Take(len, "IE data", kRuleUdh).value();
      ie.data.assign(d.begin(), d.end());
      ProtoNode* n =
          root ? &root->Add(IeName(ie.iei), "", ie.offset, 2 + len) : nullptr;
      OMAIOP_RETURN_IF_ERROR(DecodeIe(ie, ud, n));
      ud.ies.push_back(std::move(ie));
    }
  }
  ud.payload_offset = r.offset();
  ud.payload.assign(r.rest().begin(), r.rest().end());
  if (root) {
    root->Add("Payload", std::to_string(ud.payload.size()) + " octet(s)",
              ud.payload_offset, ud.payload.size());
  }
  return ud;
}

Bytes Udh(const std::vector<UdhIe>& ies) {
  Bytes out;
  for (const UdhIe& ie : ies) {
    out.push_back(ie.iei);
    out.push_back(static_cast<std::uint8_t>(ie.data.size()));
    out.insert(out.end(), ie.data.begin(), ie.data.end());
  }
  return out;
}

}  // namespace

UdhIe MakeConcatIe(const SmsConcat& c) {
  UdhIe ie;
  if (c.ref16) {
    ie.iei = kIeiConcat16;
    ie.data = {static_cast<std::uint8_t>(c.reference >> 8),
               static_cast<std::uint8_t>(c.reference & 0xFF), c.total, c.seq};
  } else {
    ie.iei = kIeiConcat8;
    ie.data = {static_cast<std::uint8_t>(c.reference & 0xFF), c.total, c.seq};
  }
  return ie;
}

UdhIe MakePortsIe(const SmsPorts& p) {
  UdhIe ie;
  if (p.bits16) {
    ie.iei = kIeiPorts16;
    ie.data = {static_cast<std::uint8_t>(p.dst >> 8),
               static_cast<std::uint8_t>(p.dst & 0xFF),
               static_cast<std::uint8_t>(p.src >> 8),
               static_cast<std::uint8_t>(p.src & 0xFF)};
  } else {
    ie.iei = kIeiPorts8;
    ie.data = {static_cast<std::uint8_t>(p.dst & 0xFF),
               static_cast<std::uint8_t>(p.src & 0xFF)};
  }
  return ie;
}

Result<SmsUserData> ParseSmsUserData(ByteView ud, std::size_t base_offset,
                                     bool udhi) {
  return ParseImpl(ud, base_offset, udhi, nullptr);
}

Bytes EncodeSmsUserData(const SmsUserData& ud) {
  Bytes out;
  if (ud.has_udh) {
    Bytes h = Udh(ud.ies);
    out.push_back(
        ud.udhl_override.value_or(static_cast<std::uint8_t>(h.size())));
    out.insert(out.end(), h.begin(), h.end());
  }
  out.insert(out.end(), ud.payload.begin(), ud.payload.end());
  return out;
}

ProtoNode DescribeSmsUserData(ByteView ud, std::size_t base_offset, bool udhi) {
  ProtoNode root{"SMS User Data", "", base_offset, ud.size(), {}, {}};
  auto r = ParseImpl(ud, base_offset, udhi, &root);
  if (!r.ok()) {
    root.value = "malformed";
    root.notes.push_back(r.error());
  } else if (r->concat) {
    root.value = SegText(*r->concat);
  }
  return root;
}

Result<std::vector<Bytes>> SegmentWdpDatagram(const WdpDatagram& d,
                                              WdpSegmentOptions o) {
  if (!o.ports_16bit && (d.dst_port > 0xFF || d.src_port > 0xFF)) {
    return Error("port " + std::to_string(std::max(d.dst_port, d.src_port)) +
                     " does not fit the 8-bit port IE",
                 Diagnostic::kNoOffset, kRulePorts8);
  }
  const SmsPorts ports{d.dst_port, d.src_port, o.ports_16bit};
  const UdhIe ports_ie = MakePortsIe(ports);
  const std::size_t ports_len = 2 + ports_ie.data.size();
  std::vector<Bytes> out;
  if (1 + ports_len + d.payload.size() <= o.max_user_data) {
    SmsUserData ud;
    ud.ies = {ports_ie};
    ud.payload = d.payload;
    out.push_back(EncodeSmsUserData(ud));
    return out;
  }
  const std::size_t concat_len = o.concat_16bit ? 6 : 5;
  if (o.max_user_data <= 1 + ports_len + concat_len) {
    return Error("max_user_data " + std::to_string(o.max_user_data) +
                     " leaves no room for payload after the UDH",
                 Diagnostic::kNoOffset, kRuleUdh);
  }
  const std::size_t cap = o.max_user_data - 1 - ports_len - concat_len;
  const std::size_t n = (d.payload.size() + cap - 1) / cap;
  if (n > 255) {
    return Error("datagram of " + std::to_string(d.payload.size()) +
                     " octets needs " + std::to_string(n) +
                     " segments; at most 255",
                 Diagnostic::kNoOffset, kRuleConcat8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    SmsUserData ud;
    ud.ies = {ports_ie,
              MakeConcatIe({o.reference, static_cast<std::uint8_t>(n),
                            static_cast<std::uint8_t>(i + 1), o.concat_16bit})};
    const std::size_t from = i * cap;
    const std::size_t to = std::min(d.payload.size(), from + cap);
    ud.payload.assign(d.payload.begin() + from, d.payload.begin() + to);
    out.push_back(EncodeSmsUserData(ud));
  }
  return out;
}

Result<std::optional<WdpDatagram>> SmsReassembler::Add(
    ByteView user_data, std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(SmsUserData ud,
                          ParseSmsUserData(user_data, base_offset));
  return Add(ud);
}

Result<std::optional<WdpDatagram>> SmsReassembler::Add(const SmsUserData& s) {
  if (!s.ports) {
    return Error("segment has no application port addressing IE",
                 s.payload_offset, kRuleWdp);
  }
  if (!s.concat || s.concat->total == 1) {
    return std::optional<WdpDatagram>(
        WdpDatagram{s.ports->dst, s.ports->src, s.payload});
  }
  const SmsConcat& c = *s.concat;
  Key key{c.ref16, c.reference, c.total};
  auto [it, inserted] = groups_.try_emplace(key);
  Group& g = it->second;
  if (inserted) {
    g.ports = *s.ports;
  } else if (g.ports.dst != s.ports->dst || g.ports.src != s.ports->src) {
    return Error("inconsistent ports: " + SegText(c) + " has " +
                     PortsText(*s.ports) + ", earlier segments " +
                     PortsText(g.ports),
                 s.ports_offset.value_or(s.payload_offset), kRuleWdp);
  }
  auto seg = g.segments.find(c.seq);
  if (seg != g.segments.end()) {
    if (seg->second == s.payload) return std::optional<WdpDatagram>();
    return Error("conflicting duplicate of " + SegText(c) +
                     ": payload differs from the one received first",
                 s.payload_offset, kRuleConcat8);
  }
  g.segments.emplace(c.seq, s.payload);
  if (g.segments.size() < c.total) return std::optional<WdpDatagram>();
  WdpDatagram d{g.ports.dst, g.ports.src, {}};
  for (const auto& [seq, payload] : g.segments)
    d.payload.insert(d.payload.end(), payload.begin(), payload.end());
  groups_.erase(it);
  return std::optional<WdpDatagram>(std::move(d));
}

std::vector<Diagnostic> SmsReassembler::Missing() const {
  std::vector<Diagnostic> out;
  for (const auto& [key, g] : groups_) {
    const auto& [r16, ref, total] = key;
    for (unsigned seq = 1; seq <= total; ++seq) {
      if (g.segments.count(static_cast<std::uint8_t>(seq))) continue;
      SmsConcat c{ref, total, static_cast<std::uint8_t>(seq), r16};
      out.push_back(Error(SegText(c, " missing"), Diagnostic::kNoOffset,
                          r16 ? kRuleConcat16 : kRuleConcat8));
    }
  }
  return out;
}

}  // namespace omaiop::codec
