#include "sim/handset/cp/context.h"

#include <gtest/gtest.h>

#include "sim/handset/cp/settings_store.h"
#include "sim/handset/cp/test_util.h"
#include "sim/handset/cp/validator.h"

namespace omaiop::sim::handset::cp {
namespace {

using testing::Doc;
using testing::MustParse;
using testing::ReadFixture;

Document Boot(const std::string& url, const std::string& allow = "",
              const std::string& name = "TPS") {
  std::string xml =
      R"(<characteristic type="BOOTSTRAP"><parm name="NAME" value=")" + name +
      R"("/><parm name="PROVURL" value=")" + url + R"("/>)";
  if (!allow.empty())
    xml += R"(<parm name="CONTEXT-ALLOW" value=")" + allow + R"("/>)";
  xml += "</characteristic>";
  return Validate(MustParse(Doc(xml)), {}, nullptr).doc;
}

TEST(CpContext, BootstrapFixtureCreatesContext) {
  ContextManager cm;
  EventSink sink;
  Document d =
      Validate(MustParse(ReadFixture("fixtures/cp/bootstrap.xml")), {}, nullptr)
          .doc;
  auto r = cm.Bootstrap(d, "ota", &sink);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, "ctx:1");
  const Context* c = cm.Find("ctx:1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "Operator TPS");
  EXPECT_EQ(c->provurl, "http://tps.operator.example/prov");
  EXPECT_EQ(c->context_allow, 0);
  EXPECT_EQ(c->origin, "ota");
  nlohmann::json j = cm.ToJson();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["provurl"], "http://tps.operator.example/prov");
  EXPECT_EQ(j[0]["context_allow"], 0);
  auto ev = sink.Find(EventKind::kContextCreated);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].path,
            "/wap-provisioningdoc/characteristic[1][@type='BOOTSTRAP']");
}

