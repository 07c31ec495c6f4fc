#include "codec/smpp.h"

#include <cstdio>

#include "codec/byte_reader.h"

namespace omaiop::codec {
namespace {

constexpr char kRuleHeader[] = "SMPP 3.4 §3.2";
constexpr char kRuleLength[] = "SMPP 3.4 §5.1.1";
constexpr char kRuleCmdId[] = "SMPP 3.4 §5.1.2";
constexpr char kRuleCString[] = "SMPP 3.4 §3.1";
constexpr char kRuleTlv[] = "SMPP 3.4 §5.3.1";
constexpr char kRuleTlvDef[] = "SMPP 3.4 §5.3.2";
constexpr char kRuleTime[] = "SMPP 3.4 §7.1.1";
constexpr char kRuleSmLength[] = "SMPP 3.4 §5.2.21";

std::string Hex8(std::uint32_t v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}

bool IsResp(std::uint32_t id) { return (id & 0x80000000u) != 0; }

// Parses one body while optionally filling a dissection tree.
class BodyParser {
 public:
  BodyParser(ByteReader& r, ProtoNode* tree, std::uint32_t* status)
      : r_(r), tree_(tree), status_(status) {}

  // C-Octet String of at most `max` octets including the NUL, §3.1.
  Result<std::string> CStr(const char* name, std::size_t max,
                           const char* rule) {
    const std::size_t at = r_.offset();
    auto s = r_.CString(name, kRuleCString);
    if (!s.ok()) return Fail(s.error(), smpp_status::kInvMsgLen);
    if (s->size() + 1 > max) {
      return Fail(
          Error(std::string(name) + " is " + std::to_string(s->size() + 1) +
                    " octets with its NUL; the maximum is " +
                    std::to_string(max),
                at, rule),
          smpp_status::kInvMsgLen);
    }
    std::string v(AsString(*s));
    Node(name, "\"" + v + "\"", at, s->size() + 1);
    return v;
  }

  Result<std::uint8_t> U8(const char* name) {
    const std::size_t at = r_.offset();
    auto v = r_.U8(name, kRuleHeader);
    if (!v.ok()) return Fail(v.error(), smpp_status::kInvMsgLen);
    Node(name, Hex8(*v, 2), at, 1);
    return *v;
  }

  // schedule_delivery_time / validity_period: empty or 16 characters.
  Result<std::string> Time(const char* name) {
    const std::size_t at = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(auto s, CStr(name, 17, kRuleTime));
    if (!s.empty() && s.size() != 16) {
      return Fail(Error(std::string(name) + " has " + std::to_string(s.size()) +
                            " characters; it must be empty or 16 "
                            "(YYMMDDhhmmsstnnp)",
                        at, kRuleTime),
                  smpp_status::kInvMsgLen);
    }
    return s;
  }

