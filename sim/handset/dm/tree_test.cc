#include "sim/handset/dm/tree.h"

#include <gtest/gtest.h>

#include "codec/xml.h"

namespace omaiop::sim::handset::dm {
namespace {

Content Chr(std::string v) {
  return Content{Format::kChr, "", "", std::move(v), ""};
}
Content NodeC() { return Content{Format::kNode, "", "", "", ""}; }
Content Fmt(std::string f, std::string v) {
  return Content{std::nullopt, std::move(f), "", std::move(v), ""};
}

const Caller kA = Caller::Server("srvA");
const Caller kB = Caller::Server("srvB");
const Caller kDev = Caller::Device();

// A small tree: ./Vendor (ACL Add=srvA&Get=srvA+srvB&Replace=srvA&
// Delete=srvA&Exec=srvA) with leaf ./Vendor/Leaf = "v".
class TreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NodeInit v;
    v.acl = "Add=srvA&Delete=srvA&Exec=srvA&Get=srvA+srvB&Replace=srvA";
    ASSERT_TRUE(tree.DeviceAdd("./Vendor", v).ok());
    ASSERT_EQ(tree.Add(kA, "./Vendor/Leaf", Chr("v")).code, 200);
  }
  Tree tree;
};

// --- ACL grammar -------------------------------------------------------------

TEST(AclTest, ParseFormatRoundTrip) {
  auto a = Acl::Parse("Get=*&Add=srv1+srv2&Replace=srv1");
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_TRUE(a->Allows(AclCommand::kAdd, "srv2"));
  EXPECT_FALSE(a->Allows(AclCommand::kAdd, "srv3"));
  EXPECT_TRUE(a->Allows(AclCommand::kGet, "anyone"));
  EXPECT_FALSE(a->Allows(AclCommand::kDelete, "srv1"));
  // Canonical order Add, Delete, Exec, Get, Replace.
  EXPECT_EQ(a->ToString(), "Add=srv1+srv2&Get=*&Replace=srv1");
  auto b = Acl::Parse(a->ToString());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(AclTest, EmptyIsInherit) {
  auto a = Acl::Parse("");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
  EXPECT_EQ(a->ToString(), "");
}

TEST(AclTest, RejectsMalformedWithOffset) {
  auto a = Acl::Parse("Get=*&Fetch=srv");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().offset, 6u);
  EXPECT_NE(a.error().what.find("Fetch"), std::string::npos);
  auto b = Acl::Parse("Get=a++b");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().offset, 6u);
  EXPECT_FALSE(Acl::Parse("Get").ok());
  EXPECT_FALSE(Acl::Parse("Get=a&").ok());
  EXPECT_FALSE(Acl::Parse("Get=a b").ok());
  EXPECT_FALSE(Acl::Parse("&Get=a").ok());
}

