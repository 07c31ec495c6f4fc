#include "sim/handset/dm/standard_objects.h"

#include <gtest/gtest.h>

namespace omaiop::sim::handset::dm {
namespace {

DeviceConfig Config() {
  DeviceConfig c;
  c.dev_id = "IMEI:493005100592800";
  c.uri_limits = {8, 80, 24};
  c.pkg_name = "fw";
  c.pkg_version = "2.0";
  DmAccountConfig a;
  a.server_id = "srvA";
  a.name = "Server A";
  a.addr = "https://a.example/dm";
  a.port = "443";
  a.aauth_pref = "DIGEST";
  a.auths = {{"", "CLCRED", "DIGEST", "dev", "clientpw", ""},
             {"", "SRVCRED", "DIGEST", "srvA", "serverpw", "nonce"}};
  DmAccountConfig b;
  b.server_id = "srvB";
  b.addr = "http://b.example/dm";
  c.accounts = {a, b};
  return c;
}

class StandardObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = BuildStandardObjects(tree, Config());
    ASSERT_TRUE(r.ok()) << r.reason;
  }
  std::string Value(const char* uri) {
    const Node* n = tree.Find(uri);
    EXPECT_NE(n, nullptr) << uri;
    return n ? n->value : "";
  }
  Tree tree;
  Caller a = Caller::Server("srvA");
  Caller b = Caller::Server("srvB");
};

TEST_F(StandardObjectsTest, DevInfoLeaves) {
  EXPECT_EQ(Value("./DevInfo/DevId"), "IMEI:493005100592800");
  EXPECT_EQ(Value("./DevInfo/DmV"), "1.2");
  EXPECT_EQ(Value("./DevInfo/Man"), "omaiop");
  EXPECT_EQ(Value("./DevInfo/Lang"), "en-US");
  EXPECT_EQ(tree.Find("./DevInfo")->type, kDevInfoMoId);
  // Any server reads it; nobody changes or deletes it.
  EXPECT_EQ(tree.Get(b, "./DevInfo/Mod").code, 200);
  EXPECT_EQ(
      tree.Replace(a, "./DevInfo/Mod", {Format::kChr, "", "", "x", ""}).code,
      status::kPermissionDenied);
  EXPECT_EQ(tree.Delete(Caller::Device(), "./DevInfo").code,
            status::kNotAllowed);  // permanent
}

TEST_F(StandardObjectsTest, DevDetailPublishesTheEnforcedLimits) {
  EXPECT_EQ(Value("./DevDetail/URI/MaxDepth"), "8");
  EXPECT_EQ(Value("./DevDetail/URI/MaxTotLen"), "80");
  EXPECT_EQ(Value("./DevDetail/URI/MaxSegLen"), "24");
  EXPECT_EQ(Value("./DevDetail/LrgObj"), "true");
  EXPECT_EQ(tree.Find("./DevDetail/LrgObj")->format, Format::kBool);
  EXPECT_EQ(tree.options().limits.max_depth, 8u);
  // The tree enforces what it publishes.
  EXPECT_EQ(tree.Get(a, "./a/b/c/d/e/f/g/h/i").code, status::kUriTooLong);
  EXPECT_EQ(tree.Get(a, "./" + std::string(25, 'x')).code, status::kUriTooLong);
  EXPECT_EQ(tree.Get(a, "./" + std::string(24, 'x')).code, status::kNotFound);
}

TEST_F(StandardObjectsTest, DmAccStructure12) {
  const std::string x = "./DMAcc/srvA";
  ASSERT_NE(tree.Find(x), nullptr);
  EXPECT_EQ(tree.Find(x)->type, kDmAccMoId);
  EXPECT_EQ(Value("./DMAcc/srvA/AppID"), "w7");
  EXPECT_EQ(Value("./DMAcc/srvA/ServerID"), "srvA");
  EXPECT_EQ(Value("./DMAcc/srvA/Name"), "Server A");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAddr/1/Addr"), "https://a.example/dm");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAddr/1/AddrType"), "URI");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAddr/1/Port/1/PortNbr"), "443");
  EXPECT_EQ(Value("./DMAcc/srvA/AAuthPref"), "DIGEST");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAuth/CLCRED/AAuthLevel"), "CLCRED");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAuth/SRVCRED/AAuthName"), "srvA");
  EXPECT_EQ(Value("./DMAcc/srvA/AppAuth/SRVCRED/AAuthSecret"), "serverpw");
  EXPECT_EQ(tree.Find("./DMAcc/srvA/AppAuth/SRVCRED/AAuthData")->format,
            Format::kBin);
  // No port configured: no Port subtree.
  EXPECT_EQ(tree.Find("./DMAcc/srvB/AppAddr/1/Port"), nullptr);
}

