#include "sim/handset/cp/validator.h"

#include <gtest/gtest.h>

#include "sim/handset/cp/test_util.h"

namespace omaiop::sim::handset::cp {
namespace {

using testing::Doc;
using testing::MustParse;
using testing::ReadFixture;

constexpr char kNap[] =
    R"(<characteristic type="NAPDEF"><parm name="NAPID" value="N1"/>)"
    R"(<parm name="NAME" value="n"/><parm name="NAP-ADDRESS" value="apn"/>)"
    R"(<parm name="NAP-ADDRTYPE" value="APN"/><parm name="INTERNET"/></characteristic>)";

std::string Proxy(const std::string& id, const std::string& phys,
                  const std::string& to_napid, const std::string& extra = "") {
  return R"(<characteristic type="PXLOGICAL"><parm name="PROXY-ID" value=")" +
         id + R"("/><parm name="NAME" value="p"/>)" + extra +
         R"(<characteristic type="PXPHYSICAL"><parm name="PHYSICAL-PROXY-ID" value=")" +
         phys + R"("/><parm name="PXADDR" value="192.0.2.1"/>)" +
         (to_napid.empty()
              ? ""
              : R"(<parm name="TO-NAPID" value=")" + to_napid + R"("/>)") +
         "</characteristic></characteristic>";
}

struct VRun {
  ValidatedDocument v;
  EventSink sink;
};

VRun Check(const std::string& xml, const ValidationPolicy& pol = {},
           const KnownIds* known = nullptr) {
  VRun r;
  r.v = Validate(MustParse(xml), pol, &r.sink, known);
  return r;
}

// Exactly one event of `kind` whose path ends with `path_part`; returns its
// detail.
std::string One(const VRun& r, EventKind kind, const std::string& path_part) {
  std::vector<CpEvent> ev;
  for (const auto& e : r.sink.Find(kind, path_part))
    if (e.path.ends_with(path_part)) ev.push_back(e);
  EXPECT_EQ(ev.size(), 1u) << EventKindName(kind) << " at " << path_part << "\n"
                           << r.sink.ToString();
  return ev.empty() ? "" : ev[0].detail + " [" + ev[0].rule + "]";
}

TEST(CpValidator, EventKindNamesAreStable) {
  EXPECT_EQ(EventKindName(EventKind::kCharacteristicDropped),
            "characteristic_dropped");
  EXPECT_EQ(EventKindName(EventKind::kReferenceDropped), "reference_dropped");
  EXPECT_EQ(EventKindName(EventKind::kDefaultApplied), "default_applied");
  EXPECT_EQ(EventKindName(EventKind::kDuplicateMerged), "duplicate_merged");
  EXPECT_EQ(EventKindName(EventKind::kContextCreated), "context_created");
  EXPECT_EQ(EventKindName(EventKind::kParmIgnored), "parm_ignored");
}

TEST(CpValidator, SchemaEncodesTable) {
  const CharRule* px = FindCharRule("PXPHYSICAL");
  ASSERT_NE(px, nullptr);
  bool to_napid_plus = false;
  for (const auto& p : px->parms)
    to_napid_plus |= p.name == "TO-NAPID" && p.card == Card::kOneOrMore;
  EXPECT_TRUE(to_napid_plus);
  EXPECT_EQ(FindCharRule("NOPE"), nullptr);
  EXPECT_TRUE(FindCharRule("APPLICATION")->cp11);
  EXPECT_FALSE(FindCharRule("NAPDEF")->cp11);
}

TEST(CpValidator, UnknownCharacteristicSubtreeIgnoredRestKept) {
  VRun r = Check(Doc(
      std::string(kNap) +
      R"(<characteristic type="FOO"><characteristic type="NAPDEF"/></characteristic>)"));
  EXPECT_FALSE(r.v.rejected);
  ASSERT_EQ(r.v.doc.characteristics.size(), 1u);
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped,
                "characteristic[2][@type='FOO']")
                .find("unknown characteristic FOO"),
            std::string::npos);
  // The nested NAPDEF of the ignored subtree gets no event of its own.
  EXPECT_EQ(r.sink.Count(EventKind::kCharacteristicDropped), 1u);
}