TEST(AclTest, RepeatedCommandMerges) {
  auto a = Acl::Parse("Get=a&Get=b+a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ToString(), "Get=a+b");
}

// --- URI ---------------------------------------------------------------------

TEST(UriTest, Valid) {
  ParsedUri p;
  EXPECT_TRUE(ParseUri(".", {}, {}, &p).ok());
  EXPECT_TRUE(p.segments.empty());
  EXPECT_TRUE(ParseUri("./A/B?list=Struct", {}, {}, &p).ok());
  EXPECT_EQ(p.segments, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(p.query, "list=Struct");
  EXPECT_EQ(p.Path(), "./A/B");
  EXPECT_TRUE(ParseUri("A/B", {}, {}, &p).ok());  // relative
  EXPECT_EQ(p.Path(), "./A/B");
}

TEST(UriTest, Malformed) {
  ParsedUri p;
  for (const char* bad : {"", "./", "./A/", ".//A", "./A//B", "./A/../B", "./.",
                          "/A", "..", "./A/./B"}) {
    auto r = ParseUri(bad, {}, {}, &p);
    EXPECT_EQ(r.code, status::kBadRequest) << bad;
    EXPECT_NE(r.reason.find("DM_TND"), std::string::npos) << bad;
  }
  UriOptions strict;
  strict.allow_relative = false;
  EXPECT_EQ(ParseUri("A/B", {}, strict, &p).code, status::kBadRequest);
}

TEST(UriTest, Limits) {
  ParsedUri p;
  UriLimits l{3, 20, 5};
  EXPECT_TRUE(ParseUri("./a/b/c", l, {}, &p).ok());
  auto depth = ParseUri("./a/b/c/d", l, {}, &p);
  EXPECT_EQ(depth.code, status::kUriTooLong);
  EXPECT_NE(depth.reason.find("MaxDepth"), std::string::npos);
  auto seg = ParseUri("./abcdef", l, {}, &p);
  EXPECT_EQ(seg.code, status::kUriTooLong);
  EXPECT_NE(seg.reason.find("MaxSegLen"), std::string::npos);
  EXPECT_TRUE(ParseUri("./abcde", l, {}, &p).ok());
  auto tot = ParseUri("./abcd/abcd/abcd/x", UriLimits{0, 17, 0}, {}, &p);
  EXPECT_EQ(tot.code, status::kUriTooLong);
  EXPECT_NE(tot.reason.find("MaxTotLen"), std::string::npos);
  // The query does not count towards MaxTotLen.
  EXPECT_TRUE(
      ParseUri("./abcd/abcd/abc?list=Struct", UriLimits{0, 17, 0}, {}, &p)
          .ok());
}

TEST(UriTest, PercentDecodeOption) {
  ParsedUri p;
  ASSERT_TRUE(ParseUri("./a%2Fb", {}, {}, &p).ok());
  EXPECT_EQ(p.segments[0], "a%2Fb");  // literal by default
  UriOptions o;
  o.percent_decode = true;
  ASSERT_TRUE(ParseUri("./a%2Fb/c", {}, o, &p).ok());
  EXPECT_EQ(p.segments[0], "a/b");
  EXPECT_EQ(ParseUri("./a%2", {}, o, &p).code, status::kBadRequest);
  EXPECT_EQ(ParseUri("./a%zz", {}, o, &p).code, status::kBadRequest);
  EXPECT_EQ(ParseUri("./%2E%2E", {}, o, &p).code, status::kBadRequest);
  EXPECT_EQ(ParseUri("./a%00", {}, o, &p).code, status::kBadRequest);
}

TEST(UriTest, EscapedNamesStayAddressable) {
  TreeOptions o;
  o.uri.percent_decode = true;
  Tree t(o);
  ASSERT_EQ(t.Add(kA, "./a%2Fb%3Fc%25d/x", Chr("1")).code, 200);
  const Node* n = t.Find("./a%2Fb%3Fc%25d");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->name, "a/b?c%d");
  auto r = t.Get(kA, "./a%2Fb%3Fc%25d?list=Struct");
  ASSERT_EQ(r.code, 200);
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[1].uri, "./a%2Fb%3Fc%25d/x");
  EXPECT_EQ(t.Get(kA, r.items[1].uri).items[0].data, "1");
  // Rename to a name with '/' is possible only with escaping on.
  ASSERT_EQ(t.Replace(kDev, "./a%2Fb%3Fc%25d?prop=Name", Chr("p/q")).code, 200);
  EXPECT_NE(t.Find("./p%2Fq/x"), nullptr);
  Tree plain;
  ASSERT_EQ(plain.Add(kA, "./n", NodeC()).code, 200);
  EXPECT_EQ(plain.Replace(kDev, "./n?prop=Name", Chr("p?q")).code,
            status::kBadRequest);
}

TEST(FormatTest, Values) {
  EXPECT_TRUE(ValueMatchesFormat(Format::kInt, "-42"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kInt, "4x"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kInt, "99999999999"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kBool, "true"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kBool, "TRUE"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kFloat, "1.5e-3"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kFloat, "1.5e"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kDate, "2026-11-21"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kDate, "2026-13-01"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kTime, "23:59:01.5Z"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kTime, "24:00:00"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kB64, "aGk="));
  EXPECT_FALSE(ValueMatchesFormat(Format::kB64, "aGk"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kXml, "<a/>"));
  EXPECT_FALSE(ValueMatchesFormat(Format::kXml, "<a>"));
  EXPECT_TRUE(ValueMatchesFormat(Format::kNull, ""));
  EXPECT_FALSE(ValueMatchesFormat(Format::kNull, "x"));
  for (auto n : {"b64", "bin", "bool", "chr", "int", "node", "null", "xml",
                 "date", "time", "float"})
    EXPECT_EQ(FormatName(*FormatFromName(n)), n);
  EXPECT_FALSE(FormatFromName("string"));
}

// --- Add ---------------------------------------------------------------------

