#include "sim/handset/dm/dm_bootstrap.h"

#include <gtest/gtest.h>

#include "codec/bytes.h"
#include "sim/handset/cp/document.h"
#include "sim/handset/dm/standard_objects.h"
#include "tests/test_util.h"

namespace omaiop::sim::handset::dm {
namespace {

std::string Fixture(const std::string& rel) {
  return omaiop::testing::ReadFileText(std::string(OMAIOP_SOURCE_DIR) + "/" +
                                       rel);
}

constexpr char kIccid[] = "8901410321111851072";
constexpr char kAcc[] = "./DMAcc/OperatorDM";
constexpr char kServer[] = "dm.operator.example";

class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DeviceConfig c;
    DmAccountConfig factory;
    factory.server_id = "factory.example";
    factory.addr = "https://factory.example/dm";
    factory.origin = "factory";
    c.accounts = {factory};
    ASSERT_TRUE(BuildStandardObjects(tree, c).ok());
    opts.origin = cp::CardOrigin(kIccid);
  }
  std::string Value(const std::string& uri) {
    const Node* n = tree.Find(uri);
    EXPECT_NE(n, nullptr) << uri;
    return n ? n->value : "";
  }
  void ExpectCardAccount() {
    std::string x = kAcc;
    EXPECT_EQ(Value(x + "/AppID"), "w7");
    EXPECT_EQ(Value(x + "/ServerID"), kServer);
    EXPECT_EQ(Value(x + "/Name"), "Operator DM (card)");
    EXPECT_EQ(Value(x + "/AAuthPref"), "DIGEST");
    EXPECT_EQ(Value(x + "/AppAddr/SrvAddr/Addr"),
              "https://dm.operator.example/dm");
    EXPECT_EQ(Value(x + "/AppAddr/SrvAddr/AddrType"), "URI");
    EXPECT_EQ(Value(x + "/AppAddr/SrvAddr/Port/P1/PortNbr"), "443");
    EXPECT_EQ(Value(x + "/AppAuth/ClientSide/AAuthLevel"), "CLCRED");
    EXPECT_EQ(Value(x + "/AppAuth/ClientSide/AAuthName"), "device");
    EXPECT_EQ(Value(x + "/AppAuth/ClientSide/AAuthSecret"), "clientpwd");
    EXPECT_EQ(Value(x + "/AppAuth/ServerSide/AAuthLevel"), "SRVCRED");
    EXPECT_EQ(Value(x + "/AppAuth/ServerSide/AAuthSecret"), "serverpwd");
    const Node* acc = tree.Find(x);
    ASSERT_NE(acc, nullptr);
    EXPECT_TRUE(acc->interior());
    EXPECT_EQ(acc->type, kDmAccMoId);
    EXPECT_EQ(acc->origin, cp::CardOrigin(kIccid));
    EXPECT_EQ(acc->acl.ToString(), AccountAcl(kServer));
    // The account is the bootstrapped server's alone.
    EXPECT_EQ(tree.Get(Caller::Server(kServer), x + "/ServerID").code, 200);
    EXPECT_EQ(tree.Get(Caller::Server("factory.example"), x + "/ServerID").code,
              status::kPermissionDenied);
  }
  Tree tree;
  BootstrapOptions opts;
};