TEST(CpValidator, CharacteristicInWrongPlaceIsUnknownThere) {
  VRun r = Check(Doc(
      R"(<characteristic type="PXPHYSICAL"><parm name="PHYSICAL-PROXY-ID" value="x"/></characteristic>)" +
      std::string(kNap)));
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped, "[@type='PXPHYSICAL']")
                .find("under wap-provisioningdoc"),
            std::string::npos);
}

TEST(CpValidator, UnknownParmIgnored) {
  std::string nap = kNap;
  nap.insert(nap.find("</characteristic>"),
             R"(<parm name="X-FOO" value="1"/>)");
  VRun r = Check(Doc(nap));
  One(r, EventKind::kParmIgnored, "parm[6][@name='X-FOO']");
  EXPECT_FALSE(r.v.doc.characteristics[0].Has("X-FOO"));
  EXPECT_TRUE(r.v.doc.characteristics[0].Has("INTERNET"));
}

TEST(CpValidator, VendorConfigKeepsArbitraryParms) {
  VRun r = Check(Doc(
      R"(<characteristic type="VENDORCONFIG"><parm name="NAME" value="acme"/><parm name="X-ACME" value="7"/></characteristic>)"));
  EXPECT_EQ(r.v.doc.characteristics[0].Value("X-ACME"), "7");
  EXPECT_EQ(r.sink.Count(EventKind::kParmIgnored), 0u);
}

TEST(CpValidator, MissingMandatoryParmDropsCharacteristic) {
  VRun r = Check(Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAME" value="n"/><parm name="NAP-ADDRESS" value="a"/></characteristic>)" +
      std::string(kNap)));
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped,
                "characteristic[1][@type='NAPDEF']")
                .find("NAPDEF needs NAPID"),
            std::string::npos);
  ASSERT_EQ(r.v.doc.characteristics.size(), 1u);
  EXPECT_EQ(r.v.doc.characteristics[0].Value("NAPID"), "N1");
}

TEST(CpValidator, AllDroppedMeansRejected) {
  VRun r = Check(Doc(R"(<characteristic type="CLIENTIDENTITY"/>)"));
  EXPECT_TRUE(r.v.rejected);
  One(r, EventKind::kRejected, "/wap-provisioningdoc");
  EXPECT_EQ(r.sink.Count(EventKind::kAccepted), 0u);
}

TEST(CpValidator, DuplicateSingleParmFirstKept) {
  VRun r = Check(Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAPID" value="A"/><parm name="NAPID" value="B"/>)"
      R"(<parm name="NAME" value="n"/><parm name="NAP-ADDRESS" value="a"/></characteristic>)"));
  One(r, EventKind::kDuplicateIgnored, "parm[2][@name='NAPID']");
  EXPECT_EQ(r.v.doc.characteristics[0].Values("NAPID"),
            std::vector<std::string>{"A"});
}

TEST(CpValidator, DuplicatePortNapauthinfoValidityRemoved) {
  VRun r = Check(Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAPID" value="N"/><parm name="NAME" value="n"/><parm name="NAP-ADDRESS" value="a"/>)"
      R"(<characteristic type="NAPAUTHINFO"><parm name="AUTHTYPE" value="PAP"/></characteristic>)"
      R"(<characteristic type="NAPAUTHINFO"><parm name="AUTHTYPE" value="PAP"/><parm name="AUTHNAME" value="x"/></characteristic>)"
      R"(<characteristic type="NAPAUTHINFO"><parm name="AUTHTYPE" value="CHAP"/></characteristic>)"
      R"(<characteristic type="VALIDITY"><parm name="COUNTRY" value="228"/></characteristic>)"
      R"(<characteristic type="VALIDITY"><parm name="COUNTRY" value="228"/></characteristic>)"
      R"(</characteristic>)" +
      Proxy(
          "P", "PH", "N",
          R"(<characteristic type="PORT"><parm name="PORTNBR" value="9201"/></characteristic>)"
          R"(<characteristic type="PORT"><parm name="PORTNBR" value="9201"/></characteristic>)")));
  One(r, EventKind::kDuplicateRemoved,
      "characteristic[2][@type='NAPAUTHINFO']");
  One(r, EventKind::kDuplicateRemoved, "characteristic[5][@type='VALIDITY']");
  One(r, EventKind::kDuplicateRemoved, "characteristic[2][@type='PORT']");
  const auto& nap = r.v.doc.characteristics[0];
  EXPECT_EQ(nap.Children("NAPAUTHINFO").size(), 2u);
  EXPECT_EQ(nap.Children("VALIDITY").size(), 1u);
  EXPECT_EQ(r.v.doc.characteristics[1].Children("PORT").size(), 1u);
}