TEST_F(TreeTest, AddStatuses) {
  EXPECT_EQ(tree.Add(kA, "./Vendor/Leaf", Chr("x")).code,
            status::kAlreadyExists);
  EXPECT_EQ(tree.Add(kA, ".", NodeC()).code, status::kAlreadyExists);
  // Below a leaf: 405.
  auto r = tree.Add(kA, "./Vendor/Leaf/Sub", Chr("x"));
  EXPECT_EQ(r.code, status::kNotAllowed);
  EXPECT_NE(r.reason.find("leaf"), std::string::npos);
  // ACL: srvB has no Add on ./Vendor.
  r = tree.Add(kB, "./Vendor/New", Chr("x"));
  EXPECT_EQ(r.code, status::kPermissionDenied);
  EXPECT_NE(r.reason.find("srvB"), std::string::npos);
  // Unknown format / bad value: 415.
  EXPECT_EQ(tree.Add(kA, "./Vendor/F", Fmt("string", "x")).code,
            status::kUnsupportedFormat);
  EXPECT_EQ(tree.Add(kA, "./Vendor/I", Fmt("int", "ten")).code,
            status::kUnsupportedFormat);
  EXPECT_EQ(tree.Add(kA, "./Vendor/I", Fmt("int", "10")).code, 200);
  EXPECT_EQ(tree.Find("./Vendor/I")->format, Format::kInt);
  // Query on Add: 406.
  EXPECT_EQ(tree.Add(kA, "./Vendor/Q?prop=ACL", Chr("x")).code,
            status::kOptionalNotSupported);
  // Malformed URI: 400.
  EXPECT_EQ(tree.Add(kA, "./Vendor//x", Chr("x")).code, status::kBadRequest);
}

TEST_F(TreeTest, AddAutoCreatesParentsOrNot) {
  auto r = tree.Add(kA, "./Vendor/A/B/C", Chr("deep"));
  EXPECT_EQ(r.code, 200);
  ASSERT_NE(tree.Find("./Vendor/A/B"), nullptr);
  EXPECT_TRUE(tree.Find("./Vendor/A/B")->interior());
  EXPECT_EQ(tree.Find("./Vendor/A/B/C")->value, "deep");

  TreeOptions o;
  o.auto_create_parents = false;
  Tree strict(o);
  EXPECT_EQ(strict.Add(kA, "./X/Y", Chr("1")).code, status::kNotFound);
  EXPECT_EQ(strict.Add(kA, "./X", NodeC()).code, 200);  // root: Add=*
  EXPECT_EQ(strict.Add(kA, "./X/Y", Chr("1")).code, 200);
}

TEST_F(TreeTest, AddSuccessCodeOption) {
  TreeOptions o;
  o.add_success_code = status::kItemAdded;
  Tree t(o);
  EXPECT_EQ(t.Add(kA, "./X", NodeC()).code, 201);
}

TEST_F(TreeTest, DeviceFull) {
  TreeOptions o;
  o.max_nodes = 3;
  Tree t(o);
  EXPECT_EQ(t.Add(kA, "./X", NodeC()).code, 200);
  EXPECT_EQ(t.Add(kA, "./X/Y", Chr("1")).code, 200);
  auto r = t.Add(kA, "./X/Z", Chr("1"));
  EXPECT_EQ(r.code, status::kDeviceFull);
  EXPECT_EQ(t.node_count(), 3u);
  EXPECT_EQ(t.Delete(kDev, "./X/Y").code, 200);
  EXPECT_EQ(t.node_count(), 2u);
  EXPECT_EQ(t.Add(kA, "./X/Z", Chr("1")).code, 200);
}

TEST_F(TreeTest, AddBelowNodeWithoutAddAccess) {
  NodeInit ro;
  ro.acl = "Add=*&Get=*";
  ro.access = kAccessGet;
  ASSERT_TRUE(tree.DeviceAdd("./RO", ro).ok());
  auto r = tree.Add(kA, "./RO/x", Chr("1"));
  EXPECT_EQ(r.code, status::kNotAllowed);
  EXPECT_NE(r.reason.find("AccessType"), std::string::npos);
}

// --- Get ---------------------------------------------------------------------

TEST_F(TreeTest, GetLeafAndInterior) {
  auto r = tree.Get(kB, "./Vendor/Leaf");
  ASSERT_EQ(r.code, 200) << r.reason;
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].data, "v");
  EXPECT_EQ(r.items[0].format, "chr");
  ASSERT_EQ(tree.Add(kA, "./Vendor/Two", Chr("2")).code, 200);
  r = tree.Get(kA, "./Vendor");
  EXPECT_EQ(r.items[0].data, "Leaf/Two");
  EXPECT_EQ(r.items[0].format, "node");
  EXPECT_EQ(tree.Get(kA, "./Vendor/Nope").code, status::kNotFound);
  EXPECT_EQ(tree.Get(Caller::Server("srvC"), "./Vendor/Leaf").code,
            status::kPermissionDenied);
  EXPECT_EQ(tree.Get(kA, "./Vendor?foo=bar").code,
            status::kOptionalNotSupported);
}