TEST_F(BootstrapTest, CardBootstrapXmlCreatesDmAcc) {
  auto rep =
      ApplyBootstrapXml(tree, Fixture("fixtures/dm/bootstrap_dmacc.xml"), opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  EXPECT_TRUE(rep->ok());
  EXPECT_EQ(rep->items.size(), 8u + 15u);
  for (const auto& it : rep->items) EXPECT_EQ(it.code, 200) << it.uri;
  EXPECT_EQ(rep->accounts, std::vector<std::string>{kAcc});
  EXPECT_TRUE(rep->warnings.empty());
  ExpectCardAccount();
}

TEST_F(BootstrapTest, CardBootstrapWbxmlFromLibwbxmlMatchesXml) {
  // fixtures/wbxml/dm_bootstrap_dmacc.wbxml was encoded by libwbxml's
  // xml2wbxml (an independent encoder) from the XML fixture.
  std::string bin = Fixture("fixtures/wbxml/dm_bootstrap_dmacc.wbxml");
  ASSERT_FALSE(bin.empty());
  auto rep = ApplyBootstrapWbxml(tree, codec::AsBytes(bin), opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  EXPECT_TRUE(rep->ok());
  ExpectCardAccount();
  DeviceConfig c;
  Tree t2;
  ASSERT_TRUE(BuildStandardObjects(t2, c).ok());
  ASSERT_TRUE(
      ApplyBootstrapXml(t2, Fixture("fixtures/dm/bootstrap_dmacc.xml"), opts)
          .ok());
  Tree t3;
  ASSERT_TRUE(BuildStandardObjects(t3, c).ok());
  ASSERT_TRUE(ApplyBootstrapWbxml(t3, codec::AsBytes(bin), opts).ok());
  EXPECT_EQ(t2.ToJson()["children"], t3.ToJson()["children"]);
}

TEST_F(BootstrapTest, ReappliedAtPowerOnIsIdempotent) {
  std::string xml = Fixture("fixtures/dm/bootstrap_dmacc.xml");
  ASSERT_TRUE(ApplyBootstrapXml(tree, xml, opts).ok());
  std::size_t nodes = tree.node_count();
  // The card changed a value behind the handset's back: re-read wins.
  ASSERT_EQ(tree.DeviceSet("./DMAcc/OperatorDM/Name", "stale").code, 200);
  auto again = ApplyBootstrapXml(tree, xml, opts);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->ok());
  EXPECT_EQ(tree.node_count(), nodes);
  EXPECT_EQ(Value("./DMAcc/OperatorDM/Name"), "Operator DM (card)");
  // Without re-apply, every Add of an existing node is 418.
  opts.re_apply_existing = false;
  auto strict = ApplyBootstrapXml(tree, xml, opts);
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->ok());
  for (const auto& it : strict->items)
    EXPECT_EQ(it.code, status::kAlreadyExists) << it.uri;
}

TEST_F(BootstrapTest, RemoveAccountsOfOriginWhenCardIsGone) {
  ASSERT_TRUE(
      ApplyBootstrapXml(tree, Fixture("fixtures/dm/bootstrap_dmacc.xml"), opts)
          .ok());
  // A second card's account.
  BootstrapOptions other;
  other.origin = cp::CardOrigin("8900000000000000001");
  ASSERT_TRUE(
      ApplyBootstrapXml(tree, Fixture("fixtures/dm/pkg2_add_tnds.xml"), other)
          .ok());
  ASSERT_NE(tree.Find("./DMAcc/Operator"), nullptr);
  std::size_t before = tree.node_count();
  auto removed = RemoveAccountsOfOrigin(tree, cp::CardOrigin(kIccid));
  EXPECT_EQ(removed, std::vector<std::string>{kAcc});
  EXPECT_EQ(tree.Find(kAcc), nullptr);
  EXPECT_LT(tree.node_count(), before);
  // The other card's account, the factory account and the standard
  // objects stay.
  EXPECT_NE(tree.Find("./DMAcc/Operator"), nullptr);
  EXPECT_NE(tree.Find("./DMAcc/factory.example"), nullptr);
  EXPECT_NE(tree.Find("./DMAcc"), nullptr);
  EXPECT_NE(tree.Find("./DevInfo/DevId"), nullptr);
  EXPECT_TRUE(RemoveAccountsOfOrigin(tree, cp::CardOrigin(kIccid)).empty());
  EXPECT_TRUE(RemoveAccountsOfOrigin(tree, "").empty());
}