TEST(CpValidator, DuplicateNapidKeepsFirst) {
  std::string second = kNap;
  second.replace(second.find("value=\"n\""), 9, "value=\"other\"");
  VRun r = Check(Doc(std::string(kNap) + second));
  EXPECT_NE(
      One(r, EventKind::kDuplicateRemoved, "characteristic[2][@type='NAPDEF']")
          .find("NAPID=N1"),
      std::string::npos);
  ASSERT_EQ(r.v.doc.characteristics.size(), 1u);
  EXPECT_EQ(r.v.doc.characteristics[0].Value("NAME"), "n");
}

TEST(CpValidator, DuplicateProxyIdMergedByDefault) {
  VRun r = Check(Doc(
      std::string(kNap) +
      Proxy("P", "PH1", "N1", R"(<parm name="DOMAIN" value="a.example"/>)") +
      Proxy("P", "PH2", "N1", R"(<parm name="DOMAIN" value="b.example"/>)") +
      Proxy("P", "PH1", "N1")));
  EXPECT_EQ(r.sink.Count(EventKind::kDuplicateMerged), 3u)  // 2 PXLOGICAL + PH1
      << r.sink.ToString();
  One(r, EventKind::kDuplicateMerged, "characteristic[3][@type='PXLOGICAL']");
  ASSERT_EQ(r.v.doc.characteristics.size(), 2u);
  const auto& px = r.v.doc.characteristics[1];
  EXPECT_EQ(px.Children("PXPHYSICAL").size(), 2u);
  EXPECT_EQ(px.Values("DOMAIN"),
            (std::vector<std::string>{"a.example", "b.example"}));
}

TEST(CpValidator, DuplicateProxyIdKeepFirstOption) {
  ValidationPolicy pol;
  pol.duplicate_ids = DuplicateIdPolicy::kKeepFirst;
  VRun r = Check(Doc(std::string(kNap) + Proxy("P", "PH1", "N1") +
                     Proxy("P", "PH2", "N1")),
                 pol);
  One(r, EventKind::kDuplicateRemoved, "characteristic[3][@type='PXLOGICAL']");
  EXPECT_EQ(r.v.doc.characteristics[1].Children("PXPHYSICAL").size(), 1u);
}

TEST(CpValidator, DuplicatePhysicalProxyIdWithinOneProxy) {
  std::string px = Proxy("P", "PH", "N1");
  std::string second =
      R"(<characteristic type="PXPHYSICAL"><parm name="PHYSICAL-PROXY-ID" value="PH"/>)"
      R"(<parm name="PXADDR" value="192.0.2.2"/><parm name="TO-NAPID" value="N1"/>)"
      R"(<parm name="DOMAIN" value="d.example"/></characteristic>)";
  px.insert(px.rfind("</characteristic>"), second);
  VRun r = Check(Doc(std::string(kNap) + px));
  One(r, EventKind::kDuplicateMerged, "characteristic[2][@type='PXPHYSICAL']");
  const auto phys = r.v.doc.characteristics[1].Children("PXPHYSICAL");
  ASSERT_EQ(phys.size(), 1u);
  EXPECT_EQ(phys[0]->Value("PXADDR"), "192.0.2.1");  // first wins
  EXPECT_EQ(phys[0]->Value("DOMAIN"), "d.example");  // union of multi parms
  ValidationPolicy keep;
  keep.duplicate_ids = DuplicateIdPolicy::kKeepFirst;
  VRun k = Check(Doc(std::string(kNap) + px), keep);
  One(k, EventKind::kDuplicateRemoved, "characteristic[2][@type='PXPHYSICAL']");
  EXPECT_FALSE(
      k.v.doc.characteristics[1].Children("PXPHYSICAL")[0]->Has("DOMAIN"));
}