TEST_F(TreeTest, GetWithoutGetAccessTypeIs405) {
  NodeInit secret;
  secret.format = Format::kChr;
  secret.value = "pw";
  secret.access = kAccessReplace;
  ASSERT_TRUE(tree.DeviceAdd("./Vendor/Secret", secret).ok());
  EXPECT_EQ(tree.Get(kA, "./Vendor/Secret").code, status::kNotAllowed);
  // StructData lists it without its value.
  auto r = tree.Get(kA, "./Vendor?list=StructData");
  ASSERT_EQ(r.code, 200);
  bool seen = false;
  for (const auto& it : r.items)
    if (it.uri == "./Vendor/Secret") {
      seen = true;
      EXPECT_FALSE(it.has_data);
    }
  EXPECT_TRUE(seen);
}

TEST_F(TreeTest, GetListStructAndStructData) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/Sub/X", Fmt("int", "7")).code, 200);
  auto r = tree.Get(kA, "./Vendor?list=Struct");
  ASSERT_EQ(r.code, 200);
  std::vector<std::string> uris;
  for (const auto& it : r.items) {
    uris.push_back(it.uri);
    EXPECT_FALSE(it.has_data);
  }
  EXPECT_EQ(uris, (std::vector<std::string>{"./Vendor", "./Vendor/Leaf",
                                            "./Vendor/Sub", "./Vendor/Sub/X"}));
  r = tree.Get(kA, "./Vendor?list=StructData");
  ASSERT_EQ(r.items.size(), 4u);
  EXPECT_EQ(r.items[3].data, "7");
  EXPECT_EQ(r.items[3].format, "int");
  EXPECT_TRUE(r.items[3].has_data);
  EXPECT_FALSE(r.items[2].has_data);  // interior
  EXPECT_EQ(tree.Get(kA, "./Vendor?list=Everything").code,
            status::kOptionalNotSupported);
}

TEST_F(TreeTest, ListOmitsSubtreesTheServerCannotGet) {
  NodeInit hidden;
  hidden.acl = "Add=srvA&Get=srvA";
  ASSERT_TRUE(tree.DeviceAdd("./Vendor/Hidden", hidden).ok());
  ASSERT_EQ(tree.Add(kA, "./Vendor/Hidden/x", Chr("1")).code, 200);
  auto r = tree.Get(kB, "./Vendor?list=Struct");
  ASSERT_EQ(r.code, 200);
  for (const auto& it : r.items)
    EXPECT_EQ(it.uri.find("Hidden"), std::string::npos) << it.uri;
  EXPECT_EQ(tree.Get(kA, "./Vendor?list=Struct").items.size(), 4u);
}

TEST_F(TreeTest, GetProperties) {
  auto get = [&](const std::string& p) {
    auto r = tree.Get(kA, "./Vendor/Leaf?prop=" + p);
    EXPECT_EQ(r.code, 200) << p << ": " << r.reason;
    return r.items.empty() ? std::string() : r.items[0].data;
  };
  EXPECT_EQ(get("Format"), "chr");
  EXPECT_EQ(get("Size"), "1");
  EXPECT_EQ(get("Name"), "Leaf");
  EXPECT_EQ(get("ACL"), "");  // inherits
  EXPECT_EQ(get("VerNo"), "0");
  EXPECT_EQ(get("TStamp").size(), 16u);  // 19700101T000003Z
  EXPECT_EQ(tree.Get(kA, "./Vendor?prop=ACL").items[0].data,
            "Add=srvA&Delete=srvA&Exec=srvA&Get=srvA+srvB&Replace=srvA");
  EXPECT_EQ(tree.Get(kA, "./Vendor?prop=Size").code,
            status::kOptionalNotSupported);
  EXPECT_EQ(tree.Get(kA, "./Vendor/Leaf?prop=Colour").code,
            status::kOptionalNotSupported);
  EXPECT_EQ(tree.Get(Caller::Server("x"), "./Vendor/Leaf?prop=Format").code,
            status::kPermissionDenied);
}

TEST_F(TreeTest, VerNoAndTStampAdvanceOnReplace) {
  std::int64_t now = 1700000000;
  TreeOptions o;
  o.clock = [&] { return now; };
  Tree t(o);
  ASSERT_EQ(t.Add(kA, "./L", Chr("a")).code, 200);
  now += 60;
  ASSERT_EQ(t.Replace(Caller::Device(), "./L", Chr("b")).code, 200);
  EXPECT_EQ(t.Get(kA, "./L?prop=VerNo").items[0].data, "1");
  EXPECT_EQ(t.Get(kA, "./L?prop=TStamp").items[0].data, "20231114T221420Z");
}

// --- Replace -----------------------------------------------------------------

