#include "codec/dm_notification.h"

#include <gtest/gtest.h>

#include "codec/python_oracle_test_util.h"

namespace omaiop::codec {
namespace {

using testing::RunPython;

DmNotification Sample() {
  DmNotification n;
  n.ui_mode = DmUiMode::kUserInteraction;
  n.initiator = DmInitiator::kServer;
  n.session_id = 0x04A2;
  n.server_id = "omaiop-dms";
  n.trigger_body = {0xCA, 0xFE};
  return n;
}

TEST(DmNotification, EncodesBitFieldsByteExact) {
  Bytes b = EncodeDmNotification(Sample());
  ASSERT_EQ(b.size(), 16u + 8 + 10 + 2);
  // version 11 = 0000001011, ui 11, initiator 1, future 0 ...:
  // 00000010 11111000 0... -> 02 F8 00 00 00, session 04 A2, len 0A.
  EXPECT_EQ(ToHex(ByteView(b).subspan(16, 8)), "02F800000004A20A");
  EXPECT_EQ(AsString(ByteView(b).subspan(24, 10)), "omaiop-dms");
  EXPECT_EQ(ToHex(ByteView(b).subspan(34)), "CAFE");
}

TEST(DmNotification, HeaderLayoutMatchesIndependentPythonPacking) {
  DmNotification n = Sample();
  n.ui_mode = DmUiMode::kInformative;
  n.initiator = DmInitiator::kClient;
  n.future_use = 0x5A5A5A5;
  n.session_id = 0xBEEF;
  Bytes hdr = EncodeDmNotificationTrigger(n);
  std::string oracle = RunPython(
      "w = (11 << 54) | (2 << 52) | (0 << 51) | (0x5A5A5A5 << 24) | "
      "(0xBEEF << 8) | 10\n"
      "print(w.to_bytes(8, \"big\").hex().upper())",
      {});
  EXPECT_EQ(ToHex(ByteView(hdr).first(8)), oracle);
}

TEST(DmNotification, ParseRoundTripsEncode) {
  DmNotification n = Sample();
  SignDmNotification(n, "srvpwd", AsBytes("nonce"));
  Bytes b = EncodeDmNotification(n);
  auto p = ParseDmNotification(b);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->digest, n.digest);
  EXPECT_EQ(p->version, 11);
  EXPECT_EQ(p->ui_mode, DmUiMode::kUserInteraction);
  EXPECT_EQ(p->initiator, DmInitiator::kServer);
  EXPECT_EQ(p->future_use, 0u);
  EXPECT_EQ(p->session_id, 0x04A2);
  EXPECT_EQ(p->server_id, "omaiop-dms");
  EXPECT_EQ(p->trigger_body, n.trigger_body);
  EXPECT_TRUE(p->warnings.empty());
  EXPECT_EQ(EncodeDmNotification(*p), b);
}

TEST(DmNotification, DigestMatchesIndependentPython) {
  DmNotification n = Sample();
  const Bytes nonce = {0x00, 0x11, 0x22, 0x33, 0xFF};
  SignDmNotification(n, "srvpwd", nonce);
  Bytes trigger = EncodeDmNotificationTrigger(n);
  std::string oracle = RunPython(
      "print(H(B(H(A[0]+b\":\"+A[1]))+b\":\"+A[2]+b\":\"+B(H(A[3]))).hex()."
      "upper())",
      {ToHex(AsBytes(n.server_id)), ToHex(AsBytes("srvpwd")), ToHex(nonce),
       ToHex(trigger)});
  EXPECT_EQ(ToHex(n.digest), oracle);
  // The oracle digests the exact bytes on the wire after the digest.
  Bytes wire = EncodeDmNotification(n);
  EXPECT_EQ(Bytes(wire.begin() + 16, wire.end()), trigger);
}

TEST(DmNotification, VerifyAcceptsRightAndRejectsWrongCredentials) {
  DmNotification n = Sample();
  const Bytes nonce = {1, 2, 3, 4};
  SignDmNotification(n, "srvpwd", nonce);
  Bytes b = EncodeDmNotification(n);
  auto ok = VerifyNotificationDigest(b, "omaiop-dms", "srvpwd", nonce);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, NotificationNonceUsed::kStored);
  auto bad = VerifyNotificationDigest(b, "omaiop-dms", "other", nonce, {}, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, 7u);
  EXPECT_EQ(bad.error().rule, "OMA-TS-DM_Notification-V1_2 §6.2");
  b.back() ^= 1;  // trigger body tampered
  EXPECT_FALSE(VerifyNotificationDigest(b, "omaiop-dms", "srvpwd", nonce).ok());
}

TEST(DmNotification, LibdmclientDefaultNonceIsOnlyTriedWhenAsked) {
  DmNotification n = Sample();
  SignDmNotification(n, "srvpwd", AsBytes(kLibdmclientDefaultNonce));
  Bytes b = EncodeDmNotification(n);
  const Bytes stored = {9, 9};
  EXPECT_FALSE(
      VerifyNotificationDigest(b, "omaiop-dms", "srvpwd", stored).ok());
  NotificationDigestOptions o;
  auto fb = AsBytes(kLibdmclientDefaultNonce);
  o.fallback_nonce = Bytes(fb.begin(), fb.end());
  auto r = VerifyNotificationDigest(b, "omaiop-dms", "srvpwd", stored, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, NotificationNonceUsed::kFallback);
}

TEST(DmNotification, TooShortIsDiagnosedAtEnd) {
  Bytes b(23, 0);
  auto r = ParseDmNotification(b, 50);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 73u);
  EXPECT_NE(r.error().what.find("at least 24"), std::string::npos);
  EXPECT_EQ(r.error().rule, "OMA-TS-DM_Notification-V1_2 §6.2");
}

