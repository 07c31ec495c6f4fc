#include "codec/sms_udh.h"

#include <gtest/gtest.h>

#include <string>

namespace omaiop::codec {
namespace {

Bytes Hex(std::string_view s) { return ParseHex(s).value(); }

Bytes Pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7);
  return b;
}

void ExpectError(const Diagnostic& d, std::size_t offset,
                 std::string_view what_part, std::string_view rule_part) {
  EXPECT_EQ(d.offset, offset) << d.ToString();
  EXPECT_NE(d.what.find(what_part), std::string::npos) << d.ToString();
  EXPECT_NE(d.rule.find(rule_part), std::string::npos) << d.ToString();
}

TEST(SmsUdh, ParsesKannelPortsHeader) {
  // cp.md §2.3: UDH 06 05 04 0B 84 0B 84.
  auto ud = ParseSmsUserData(Hex("06 05 04 0B 84 0B 84 01 06"));
  ASSERT_TRUE(ud.ok()) << ud.error().ToString();
  ASSERT_TRUE(ud->ports.has_value());
  EXPECT_EQ(ud->ports->dst, 2948);
  EXPECT_EQ(ud->ports->src, 2948);
  EXPECT_TRUE(ud->ports->bits16);
  EXPECT_FALSE(ud->concat.has_value());
  EXPECT_EQ(ud->payload_offset, 7u);
  EXPECT_EQ(ud->payload, Hex("01 06"));
}

TEST(SmsUdh, ParsesPortsAndConcatFromDigest) {
  // cp.md §2.3: 0B 05 04 0B 84 23 F0 00 03 <ref> <total> <seq>.
  auto ud = ParseSmsUserData(Hex("0B 05 04 0B 84 23 F0 00 03 5A 03 02 AA"));
  ASSERT_TRUE(ud.ok());
  EXPECT_EQ(ud->ports->src, 9200);
  EXPECT_EQ(ud->concat, (SmsConcat{0x5A, 3, 2, false}));
  EXPECT_EQ(ud->ies.size(), 2u);
  EXPECT_EQ(ud->ies[1].offset, 7u);
}

TEST(SmsUdh, SixteenBitConcatAndEightBitPorts) {
  SmsUserData ud;
  ud.ies = {MakePortsIe({0x12, 0x34, false}),
            MakeConcatIe({0xBEEF, 4, 4, true}), UdhIe{0x70, Hex("01 02"), 0}};
  ud.payload = Hex("DE AD");
  Bytes wire = EncodeSmsUserData(ud);
  EXPECT_EQ(ToHex(wire), "0E040212340804BEEF040470020102DEAD");
  auto back = ParseSmsUserData(wire, 100);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ies, ud.ies);
  EXPECT_EQ(back->concat, (SmsConcat{0xBEEF, 4, 4, true}));
  EXPECT_EQ(back->ports, (SmsPorts{0x12, 0x34, false}));
  EXPECT_EQ(back->ies[2].offset, 111u);  // unknown IE kept, absolute offset
  EXPECT_EQ(EncodeSmsUserData(*back), wire);
}

TEST(SmsUdh, NoUdhi) {
  auto ud = ParseSmsUserData(Hex("01 02"), 0, false);
  ASSERT_TRUE(ud.ok());
  EXPECT_TRUE(ud->ies.empty());
  EXPECT_EQ(ud->payload, Hex("01 02"));
  EXPECT_EQ(EncodeSmsUserData(*ud), Hex("01 02"));
}

TEST(SmsUdhDiag, UdhlLargerThanUserData) {
  auto ud = ParseSmsUserData(Hex("09 05 04 0B 84"), 20);
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 20, "UDHL 9 larger than the user data", "§9.2.3.24");
}

TEST(SmsUdhDiag, IeLengthOverrunsUdh) {
  auto ud = ParseSmsUserData(Hex("05 05 04 0B 84 0B 84"));
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 2, "bad UDH length", "§9.2.3.24");
  auto lone = ParseSmsUserData(Hex("01 05"));
  ASSERT_FALSE(lone.ok());
  ExpectError(lone.error(), 1, "bad UDH length", "§9.2.3.24");
}