TEST_F(TreeTest, ReplaceStatuses) {
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf", Chr("w")).code, 200);
  EXPECT_EQ(tree.Find("./Vendor/Leaf")->value, "w");
  EXPECT_EQ(tree.Replace(kB, "./Vendor/Leaf", Chr("z")).code,
            status::kPermissionDenied);
  EXPECT_EQ(tree.Find("./Vendor/Leaf")->value, "w");
  EXPECT_EQ(tree.Replace(kA, "./Vendor/None", Chr("z")).code,
            status::kNotFound);
  EXPECT_EQ(tree.Replace(kA, "./Vendor", Chr("z")).code, status::kNotAllowed);
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf", Fmt("bool", "maybe")).code,
            status::kUnsupportedFormat);
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf", Fmt("bool", "true")).code, 200);
  EXPECT_EQ(tree.Find("./Vendor/Leaf")->format, Format::kBool);
}

TEST_F(TreeTest, ReplaceAclNeedsParentReplaceForLeaf) {
  // srvA has Replace on ./Vendor, so may set the leaf's ACL.
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=ACL", Chr("Get=srvB")).code,
            200);
  EXPECT_EQ(tree.Get(kA, "./Vendor/Leaf").code, status::kPermissionDenied);
  EXPECT_EQ(tree.Get(kB, "./Vendor/Leaf").code, 200);
  // Now the leaf's own ACL has no Replace for srvA, but the parent's has:
  // the leaf ACL can still be changed by srvA (parent rule) ...
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=ACL", Chr("")).code, 200);
  // ... and srvB (no Replace on ./Vendor) cannot.
  EXPECT_EQ(tree.Replace(kB, "./Vendor/Leaf?prop=ACL", Chr("Get=*")).code,
            status::kPermissionDenied);
  // Malformed ACL text: 400.
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=ACL", Chr("Get")).code,
            status::kBadRequest);
  // Option off: the node's own Replace right decides.
  TreeOptions o;
  o.leaf_acl_change_needs_parent_replace = false;
  Tree t(o);
  NodeInit p;
  p.acl = "Add=*&Get=*";
  ASSERT_TRUE(t.DeviceAdd("./P", p).ok());
  NodeInit l;
  l.format = Format::kChr;
  l.acl = "Replace=srvB";
  ASSERT_TRUE(t.DeviceAdd("./P/L", l).ok());
  EXPECT_EQ(t.Replace(kB, "./P/L?prop=ACL", Chr("Get=*")).code, 200);
}

TEST_F(TreeTest, RootAclMayNotBeEmpty) {
  Tree t;
  ASSERT_TRUE(t.DeviceAdd(".", {}).code == status::kAlreadyExists);
  // Interior root: Replace on root itself; root ACL is Add=*&Get=*, no
  // Replace for servers.
  EXPECT_EQ(t.Replace(kA, ".?prop=ACL", Chr("Get=*")).code,
            status::kPermissionDenied);
  EXPECT_EQ(t.Replace(kDev, ".?prop=ACL", Chr("")).code, status::kNotAllowed);
  EXPECT_EQ(t.Replace(kDev, ".?prop=ACL", Chr("Get=*&Replace=srvA")).code, 200);
  EXPECT_EQ(t.Replace(kA, ".?prop=ACL", Chr("Get=*&Replace=srvA&Add=*")).code,
            200);
  TreeOptions o;
  o.root_acl_may_be_empty = true;
  Tree lax(o);
  EXPECT_EQ(lax.Replace(kDev, ".?prop=ACL", Chr("")).code, 200);
  EXPECT_EQ(lax.Add(kA, "./X", NodeC()).code, status::kPermissionDenied);
}

TEST_F(TreeTest, DefaultRootAcl) {
  Tree t;
  EXPECT_EQ(t.root().acl.ToString(), "Add=*&Get=*");
  EXPECT_EQ(t.Add(kB, "./Anything", NodeC()).code, 200);
  EXPECT_EQ(t.Delete(kB, "./Anything").code, status::kPermissionDenied);
  TreeOptions o;
  o.root_acl = "Get=*";
  Tree t2(o);
  EXPECT_EQ(t2.Add(kB, "./Anything", NodeC()).code, status::kPermissionDenied);
}

