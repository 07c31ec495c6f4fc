#include "sim/handset/cp/settings_store.h"

#include <gtest/gtest.h>

#include "codec/wbxml.h"
#include "sim/handset/cp/test_util.h"

namespace omaiop::sim::handset::cp {
namespace {

using testing::Doc;
using testing::MustParse;
using testing::ReadFixture;

ValidatedDocument V(const std::string& xml, const KnownIds* known = nullptr) {
  return Validate(MustParse(xml), {}, nullptr, known);
}
ValidatedDocument Fixture(const std::string& name,
                          const KnownIds* known = nullptr) {
  return V(ReadFixture("fixtures/cp/" + name + ".xml"), known);
}

std::string Nap(const std::string& id, const std::string& name) {
  return R"(<characteristic type="NAPDEF"><parm name="NAPID" value=")" + id +
         R"("/><parm name="NAME" value=")" + name +
         R"("/><parm name="NAP-ADDRESS" value="apn"/></characteristic>)";
}

TEST(CpSettingsStore, GprsProxyFixtureSettings) {
  SettingsStore store;
  EventSink sink;
  EXPECT_EQ(store.Apply(Fixture("napdef_gprs_proxy"), "ota", &sink), 2u);
  EXPECT_EQ(sink.Count(EventKind::kItemAdded), 2u);
  auto naps = store.Find("NAPDEF", "GPRS_NAP1");
  ASSERT_EQ(naps.size(), 1u);
  EXPECT_EQ(naps[0]->origin, "ota");
  EXPECT_EQ(naps[0]->data.Value("NAP-ADDRESS"), "internet.operator.example");
  EXPECT_EQ(naps[0]->data.Value("NAP-ADDRTYPE"), "APN");
  EXPECT_EQ(naps[0]->data.Children("NAPAUTHINFO")[0]->Value("AUTHNAME"), "wap");
  auto px = store.Find("PXLOGICAL", "wap.operator.example");
  ASSERT_EQ(px.size(), 1u);
  const auto* phys = px[0]->data.Children("PXPHYSICAL")[0];
  EXPECT_EQ(phys->Value("PXADDR"), "192.0.2.10");
  ASSERT_EQ(phys->Children("PORT").size(), 2u);
  EXPECT_EQ(phys->Children("PORT")[1]->Value("SERVICE"), "OTA-HTTP-TO");
  KnownIds k = store.Known();
  EXPECT_TRUE(k.internet_nap);
  EXPECT_TRUE(k.napids.count("GPRS_NAP1"));
  EXPECT_TRUE(k.proxy_ids.count("wap.operator.example"));
}

// The hand-assembled WBXML fixture (fixtures/cp/napdef_min.txt) travels
// the whole path: codec decode -> model -> validation -> store.
TEST(CpSettingsStore, WbxmlFixtureEndToEnd) {
  auto bytes = codec::ParseHex(ReadFixture("fixtures/cp/napdef_min.hex"));
  ASSERT_TRUE(bytes.ok());
  auto wb = codec::DecodeWbxml(*bytes);
  ASSERT_TRUE(wb.ok()) << wb.error().ToString();
  auto doc = Parse(wb->doc.get());
  ASSERT_TRUE(doc.ok());
  EventSink sink;
  ValidatedDocument v = Validate(*doc, {}, &sink);
  ASSERT_FALSE(v.rejected) << sink.ToString();
  SettingsStore store;
  EXPECT_EQ(store.Apply(v, "ota", &sink), 1u);
  auto naps = store.Find("NAPDEF", "NAP1");
  ASSERT_EQ(naps.size(), 1u);
  EXPECT_EQ(naps[0]->data.Value("NAP-ADDRESS"), "internet.example");
  EXPECT_EQ(naps[0]->data.Value("CALLTYPE"), "ANALOG-MODEM");  // default
}