TEST(SmsUdhDiag, ConcatTotalZero) {
  auto ud = ParseSmsUserData(Hex("05 00 03 5A 00 01"));
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 4, "total 0", "§9.2.3.24.1");
}

TEST(SmsUdhDiag, ConcatSeqZero) {
  auto ud = ParseSmsUserData(Hex("05 00 03 5A 02 00"));
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 5, "sequence number 0", "§9.2.3.24.1");
}

TEST(SmsUdhDiag, ConcatSeqAboveTotal) {
  auto ud = ParseSmsUserData(Hex("06 08 04 01 00 02 03"));
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 6, "sequence number 3 > total 2", "§9.2.3.24.8");
}

TEST(SmsUdhDiag, WrongKnownIeLength) {
  auto ud = ParseSmsUserData(Hex("05 05 03 0B 84 0B"));
  ASSERT_FALSE(ud.ok());
  ExpectError(ud.error(), 2, "length 3, expected 4", "§9.2.3.24.4");
}

TEST(SmsUdhDiag, UdhlLieFromEncoder) {
  SmsUserData ud;
  ud.ies = {MakePortsIe({})};
  ud.udhl_override = 30;
  auto r = ParseSmsUserData(EncodeSmsUserData(ud));
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), 0, "UDHL 30", "§9.2.3.24");
}

TEST(WdpSegment, SmallDatagramIsOneSegmentWithoutConcat) {
  auto segs = SegmentWdpDatagram({2948, 2948, Hex("01 06 01 B6")});
  ASSERT_TRUE(segs.ok());
  ASSERT_EQ(segs->size(), 1u);
  EXPECT_EQ(ToHex((*segs)[0]), "0605040B840B84010601B6");
}

TEST(WdpSegment, ExactlyFullSingleSegment) {
  auto segs = SegmentWdpDatagram({2948, 9200, Pattern(133)});
  ASSERT_EQ(segs->size(), 1u);
  EXPECT_EQ((*segs)[0].size(), 140u);
  EXPECT_EQ(SegmentWdpDatagram({2948, 9200, Pattern(134)})->size(), 2u);
}

TEST(WdpSegment, ThreeHundredOctetsMakeThreeSegments) {
  WdpDatagram d{2948, 9200, Pattern(300)};
  auto segs = SegmentWdpDatagram(d, {.reference = 0x5A});
  ASSERT_TRUE(segs.ok());
  ASSERT_EQ(segs->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const Bytes& s = (*segs)[i];
    EXPECT_LE(s.size(), 140u);
    // UDH written out by hand: ports first, then concat (cp.md §2.3).
    Bytes udh = Hex("0B 05 04 0B 84 23 F0 00 03 5A 03");
    udh.push_back(static_cast<std::uint8_t>(i + 1));
    EXPECT_EQ(ToHex(Bytes(s.begin(), s.begin() + 12)), ToHex(udh));
  }
  EXPECT_EQ((*segs)[0].size(), 140u);  // 12 UDH + 128 payload
  EXPECT_EQ((*segs)[2].size(), 12u + 44u);
}

TEST(WdpSegment, SixteenBitReference) {
  auto segs = SegmentWdpDatagram({2948, 2948, Pattern(300)},
                                 {.concat_16bit = true, .reference = 0x1234});
  ASSERT_EQ(segs->size(), 3u);
  EXPECT_EQ(ToHex(Bytes((*segs)[1].begin(), (*segs)[1].begin() + 13)),
            "0C05040B840B84080412340302");
  EXPECT_EQ((*segs)[0].size(), 140u);
}

TEST(WdpSegment, Errors) {
  EXPECT_FALSE(
      SegmentWdpDatagram({2948, 2948, {}}, {.ports_16bit = false}).ok());
  EXPECT_FALSE(
      SegmentWdpDatagram({2948, 2948, Pattern(300)}, {.max_user_data = 12})
          .ok());
  EXPECT_FALSE(SegmentWdpDatagram({2948, 2948, Pattern(128 * 255 + 1)}).ok());
  EXPECT_EQ(SegmentWdpDatagram({2948, 2948, Pattern(128 * 255)})->size(), 255u);
}

