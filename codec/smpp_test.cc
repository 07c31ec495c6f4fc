#include "codec/smpp.h"

#include <gtest/gtest.h>

#include "codec/test_hex.h"

namespace omaiop::codec {
namespace {

using testing::H;

// Hand-computed (no spec example at hand): bind_transmitter, system_id
// "SMPP3TEST", password "secret08", system_type "SUBMIT1", interface 0x34,
// addr_ton 1, addr_npi 1, address_range "". Body 10+9+8+3+1 = 31 octets,
// command_length 16+31 = 47 = 0x2F. Layout per SMPP 3.4 §4.1.1.
constexpr char kBindTx[] =
    "0000002F 00000002 00000000 00000001"
    "534D5050335445535400"  // "SMPP3TEST\0"
    "736563726574303800"    // "secret08\0"
    "5355424D49543100"      // "SUBMIT1\0"
    "340101 00";

// Hand-computed submit_sm (§4.4.1): service_type "", source 1/1 "4912345",
// dest 1/1 "4915550001", esm_class 0x40 (UDHI), pid 0, priority 0, no
// schedule/validity, registered_delivery 0, replace 0, data_coding 0xF5,
// sm_default_msg_id 0, sm_length 9, short_message = UDH ports 2948/9200 +
// "AB". Body 1+10+13+3+1+1+4+1+9 = 43, command_length 59 = 0x3B.
constexpr char kSubmit[] =
    "0000003B 00000004 00000000 00000007"
    "00"
    "0101 3439313233343500"
    "0101 3439313535353030303100"
    "40 00 00 00 00 00 00 F5 00"
    "09 0605040B8423F04142";

std::string Hex(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

TEST(Smpp, BindTransmitterLayout) {
  SmppPdu p;
  p.command_id = smpp_cmd::kBindTransmitter;
  p.sequence_number = 1;
  SmppBind b;
  b.system_id = "SMPP3TEST";
  b.password = "secret08";
  b.system_type = "SUBMIT1";
  b.addr_ton = 1;
  b.addr_npi = 1;
  p.body = b;
  EXPECT_EQ(ToHex(EncodeSmppPdu(p)), ToHex(H(Hex(kBindTx))));
  auto r = ParseSmppPdu(H(Hex(kBindTx)));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, p);
}

TEST(Smpp, SubmitSmLayout) {
  auto r = ParseSmppPdu(H(Hex(kSubmit)));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->command_id, smpp_cmd::kSubmitSm);
  EXPECT_EQ(r->sequence_number, 7u);
  const auto& sm = std::get<SmppSm>(r->body);
  EXPECT_EQ(sm.source_addr, "4912345");
  EXPECT_EQ(sm.destination_addr, "4915550001");
  EXPECT_EQ(sm.esm_class, 0x40);
  EXPECT_EQ(sm.data_coding, 0xF5);
  EXPECT_EQ(ToHex(sm.short_message), ToHex(H("0605040B8423F04142")));
  EXPECT_EQ(EncodeSmppPdu(*r), H(Hex(kSubmit)));
}

SmppPdu Make(std::uint32_t id, SmppBody body, std::uint32_t status = 0) {
  SmppPdu p;
  p.command_id = id;
  p.command_status = status;
  p.sequence_number = 0x01020304;
  p.body = std::move(body);
  return p;
}

TEST(Smpp, EveryPduRoundTrips) {
  SmppSm sm;
  sm.service_type = "WAP";
  sm.source_addr = "1234";
  sm.destination_addr = "+4915550001";
  sm.schedule_delivery_time = "261121223000000+";
  sm.validity_period = "000001000000000R";
  sm.data_coding = 0x04;
  sm.short_message = {1, 2, 3};
  sm.tlvs = {{smpp_tag::kSarMsgRefNum, {0x12, 0x34}, 0},
             {smpp_tag::kSarTotalSegments, {2}, 0},
             {smpp_tag::kSarSegmentSeqnum, {1}, 0},
             {0x1403, {9, 9, 9}, 0}};  // vendor TLV, kept opaque
  SmppBind bind{"esme", "pw", "VMA", 0x34, 1, 1, "^49"};
  SmppBindResp br{"smsc", {{smpp_tag::kScInterfaceVersion, {0x34}, 0}}};
  std::vector<SmppPdu> all = {
      Make(smpp_cmd::kBindTransmitter, bind),
      Make(smpp_cmd::kBindReceiver, bind),
      Make(smpp_cmd::kBindTransceiver, bind),
      Make(smpp_cmd::kBindTransmitterResp, br),
      Make(smpp_cmd::kBindReceiverResp, br),
      Make(smpp_cmd::kBindTransceiverResp, br),
      Make(smpp_cmd::kBindTransmitterResp, SmppBindResp{},
           smpp_status::kInvPaswd),
      Make(smpp_cmd::kSubmitSm, sm),
      Make(smpp_cmd::kDeliverSm, sm),
      Make(smpp_cmd::kSubmitSmResp, SmppSmResp{"abc123"}),
      Make(smpp_cmd::kSubmitSmResp, SmppSmResp{}, smpp_status::kInvDstAdr),
      Make(smpp_cmd::kDeliverSmResp, SmppSmResp{""}),
      Make(smpp_cmd::kEnquireLink, SmppEmpty{}),
      Make(smpp_cmd::kEnquireLinkResp, SmppEmpty{}),
      Make(smpp_cmd::kUnbind, SmppEmpty{}),
      Make(smpp_cmd::kUnbindResp, SmppEmpty{}),
      Make(smpp_cmd::kGenericNack, SmppEmpty{}, smpp_status::kInvCmdId),
  };
  for (const auto& p : all) {
    Bytes wire = EncodeSmppPdu(p);
    auto r = ParseSmppPdu(wire);
    ASSERT_TRUE(r.ok()) << SmppCommandName(p.command_id) << ": "
                        << r.error().ToString();
    EXPECT_EQ(*r, p) << SmppCommandName(p.command_id);
    EXPECT_EQ(EncodeSmppPdu(*r), wire);
    // command_length is the true length.
    EXPECT_EQ(wire[3] | wire[2] << 8, static_cast<int>(wire.size()));
  }
  // Error responses carry no body (§4.1.2, §4.4.2).
  EXPECT_EQ(EncodeSmppPdu(all[6]).size(), 16u);
  EXPECT_EQ(EncodeSmppPdu(all[10]).size(), 16u);
  // Offsets of parsed TLVs: after the fixed part.
  auto r = ParseSmppPdu(EncodeSmppPdu(all[7]));
  ASSERT_TRUE(r.ok());
  const auto& tl = std::get<SmppSm>(r->body).tlvs;
  ASSERT_EQ(tl.size(), 4u);
  EXPECT_EQ(tl[1].offset, tl[0].offset + 6);
}

struct BadCase {
  const char* name;
  std::string hex;
  std::size_t offset;
  const char* rule;
  std::uint32_t status;
};

TEST(Smpp, DiagnosticsNameOffsetAndRule) {
  const std::string submit = Hex(kSubmit);

  std::vector<BadCase> cases = {
      {"truncated header", "000000100000", 4, "SMPP 3.4 §3.2",
       smpp_status::kInvCmdLen},
      {"length below 16", "0000000F000000150000000000000001", 0,
       "SMPP 3.4 §5.1.1", smpp_status::kInvCmdLen},
      {"length disagrees", "00000020000000150000000000000001", 0,
       "SMPP 3.4 §5.1.1", smpp_status::kInvCmdLen},
      {"unknown command_id", "00000010000000FF0000000000000001", 4,
       "SMPP 3.4 §5.1.2", smpp_status::kInvCmdId},
      {"enquire_link with a body", "00000011000000150000000000000001AA", 16,
       "SMPP 3.4 §4", smpp_status::kInvCmdLen},
      // system_id without NUL: the C-Octet String runs off the end.
      {"unterminated system_id", "00000013000000020000000000000001414141", 16,
       "SMPP 3.4 §3.1", smpp_status::kInvMsgLen},
      // system_id of 16 characters (17 octets with NUL > 16).
      {"system_id too long",
       "00000029000000020000000000000001"
       "4141414141414141414141414141414100"
       "0000340000 00",
       16, "SMPP 3.4 §5.2.1", smpp_status::kInvMsgLen},
      // submit_sm whose sm_length (0x20) exceeds the 9 octets present.
      {"sm_length overrun",
       submit.substr(0, submit.size() - 20) + "20" +
           submit.substr(submit.size() - 18),
       16 + 33, "SMPP 3.4 §5.2.21", smpp_status::kInvMsgLen},
      // schedule_delivery_time "1\0": neither empty nor 16 characters.
      {"bad time",
       "00000023000000040000000000000001"
       "00 0000 00 0000 00 000000 3100 00 0000 F500 00",
       16 + 10, "SMPP 3.4 §7.1.1", smpp_status::kInvMsgLen},
      // TLV tail of 3 octets.
      {"truncated TLV", submit + "020C00", 59, "SMPP 3.4 §5.3.1",
       smpp_status::kInvOptParStream},
      // message_payload claiming 16 octets with 1 present.
      {"TLV overrun", submit + "0424001041", 61, "SMPP 3.4 §5.3.1",
       smpp_status::kInvOptParStream},
      // sar_total_segments with 2 octets instead of 1.
      {"fixed TLV size", submit + "020E00020001", 61, "SMPP 3.4 §5.3.2",
       smpp_status::kInvParLen},
  };
  for (auto& c : cases) {
    std::string hex = Hex(c.hex);
    auto bytes = ParseHex(hex);
    ASSERT_TRUE(bytes.ok()) << c.name;
    // Fix up command_length to the real size except where it is the fault.
    Bytes b = *bytes;
    std::string n = c.name;
    if (b.size() >= 16 && n != "length below 16" && n != "length disagrees") {
      b[0] = b[1] = 0;
      b[2] = static_cast<std::uint8_t>(b.size() >> 8);
      b[3] = static_cast<std::uint8_t>(b.size());
    }
    std::uint32_t status = 0;
    auto r = ParseSmppPdu(b, 0, &status);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().offset, c.offset)
        << c.name << ": " << r.error().ToString();
    EXPECT_EQ(r.error().rule, c.rule) << c.name << ": " << r.error().ToString();
    EXPECT_EQ(status, c.status) << c.name << ": " << SmppStatusName(status);
    // Describe never fails: it carries the diagnostic as a note.
    ProtoNode tree = DescribeSmppPdu(b);
    ASSERT_EQ(tree.notes.size(), 1u) << c.name;
    EXPECT_EQ(tree.notes[0].offset, c.offset);
  }
  // Base offsets are added.
  auto r = ParseSmppPdu(H("00000010000000FF0000000000000001"), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 104u);
}