TEST(CpValidator, DanglingToNapidDropsReferenceThenPxphysicalThenPxlogical) {
  VRun r = Check(Doc(std::string(kNap) + Proxy("P", "PH", "NOPE")));
  One(r, EventKind::kReferenceDropped,
      "[@type='PXPHYSICAL']/parm[3][@name='TO-NAPID']");
  One(r, EventKind::kCharacteristicDropped,
      "characteristic[1][@type='PXPHYSICAL']");
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped,
                "characteristic[2][@type='PXLOGICAL']")
                .find("needs at least one PXPHYSICAL"),
            std::string::npos);
  EXPECT_EQ(r.v.doc.characteristics.size(), 1u);
}

TEST(CpValidator, PxphysicalWithoutToNapidDropped) {
  VRun r = Check(Doc(std::string(kNap) + Proxy("P", "PH", "")));
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped, "[@type='PXPHYSICAL']")
                .find("PXPHYSICAL needs TO-NAPID"),
            std::string::npos);
}

TEST(CpValidator, ToNapidInternetNeedsInternetFlaggedNapdef) {
  std::string nap_no_flag = kNap;
  nap_no_flag.erase(nap_no_flag.find(R"(<parm name="INTERNET"/>)"), 23);
  VRun ok = Check(Doc(std::string(kNap) + Proxy("P", "PH", "INTERNET")));
  EXPECT_EQ(ok.sink.Count(EventKind::kReferenceDropped), 0u)
      << ok.sink.ToString();
  VRun bad = Check(Doc(nap_no_flag + Proxy("P", "PH", "INTERNET")));
  One(bad, EventKind::kReferenceDropped, "[@name='TO-NAPID']");
  // Known ids of the existing context resolve links too (cp.md §4).
  KnownIds known;
  known.napids = {"STORED"};
  VRun ext = Check(Doc(nap_no_flag + Proxy("P", "PH", "STORED")), {}, &known);
  EXPECT_EQ(ext.sink.Count(EventKind::kReferenceDropped), 0u);
}

TEST(CpValidator, ApplicationLinksDroppedIndividually) {
  VRun r = Check(Doc(
      std::string(kNap) + Proxy("P", "PH", "N1") +
      R"(<characteristic type="APPLICATION"><parm name="APPID" value="w2"/>)"
      R"(<parm name="TO-PROXY" value="P"/><parm name="TO-PROXY" value="Q"/>)"
      R"(<parm name="TO-NAPID" value="N1"/><parm name="TO-NAPID" value="N9"/>)"
      R"(<parm name="TO-APPREF" value="mail"/></characteristic>)"));
  One(r, EventKind::kReferenceDropped, "parm[3][@name='TO-PROXY']");
  One(r, EventKind::kReferenceDropped, "parm[5][@name='TO-NAPID']");
  One(r, EventKind::kReferenceDropped, "parm[6][@name='TO-APPREF']");
  const auto& app = r.v.doc.characteristics[2];
  EXPECT_EQ(app.Values("TO-PROXY"), std::vector<std::string>{"P"});
  EXPECT_EQ(app.Values("TO-NAPID"), std::vector<std::string>{"N1"});
  EXPECT_FALSE(app.Has("TO-APPREF"));
}

TEST(CpValidator, AppRefResolves) {
  VRun r = Check(Doc(
      R"(<characteristic type="APPLICATION"><parm name="APPID" value="25"/><parm name="APPREF" value="mail"/></characteristic>)"
      R"(<characteristic type="APPLICATION"><parm name="APPID" value="110"/><parm name="TO-APPREF" value="mail"/></characteristic>)"));
  EXPECT_EQ(r.sink.Count(EventKind::kReferenceDropped), 0u)
      << r.sink.ToString();
  EXPECT_EQ(r.v.doc.characteristics[1].Value("TO-APPREF"), "mail");
}