TEST(Reassembler, OutOfOrderWithDuplicate) {
  WdpDatagram d{2948, 9200, Pattern(300)};
  auto segs = SegmentWdpDatagram(d, {.reference = 0x5A}).value();
  SmsReassembler r;
  EXPECT_FALSE(r.Add(segs[2]).value().has_value());
  EXPECT_FALSE(r.Add(segs[0]).value().has_value());
  EXPECT_FALSE(r.Add(segs[2]).value().has_value());  // identical duplicate
  EXPECT_EQ(r.pending_messages(), 1u);
  auto done = r.Add(segs[1]);
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ(**done, d);
  EXPECT_EQ(r.pending_messages(), 0u);
  EXPECT_TRUE(r.Missing().empty());
}

TEST(Reassembler, MissingSegmentNamed) {
  auto segs =
      SegmentWdpDatagram({2948, 9200, Pattern(300)}, {.reference = 0x5A})
          .value();
  SmsReassembler r;
  ASSERT_TRUE(r.Add(segs[0]).ok());
  ASSERT_TRUE(r.Add(segs[2]).ok());
  auto missing = r.Missing();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].what, "segment 2 of 3 missing (reference 0x5A)");
  EXPECT_NE(missing[0].rule.find("§9.2.3.24.1"), std::string::npos);
}

TEST(Reassembler, ConflictingDuplicate) {
  auto segs =
      SegmentWdpDatagram({2948, 9200, Pattern(300)}, {.reference = 7}).value();
  SmsReassembler r;
  ASSERT_TRUE(r.Add(segs[1]).ok());
  Bytes changed = segs[1];
  changed.back() ^= 0xFF;
  auto e = r.Add(changed, 50);
  ASSERT_FALSE(e.ok());
  ExpectError(e.error(), 62, "conflicting duplicate of segment 2 of 3",
              "23.040");
}

TEST(Reassembler, InconsistentPorts) {
  auto a =
      SegmentWdpDatagram({2948, 9200, Pattern(300)}, {.reference = 9}).value();
  auto b =
      SegmentWdpDatagram({2948, 2948, Pattern(300)}, {.reference = 9}).value();
  SmsReassembler r;
  ASSERT_TRUE(r.Add(a[0]).ok());
  auto e = r.Add(b[1]);
  ASSERT_FALSE(e.ok());
  ExpectError(e.error(), 1, "inconsistent ports", "WAP-259-WDP");
}

TEST(Reassembler, SingleSegmentAndMissingPorts) {
  SmsReassembler r;
  auto one = r.Add(Hex("06 05 04 0B 84 0B 84 01 06 01 B6"));
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->payload, Hex("01 06 01 B6"));
  auto noports = r.Add(Hex("05 00 03 01 02 01 AA"));
  ASSERT_FALSE(noports.ok());
  ExpectError(noports.error(), 6, "no application port", "WAP-259-WDP");
  EXPECT_FALSE(r.Add(Hex("09 00")).ok());  // parse errors pass through
}

TEST(SmsUdhDescribe, Tree) {
  ProtoNode t =
      DescribeSmsUserData(Hex("0B 05 04 0B 84 23 F0 00 03 5A 03 02 AA"));
  EXPECT_TRUE(t.notes.empty());
  const ProtoNode* ports = t.Find("Application port addressing, 16-bit");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->value, "dst 2948, src 9200");
  const ProtoNode* c = t.Find("Concatenated SM, 8-bit reference");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->offset, 7u);
  EXPECT_EQ(c->Find("Sequence")->offset, 11u);
  ProtoNode bad = DescribeSmsUserData(Hex("05 00 03 5A 00 01"));
  ASSERT_EQ(bad.notes.size(), 1u);
  EXPECT_EQ(bad.notes[0].offset, 4u);
}

}  // namespace
}  // namespace omaiop::codec
