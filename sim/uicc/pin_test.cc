#include "sim/uicc/pin.h"

#include <gtest/gtest.h>

#include "sim/uicc/apdu.h"

namespace omaiop::sim::uicc {
namespace {

Bytes Block(std::string_view digits) { return EncodePinBlock(digits); }
Bytes Two(std::string_view a, std::string_view b) {
  Bytes out = Block(a);
  const Bytes second = Block(b);
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

TEST(PinBlock, PadsDigitsWithFf) {
  EXPECT_EQ(codec::ToHex(EncodePinBlock("1234")), "31323334FFFFFFFF");
  EXPECT_EQ(codec::ToHex(EncodePinBlock("12345678")), "3132333435363738");
}

TEST(PinStoreAdd, RejectsMalformedConfigurations) {
  PinStore s;
  EXPECT_TRUE(s.Add({kKeyPin1, "1234", "12345678"}).ok());
  EXPECT_FALSE(s.Add({kKeyPin1, "4321", ""}).ok());       // duplicate
  EXPECT_FALSE(s.Add({kKeyPin2, "123", ""}).ok());        // too short
  EXPECT_FALSE(s.Add({kKeyPin2, "123456789", ""}).ok());  // too long
  EXPECT_FALSE(s.Add({kKeyPin2, "12a4", ""}).ok());       // not digits
  EXPECT_FALSE(s.Add({kKeyPin2, "1234", "1234"}).ok());   // PUK not 8
  PinConfig c{kKeyPin2, "1234", ""};
  c.max_tries = 16;  // does not fit the 63Cx nibble
  EXPECT_FALSE(s.Add(c).ok());
}

TEST(PinStoreVerify, CountsDownAndBlocksAfterThreeWrongTries) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Verify(kKeyPin1, {}), 0x63C3);
  EXPECT_EQ(s.Verify(kKeyPin1, Block("0000")), 0x63C2);
  EXPECT_EQ(s.Verify(kKeyPin1, Block("0000")), 0x63C1);
  EXPECT_EQ(s.Verify(kKeyPin1, Block("0000")), 0x63C0);
  EXPECT_TRUE(s.Find(kKeyPin1)->blocked());
  EXPECT_EQ(s.Verify(kKeyPin1, Block("1234")), sw::kAuthMethodBlocked);
  EXPECT_FALSE(s.IsSatisfied(kKeyPin1));
  // Other PINs keep their own counters.
  EXPECT_EQ(s.Verify(kKeyPin2, {}), 0x63C3);
}

TEST(PinStoreVerify, SuccessIsRememberedUntilSessionReset) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Verify(kKeyPin1, Block("1234")), sw::kOk);
  EXPECT_TRUE(s.IsSatisfied(kKeyPin1));
  EXPECT_FALSE(s.IsSatisfied(kKeyPin2));
  s.ResetSession();
  EXPECT_FALSE(s.IsSatisfied(kKeyPin1));
}

TEST(PinStoreVerify, MalformedBlockIsRejectedWithoutCountingATry) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Verify(kKeyPin1, codec::ParseHex("313233FF31323334").value()),
            sw::kIncorrectData);
  EXPECT_EQ(s.Verify(kKeyPin1, Block("12")), sw::kIncorrectData);
  EXPECT_EQ(s.Verify(kKeyPin1, {}), 0x63C3);
  EXPECT_EQ(s.Verify(kKeyPin1, Bytes(7, 0x31)), sw::kWrongLength);
  EXPECT_EQ(s.Verify(0x02, Block("1234")), sw::kReferencedDataNotFound);
}

TEST(PinStoreUnblock, PukResetsCounterSetsNewPinAndVerifies) {
  PinStore s = PinStore::Default();
  for (int i = 0; i < 3; ++i) (void)s.Verify(kKeyPin1, Block("0000"));
  EXPECT_EQ(s.Unblock(kKeyPin1, {}), 0x63CA);
  EXPECT_EQ(s.Unblock(kKeyPin1, Two("00000000", "4321")), 0x63C9);
  EXPECT_EQ(s.Unblock(kKeyPin1, Two("12345678", "4321")), sw::kOk);
  EXPECT_TRUE(s.IsSatisfied(kKeyPin1));
  EXPECT_EQ(s.Find(kKeyPin1)->tries_left, 3);
  EXPECT_EQ(s.Unblock(kKeyPin1, {}), 0x63CA);  // PUK counter reset too
  s.ResetSession();
  EXPECT_EQ(s.Verify(kKeyPin1, Block("4321")), sw::kOk);
}

TEST(PinStoreUnblock, PukBlocksAfterTenWrongTries) {
  PinStore s = PinStore::Default();
  for (int i = 9; i >= 0; --i)
    EXPECT_EQ(s.Unblock(kKeyPin1, Two("00000000", "4321")), sw::TriesLeft(i));
  EXPECT_EQ(s.Unblock(kKeyPin1, Two("12345678", "4321")),
            sw::kAuthMethodBlocked);
  EXPECT_EQ(s.Unblock(kKeyPin1, {}), sw::kAuthMethodBlocked);
}

TEST(PinStoreUnblock, PinWithoutPukCannotBeUnblocked) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Unblock(kKeyAdm1, {}), sw::kReferencedDataNotFound);
}

TEST(PinStoreChange, ReplacesPinAfterCheckingOldOne) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Change(kKeyPin1, Two("0000", "9999")), 0x63C2);
  EXPECT_EQ(s.Change(kKeyPin1, Two("1234", "9999")), sw::kOk);
  EXPECT_EQ(s.Find(kKeyPin1)->tries_left, 3);
  s.ResetSession();
  EXPECT_EQ(s.Verify(kKeyPin1, Block("1234")), 0x63C2);
  EXPECT_EQ(s.Verify(kKeyPin1, Block("9999")), sw::kOk);
  EXPECT_EQ(s.Change(kKeyPin1, Block("9999")), sw::kWrongLength);
}

TEST(PinStoreDisable, DisabledPinSatisfiesAccessAndRefusesVerify) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Disable(kKeyPin1, Block("0000")), 0x63C2);
  EXPECT_EQ(s.Disable(kKeyPin1, Block("1234")), sw::kOk);
  s.ResetSession();
  EXPECT_TRUE(s.IsSatisfied(kKeyPin1));
  EXPECT_EQ(s.Verify(kKeyPin1, Block("1234")), sw::kReferencedDataInvalidated);
  EXPECT_EQ(s.Change(kKeyPin1, Two("1234", "1111")),
            sw::kReferencedDataInvalidated);
  EXPECT_EQ(s.Disable(kKeyPin1, Block("1234")), sw::kConditionsNotSatisfied);
  EXPECT_EQ(s.Enable(kKeyPin1, Block("1234")), sw::kOk);
  s.ResetSession();
  EXPECT_FALSE(s.IsSatisfied(kKeyPin1));
  EXPECT_EQ(s.Enable(kKeyPin1, Block("1234")), sw::kConditionsNotSatisfied);
}

TEST(PinStoreDisable, RespectsCanDisable) {
  PinStore s = PinStore::Default();
  EXPECT_EQ(s.Disable(kKeyAdm1, Block("88888888")),
            sw::kConditionsNotSatisfied);
}

}  // namespace
}  // namespace omaiop::sim::uicc