TEST(DmNotification, ServerIdLengthPastEndIsDiagnosedAtLengthOctet) {
  DmNotification n = Sample();
  n.trigger_body.clear();
  n.length_identifier_override = 11;  // one more than follows
  Bytes b = EncodeDmNotification(n);
  auto r = ParseDmNotification(b, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 100u + 23);
  EXPECT_NE(r.error().what.find("length-identifier says 11"),
            std::string::npos);
}

TEST(DmNotification, WrongVersionIsErrorOrWarningByOption) {
  DmNotification n = Sample();
  n.version = 12;
  Bytes b = EncodeDmNotification(n);
  auto r = ParseDmNotification(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 16u);
  EXPECT_NE(r.error().what.find("12 (not DM 1.2)"), std::string::npos);
  EXPECT_EQ(r.error().rule, "OMA-TS-DM_Notification-V1_2 §6.2");
  DmNotificationParseOptions o;
  o.require_version_12 = false;
  auto lax = ParseDmNotification(b, 0, o);
  ASSERT_TRUE(lax.ok());
  EXPECT_EQ(lax->version, 12);
  ASSERT_EQ(lax->warnings.size(), 1u);
}

TEST(DmNotification, SessionIdZeroIsErrorOrWarningByOption) {
  DmNotification n = Sample();
  n.session_id = 0;
  Bytes b = EncodeDmNotification(n);
  auto r = ParseDmNotification(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 21u);
  EXPECT_NE(r.error().what.find("sessionid is 0"), std::string::npos);
  EXPECT_EQ(r.error().rule, "OMA-TS-DM_Notification-V1_2 §6.2");
  DmNotificationParseOptions o;
  o.reject_session_id_zero = false;
  auto lax = ParseDmNotification(b, 0, o);
  ASSERT_TRUE(lax.ok());
  EXPECT_EQ(lax->warnings.size(), 1u);
}

TEST(DmNotification, NonZeroFutureUseIsAWarningNotAFailure) {
  DmNotification n = Sample();
  n.future_use = 0x4000001;
  auto r = ParseDmNotification(EncodeDmNotification(n));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->future_use, 0x4000001u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].offset, 17u);
  EXPECT_NE(r->warnings[0].what.find("4000001"), std::string::npos);
  EXPECT_EQ(r->warnings[0].rule, "OMA-TS-DM_Notification-V1_2 §6.2");
}

TEST(DmNotification, EncodeMasksFieldsToTheirWidths) {
  DmNotification n = Sample();
  n.version = 0xFFFF;  // only 10 bits fit
  n.future_use = 0xFFFFFFFF;
  Bytes b = EncodeDmNotification(n);
  auto r = ParseDmNotification(b, 0, {false, true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 0x3FF);
  EXPECT_EQ(r->future_use, 0x7FFFFFFu);
  EXPECT_EQ(r->ui_mode, DmUiMode::kUserInteraction);  // not clobbered
  EXPECT_EQ(r->session_id, 0x04A2);
}

TEST(DmNotification, SessionIdForSyncHdrIsUpperHexWithoutLeadingZeros) {
  EXPECT_EQ(SessionIdForSyncHdr(1), "1");
  EXPECT_EQ(SessionIdForSyncHdr(0x04A2), "4A2");
  EXPECT_EQ(SessionIdForSyncHdr(0xFFFF), "FFFF");
  EXPECT_EQ(SessionIdForSyncHdr(0x0010), "10");
}

TEST(DmNotification, DescribeGivesBitFieldsAndOffsets) {
  DmNotification n = Sample();
  n.future_use = 1;
  ProtoNode t = DescribeDmNotification(EncodeDmNotification(n), 200);
  EXPECT_EQ(t.offset, 200u);
  const ProtoNode* hdr = t.Find("Header");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(hdr->offset, 216u);
  const ProtoNode* ver = hdr->Find("Version");
  ASSERT_NE(ver, nullptr);
  EXPECT_EQ(ver->value, "bits 0-9: 0000001011 = 11 (DM 1.2)");
  const ProtoNode* sid = hdr->Find("Session ID");
  ASSERT_NE(sid, nullptr);
  EXPECT_EQ(sid->offset, 221u);
  EXPECT_NE(sid->value.find("\"4A2\""), std::string::npos);
  const ProtoNode* srv = t.Find("Server identifier");
  ASSERT_NE(srv, nullptr);
  EXPECT_EQ(srv->offset, 224u);
  EXPECT_EQ(srv->length, 10u);
  EXPECT_NE(t.Find("Trigger body (vendor specific)"), nullptr);
  EXPECT_EQ(t.notes.size(), 1u);  // future-use warning
}

TEST(DmNotification, DescribeShowsWrongVersionAndBadLengthAsNotes) {
  DmNotification n = Sample();
  n.version = 13;
  n.session_id = 0;
  ProtoNode t = DescribeDmNotification(EncodeDmNotification(n));
  EXPECT_EQ(t.notes.size(), 2u);  // version, session id: shown, not fatal
  EXPECT_NE(t.Find("Server identifier"), nullptr);
  n = Sample();
  n.length_identifier_override = 250;
  ProtoNode u = DescribeDmNotification(EncodeDmNotification(n));
  ASSERT_EQ(u.notes.size(), 1u);
  EXPECT_EQ(u.notes[0].offset, 23u);
  EXPECT_EQ(u.Find("Server identifier"), nullptr);
  EXPECT_EQ(u.Find("Header")->Find("Length identifier")->value, "250");
}

TEST(DmNotification, DescribeOfTruncatedInputCarriesTheError) {
  ProtoNode t = DescribeDmNotification(Bytes(20, 0));
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0].offset, 20u);
}

}  // namespace
}  // namespace omaiop::codec
