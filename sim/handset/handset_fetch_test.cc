// CP 1.2 trusted HTTP: a context bootstrapped with an https PROVURL on
// loopback; the handset fetches the document from it. The servers are
// sim/network's HttpServer with the fixture certificates (fixtures/tls:
// server.pem signed by ca.pem for 127.0.0.1; selfsigned.pem untrusted), so
// TLS verification is OpenSSL's, not ours.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "sim/handset/handset.h"
#include "sim/network/http_server.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/cp_push_server.h"
#include "tests/test_util.h"

namespace omaiop::sim::handset {
namespace {

namespace fs = std::filesystem;
using cp::EventKind;
using cp::PushOutcome;

const fs::path kRoot(OMAIOP_SOURCE_DIR);
const std::string kTls = (kRoot / "fixtures/tls").string();

std::string Fixture(const std::string& rel) {
  return testing::ReadFileText(kRoot / rel);
}

std::string Events(const PushOutcome& o) {
  std::string s;
  for (const auto& e : o.events) s += e.ToString() + "\n";
  return s;
}

// The document the TPS serves: the GPRS access point fixture, as WBXML.
std::string ServedWbxml() {
  auto doc = codec::ParseXml(Fixture("fixtures/cp/napdef_gprs_proxy.xml"));
  EXPECT_TRUE(doc.ok());
  auto b = codec::EncodeWbxml(doc->get(), codec::ProvLanguage());
  EXPECT_TRUE(b.ok());
  return b.ok() ? std::string(codec::AsString(*b)) : std::string();
}

// A loopback HTTP(S) server answering every request with the WBXML.
struct Tps {
  // cert: "server" (CA-signed), "selfsigned", or "" for plain http.
  explicit Tps(
      const std::string& cert,
      std::string content_type = "application/vnd.wap.connectivity-wbxml")
      : type(std::move(content_type)) {
    network::HttpServerConfig c;
    if (!cert.empty())
      c.tls = network::TlsServerConfig{kTls + "/" + cert + ".pem",
                                       kTls + "/" + cert + ".key"};
    server = std::make_unique<network::HttpServer>(
        c, [this](const network::HttpRequest& r, const network::PeerInfo&) {
          ++requests;
          last_target = r.url;
          network::HttpResponse resp;
          resp.headers.push_back({"Content-Type", type});
          resp.body = body;
          return resp;
        });
    auto st = server->Start();
    EXPECT_TRUE(st.ok()) << st.error().ToString();
  }
  std::string ProvUrl() const { return server->BaseUrl() + "/prov"; }

  std::string type;
  std::string body = ServedWbxml();
  std::atomic<int> requests{0};
  std::string last_target;
  std::unique_ptr<network::HttpServer> server;
};

// A handset (no card) bootstrapped OTA (USERPIN) with `provurl` as its TPS.
struct Phone {
  explicit Phone(const std::string& provurl, HandsetOptions o = {})
      : handset(reader, std::move(o)) {
    handset.SetUserAgent(&user);
    EXPECT_TRUE(handset.PowerOn().ok());
    const std::string doc =
        "<wap-provisioningdoc version=\"1.1\">"
        "<characteristic type=\"BOOTSTRAP\">"
        "<parm name=\"NAME\" value=\"Loopback TPS\"/>"
        "<parm name=\"PROVURL\" value=\"" +
        provurl + "\"/></characteristic></wap-provisioningdoc>";
    servers::ComposeOptions c;
    c.sec = codec::SecMethod::kUserPin;
    c.pin = "1234";
    auto push = servers::CpPushServer().Compose(doc, c);
    EXPECT_TRUE(push.ok()) << (push.ok() ? "" : push.error().ToString());
    std::optional<PushOutcome> out;
    for (const auto& seg : push->segments)
      if (auto r =
              handset.OnSmsSegment(seg, {"+491720000001", "+491720000099", {}}))
        out = r;
    EXPECT_TRUE(out && out->accepted) << (out ? Events(*out) : "no outcome");
    if (out && out->context_created) context = *out->context_created;
  }