TEST_F(TreeTest, ReplaceNameAndTitle) {
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=Title", Chr("A leaf")).code,
            200);
  EXPECT_EQ(tree.Find("./Vendor/Leaf")->title, "A leaf");
  ASSERT_EQ(tree.Add(kA, "./Vendor/Other", Chr("o")).code, 200);
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=Name", Chr("Other")).code,
            status::kAlreadyExists);
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=Name", Chr("a/b")).code,
            status::kBadRequest);
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Leaf?prop=Name", Chr("Renamed")).code,
            200);
  EXPECT_EQ(tree.Find("./Vendor/Leaf"), nullptr);
  EXPECT_EQ(tree.Find("./Vendor/Renamed")->value, "v");
  EXPECT_EQ(tree.Replace(kB, "./Vendor?prop=Name", Chr("V2")).code,
            status::kPermissionDenied);  // ./Vendor grants Replace to srvA
  NodeInit perm;
  perm.permanent = true;
  perm.acl = "Replace=*";
  ASSERT_TRUE(tree.DeviceAdd("./Perm", perm).ok());
  EXPECT_EQ(tree.Replace(kA, "./Perm?prop=Name", Chr("P2")).code,
            status::kNotAllowed);
  for (const char* p : {"Format", "Type", "Size", "TStamp", "VerNo"})
    EXPECT_EQ(
        tree.Replace(kA, std::string("./Vendor/Renamed?prop=") + p, Chr("x"))
            .code,
        status::kNotAllowed)
        << p;
  EXPECT_EQ(tree.Replace(kA, "./Vendor/Renamed?prop=Colour", Chr("x")).code,
            status::kOptionalNotSupported);
}

// --- ACL inheritance
// -----------------------------------------------------------

TEST_F(TreeTest, AclInheritsFromNearestAncestor) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/A/B/C", Chr("x")).code, 200);
  EXPECT_EQ(tree.EffectiveAcl("./Vendor/A/B/C").ToString(),
            tree.Find("./Vendor")->acl.ToString());
  // An ACL in the middle overrides for its subtree only.
  ASSERT_EQ(tree.Replace(kA, "./Vendor/A?prop=ACL", Chr("Get=srvB")).code, 200);
  EXPECT_EQ(tree.Get(kB, "./Vendor/A/B/C").code, 200);
  auto denied = tree.Get(kA, "./Vendor/A/B/C");
  EXPECT_EQ(denied.code, status::kPermissionDenied);
  EXPECT_NE(denied.reason.find("inherited from ./Vendor/A"), std::string::npos)
      << denied.reason;
  EXPECT_EQ(tree.Get(kA, "./Vendor/Leaf").code, 200);
  // Nodes without ACL up to the root use the root's.
  EXPECT_EQ(tree.EffectiveAcl("./Elsewhere").ToString(), "Add=*&Get=*");
}

// --- Delete ------------------------------------------------------------------

TEST_F(TreeTest, DeleteStatuses) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/Sub/X", Chr("x")).code, 200);
  std::size_t before = tree.node_count();
  EXPECT_EQ(tree.Delete(kB, "./Vendor/Sub").code, status::kPermissionDenied);
  EXPECT_EQ(tree.Delete(kA, "./Vendor/Sub").code, 200);
  EXPECT_EQ(tree.node_count(), before - 2);
  EXPECT_EQ(tree.Find("./Vendor/Sub/X"), nullptr);
  EXPECT_EQ(tree.Delete(kA, "./Vendor/Sub").code, status::kNotFound);
  EXPECT_EQ(tree.Delete(kA, ".").code, status::kNotAllowed);
  EXPECT_EQ(tree.Delete(kA, "./Vendor?list=Struct").code,
            status::kOptionalNotSupported);
  // A subtree holding a permanent node: 405, and nothing is removed.
  NodeInit perm;
  perm.format = Format::kChr;
  perm.permanent = true;
  ASSERT_TRUE(tree.DeviceAdd("./Vendor/P/Perm", perm).ok());
  auto r = tree.Delete(kA, "./Vendor/P");
  EXPECT_EQ(r.code, status::kNotAllowed);
  EXPECT_NE(r.reason.find("permanent"), std::string::npos);
  EXPECT_NE(tree.Find("./Vendor/P/Perm"), nullptr);
}

// --- Copy --------------------------------------------------------------------

TEST_F(TreeTest, CopyStatuses) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/Src/X", Fmt("int", "5")).code, 200);
  EXPECT_EQ(tree.Copy(kA, "./Vendor/Dst", "./Vendor/Src").code, 200);
  ASSERT_NE(tree.Find("./Vendor/Dst/X"), nullptr);
  EXPECT_EQ(tree.Find("./Vendor/Dst/X")->value, "5");
  EXPECT_EQ(tree.Find("./Vendor/Dst/X")->format, Format::kInt);
  // Onto an existing leaf: value replaced.
  EXPECT_EQ(tree.Copy(kA, "./Vendor/Leaf", "./Vendor/Dst/X").code, 200);
  EXPECT_EQ(tree.Find("./Vendor/Leaf")->value, "5");
  EXPECT_EQ(tree.Copy(kA, "./Vendor/Dst", "./Vendor/Src").code,
            status::kAlreadyExists);
  EXPECT_EQ(tree.Copy(kA, "./Vendor/D2", "./Vendor/Missing").code,
            status::kNotFound);
  EXPECT_EQ(tree.Copy(kB, "./Vendor/D2", "./Vendor/Src").code,
            status::kPermissionDenied);  // no Add for srvB
  EXPECT_EQ(tree.Copy(Caller::Server("z"), "./Z", "./Vendor/Src").code,
            status::kPermissionDenied);  // no Get of source
  // Into its own subtree: snapshot first, no recursion.
  EXPECT_EQ(tree.Copy(kA, "./Vendor/Src/Again", "./Vendor/Src").code, 200);
  EXPECT_NE(tree.Find("./Vendor/Src/Again/X"), nullptr);
  EXPECT_EQ(tree.Find("./Vendor/Src/Again/Again"), nullptr);
}