  Result<std::vector<SmppTlv>> Tlvs() {
    std::vector<SmppTlv> out;
    ProtoNode* list = nullptr;
    while (!r_.empty()) {
      const std::size_t at = r_.offset();
      if (r_.remaining() < 4) {
        return Fail(Error("truncated TLV: " + std::to_string(r_.remaining()) +
                              " octet(s) left, a TLV needs tag(2) + "
                              "length(2)",
                          at, kRuleTlv),
                    smpp_status::kInvOptParStream);
      }
      SmppTlv t;
      t.offset = at;
      t.tag = *r_.U16BE("TLV tag", kRuleTlv);
      std::uint16_t len = *r_.U16BE("TLV length", kRuleTlv);
      if (len > r_.remaining()) {
        return Fail(
            Error("TLV " + Hex8(t.tag, 4) + " length " + std::to_string(len) +
                      " exceeds the " + std::to_string(r_.remaining()) +
                      " octet(s) left in the PDU",
                  at + 2, kRuleTlv),
            smpp_status::kInvOptParStream);
      }
      ByteView v = *r_.Take(len, "TLV value", kRuleTlv);
      // Fixed-size TLVs, §5.3.2.
      int want = -1;
      switch (t.tag) {
        case smpp_tag::kSarMsgRefNum:
        case smpp_tag::kSourcePort:
        case smpp_tag::kDestinationPort:
          want = 2;
          break;
        case smpp_tag::kSarTotalSegments:
        case smpp_tag::kSarSegmentSeqnum:
        case smpp_tag::kScInterfaceVersion:
        case smpp_tag::kPayloadType:
        case smpp_tag::kMoreMessagesToSend:
        case smpp_tag::kDestAddrSubunit:
          want = 1;
          break;
      }
      if (want >= 0 && len != want) {
        return Fail(Error("TLV " + Hex8(t.tag, 4) + " has length " +
                              std::to_string(len) + "; it must be " +
                              std::to_string(want),
                          at + 2, kRuleTlvDef),
                    smpp_status::kInvParLen);
      }
      t.value.assign(v.begin(), v.end());
      if (tree_) {
        if (!list) {
          list = &tree_->Add("Optional parameters", "", at, 0);
        }
        auto& n =
            list->Add("TLV " + Hex8(t.tag, 4), ToHex(t.value), at, 4 + len);
        n.Add("Tag", Hex8(t.tag, 4), at, 2);
        n.Add("Length", std::to_string(len), at + 2, 2);
        list->length = at + 4 + len - list->offset;
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<SmppBind> Bind() {
    SmppBind b;
    OMAIOP_ASSIGN_OR_RETURN(b.system_id,
                            CStr("system_id", 16, "SMPP 3.4 §5.2.1"));
    OMAIOP_ASSIGN_OR_RETURN(b.password, CStr("password", 9, "SMPP 3.4 §5.2.2"));
    OMAIOP_ASSIGN_OR_RETURN(b.system_type,
                            CStr("system_type", 13, "SMPP 3.4 §5.2.3"));
    OMAIOP_ASSIGN_OR_RETURN(b.interface_version, U8("interface_version"));
    OMAIOP_ASSIGN_OR_RETURN(b.addr_ton, U8("addr_ton"));
    OMAIOP_ASSIGN_OR_RETURN(b.addr_npi, U8("addr_npi"));
    OMAIOP_ASSIGN_OR_RETURN(b.address_range,
                            CStr("address_range", 41, "SMPP 3.4 §5.2.7"));
    OMAIOP_RETURN_IF_ERROR(NoTrailer("bind", "SMPP 3.4 §4.1.1"));
    return b;
  }

  Result<SmppBindResp> BindResp() {
    SmppBindResp b;
    OMAIOP_ASSIGN_OR_RETURN(b.system_id,
                            CStr("system_id", 16, "SMPP 3.4 §5.2.1"));
    OMAIOP_ASSIGN_OR_RETURN(b.tlvs, Tlvs());
    return b;
  }

  Result<SmppSm> Sm() {
    SmppSm m;
    OMAIOP_ASSIGN_OR_RETURN(m.service_type,
                            CStr("service_type", 6, "SMPP 3.4 §5.2.11"));
    OMAIOP_ASSIGN_OR_RETURN(m.source_addr_ton, U8("source_addr_ton"));
    OMAIOP_ASSIGN_OR_RETURN(m.source_addr_npi, U8("source_addr_npi"));
    OMAIOP_ASSIGN_OR_RETURN(m.source_addr,
                            CStr("source_addr", 21, "SMPP 3.4 §5.2.8"));
    OMAIOP_ASSIGN_OR_RETURN(m.dest_addr_ton, U8("dest_addr_ton"));
    OMAIOP_ASSIGN_OR_RETURN(m.dest_addr_npi, U8("dest_addr_npi"));
    OMAIOP_ASSIGN_OR_RETURN(m.destination_addr,
                            CStr("destination_addr", 21, "SMPP 3.4 §5.2.9"));
    OMAIOP_ASSIGN_OR_RETURN(m.esm_class, U8("esm_class"));
    OMAIOP_ASSIGN_OR_RETURN(m.protocol_id, U8("protocol_id"));
    OMAIOP_ASSIGN_OR_RETURN(m.priority_flag, U8("priority_flag"));
    OMAIOP_ASSIGN_OR_RETURN(m.schedule_delivery_time,
                            Time("schedule_delivery_time"));
    OMAIOP_ASSIGN_OR_RETURN(m.validity_period, Time("validity_period"));
    OMAIOP_ASSIGN_OR_RETURN(m.registered_delivery, U8("registered_delivery"));
    OMAIOP_ASSIGN_OR_RETURN(m.replace_if_present_flag,
                            U8("replace_if_present_flag"));
    OMAIOP_ASSIGN_OR_RETURN(m.data_coding, U8("data_coding"));
    OMAIOP_ASSIGN_OR_RETURN(m.sm_default_msg_id, U8("sm_default_msg_id"));
    const std::size_t len_at = r_.offset();
    OMAIOP_ASSIGN_OR_RETURN(std::uint8_t sm_length, U8("sm_length"));
    if (sm_length > 254) {
      return Fail(Error("sm_length 255 exceeds the maximum of 254", len_at,
                        kRuleSmLength),
                  smpp_status::kInvMsgLen);
    }
    const std::size_t sm_at = r_.offset();
    if (sm_length > r_.remaining()) {
      return Fail(Error("sm_length " + std::to_string(sm_length) +
                            " exceeds the " + std::to_string(r_.remaining()) +
                            " octet(s) left in the PDU",
                        len_at, kRuleSmLength),
                  smpp_status::kInvMsgLen);
    }
    ByteView sm = *r_.Take(sm_length, "short_message", kRuleSmLength);
    m.short_message.assign(sm.begin(), sm.end());
    Node("short_message", ToHex(m.short_message), sm_at, sm_length);
    OMAIOP_ASSIGN_OR_RETURN(m.tlvs, Tlvs());
    return m;
  }

  Result<SmppSmResp> SmResp() {
    SmppSmResp m;
    OMAIOP_ASSIGN_OR_RETURN(m.message_id,
                            CStr("message_id", 65, "SMPP 3.4 §5.2.23"));
    OMAIOP_RETURN_IF_ERROR(NoTrailer("submit_sm_resp", "SMPP 3.4 §4.4.2"));
    return m;
  }

  Status NoTrailer(const char* pdu, const char* rule) {
    if (r_.empty()) return OkStatus();
    return Fail(Error(std::to_string(r_.remaining()) +
                          " octet(s) after the last field of " + pdu +
                          " (command_length too large)",
                      r_.offset(), rule),
                smpp_status::kInvCmdLen);
  }

 private:
  Diagnostic Fail(Diagnostic d, std::uint32_t status) {
    if (status_) *status_ = status;
    return d;
  }
  void Node(const char* name, std::string value, std::size_t at,
            std::size_t len) {
    if (tree_) tree_->Add(name, std::move(value), at, len);
  }

  ByteReader& r_;
  ProtoNode* tree_;
  std::uint32_t* status_;
};

Result<SmppPdu> ParseImpl(ByteView data, std::size_t base, ProtoNode* tree,
                          std::uint32_t* status) {
  OMAIOP_ASSIGN_OR_RETURN(SmppHeader h,
                          ParseSmppHeader(data, base, 0xFFFFFFFFu));
  if (tree) {
    auto& hn = tree->Add("Header", "", base, kSmppHeaderSize);
    hn.Add("command_length", std::to_string(h.command_length), base, 4);
    hn.Add("command_id",
           Hex8(h.command_id, 8) + " (" + SmppCommandName(h.command_id) + ")",
           base + 4, 4);
    hn.Add("command_status",
           Hex8(h.command_status, 8) + " (" + SmppStatusName(h.command_status) +
               ")",
           base + 8, 4);
    hn.Add("sequence_number", std::to_string(h.sequence_number), base + 12, 4);
  }
  if (h.command_length != data.size()) {
    if (status) *status = smpp_status::kInvCmdLen;
    return Error("command_length " + std::to_string(h.command_length) +
                     " but the PDU is " + std::to_string(data.size()) +
                     " octets",
                 base, kRuleLength);
  }
  SmppPdu pdu;
  pdu.command_id = h.command_id;
  pdu.command_status = h.command_status;
  pdu.sequence_number = h.sequence_number;
  ByteReader r(data.subspan(kSmppHeaderSize), base + kSmppHeaderSize);
  BodyParser p(r, tree, status);
  using namespace smpp_cmd;
  // A response with a non-zero status may omit its body (§4.1.2, §4.4.2).
  const bool body_optional =
      IsResp(h.command_id) && h.command_status != 0 && r.empty();
  switch (h.command_id) {
    case kBindReceiver:
    case kBindTransmitter:
    case kBindTransceiver: {
      OMAIOP_ASSIGN_OR_RETURN(pdu.body, p.Bind());
      break;
    }
    case kBindReceiverResp:
    case kBindTransmitterResp:
    case kBindTransceiverResp: {
      if (body_optional) {
        pdu.body = SmppBindResp{};
        break;
      }
      OMAIOP_ASSIGN_OR_RETURN(pdu.body, p.BindResp());
      break;
    }
    case kSubmitSm:
    case kDeliverSm: {
      OMAIOP_ASSIGN_OR_RETURN(pdu.body, p.Sm());
      break;
    }
    case kSubmitSmResp:
    case kDeliverSmResp: {
      if (body_optional) {
        pdu.body = SmppSmResp{};
        break;
      }
      OMAIOP_ASSIGN_OR_RETURN(pdu.body, p.SmResp());
      break;
    }
    case kGenericNack:
    case kEnquireLink:
    case kEnquireLinkResp:
    case kUnbind:
    case kUnbindResp: {
      OMAIOP_RETURN_IF_ERROR(
          p.NoTrailer(SmppCommandName(h.command_id).c_str(), "SMPP 3.4 §4"));
      pdu.body = SmppEmpty{};
      break;
    }
    default:
      if (status) *status = smpp_status::kInvCmdId;
      return Error("unknown or unsupported command_id " + Hex8(h.command_id, 8),
                   base + 4, kRuleCmdId);
  }
  return pdu;
}

void PutU32(Bytes& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<std::uint8_t>(v >> s));
}
void PutU16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void PutCStr(Bytes& out, const std::string& s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}
void PutTlvs(Bytes& out, const std::vector<SmppTlv>& tlvs) {
  for (const auto& t : tlvs) {
    PutU16(out, t.tag);
    PutU16(out, static_cast<std::uint16_t>(t.value.size()));
    out.insert(out.end(), t.value.begin(), t.value.end());
  }
}

}  // namespace

const SmppTlv* SmppSm::FindTlv(std::uint16_t tag) const {
  for (const auto& t : tlvs)
    if (t.tag == tag) return &t;
  return nullptr;
}

std::string SmppCommandName(std::uint32_t id) {
  using namespace smpp_cmd;
  switch (id) {
    case kGenericNack:
      return "generic_nack";
    case kBindReceiver:
      return "bind_receiver";
    case kBindReceiverResp:
      return "bind_receiver_resp";
    case kBindTransmitter:
      return "bind_transmitter";
    case kBindTransmitterResp:
      return "bind_transmitter_resp";
    case kSubmitSm:
      return "submit_sm";
    case kSubmitSmResp:
      return "submit_sm_resp";
    case kDeliverSm:
      return "deliver_sm";
    case kDeliverSmResp:
      return "deliver_sm_resp";
    case kUnbind:
      return "unbind";
    case kUnbindResp:
      return "unbind_resp";
    case kBindTransceiver:
      return "bind_transceiver";
    case kBindTransceiverResp:
      return "bind_transceiver_resp";
    case kEnquireLink:
      return "enquire_link";
    case kEnquireLinkResp:
      return "enquire_link_resp";
  }
  return "unknown";
}

std::string SmppStatusName(std::uint32_t s) {
  using namespace smpp_status;
  switch (s) {
    case kOk:
      return "ESME_ROK";
    case kInvMsgLen:
      return "ESME_RINVMSGLEN";
    case kInvCmdLen:
      return "ESME_RINVCMDLEN";
    case kInvCmdId:
      return "ESME_RINVCMDID";
    case kInvBndSts:
      return "ESME_RINVBNDSTS";
    case kAlyBnd:
      return "ESME_RALYBND";
    case kSysErr:
      return "ESME_RSYSERR";
    case kInvDstAdr:
      return "ESME_RINVDSTADR";
    case kBindFail:
      return "ESME_RBINDFAIL";
    case kInvPaswd:
      return "ESME_RINVPASWD";
    case kInvSysId:
      return "ESME_RINVSYSID";
    case kInvEsmClass:
      return "ESME_RINVESMCLASS";
    case kSubmitFail:
      return "ESME_RSUBMITFAIL";
    case kInvOptParStream:
      return "ESME_RINVOPTPARSTREAM";
    case kOptParNotAllwd:
      return "ESME_ROPTPARNOTALLWD";
    case kInvParLen:
      return "ESME_RINVPARLEN";
    case kMissingOptParam:
      return "ESME_RMISSINGOPTPARAM";
    case kInvOptParamVal:
      return "ESME_RINVOPTPARAMVAL";
  }
  return Hex8(s, 8);
}

Result<SmppHeader> ParseSmppHeader(ByteView data, std::size_t base,
                                   std::uint32_t max_length) {
  ByteReader r(data, base);
  SmppHeader h;
  OMAIOP_ASSIGN_OR_RETURN(h.command_length,
                          r.U32BE("command_length", kRuleLength));
  OMAIOP_ASSIGN_OR_RETURN(h.command_id, r.U32BE("command_id", kRuleHeader));
  OMAIOP_ASSIGN_OR_RETURN(h.command_status,
                          r.U32BE("command_status", kRuleHeader));
  OMAIOP_ASSIGN_OR_RETURN(h.sequence_number,
                          r.U32BE("sequence_number", kRuleHeader));
  if (h.command_length < kSmppHeaderSize) {
    return Error("command_length " + std::to_string(h.command_length) +
                     " is less than the 16-octet header",
                 base, kRuleLength);
  }
  if (h.command_length > max_length) {
    return Error("command_length " + std::to_string(h.command_length) +
                     " exceeds the configured maximum of " +
                     std::to_string(max_length) + " (local policy)",
                 base, kRuleLength);
  }
  return h;
}

Result<SmppPdu> ParseSmppPdu(ByteView data, std::size_t base_offset,
                             std::uint32_t* error_status) {
  if (error_status) *error_status = smpp_status::kInvCmdLen;
  return ParseImpl(data, base_offset, nullptr, error_status);
}

ProtoNode DescribeSmppPdu(ByteView data, std::size_t base_offset) {
  ProtoNode root{"SMPP 3.4 PDU", "", base_offset, data.size(), {}, {}};
  auto r = ParseImpl(data, base_offset, &root, nullptr);
  if (r.ok()) {
    root.value = SummarizeSmppPdu(*r);
  } else {
    root.notes.push_back(r.error());
  }
  return root;
}

Bytes EncodeSmppPdu(const SmppPdu& pdu) {
  Bytes out(kSmppHeaderSize, 0);
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, SmppBind>) {
          PutCStr(out, b.system_id);
          PutCStr(out, b.password);
          PutCStr(out, b.system_type);
          out.push_back(b.interface_version);
          out.push_back(b.addr_ton);
          out.push_back(b.addr_npi);
          PutCStr(out, b.address_range);
        } else if constexpr (std::is_same_v<T, SmppBindResp>) {
          // §4.1.2: no body when command_status != 0.
          if (pdu.command_status == 0 || !b.system_id.empty() ||
              !b.tlvs.empty()) {
            PutCStr(out, b.system_id);
            PutTlvs(out, b.tlvs);
          }
        } else if constexpr (std::is_same_v<T, SmppSm>) {
          PutCStr(out, b.service_type);
          out.push_back(b.source_addr_ton);
          out.push_back(b.source_addr_npi);
          PutCStr(out, b.source_addr);
          out.push_back(b.dest_addr_ton);
          out.push_back(b.dest_addr_npi);
          PutCStr(out, b.destination_addr);
          out.push_back(b.esm_class);
          out.push_back(b.protocol_id);
          out.push_back(b.priority_flag);
          PutCStr(out, b.schedule_delivery_time);
          PutCStr(out, b.validity_period);
          out.push_back(b.registered_delivery);
          out.push_back(b.replace_if_present_flag);
          out.push_back(b.data_coding);
          out.push_back(b.sm_default_msg_id);
          out.push_back(static_cast<std::uint8_t>(b.short_message.size()));
          out.insert(out.end(), b.short_message.begin(), b.short_message.end());
          PutTlvs(out, b.tlvs);
        } else if constexpr (std::is_same_v<T, SmppSmResp>) {
          // §4.4.2: no body when command_status != 0.
          if (pdu.command_status == 0 || !b.message_id.empty())
            PutCStr(out, b.message_id);
        }
      },
      pdu.body);
  Bytes hdr;
  PutU32(hdr,
         pdu.length_override.value_or(static_cast<std::uint32_t>(out.size())));
  PutU32(hdr, pdu.command_id);
  PutU32(hdr, pdu.command_status);
  PutU32(hdr, pdu.sequence_number);
  std::copy(hdr.begin(), hdr.end(), out.begin());
  return out;
}