TEST_F(BootstrapTest, TndsIntoInboxFromBootstrapMessage) {
  auto rep =
      ApplyBootstrapXml(tree, Fixture("fixtures/dm/pkg2_add_tnds.xml"), opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  EXPECT_TRUE(rep->ok()) << rep->items[0].reason;
  EXPECT_EQ(Value("./DMAcc/Operator/AppID"), "w7");
  EXPECT_EQ(Value("./DMAcc/Operator/ServerID"), kServer);
  EXPECT_EQ(tree.Find("./DMAcc/Operator/ServerID")->type, "text/plain");
  // The TNDS gave a DDF name (DM 1.1 style): kept, account still found by
  // place; no ACL in the TNDS, so the ServerID gets the account's ACL.
  EXPECT_EQ(tree.Find("./DMAcc/Operator")->type,
            "org.openmobilealliance/1.0/w7");
  EXPECT_EQ(rep->accounts, std::vector<std::string>{"./DMAcc/Operator"});
  EXPECT_EQ(tree.Find("./DMAcc/Operator")->acl.ToString(), AccountAcl(kServer));
  EXPECT_EQ(tree.Find("./DMAcc/Operator")->origin, opts.origin);
  // Inbox itself holds nothing.
  EXPECT_TRUE(tree.Find("./Inbox")->children.empty());
}

TEST_F(BootstrapTest, TndsIntoInboxFromLibwbxmlEncodedMessage) {
  std::string bin = Fixture("fixtures/wbxml/dm_pkg2_add_tnds.wbxml");
  auto rep = ApplyBootstrapWbxml(tree, codec::AsBytes(bin), opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  EXPECT_TRUE(rep->ok()) << (rep->items.empty() ? "" : rep->items[0].reason);
  EXPECT_EQ(Value("./DMAcc/Operator/ServerID"), kServer);
}

TEST_F(BootstrapTest, ModelMessageTndsAndVendorAdd) {
  auto rep = ApplyBootstrapXml(
      tree, Fixture("fixtures/dm/model_pkg2_server_add_tnds_inbox.xml"), opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  EXPECT_TRUE(rep->ok());
  EXPECT_EQ(Value("./DMAcc/omaiop/ServerID"), "omaiop-dms");
  EXPECT_EQ(tree.Find("./DMAcc/omaiop")->type, kDmAccMoId);
  ASSERT_NE(tree.Find("./Vendor/omaiop"), nullptr);
  EXPECT_TRUE(tree.Find("./Vendor/omaiop")->interior());
  EXPECT_EQ(tree.Find("./Vendor")->origin, opts.origin);  // auto-created
}

TEST_F(BootstrapTest, ServerAddToInboxGoesThroughAcls) {
  InstallInbox(tree, "ota");
  Caller srv = Caller::Server(kServer);
  Content tnds{Format::kXml, "", kTndsXmlType,
               "<MgmtTree xmlns=\"syncml:dmddf1.2\"><VerDTD>1.2</VerDTD><Node>"
               "<NodeName>Vendor</NodeName><Node><NodeName>X</NodeName>"
               "<RTProperties><Format><int/></Format></RTProperties>"
               "<Value>3</Value></Node></Node></MgmtTree>",
               ""};
  auto r = tree.Add(srv, "./Inbox", tnds);
  EXPECT_EQ(r.code, 200) << r.reason;
  EXPECT_EQ(Value("./Vendor/X"), "3");
  EXPECT_EQ(tree.Find("./Vendor")->origin, "ota");
  // ./DMAcc grants no Add to servers: an account cannot be slipped in.
  Content acc = tnds;
  acc.data =
      "<MgmtTree><Node><NodeName>DMAcc</NodeName><Node><NodeName>Evil"
      "</NodeName><Node><NodeName>AppID</NodeName><Value>w7</Value></Node>"
      "</Node></Node></MgmtTree>";
  EXPECT_EQ(tree.Add(srv, "./Inbox", acc).code, status::kPermissionDenied);
  EXPECT_EQ(tree.Find("./DMAcc/Evil"), nullptr);
  // Not a TNDS: 415.
  Content plain{Format::kChr, "", "text/plain", "hello", ""};
  EXPECT_EQ(tree.Add(srv, "./Inbox", plain).code, status::kUnsupportedFormat);
}

TEST_F(BootstrapTest, NonBootstrapCommandsAndBadItems) {
  std::string xml = R"(<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr>
    <VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>0</SessionID>
    <MsgID>1</MsgID><Target><LocURI>IMEI:1</LocURI></Target>
    <Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>
    <Get><CmdID>1</CmdID><Item><Target><LocURI>./DevInfo</LocURI></Target>
    </Item></Get>
    <Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID>
      <Item><Target><LocURI>./DMAcc/NoId</LocURI></Target>
      <Meta><Format xmlns="syncml:metinf">node</Format></Meta></Item>
      <Item><Target><LocURI>./DMAcc/NoId/AppID</LocURI></Target>
      <Data>w7</Data></Item>
      <Item><Target><LocURI>./DMAcc/NoId/X</LocURI></Target>
      <Meta><Format xmlns="syncml:metinf">int</Format></Meta>
      <Data>abc</Data></Item>
    </Add></Atomic><Final/></SyncBody></SyncML>)";
  auto rep = ApplyBootstrapXml(tree, xml, opts);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  ASSERT_EQ(rep->items.size(), 4u);
  EXPECT_EQ(rep->items[0].code, status::kOptionalNotSupported);
  EXPECT_EQ(rep->items[1].code, 200);
  EXPECT_EQ(rep->items[2].code, 200);
  EXPECT_EQ(rep->items[3].code, status::kUnsupportedFormat);
  EXPECT_FALSE(rep->ok());
  ASSERT_EQ(rep->warnings.size(), 1u);
  EXPECT_NE(rep->warnings[0].find("ServerID"), std::string::npos);
  EXPECT_TRUE(tree.Find("./DMAcc/NoId")->acl.empty());
  EXPECT_FALSE(ApplyBootstrapXml(tree, "<SyncML>", opts).ok());
  EXPECT_FALSE(
      ApplyBootstrapWbxml(tree, codec::AsBytes(std::string("\x03\x01")), opts)
          .ok());
}

TEST_F(BootstrapTest, W7FromCpDocumentMapsIntoDmAcc) {
  auto doc = cp::ParseText(Fixture("fixtures/cp/dm_w7.xml"));
  ASSERT_TRUE(doc.ok());
  auto apps = doc->All("APPLICATION");
  ASSERT_EQ(apps.size(), 1u);
  auto acc = cp::ToDmAccount(*apps[0]);
  ASSERT_TRUE(acc.has_value());
  acc->origin = "cp:ctx1";
  std::string uri;
  auto r = AddW7Account(tree, *acc, &uri);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(uri, "./DMAcc/dm.operator.example");
  EXPECT_EQ(Value(uri + "/AppID"), "w7");
  EXPECT_EQ(Value(uri + "/ServerID"), kServer);
  EXPECT_EQ(Value(uri + "/Name"), "Operator DM");
  EXPECT_EQ(Value(uri + "/PrefConRef"), "INTERNET");
  EXPECT_EQ(Value(uri + "/AppAddr/1/Addr"), "https://dm.operator.example/dm");
  EXPECT_EQ(Value(uri + "/AppAddr/1/AddrType"), "URI");
  EXPECT_EQ(Value(uri + "/AppAddr/1/Port/1/PortNbr"), "443");
  // APPSRV -> SRVCRED, CLIENT -> CLCRED.
  EXPECT_EQ(Value(uri + "/AppAuth/SRVCRED/AAuthLevel"), "SRVCRED");
  EXPECT_EQ(Value(uri + "/AppAuth/SRVCRED/AAuthName"), "device");
  EXPECT_EQ(Value(uri + "/AppAuth/SRVCRED/AAuthData"), "Y2xpZW50bm9uY2U=");
  EXPECT_EQ(Value(uri + "/AppAuth/CLCRED/AAuthType"), "HTTP-BASIC,HTTP-DIGEST");
  EXPECT_EQ(tree.Find(uri)->acl.ToString(),
            "Delete=dm.operator.example&Get=dm.operator.example&Replace=dm."
            "operator.example");
  EXPECT_EQ(FindDmAccounts(tree),
            (std::vector<std::string>{"./DMAcc/factory.example", uri}));
  EXPECT_EQ(RemoveAccountsOfOrigin(tree, "cp:ctx1"),
            std::vector<std::string>{uri});
  // Same level twice: numbered AppAuth nodes.
  cp::DmAccount two;
  two.server_id = "two";
  two.auths = {{"CLIENT", "BASIC", "a", "b", ""},
               {"CLIENT", "DIGEST", "c", "d", ""}};
  ASSERT_TRUE(AddW7Account(tree, two).ok());
  EXPECT_EQ(Value("./DMAcc/two/AppAuth/2/AAuthType"), "DIGEST");
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