TEST(CpContext, NoProvurlNoContext) {
  ContextManager cm;
  Document d =
      Validate(MustParse(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml")), {},
               nullptr)
          .doc;
  auto r = cm.Bootstrap(d, "ota", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(cm.contexts().empty());
}

TEST(CpContext, ProvurlUniquePerDevice) {
  ContextManager cm;
  EventSink sink;
  ASSERT_TRUE(cm.Bootstrap(Boot("http://a/", "5"), "ota", &sink).ok());
  auto r = cm.Bootstrap(Boot("http://a/", "5", "again"), "ota", &sink);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().rule.find("B-C-008"), std::string::npos);
  EXPECT_EQ(sink.Count(EventKind::kContextRejected), 1u);
  EXPECT_EQ(cm.contexts().size(), 1u);
}

TEST(CpContext, ContextAllowZeroBlocksFurtherBootstrap) {
  ContextManager cm;
  EventSink sink;
  ASSERT_TRUE(cm.Bootstrap(Boot("http://a/", "0"), "ota", &sink).ok());
  auto r = cm.Bootstrap(Boot("http://b/"), "ota", &sink);
  ASSERT_FALSE(r.ok());
  auto ev = sink.Find(EventKind::kContextRejected);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(ev[0].detail.find("allows 0 further"), std::string::npos);
  // Removing the context lifts the restriction.
  EXPECT_TRUE(cm.Remove("ctx:1"));
  EXPECT_TRUE(cm.Bootstrap(Boot("http://b/"), "ota", &sink).ok());
}

TEST(CpContext, ContextAllowCountsAllOtherContexts) {
  ContextManager cm;
  ASSERT_TRUE(cm.Bootstrap(Boot("http://a/", "2"), "ota", nullptr).ok());
  ASSERT_TRUE(cm.Bootstrap(Boot("http://b/"), "ota", nullptr).ok());
  ASSERT_TRUE(cm.Bootstrap(Boot("http://c/"), "ota", nullptr).ok());
  // a allows 2 others: b and c exist, so d is refused.
  EXPECT_FALSE(cm.Bootstrap(Boot("http://d/"), "ota", nullptr).ok());
  // A later context's own CONTEXT-ALLOW binds too.
  ContextManager cm2;
  ASSERT_TRUE(cm2.Bootstrap(Boot("http://a/"), "ota", nullptr).ok());
  ASSERT_TRUE(cm2.Bootstrap(Boot("http://b/", "1"), "ota", nullptr).ok());
  EXPECT_FALSE(cm2.Bootstrap(Boot("http://c/"), "ota", nullptr).ok());
}

TEST(CpContext, ContextAllowOptions) {
  ContextPolicy off;
  off.enforce_context_allow = false;
  ContextManager cm(off);
  ASSERT_TRUE(cm.Bootstrap(Boot("http://a/", "0"), "ota", nullptr).ok());
  EXPECT_TRUE(cm.Bootstrap(Boot("http://b/"), "ota", nullptr).ok());

  ContextPolicy strict_absent;
  strict_absent.absent_context_allow = 0;
  ContextManager cm2(strict_absent);
  ASSERT_TRUE(cm2.Bootstrap(Boot("http://a/"), "ota", nullptr).ok());
  EXPECT_FALSE(cm2.Bootstrap(Boot("http://b/"), "ota", nullptr).ok());

  ContextManager cm3;  // card bootstrap takes precedence (MEMORY option)
  ASSERT_TRUE(cm3.Bootstrap(Boot("http://a/", "0"), "ota", nullptr).ok());
  EXPECT_TRUE(cm3.Bootstrap(Boot("http://card/"), "card:8901", nullptr).ok());
  EXPECT_EQ(cm3.RemoveOrigin("card:8901"), 1u);
  ContextPolicy no_card;
  no_card.card_bypasses_context_allow = false;
  ContextManager cm4(no_card);
  ASSERT_TRUE(cm4.Bootstrap(Boot("http://a/", "0"), "ota", nullptr).ok());
  EXPECT_FALSE(cm4.Bootstrap(Boot("http://card/"), "card:8901", nullptr).ok());
}

TEST(CpContext, TrustedSourceNeedsAuthenticatedInitiatorMatchingProvurl) {
  ContextManager cm;
  ASSERT_TRUE(
      cm.Bootstrap(Boot("http://tps.example/prov"), "ota", nullptr).ok());
  EventSink sink;
  EXPECT_EQ(cm.IsTrustedSource(true, "http://tps.example/prov", &sink),
            "ctx:1");
  EXPECT_EQ(cm.IsTrustedSource(false, "http://tps.example/prov", &sink),
            std::nullopt);
  EXPECT_EQ(cm.IsTrustedSource(true, "http://evil.example/prov", &sink),
            std::nullopt);
  EXPECT_EQ(cm.IsTrustedSource(true, "http://tps.example/prov/x", &sink),
            std::nullopt);
  EXPECT_EQ(sink.Count(EventKind::kSourceTrusted), 1u);
  EXPECT_EQ(sink.Count(EventKind::kSourceUntrusted), 3u);
  ContextPolicy prefix;
  prefix.provurl_prefix_match = true;
  ContextManager cm2(prefix);
  ASSERT_TRUE(
      cm2.Bootstrap(Boot("http://tps.example/prov"), "ota", nullptr).ok());
  EXPECT_EQ(cm2.IsTrustedSource(true, "http://tps.example/prov/x"), "ctx:1");
}

// A TPS modifies only its own context: settings pushed by ctx:2 cannot
// replace what ctx:1 provisioned, but ctx:1 can.
TEST(CpContext, TpsModifiesOnlyItsOwnContext) {
  ContextManager cm;
  ASSERT_TRUE(cm.Bootstrap(Boot("http://a/"), "ota", nullptr).ok());
  ASSERT_TRUE(cm.Bootstrap(Boot("http://b/"), "ota", nullptr).ok());
  SettingsStore store({ConflictPolicy::kReplaceSameId});
  auto nap = [](const std::string& name) {
    return Validate(
        MustParse(Doc(
            R"(<characteristic type="NAPDEF"><parm name="NAPID" value="N"/><parm name="NAME" value=")" +
            name +
            R"("/><parm name="NAP-ADDRESS" value="x"/></characteristic>)")),
        {}, nullptr);
  };
  auto a = cm.IsTrustedSource(true, "http://a/");
  auto b = cm.IsTrustedSource(true, "http://b/");
  ASSERT_TRUE(a && b);
  store.Apply(nap("from a"), *a, nullptr);
  EventSink sink;
  store.Apply(nap("from b"), *b, &sink);
  EXPECT_EQ(sink.Count(EventKind::kItemRejected), 1u);
  EXPECT_FALSE(
      ContextManager::CanModify(*b, store.Find("NAPDEF", "N")[0]->origin));
  store.Apply(nap("a again"), *a, &sink);
  EXPECT_EQ(store.Find("NAPDEF", "N")[0]->data.Value("NAME"), "a again");
  EXPECT_TRUE(
      ContextManager::CanModify(*a, store.Find("NAPDEF", "N")[0]->origin));
}

}  // namespace
}  // namespace omaiop::sim::handset::cp
