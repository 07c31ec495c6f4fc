#include "sim/servers/faults.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace omaiop::sim::servers {
namespace {

TEST(Faults, NamesAreUniqueAndEveryRowIsComplete) {
  std::set<std::string_view> names;
  std::set<FaultId> ids;
  for (const FaultInfo& f : AllFaults()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_TRUE(ids.insert(f.id).second) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    EXPECT_FALSE(f.rule.empty()) << f.name;
    EXPECT_FALSE(f.expected_detail.empty()) << f.name;
    EXPECT_NE(FaultLayerName(f.layer), "?") << f.name;
    EXPECT_NE(HandsetMustName(f.expected), "?") << f.name;
    // CLI-friendly: lower-case words joined by '-'.
    for (char c : f.name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
          << f.name;
  }
  // Every enumerator has a row (the enum is contiguous from 0).
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(FaultId::kUdhlLies) + 1);
}

TEST(Faults, LookupByNameRoundTrips) {
  for (const FaultInfo& f : AllFaults()) {
    auto id = FaultByName(f.name);
    ASSERT_TRUE(id) << f.name;
    EXPECT_EQ(InfoOf(*id).name, f.name);
  }
  EXPECT_FALSE(FaultByName("no-such-fault"));
  EXPECT_FALSE(FaultByName(""));
}

TEST(Faults, TheBriefsKnobsExistAtTheirLayers) {
  const std::pair<const char*, FaultLayer> required[] = {
      {"wrong-mac", FaultLayer::kSecurity},
      {"ascii-imsi-key", FaultLayer::kSecurity},
      {"lower-case-mac", FaultLayer::kSecurity},
      {"missing-sec", FaultLayer::kSecurity},
      {"missing-mac", FaultLayer::kSecurity},
      {"sec-out-of-range", FaultLayer::kSecurity},
      {"mac-wrong-length", FaultLayer::kSecurity},
      {"missing-segment", FaultLayer::kSms},
      {"duplicate-segment", FaultLayer::kSms},
      {"segments-out-of-order", FaultLayer::kSms},
      {"wrong-port", FaultLayer::kSms},
      {"wrong-content-type", FaultLayer::kWsp},
      {"wbxml-truncated", FaultLayer::kWbxml},
      {"wbxml-strtbl-past-end", FaultLayer::kWbxml},
      {"wbxml-unknown-tag", FaultLayer::kWbxml},
      {"missing-mandatory-parm", FaultLayer::kDocument},
      {"dangling-to-napid", FaultLayer::kDocument},
      {"duplicate-provurl", FaultLayer::kDocument},
      {"untrusted-initiator", FaultLayer::kWsp},
      {"wrong-pdu-type", FaultLayer::kWsp},
      {"header-length-lies", FaultLayer::kWsp},
  };
  for (const auto& [name, layer] : required) {
    auto id = FaultByName(name);
    ASSERT_TRUE(id) << name;
    EXPECT_EQ(InfoOf(*id).layer, layer) << name;
  }
}

TEST(Faults, LegalReorderingIsMarkedMustAccept) {
  EXPECT_EQ(InfoOf(FaultId::kSegmentsOutOfOrder).expected,
            HandsetMust::kAccept);
  EXPECT_NE(InfoOf(FaultId::kSegmentsOutOfOrder)
                .expected_detail.find("must still be accepted"),
            std::string_view::npos);
  EXPECT_EQ(InfoOf(FaultId::kWrongMac).expected, HandsetMust::kReject);
  EXPECT_EQ(InfoOf(FaultId::kMissingMandatoryParm).expected,
            HandsetMust::kIgnoreElement);
}

}  // namespace
}  // namespace omaiop::sim::servers