TEST_F(TreeTest, CopyAndRenameKeepEveryNodeAddressable) {
  TreeOptions o;
  o.limits = {4, 24, 0};
  Tree t(o);
  ASSERT_EQ(t.Add(kA, "./S/a/b", Chr("x")).code, 200);  // depth 3
  // ./D/S2/a/b would be 4 deep: fine; ./D/E/S2/a/b would be 5: refused.
  EXPECT_EQ(t.Copy(kA, "./D/S2", "./S").code, 200);
  auto r = t.Copy(kA, "./D/E/S2", "./S");
  EXPECT_EQ(r.code, status::kUriTooLong);
  EXPECT_NE(r.reason.find("MaxDepth"), std::string::npos) << r.reason;
  EXPECT_EQ(t.Find("./D/E"), nullptr);  // nothing half-created
  // Rename that pushes a descendant past MaxTotLen (24).
  ASSERT_EQ(t.Replace(kDev, "./S?prop=ACL", Chr("Replace=*&Get=*")).code, 200);
  r = t.Replace(kA, "./S?prop=Name", Chr("LongerName1234567890"));
  EXPECT_EQ(r.code, status::kUriTooLong);
  EXPECT_NE(r.reason.find("MaxTotLen"), std::string::npos) << r.reason;
  EXPECT_NE(t.Find("./S/a/b"), nullptr);
}

// --- Exec --------------------------------------------------------------------

TEST_F(TreeTest, ExecDispatch) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/Run", NodeC()).code, 200);
  EXPECT_EQ(tree.Exec(kA, "./Vendor/Run").code, status::kNotAllowed);
  ExecRequest seen;
  tree.RegisterExec("./Vendor/Run", [&](const ExecRequest& r) {
    seen = r;
    return OpResult{status::kAccepted, "queued", {}};
  });
  auto r = tree.Exec(kA, "./Vendor/Run", "payload", "corr-1");
  EXPECT_EQ(r.code, status::kAccepted);
  EXPECT_EQ(seen.data, "payload");
  EXPECT_EQ(seen.correlator, "corr-1");
  EXPECT_EQ(seen.caller.server_id, "srvA");
  EXPECT_EQ(tree.Exec(kB, "./Vendor/Run").code, status::kPermissionDenied);
  EXPECT_EQ(tree.Exec(kA, "./Vendor/Nope").code, status::kNotFound);
}

// --- TNDS --------------------------------------------------------------------