TEST_F(StandardObjectsTest, EachAccountReadableOnlyByItsServer) {
  EXPECT_EQ(tree.Get(a, "./DMAcc/srvA/ServerID").code, 200);
  EXPECT_EQ(tree.Get(b, "./DMAcc/srvA/ServerID").code,
            status::kPermissionDenied);
  EXPECT_EQ(tree.Get(b, "./DMAcc/srvB/ServerID").code, 200);
  EXPECT_EQ(
      tree.Replace(b, "./DMAcc/srvA/Name", {Format::kChr, "", "", "mine", ""})
          .code,
      status::kPermissionDenied);
  EXPECT_EQ(tree.Replace(a, "./DMAcc/srvA/Name",
                         {Format::kChr, "", "", "renamed", ""})
                .code,
            200);
  // ./DMAcc lists names for everyone, but srvB's list omits srvA's subtree.
  EXPECT_EQ(tree.Get(b, "./DMAcc").items[0].data, "srvA/srvB");
  for (const auto& it : tree.Get(b, "./DMAcc?list=Struct").items)
    EXPECT_EQ(it.uri.find("srvA"), std::string::npos) << it.uri;
  // AAuthSecret / AAuthData: No Get (dm.md §3.6) even for the owner.
  EXPECT_EQ(tree.Get(a, "./DMAcc/srvA/AppAuth/CLCRED/AAuthSecret").code,
            status::kNotAllowed);
  EXPECT_EQ(tree.Replace(a, "./DMAcc/srvA/AppAuth/CLCRED/AAuthSecret",
                         {Format::kChr, "", "", "newpw", ""})
                .code,
            200);
  // The owner may delete its account, not another's.
  EXPECT_EQ(tree.Delete(b, "./DMAcc/srvA").code, status::kPermissionDenied);
  EXPECT_EQ(tree.Delete(a, "./DMAcc/srvA").code, 200);
  // JSON redaction of no-Get leaves.
  auto j = tree.ToJson(true);
  EXPECT_EQ(j.dump().find("serverpw"), std::string::npos);
}

TEST_F(StandardObjectsTest, FumoInstance) {
  EXPECT_EQ(tree.Find("./FUMO")->type, kFumoMoId);
  EXPECT_EQ(Value("./FUMO/PkgName"), "fw");
  EXPECT_EQ(Value("./FUMO/State"), "10");
  EXPECT_EQ(tree.Find("./FUMO/State")->format, Format::kInt);
  EXPECT_EQ(tree.Find("./FUMO/Update/PkgData")->format, Format::kBin);
  // State: Get only (dm.md §4).
  EXPECT_EQ(
      tree.Replace(a, "./FUMO/State", {Format::kInt, "", "", "50", ""}).code,
      status::kNotAllowed);
  EXPECT_EQ(tree.DeviceSet("./FUMO/State", std::to_string(static_cast<int>(
                                               FumoState::kReadyToUpdate)))
                .code,
            200);
  EXPECT_EQ(Value("./FUMO/State"), "50");
  EXPECT_EQ(tree.Replace(a, "./FUMO/Download/PkgURL",
                         {Format::kChr, "", "", "http://fw/x.dd", ""})
                .code,
            200);
  // Exec on Download: the handler answers 202 (dm.md §4).
  EXPECT_EQ(tree.Exec(a, "./FUMO/Download").code, status::kNotAllowed);
  tree.RegisterExec("./FUMO/Download", [](const ExecRequest&) {
    return OpResult{status::kAccepted, "download started", {}};
  });
  EXPECT_EQ(tree.Exec(a, "./FUMO/Download").code, status::kAccepted);
  // PkgName has no Exec in its AccessType.
  EXPECT_EQ(tree.Exec(a, "./FUMO/PkgName").code, status::kNotAllowed);
  EXPECT_EQ(FumoStateName(FumoState::kUpdateFailedNoData),
            "Update Failed / No Data");
  EXPECT_TRUE(IsFumoState(100));
  EXPECT_FALSE(IsFumoState(55));
}

TEST_F(StandardObjectsTest, InboxTakesAddsOnly) {
  ASSERT_NE(tree.Find("./Inbox"), nullptr);
  EXPECT_EQ(tree.Get(a, "./Inbox").code, status::kPermissionDenied);
  EXPECT_EQ(tree.Delete(a, "./Inbox").code, status::kPermissionDenied);
}

TEST(StandardObjects, LimitsTooSmallForOwnTreeAreRefused) {
  // ./DMAcc/<x>/AppAddr/1/Port/1/PortNbr is 7 deep: a device publishing
  // MaxDepth 6 could not hold its own account.
  Tree t;
  DeviceConfig c = Config();
  c.uri_limits.max_depth = 6;
  auto r = BuildStandardObjects(t, c);
  EXPECT_EQ(r.code, status::kUriTooLong);
  EXPECT_NE(r.reason.find("PortNbr"), std::string::npos) << r.reason;
}

TEST(StandardObjects, AccountNodeNameAndAcl) {
  EXPECT_EQ(AccountNodeName("dm.operator.example"), "dm.operator.example");
  EXPECT_EQ(AccountNodeName("a/b c"), "a_b_c");
  EXPECT_EQ(AccountNodeName(".."), "acc..");
  EXPECT_EQ(AccountAcl("s1"), "Delete=s1&Get=s1&Replace=s1");
  Tree t;
  DmAccountConfig bad;
  bad.server_id = "has space";
  EXPECT_EQ(AddDmAccount(t, bad).code, status::kBadRequest);
  DmAccountConfig none;
  EXPECT_EQ(AddDmAccount(t, none).code, status::kBadRequest);
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