TEST(Smpp, HeaderLimitIsPolicy) {
  auto h = ParseSmppHeader(H("00010001000000040000000000000001"), 0, 65536);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().what.find("65536"), std::string::npos);
  EXPECT_TRUE(
      ParseSmppHeader(H("00010000000000040000000000000001"), 0, 65536).ok());
}

TEST(Smpp, DescribeHasAbsoluteOffsets) {
  ProtoNode t = DescribeSmppPdu(H(Hex(kSubmit)), 10);
  EXPECT_TRUE(t.notes.empty());
  const ProtoNode* hdr = t.Find("Header");
  ASSERT_NE(hdr, nullptr);
  ASSERT_EQ(hdr->children.size(), 4u);
  EXPECT_EQ(hdr->children[1].value, "0x00000004 (submit_sm)");
  EXPECT_EQ(hdr->children[3].offset, 22u);
  const ProtoNode* dst = t.Find("destination_addr");
  ASSERT_NE(dst, nullptr);
  EXPECT_EQ(dst->offset, 10u + 16 + 1 + 10 + 2);
  EXPECT_EQ(dst->length, 11u);
  const ProtoNode* sm = t.Find("short_message");
  ASSERT_NE(sm, nullptr);
  EXPECT_EQ(sm->offset, 10u + 59 - 9);
  EXPECT_EQ(sm->value, "0605040B8423F04142");
  EXPECT_NE(t.value.find("dst=4915550001"), std::string::npos);
}

}  // namespace
}  // namespace omaiop::codec