TEST(CpSettingsStore, DmAccountFromW7Fixture) {
  SettingsStore store;
  store.Apply(Fixture("dm_w7"), "card:8901", nullptr);
  const DmAccount* a = store.FindDmAccount("dm.operator.example");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "Operator DM");
  EXPECT_EQ(a->addr, "https://dm.operator.example/dm");
  EXPECT_EQ(a->addr_type, "URI");
  EXPECT_EQ(a->port, "443");
  EXPECT_TRUE(a->init);
  EXPECT_EQ(a->origin, "card:8901");
  ASSERT_EQ(a->auths.size(), 2u);
  EXPECT_EQ(a->auths[0].level, "APPSRV");
  EXPECT_EQ(a->auths[0].secret, "clientpwd");
  EXPECT_EQ(a->auths[0].data, "Y2xpZW50bm9uY2U=");
  EXPECT_EQ(a->auths[1].level, "CLIENT");
  EXPECT_EQ(a->auths[1].type, "HTTP-BASIC,HTTP-DIGEST");
  // TO-NAPID=INTERNET was dropped (no INTERNET NAPDEF known).
  EXPECT_TRUE(a->to_napid.empty());
  EXPECT_EQ(store.Find("APPLICATION", "w7/dm.operator.example").size(), 1u);
}

TEST(CpSettingsStore, DmAccountKeepsInternetLinkWhenNapStored) {
  SettingsStore store;
  store.Apply(Fixture("napdef_gprs_proxy"), "ota", nullptr);
  KnownIds k = store.Known();
  store.Apply(Fixture("dm_w7", &k), "ota", nullptr);
  ASSERT_NE(store.FindDmAccount("dm.operator.example"), nullptr);
  EXPECT_EQ(store.FindDmAccount("dm.operator.example")->to_napid,
            std::vector<std::string>{"INTERNET"});
}

TEST(CpSettingsStore, W7WithoutProviderIdGivesNoAccount) {
  SettingsStore store;
  EventSink sink;
  store.Apply(
      V(Doc(
          R"(<characteristic type="APPLICATION"><parm name="APPID" value="w7"/></characteristic>)")),
      "ota", &sink);
  EXPECT_TRUE(store.dm_accounts().empty());
  EXPECT_TRUE(store.items().empty());
  ASSERT_EQ(sink.Count(EventKind::kItemRejected), 1u);
  EXPECT_NE(sink.events()[0].rule.find("dm.md §2.1"), std::string::npos);
}