TEST(CpValidator, OnlyOneBootstrapWithProvurl) {
  VRun r = Check(Doc(
      R"(<characteristic type="BOOTSTRAP"><parm name="PROVURL" value="http://a/"/><parm name="COUNTRY" value="228"/></characteristic>)"
      R"(<characteristic type="BOOTSTRAP"><parm name="PROVURL" value="http://b/"/></characteristic>)"
      R"(<characteristic type="BOOTSTRAP"><parm name="NAME" value="no url"/><parm name="COUNTRY" value="228"/></characteristic>)"));
  EXPECT_NE(One(r, EventKind::kCharacteristicDropped,
                "characteristic[2][@type='BOOTSTRAP']")
                .find("only one BOOTSTRAP with PROVURL"),
            std::string::npos);
  One(r, EventKind::kParmIgnored,
      "characteristic[1][@type='BOOTSTRAP']/parm[2][@name='COUNTRY']");
  ASSERT_EQ(r.v.doc.characteristics.size(), 2u);
  EXPECT_EQ(r.v.doc.characteristics[1].Value("COUNTRY"), "228");
}

TEST(CpValidator, ContextAllowRange) {
  for (const char* v : {"256", "-1", "x", "", "1e2"}) {
    VRun r = Check(Doc(
        std::string(
            R"(<characteristic type="BOOTSTRAP"><parm name="PROVURL" value="http://a/"/><parm name="CONTEXT-ALLOW" value=")") +
        v + R"("/></characteristic>)"));
    One(r, EventKind::kValueInvalid, "[@name='CONTEXT-ALLOW']");
    EXPECT_FALSE(r.v.doc.characteristics[0].Has("CONTEXT-ALLOW")) << v;
  }
  VRun ok = Check(Doc(
      R"(<characteristic type="BOOTSTRAP"><parm name="CONTEXT-ALLOW" value="255"/></characteristic>)"));
  EXPECT_EQ(ok.v.doc.characteristics[0].Value("CONTEXT-ALLOW"), "255");
}

TEST(CpValidator, VocabularyLenientKeepsStrictDrops) {
  std::string xml = Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAPID" value="N"/><parm name="NAME" value="n"/>)"
      R"(<parm name="NAP-ADDRESS" value="a"/><parm name="NAP-ADDRTYPE" value="IPV5"/>)"
      R"(<parm name="CALLTYPE" value="V.110"/></characteristic>)");
  VRun lenient = Check(xml);
  EXPECT_NE(One(lenient, EventKind::kValueInvalid, "[@name='NAP-ADDRTYPE']")
                .find("lenient"),
            std::string::npos);
  EXPECT_EQ(lenient.v.doc.characteristics[0].Value("NAP-ADDRTYPE"), "IPV5");
  ValidationPolicy strict;
  strict.strict_vocabulary = true;
  VRun s = Check(xml, strict);
  One(s, EventKind::kValueInvalid, "[@name='NAP-ADDRTYPE']");
  // Dropped, then the default fills the gap (cp.md §1.2 default E164).
  EXPECT_EQ(s.v.doc.characteristics[0].Value("NAP-ADDRTYPE"), "E164");
  EXPECT_EQ(s.v.doc.characteristics[0].Value("CALLTYPE"), "V.110");
}

TEST(CpValidator, AAuthTypeComposition) {
  ValidationPolicy strict;
  strict.strict_vocabulary = true;
  auto app = [](const std::string& t) {
    return Doc(
        R"(<characteristic type="APPLICATION"><parm name="APPID" value="w7"/><characteristic type="APPAUTH"><parm name="AAUTHTYPE" value=")" +
        t + R"("/></characteristic></characteristic>)");
  };
  for (const char* good : {"HTTP-BASIC,HTTP-DIGEST", "DIGEST", "BASIC"})
    EXPECT_EQ(Check(app(good), strict).sink.Count(EventKind::kValueInvalid), 0u)
        << good;
  for (const char* bad : {"HTTP-", "BASIC,", "MD5", "HTTP-HTTP-BASIC"})
    EXPECT_EQ(Check(app(bad), strict).sink.Count(EventKind::kValueInvalid), 1u)
        << bad;
}