  reader::InProcessReader reader;  // empty slot
  cp::ScriptedUser user{{"1234"}};
  Handset handset;
  std::string context;
};

network::TlsClientConfig TrustTestCa() {
  network::TlsClientConfig t;
  t.ca_file = kTls + "/ca.pem";
  return t;
}

TEST(HandsetFetch, DocumentFromVerifiedHttpsProvUrlIsAppliedIntoItsContext) {
  Tps tps("server");
  ASSERT_TRUE(tps.ProvUrl().starts_with("https://127.0.0.1:"));
  Phone phone(tps.ProvUrl());
  ASSERT_FALSE(phone.context.empty());
  EXPECT_TRUE(phone.handset.cp().store().Find("NAPDEF", "GPRS_NAP1").empty());

  auto out = phone.handset.FetchFromProvUrl(phone.context, TrustTestCa());
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_TRUE(out->accepted) << Events(*out);
  EXPECT_EQ(out->source, "http");
  EXPECT_EQ(out->sender, tps.ProvUrl());
  EXPECT_EQ(out->origin, phone.context);  // the TPS's own context
  EXPECT_EQ(out->Count(EventKind::kFetchRejected), 0u);
  EXPECT_EQ(tps.requests.load(), 1);
  EXPECT_EQ(tps.last_target, "/prov");
  auto nap = phone.handset.cp().store().Find("NAPDEF", "GPRS_NAP1");
  ASSERT_EQ(nap.size(), 1u);
  EXPECT_EQ(nap[0]->origin, phone.context);
  EXPECT_EQ(phone.handset.CountEvents("fetch_applied"), 1u);
  // Removing the context takes the fetched settings with it.
  phone.handset.cp().RemoveOrigin(phone.context);
  EXPECT_TRUE(phone.handset.cp().store().items().empty());
}

TEST(HandsetFetch, UntrustedSelfSignedCertificateIsRejectedWithTheTlsReason) {
  Tps tps("selfsigned");
  Phone phone(tps.ProvUrl());
  ASSERT_FALSE(phone.context.empty());
  auto out = phone.handset.FetchFromProvUrl(phone.context, TrustTestCa());
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_FALSE(out->accepted);
  ASSERT_EQ(out->Count(EventKind::kFetchRejected), 1u) << Events(*out);
  const cp::CpEvent* e = nullptr;
  for (const auto& ev : out->events)
    if (ev.kind == EventKind::kFetchRejected) e = &ev;
  ASSERT_NE(e, nullptr);
  // OpenSSL's reason (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT).
  EXPECT_NE(e->detail.find("self-signed certificate"), std::string::npos)
      << e->detail;
  EXPECT_NE(e->detail.find("net.tls.verify"), std::string::npos) << e->detail;
  EXPECT_EQ(out->reject_rule, e->rule);
  // Nothing fetched (the handshake failed), nothing stored but the context.
  EXPECT_EQ(tps.requests.load(), 0);
  EXPECT_TRUE(phone.handset.cp().store().items().empty());
  EXPECT_EQ(phone.handset.cp().trace().Count(EventKind::kFetchRejected), 1u);

  // The same server, trusted by the client's anchors: accepted. Shows the
  // rejection above was the certificate, not the server.
  network::TlsClientConfig trust_it;
  trust_it.ca_file = kTls + "/selfsigned.pem";
  auto ok = phone.handset.FetchFromProvUrl(phone.context, trust_it);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_TRUE(ok->accepted) << Events(*ok);
}

TEST(HandsetFetch, TlsVerdictIsTheCpClientsEvenWithoutPeerVerification) {
  // verify_peer off: the handshake goes ahead, the body arrives, and the CP
  // client still refuses it because the certificate did not verify.
  Tps tps("selfsigned");
  Phone phone(tps.ProvUrl());
  network::TlsClientConfig t = TrustTestCa();
  t.verify_peer = false;
  auto out = phone.handset.FetchFromProvUrl(phone.context, t);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(tps.requests.load(), 1);
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->Count(EventKind::kFetchRejected), 1u) << Events(*out);
  EXPECT_NE(out->reject_reason.find("self-signed"), std::string::npos)
      << out->reject_reason;
  EXPECT_TRUE(phone.handset.cp().store().items().empty());
}

TEST(HandsetFetch, PlainHttpProvUrlIsNotTrustedByDefault) {
  Tps tps("");
  ASSERT_TRUE(tps.ProvUrl().starts_with("http://127.0.0.1:"));
  Phone phone(tps.ProvUrl());
  ASSERT_FALSE(phone.context.empty());
  auto out = phone.handset.FetchFromProvUrl(phone.context, {});
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->Count(EventKind::kFetchRejected), 1u) << Events(*out);
  EXPECT_NE(out->reject_reason.find("no TLS"), std::string::npos)
      << out->reject_reason;
  EXPECT_EQ(tps.requests.load(), 0);

  HandsetOptions o;
  o.trust_plain_http_provurl = true;
  Phone trusting(tps.ProvUrl(), o);
  auto ok = trusting.handset.FetchFromProvUrl(trusting.context, {});
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_TRUE(ok->accepted) << Events(*ok);
  EXPECT_EQ(tps.requests.load(), 1);
}

TEST(HandsetFetch, UrlThatIsNoContextsProvUrlIsRejected) {
  Tps tps("server");
  Phone phone(tps.ProvUrl());
  // Verified TLS, but not the TPS's PROVURL (cp.md §2.4).
  auto out = phone.handset.FetchFromProvUrl(tps.server->BaseUrl() + "/other",
                                            TrustTestCa());
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->Count(EventKind::kFetchRejected), 1u) << Events(*out);
  EXPECT_TRUE(phone.handset.cp().store().items().empty());
  // An unknown context id is an error, not a fetch.
  EXPECT_FALSE(phone.handset.FetchFromProvUrl("ctx:99", TrustTestCa()).ok());
}

TEST(HandsetFetch, NonCpContentTypeAndHttpErrorsAreErrors) {
  Tps tps("server", "text/html");
  Phone phone(tps.ProvUrl());
  auto out = phone.handset.FetchFromProvUrl(phone.context, TrustTestCa());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().what.find("text/html"), std::string::npos)
      << out.error().ToString();
  EXPECT_EQ(phone.handset.CountEvents("fetch_failed"), 1u);
  EXPECT_TRUE(phone.handset.cp().store().items().empty());

  // Connection refused: the server is gone.
  tps.server->Stop();
  auto gone = phone.handset.FetchFromProvUrl(phone.context, TrustTestCa());
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().rule, network::rules::kConnect)
      << gone.error().ToString();
}

}  // namespace
}  // namespace omaiop::sim::handset