TEST(CpSettingsStore, AllFixturesStore) {
  struct {
    const char* name;
    const char* kind;
    const char* id;
  } cases[] = {
      {"access_rule", "ACCESS", "mms-only"},
      {"bootstrap", "CLIENTIDENTITY", "IMSI:001010123456789"},
      {"browser_w2", "APPLICATION", "w2"},
      {"cp10_only", "PXLOGICAL", "170.187.51.4"},
      {"dm_w7", "APPLICATION", "w7/dm.operator.example"},
      {"napdef_gprs_proxy", "NAPDEF", "GPRS_NAP1"},
      {"wlan", "WLAN", "OperatorHotspot"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SettingsStore store;
    EXPECT_GT(store.Apply(Fixture(c.name), "ota", nullptr), 0u);
    EXPECT_EQ(store.Find(c.kind, c.id).size(), 1u) << store.ToJson().dump(1);
  }
  SettingsStore store;
  store.Apply(Fixture("bootstrap"), "ctx:1", nullptr);
  // BOOTSTRAP is not a setting: the context manager holds it.
  EXPECT_TRUE(store.OfKind("BOOTSTRAP").empty());
  EXPECT_EQ(store.Find("NAPDEF", "BOOT_NAP").size(), 1u);
  SettingsStore w;
  w.Apply(Fixture("wlan"), "ota", nullptr);
  const auto& wlan = w.OfKind("WLAN")[0]->data;
  EXPECT_EQ(wlan.Children("EAP")[0]->Value("USERNAME"), "alice");
  EXPECT_EQ(wlan.Children("WEPKEY")[0]->Value("DATA"), "0102030405");
}

TEST(CpSettingsStore, AppendIsDefaultAndNeverOverwrites) {
  SettingsStore store;
  EventSink sink;
  store.Apply(V(Doc(Nap("N", "first"))), "ctx:1", &sink);
  store.Apply(V(Doc(Nap("N", "second"))), "ctx:1", &sink);
  auto naps = store.Find("NAPDEF", "N");
  ASSERT_EQ(naps.size(), 2u);
  EXPECT_EQ(naps[0]->data.Value("NAME"), "first");
  EXPECT_EQ(naps[1]->data.Value("NAME"), "second");
  auto ev = sink.Find(EventKind::kItemAdded);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_NE(ev[1].detail.find("same id exists; policy append"),
            std::string::npos);
}

TEST(CpSettingsStore, RejectSameId) {
  SettingsStore store({ConflictPolicy::kRejectSameId});
  EventSink sink;
  store.Apply(V(Doc(Nap("N", "first"))), "ctx:1", &sink);
  EXPECT_EQ(
      store.Apply(V(Doc(Nap("N", "second") + Nap("M", "m"))), "ctx:1", &sink),
      1u);
  ASSERT_EQ(store.Find("NAPDEF", "N").size(), 1u);
  EXPECT_EQ(store.Find("NAPDEF", "N")[0]->data.Value("NAME"), "first");
  EXPECT_EQ(store.Find("NAPDEF", "M").size(), 1u);
  EXPECT_EQ(sink.Count(EventKind::kItemRejected), 1u);
}

TEST(CpSettingsStore, ReplaceSameIdOnlyWithinOwnOrigin) {
  SettingsStore store({ConflictPolicy::kReplaceSameId});
  EventSink sink;
  store.Apply(V(Doc(Nap("N", "first"))), "ctx:1", &sink);
  store.Apply(V(Doc(Nap("N", "second"))), "ctx:1", &sink);
  ASSERT_EQ(store.Find("NAPDEF", "N").size(), 1u);
  EXPECT_EQ(store.Find("NAPDEF", "N")[0]->data.Value("NAME"), "second");
  EXPECT_EQ(sink.Count(EventKind::kItemReplaced), 1u);
  // Another TPS context may not touch it.
  store.Apply(V(Doc(Nap("N", "third"))), "ctx:2", &sink);
  EXPECT_EQ(store.Find("NAPDEF", "N")[0]->data.Value("NAME"), "second");
  auto rej = sink.Find(EventKind::kItemRejected);
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_NE(rej[0].rule.find("own context"), std::string::npos);
  // ...unless the option is off.
  SettingsStore open({ConflictPolicy::kReplaceSameId, false});
  open.Apply(V(Doc(Nap("N", "first"))), "ctx:1", nullptr);
  open.Apply(V(Doc(Nap("N", "third"))), "ctx:2", nullptr);
  ASSERT_EQ(open.Find("NAPDEF", "N").size(), 1u);
  EXPECT_EQ(open.Find("NAPDEF", "N")[0]->origin, "ctx:2");
}

TEST(CpSettingsStore, ReplaceDmAccount) {
  SettingsStore store({ConflictPolicy::kReplaceSameId});
  store.Apply(Fixture("dm_w7"), "ota", nullptr);
  std::string xml = ReadFixture("fixtures/cp/dm_w7.xml");
  xml.replace(xml.find("Operator DM"), 11, "Renamed DM");
  store.Apply(V(xml), "ota", nullptr);
  ASSERT_EQ(store.dm_accounts().size(), 1u);
  EXPECT_EQ(store.dm_accounts()[0].name, "Renamed DM");
}

TEST(CpSettingsStore, RemoveOriginRemovesOnlyThatOrigin) {
  SettingsStore store;
  EventSink sink;
  ASSERT_EQ(CardOrigin("8901"), "card:8901");
  store.Apply(Fixture("dm_w7"), CardOrigin("8901"), &sink);
  store.Apply(Fixture("napdef_gprs_proxy"), kOriginOta, &sink);
  store.Apply(V(Doc(Nap("C", "c"))), "card:8901", &sink);
  EXPECT_EQ(store.RemoveOrigin("card:8901", &sink), 2u);
  EXPECT_EQ(sink.Count(EventKind::kItemRemoved), 2u);
  EXPECT_TRUE(store.dm_accounts().empty());
  EXPECT_EQ(store.items().size(), 2u);
  for (const auto& i : store.items()) EXPECT_EQ(i.origin, "ota");
  EXPECT_EQ(store.RemoveOrigin("card:8901", &sink), 0u);
}

TEST(CpSettingsStore, RejectedDocumentStoresNothing) {
  SettingsStore store;
  ValidatedDocument v = V(Doc(R"(<characteristic type="FOO"/>)"));
  ASSERT_TRUE(v.rejected);
  EXPECT_EQ(store.Apply(v, "ota", nullptr), 0u);
  EXPECT_TRUE(store.items().empty());
}

TEST(CpSettingsStore, JsonShape) {
  SettingsStore store;
  store.Apply(Fixture("dm_w7"), "ota", nullptr);
  nlohmann::json j = store.ToJson();
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["kind"], "APPLICATION");
  EXPECT_EQ(j["items"][0]["id"], "w7/dm.operator.example");
  EXPECT_EQ(j["items"][0]["origin"], "ota");
  const auto& parms = j["items"][0]["data"]["parms"];
  bool init_flag = false;
  for (const auto& p : parms)
    if (p["name"] == "INIT") init_flag = !p.contains("value");
  EXPECT_TRUE(init_flag);
  EXPECT_EQ(j["items"][0]["data"]["children"][0]["type"], "APPADDR");
  EXPECT_EQ(j["dm_accounts"][0]["server_id"], "dm.operator.example");
  EXPECT_EQ(j["dm_accounts"][0]["auths"].size(), 2u);
  // Round-trips through text.
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);
}