TEST_F(TreeTest, TndsOutputParsesAndRoundTrips) {
  ASSERT_EQ(tree.Add(kA, "./Vendor/Sub/N", Fmt("int", "12")).code, 200);
  ASSERT_EQ(tree.Add(kA, "./Vendor/Sub/T",
                     Content{Format::kChr, "", "text/plain", "a<b&c", ""})
                .code,
            200);
  ASSERT_EQ(
      tree.Replace(kA, "./Vendor/Sub?prop=ACL", Chr("Get=*&Add=srvA")).code,
      200);
  auto r = tree.Get(kA, "./Vendor/Sub?list=TNDS+ACL+Format+Type+Value");
  ASSERT_EQ(r.code, 200) << r.reason;
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].format, "xml");
  EXPECT_EQ(r.items[0].type, "application/vnd.syncml.dmtnds+xml");
  const std::string& xml = r.items[0].data;
  // Independent check with libxml2: structure and namespace.
  auto doc = codec::ParseXml(xml);
  ASSERT_TRUE(doc.ok()) << xml;
  xmlNode* root = xmlDocGetRootElement(doc->get());
  EXPECT_EQ(codec::NodeName(root), "MgmtTree");
  ASSERT_NE(root->ns, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href),
               "syncml:dmddf1.2");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(root, "VerDTD")), "1.2");
  xmlNode* top = codec::FirstChildElement(root, "Node");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(top, "NodeName")), "Sub");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(top, "Path")), "./Vendor");
  xmlNode* rt = codec::FirstChildElement(top, "RTProperties");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(rt, "ACL")),
            "Add=srvA&Get=*");
  EXPECT_NE(
      codec::FirstChildElement(codec::FirstChildElement(rt, "Format"), "node"),
      nullptr);
  // Children and escaped values.
  xmlNode* n = codec::FirstChildElement(top, "Node");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(n, "NodeName")), "N");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(n, "Value")), "12");
  xmlNode* t = codec::NextSiblingElement(n, "Node");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(t, "Value")), "a<b&c");
  EXPECT_EQ(codec::NodeText(codec::FirstChildElement(
                codec::FirstChildElement(
                    codec::FirstChildElement(t, "RTProperties"), "Type"),
                "MIME")),
            "text/plain");

  // Round trip: the TNDS applied to an empty tree rebuilds the same subtree.
  Tree other;
  auto a = other.AddTnds(kDev, xml);
  ASSERT_TRUE(a.ok()) << a.reason;
  EXPECT_EQ(other.Find("./Vendor/Sub/N")->format, Format::kInt);
  EXPECT_EQ(other.Find("./Vendor/Sub/N")->value, "12");
  EXPECT_EQ(other.Find("./Vendor/Sub/T")->value, "a<b&c");
  EXPECT_EQ(other.Find("./Vendor/Sub/T")->type, "text/plain");
  EXPECT_EQ(other.Find("./Vendor/Sub")->acl.ToString(), "Add=srvA&Get=*");
  auto again = other.ToTnds(
      "./Vendor/Sub",
      Tree::TndsProps{true, true, true, false, false, false, false, true});
  ASSERT_TRUE(again.ok());
  auto d2 = codec::ParseXml(*again);
  ASSERT_TRUE(d2.ok());
  std::string diff;
  EXPECT_TRUE(codec::XmlEquivalent(doc->get(), d2->get(), &diff)) << diff;
}

TEST_F(TreeTest, TndsOfRootAndFlags) {
  auto r = tree.Get(kA, ".?list=TNDS");
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.items[0].data.find("RTProperties"), std::string::npos);
  EXPECT_EQ(r.items[0].data.find("<Value>"), std::string::npos);
  EXPECT_NE(r.items[0].data.find("<NodeName>Vendor</NodeName>"),
            std::string::npos);
  EXPECT_EQ(r.items[0].data.find("<Path>"), std::string::npos);
  EXPECT_EQ(tree.Get(kA, ".?list=TNDS+Colour").code,
            status::kOptionalNotSupported);
  EXPECT_EQ(tree.Get(kA, ".?list=TNDSX").code, status::kOptionalNotSupported);
  auto all = tree.Get(kA, "./Vendor/Leaf?list=TNDS+Size+TStamp+VerNo");
  ASSERT_EQ(all.code, 200);
  EXPECT_NE(all.items[0].data.find("<Size>1</Size>"), std::string::npos);
  EXPECT_NE(all.items[0].data.find("<VerNo>0</VerNo>"), std::string::npos);
}

TEST_F(TreeTest, AddTndsStatuses) {
  EXPECT_EQ(tree.AddTnds(kDev, "<x/>").code, status::kBadRequest);
  EXPECT_EQ(tree.AddTnds(kDev, "not xml").code, status::kBadRequest);
  EXPECT_EQ(tree.AddTnds(kDev,
                         "<MgmtTree><Node><Value>1</Value></Node>"
                         "</MgmtTree>")
                .code,
            status::kBadRequest);  // no NodeName
  EXPECT_EQ(tree.AddTnds(kDev,
                         "<MgmtTree><Node><NodeName>Q</NodeName><RTProperties>"
                         "<Format><string/></Format></RTProperties></Node>"
                         "</MgmtTree>")
                .code,
            status::kUnsupportedFormat);
  // A server without Add below ./Vendor cannot add there through TNDS.
  EXPECT_EQ(tree.AddTnds(kB,
                         "<MgmtTree><Node><NodeName>N</NodeName><Path>"
                         "./Vendor</Path><Value>1</Value></Node>"
                         "</MgmtTree>")
                .code,
            status::kPermissionDenied);
}

// --- dumps -------------------------------------------------------------------

TEST_F(TreeTest, JsonAndText) {
  auto j = tree.ToJson();
  EXPECT_EQ(j["uri"], ".");
  EXPECT_EQ(j["acl"], "Add=*&Get=*");
  ASSERT_EQ(j["children"].size(), 1u);
  EXPECT_EQ(j["children"][0]["uri"], "./Vendor");
  EXPECT_EQ(j["children"][0]["children"][0]["value"], "v");
  std::string text = tree.ToText();
  EXPECT_NE(text.find("`-- Vendor (node)"), std::string::npos) << text;
  EXPECT_NE(text.find("    `-- Leaf = 'v' (chr)"), std::string::npos) << text;
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