std::string SummarizeSmppPdu(const SmppPdu& pdu) {
  std::string s = SmppCommandName(pdu.command_id) +
                  " seq=" + std::to_string(pdu.sequence_number);
  if (IsResp(pdu.command_id) || pdu.command_status != 0)
    s += " status=" + SmppStatusName(pdu.command_status);
  if (auto* b = std::get_if<SmppBind>(&pdu.body)) {
    s += " system_id=\"" + b->system_id + "\" system_type=\"" + b->system_type +
         "\" if=" + Hex8(b->interface_version, 2);
  } else if (auto* b = std::get_if<SmppBindResp>(&pdu.body)) {
    s += " system_id=\"" + b->system_id + "\"";
  } else if (auto* m = std::get_if<SmppSm>(&pdu.body)) {
    s += " src=" + m->source_addr + " dst=" + m->destination_addr +
         " esm=" + Hex8(m->esm_class, 2) + " dcs=" + Hex8(m->data_coding, 2) +
         " sm_length=" + std::to_string(m->short_message.size());
    for (const auto& t : m->tlvs)
      s += " tlv" + Hex8(t.tag, 4) + "[" + std::to_string(t.value.size()) + "]";
  } else if (auto* m = std::get_if<SmppSmResp>(&pdu.body)) {
    s += " message_id=\"" + m->message_id + "\"";
  }
  return s;
}

}  // namespace omaiop::codec