// ProvCont ACCESS (cp.md §1.2): which NAP an application may use.
namespace access {

std::string TwoNapsWithAccess(const std::string& access_parms) {
  return testing::Doc(R"(
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS_NAP"/><parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAME" value="MMS"/><parm name="NAP-ADDRESS" value="mms.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="WEB_NAP"/><parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAME" value="Web"/><parm name="NAP-ADDRESS" value="web.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/><parm name="INTERNET"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/><parm name="NAME" value="MMS"/>
    <parm name="TO-NAPID" value="WEB_NAP"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w2"/><parm name="NAME" value="Browser"/>
  </characteristic>)" +
                      access_parms);
}

TEST(CpSettingsStoreAccess, AnAccessRuleRestrictsTheApplicationToItsNap) {
  SettingsStore store;
  store.Apply(V(TwoNapsWithAccess(R"(
  <characteristic type="ACCESS">
    <parm name="RULE" value="mms-only"/><parm name="APPID" value="w4"/>
    <parm name="PORTNBR" value="8080"/><parm name="DOMAIN" value="mmsc.example"/>
    <parm name="TO-NAPID" value="MMS_NAP"/>
  </characteristic>)")),
              "ota", nullptr);
  Connectivity c = store.ConnectivityFor("w4", "mmsc.example", "8080");
  EXPECT_EQ(c.decided_by, "access");
  EXPECT_EQ(c.rules, std::vector<std::string>{"mms-only"});
  EXPECT_TRUE(c.MayUse("MMS_NAP"));
  // The application's own TO-NAPID is overridden by the rule.
  EXPECT_FALSE(c.MayUse("WEB_NAP"));
  // Another port: the rule does not match; the APPLICATION link decides.
  Connectivity other = store.ConnectivityFor("w4", "mmsc.example", "80");
  EXPECT_EQ(other.decided_by, "application");
  EXPECT_TRUE(other.MayUse("WEB_NAP"));
  EXPECT_FALSE(other.MayUse("MMS_NAP"));
  // An application no rule names and no link binds: default connectivity.
  Connectivity browser = store.ConnectivityFor("w2");
  EXPECT_EQ(browser.decided_by, "default");
  EXPECT_TRUE(browser.MayUse("MMS_NAP"));
  EXPECT_TRUE(browser.MayUse("WEB_NAP"));
}

TEST(CpSettingsStoreAccess, InternetStandsForEveryInternetNap) {
  SettingsStore store;
  store.Apply(V(TwoNapsWithAccess(R"(
  <characteristic type="ACCESS">
    <parm name="RULE" value="browse"/><parm name="APPID" value="w2"/>
    <parm name="TO-NAPID" value="INTERNET"/>
  </characteristic>)")),
              "ota", nullptr);
  Connectivity c = store.ConnectivityFor("w2");
  EXPECT_EQ(c.decided_by, "access");
  EXPECT_TRUE(c.MayUse("WEB_NAP"));
  EXPECT_FALSE(c.MayUse("MMS_NAP"));
}

TEST(CpSettingsStoreAccess, OptionOffLetsTheApplicationLinkDecide) {
  StorePolicy policy;
  policy.access_overrides_application_links = false;
  SettingsStore store(policy);
  store.Apply(V(TwoNapsWithAccess(R"(
  <characteristic type="ACCESS">
    <parm name="RULE" value="mms-only"/><parm name="APPID" value="w4"/>
    <parm name="TO-NAPID" value="MMS_NAP"/>
  </characteristic>)")),
              "ota", nullptr);
  Connectivity c = store.ConnectivityFor("w4");
  EXPECT_EQ(c.decided_by, "application");
  EXPECT_TRUE(c.MayUse("WEB_NAP"));
}

}  // namespace access

}  // namespace
}  // namespace omaiop::sim::handset::cp