TEST(CpValidator, DefaultsApplied) {
  VRun r = Check(Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAPID" value="N"/><parm name="NAME" value="n"/>)"
      R"(<parm name="NAP-ADDRESS" value="+123"/><parm name="LOCAL-ADDR" value="fe80::1"/></characteristic>)" +
      Proxy("P", "PH", "N")));
  const auto& nap = r.v.doc.characteristics[0];
  EXPECT_EQ(nap.Value("NAP-ADDRTYPE"), "E164");
  EXPECT_EQ(nap.Value("CALLTYPE"), "ANALOG-MODEM");
  EXPECT_EQ(nap.Value("LOCAL-ADDRTYPE"), "IPV6");
  const auto& px = r.v.doc.characteristics[1];
  EXPECT_EQ(px.Value("WSP-VERSION"), "1.2");
  EXPECT_EQ(px.Value("PUSHENABLED"), "0");
  EXPECT_EQ(px.Value("PULLENABLED"), "0");
  const auto* phys = px.Children("PXPHYSICAL")[0];
  EXPECT_EQ(phys->Value("PXADDRTYPE"), "IPV4");
  auto ev = r.sink.Find(EventKind::kDefaultApplied, "[@type='PXPHYSICAL']");
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].detail, "PXADDRTYPE=IPV4");
  EXPECT_EQ(r.sink.Count(EventKind::kDefaultApplied), 3u + 3u + 4u);
  ValidationPolicy none;
  none.apply_defaults = false;
  EXPECT_EQ(Check(Doc(std::string(kNap)), none)
                .sink.Count(EventKind::kDefaultApplied),
            0u);
}

TEST(CpValidator, ExplicitValuesNotOverriddenByDefaults) {
  VRun r = Check(ReadFixture("fixtures/cp/cp10_only.xml"));
  const auto& phys = *r.v.doc.characteristics[0].Children("PXPHYSICAL")[0];
  EXPECT_EQ(phys.Values("PXADDRTYPE"), std::vector<std::string>{"IPV4"});
  EXPECT_EQ(r.v.doc.characteristics[1].Values("NAP-ADDRTYPE"),
            std::vector<std::string>{"E164"});
  EXPECT_TRUE(
      r.sink.Find(EventKind::kDefaultApplied, "[@type='NAPDEF']").size() == 0)
      << r.sink.ToString();
}

TEST(CpValidator, Cp10DeviceIgnoresCp11Content) {
  ValidationPolicy pol;
  pol.cp10_device = true;
  std::string nap = kNap;
  nap.insert(nap.find("</characteristic>"),
             R"(<parm name="DNS-ADDR" value="192.0.2.53"/>)");
  VRun r = Check(
      Doc(nap + Proxy("P", "PH", "N1") +
          R"(<characteristic type="APPLICATION"><parm name="APPID" value="w2"/></characteristic>)"
          R"(<characteristic type="ACCESS"><parm name="RULE" value="r"/></characteristic>)"),
      pol);
  One(r, EventKind::kParmIgnored, "[@name='DNS-ADDR']");
  One(r, EventKind::kCharacteristicDropped, "[@type='APPLICATION']");
  One(r, EventKind::kCharacteristicDropped, "[@type='ACCESS']");
  // PULLENABLED is CP 1.1: no default for a 1.0 device.
  EXPECT_FALSE(r.v.doc.characteristics[1].Has("PULLENABLED"));
  EXPECT_EQ(r.v.doc.characteristics.size(), 2u);
}

TEST(CpValidator, SecondClientIdentityRemoved) {
  VRun r = Check(Doc(
      R"(<characteristic type="CLIENTIDENTITY"><parm name="CLIENT-ID" value="a"/></characteristic>)"
      R"(<characteristic type="CLIENTIDENTITY"><parm name="CLIENT-ID" value="b"/></characteristic>)"));
  One(r, EventKind::kDuplicateRemoved,
      "characteristic[2][@type='CLIENTIDENTITY']");
  ASSERT_EQ(r.v.doc.characteristics.size(), 1u);
}

TEST(CpValidator, FlagWithValueKeepsFlag) {
  std::string nap = kNap;
  nap.replace(nap.find(R"(<parm name="INTERNET"/>)"), 23,
              R"(<parm name="INTERNET" value="1"/>)");
  VRun r = Check(Doc(nap));
  One(r, EventKind::kValueInvalid, "[@name='INTERNET']");
  ASSERT_TRUE(r.v.doc.characteristics[0].Has("INTERNET"));
  EXPECT_FALSE(r.v.doc.characteristics[0].FindParm("INTERNET")->value);
}

TEST(CpValidator, StructureErrorsBecomeEvents) {
  VRun r = Check(Doc(std::string(R"(<parm name="A" value="1"/>)") + kNap));
  One(r, EventKind::kStructureError, "/wap-provisioningdoc/parm[1][@name='A']");
  EXPECT_FALSE(r.v.rejected);
}

// Every shipped fixture validates without rejection and without dropping a
// characteristic; the expected drops are the fixture's dangling links only.
TEST(CpValidator, AllFixturesValidate) {
  for (const char* f : {"access_rule", "bootstrap", "browser_w2", "cp10_only",
                        "dm_w7", "napdef_gprs_proxy", "wlan"}) {
    SCOPED_TRACE(f);
    VRun r = Check(ReadFixture(std::string("fixtures/cp/") + f + ".xml"));
    EXPECT_FALSE(r.v.rejected) << r.sink.ToString();
    EXPECT_EQ(r.sink.Count(EventKind::kCharacteristicDropped), 0u)
        << r.sink.ToString();
    EXPECT_EQ(r.sink.Count(EventKind::kParmIgnored), 0u) << r.sink.ToString();
    EXPECT_EQ(r.sink.Count(EventKind::kValueInvalid), 0u) << r.sink.ToString();
    EXPECT_EQ(r.sink.Count(EventKind::kStructureError), 0u);
    // browser_w2 names proxy wap.operator.example that it does not define;
    // dm_w7 links TO-NAPID=INTERNET without an INTERNET-flagged NAPDEF.
    std::string name = f;
    EXPECT_EQ(r.sink.Count(EventKind::kReferenceDropped),
              name == "browser_w2" || name == "dm_w7" ? 1u : 0u)
        << r.sink.ToString();
  }
}

// A validated document is a fixed point: validating it again changes
// nothing (the fuzz target checks the same on random input).
TEST(CpValidator, ValidationIsIdempotentOnFixtures) {
  for (const char* f : {"access_rule", "bootstrap", "browser_w2", "cp10_only",
                        "dm_w7", "napdef_gprs_proxy", "wlan"}) {
    SCOPED_TRACE(f);
    VRun first = Check(ReadFixture(std::string("fixtures/cp/") + f + ".xml"));
    EventSink again;
    ValidatedDocument v = Validate(first.v.doc, {}, &again);
    ASSERT_EQ(again.events().size(), 1u) << again.ToString();
    EXPECT_EQ(again.events()[0].kind, EventKind::kAccepted);
    EXPECT_EQ(v.doc.characteristics.size(), first.v.doc.characteristics.size());
  }
}

TEST(CpValidator, BrowserFixtureLinksToStoredProxy) {
  KnownIds known;
  known.proxy_ids = {"wap.operator.example"};
  VRun r = Check(ReadFixture("fixtures/cp/browser_w2.xml"), {}, &known);
  EXPECT_EQ(r.sink.Count(EventKind::kReferenceDropped), 0u);
  EXPECT_EQ(r.v.doc.characteristics[0].Value("TO-PROXY"),
            "wap.operator.example");
}

TEST(CpValidator, DmFixtureLinksToStoredInternetNap) {
  KnownIds known;
  known.internet_nap = true;
  VRun r = Check(ReadFixture("fixtures/cp/dm_w7.xml"), {}, &known);
  EXPECT_EQ(r.sink.Count(EventKind::kReferenceDropped), 0u);
  EXPECT_EQ(r.v.doc.characteristics[0].Value("TO-NAPID"), "INTERNET");
}

TEST(CpValidator, WlanCanBeUnsupported) {
  ValidationPolicy pol;
  pol.support_wlan = false;
  VRun r = Check(ReadFixture("fixtures/cp/wlan.xml"), pol);
  One(r, EventKind::kCharacteristicDropped, "[@type='WLAN']");
  EXPECT_TRUE(r.v.rejected);
}

}  // namespace
}  // namespace omaiop::sim::handset::cp
