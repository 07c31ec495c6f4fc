// HttpFetch / HttpSession against our HttpServer on loopback and against a
// real independent peer (openssl s_server).
#include "sim/network/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "sim/network/http_server.h"
#include "sim/network/network_test_util.h"

namespace omaiop::sim::network {
namespace {

using testing::TlsFixture;
using namespace std::chrono_literals;

// Echoes what it received: "METHOD TARGET\n" + body; X-Peer-Connection.
HttpResponse Echo(const HttpRequest& req, const PeerInfo& peer) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  r.headers.emplace_back("X-Connection", std::to_string(peer.connection));
  r.headers.emplace_back("X-Request-Index", std::to_string(peer.request_index));
  r.body = req.method + " " + req.url + "\n" + req.body;
  return r;
}

HttpServerConfig TlsServerConfig(const std::string& cert) {
  HttpServerConfig c;
  c.tls = network::TlsServerConfig{};
  c.tls->cert_file = TlsFixture(cert + ".pem");
  c.tls->key_file = TlsFixture(cert + ".key");
  return c;
}

HttpClientOptions TrustingFixtureCa() {
  HttpClientOptions o;
  o.tls.ca_file = TlsFixture("ca.pem");
  o.connect_timeout = 5s;
  o.request_timeout = 5s;
  return o;
}

std::string LocalhostUrl(const HttpServer& s, const std::string& path) {
  return std::string(s.BaseUrl().substr(0, 5) == "https" ? "https" : "http") +
         "://localhost:" + std::to_string(s.port()) + path;
}

TEST(HttpClientTest, GetOverHttp) {
  HttpRequest seen;
  std::mutex mu;
  HttpServer server({}, [&](const HttpRequest& req, const PeerInfo& p) {
    std::lock_guard<std::mutex> lock(mu);
    seen = req;
    return Echo(req, p);
  });
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", server.BaseUrl() + "/doc?id=7", {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->body, "GET /doc?id=7\n");
  EXPECT_FALSE(r->connection.tls);
  EXPECT_EQ(r->connection.peer, "127.0.0.1:" + std::to_string(server.port()));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(FindHeader(seen.headers, "host"),
            "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(FindHeader(seen.headers, "user-agent"), "omaiop");
  EXPECT_EQ(FindHeader(seen.headers, "connection"), "close");
}

TEST(HttpClientTest, PostBinaryBodyOverHttp) {
  std::string body("\x02\x00\x00\x6a\x00\xff\x01", 7);  // WBXML-like, has NULs
  std::string content_type;
  HttpServer server({}, [&](const HttpRequest& req, const PeerInfo& p) {
    content_type = FindHeader(req.headers, "Content-Type").value_or("");
    HttpResponse r = Echo(req, p);
    r.body = req.body;  // exact bytes back
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"POST",
                      server.BaseUrl() + "/dm",
                      {{"Content-Type", "application/vnd.syncml.dm+wbxml"}},
                      body});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->body, body);
  EXPECT_EQ(FindHeader(r->headers, "content-length"), "7");
  server.Stop();  // joins the io thread: content_type is safe to read
  EXPECT_EQ(content_type, "application/vnd.syncml.dm+wbxml");
}

TEST(HttpClientTest, HttpsWithFixtureCaTrustedVerifies) {
  std::mutex mu;
  std::vector<std::string> sni;
  HttpServer server(TlsServerConfig("server"),
                    [&](const HttpRequest& req, const PeerInfo& p) {
                      std::lock_guard<std::mutex> lock(mu);
                      sni.push_back(p.server_name);
                      return Echo(req, p);
                    });
  ASSERT_TRUE(server.Start().ok());
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto r = HttpFetch(
        {"GET",
         "https://" + host + ":" + std::to_string(server.port()) + "/x",
         {},
         ""},
        TrustingFixtureCa());
    ASSERT_TRUE(r.ok()) << host << ": " << r.error().ToString();
    EXPECT_EQ(r->body, "GET /x\n");
    EXPECT_TRUE(r->connection.tls);
    EXPECT_TRUE(r->connection.tls_verified);
    EXPECT_EQ(r->connection.tls_verify_error, "");
    EXPECT_EQ(r->connection.peer_cert_subject, "CN=localhost,O=omaiop test");
    EXPECT_EQ(r->connection.peer_cert_issuer,
              "CN=omaiop test CA,O=omaiop test");
    EXPECT_FALSE(r->connection.tls_version.empty());
  }
  server.Stop();
  // SNI for the host name, none for the IP literal (RFC 6066 §3).
  EXPECT_EQ(sni, (std::vector<std::string>{"localhost", ""}));
}

// The default trust store (no ca_file) does not know the test CA.
TEST(HttpClientTest, HttpsWithoutTheCaIsUntrusted) {
  HttpServer server(TlsServerConfig("server"), Echo);
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsVerify);
  EXPECT_NE(r.error().what.find("unable to get local issuer certificate"),
            std::string::npos)
      << r.error().what;
}

TEST(HttpClientTest, UntrustedSelfSignedIsRejectedNamingTheReason) {
  HttpServer server(TlsServerConfig("selfsigned"), Echo);
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""},
                     TrustingFixtureCa());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsVerify);
  EXPECT_NE(r.error().what.find("self-signed certificate"), std::string::npos)
      << r.error().what;
  EXPECT_NE(r.error().what.find("CN=localhost"), std::string::npos);
}

TEST(HttpClientTest, VerifyPeerOffConnectsButReportsUnverified) {
  HttpServer server(TlsServerConfig("selfsigned"), Echo);
  ASSERT_TRUE(server.Start().ok());
  HttpClientOptions o = TrustingFixtureCa();
  o.tls.verify_peer = false;
  auto r = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""}, o);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->connection.tls);
  EXPECT_FALSE(r->connection.tls_verified);
  EXPECT_EQ(r->connection.tls_verify_error, "self-signed certificate");
}

TEST(HttpClientTest, WrongHostIsAHostnameError) {
  HttpServer server(TlsServerConfig("wronghost"), Echo);
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""},
                     TrustingFixtureCa());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsHostname);
  EXPECT_NE(r.error().what.find("hostname mismatch"), std::string::npos)
      << r.error().what;
  EXPECT_NE(r.error().what.find("\"localhost\""), std::string::npos);

  // By IP literal: checked against iPAddress SANs.
  auto ip =
      HttpFetch({"GET", server.BaseUrl() + "/", {}, ""}, TrustingFixtureCa());
  ASSERT_FALSE(ip.ok());
  EXPECT_EQ(ip.error().rule, rules::kTlsHostname);
  EXPECT_NE(ip.error().what.find("IP address mismatch"), std::string::npos)
      << ip.error().what;

  // The name the certificate holds, via server_name, verifies.
  HttpClientOptions o = TrustingFixtureCa();
  o.tls.server_name = "wrong.example";
  auto named = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""}, o);
  ASSERT_TRUE(named.ok()) << named.error().ToString();
  EXPECT_TRUE(named->connection.tls_verified);

  // And hostname checking off accepts the CA-signed chain.
  o.tls.server_name.clear();
  o.tls.verify_hostname = false;
  EXPECT_TRUE(HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""}, o).ok());
}

TEST(HttpClientTest, ExpiredCertificateIsRejected) {
  HttpServer server(TlsServerConfig("expired"), Echo);
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""},
                     TrustingFixtureCa());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsVerify);
  EXPECT_NE(r.error().what.find("certificate has expired"), std::string::npos)
      << r.error().what;
}

TEST(HttpClientTest, ClientCertificateRequiredAndPresented) {
  HttpServerConfig c = TlsServerConfig("server");
  c.tls->client_cert = TlsServerConfig::ClientCert::kRequired;
  c.tls->client_ca_file = TlsFixture("ca.pem");
  std::atomic<int> calls{0};
  PeerInfo seen;
  HttpServer server(c, [&](const HttpRequest& req, const PeerInfo& p) {
    seen = p;
    ++calls;
    return Echo(req, p);
  });
  ASSERT_TRUE(server.Start().ok());

  HttpClientOptions o = TrustingFixtureCa();
  auto without = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""}, o);
  EXPECT_FALSE(without.ok());
  EXPECT_EQ(calls.load(), 0);

  o.tls.client_cert_file = TlsFixture("client.pem");
  o.tls.client_key_file = TlsFixture("client.key");
  auto with = HttpFetch({"GET", LocalhostUrl(server, "/"), {}, ""}, o);
  ASSERT_TRUE(with.ok()) << with.error().ToString();
  server.Stop();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(seen.tls);
  EXPECT_TRUE(seen.client_cert_present);
  EXPECT_TRUE(seen.client_cert_verified);
  EXPECT_EQ(seen.client_cert_subject, "CN=omaiop-test-client,O=omaiop test");
}

TEST(HttpClientTest, BadTlsFilesAreConfigErrors) {
  HttpClientOptions o;
  o.tls.ca_file = "/nonexistent/ca.pem";
  testing::SilentListener silent;
  auto r = HttpFetch(
      {"GET", "https://127.0.0.1:" + std::to_string(silent.port()), {}, ""}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsConfig);
  EXPECT_NE(r.error().what.find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(HttpClientTest, ResponseBodyLimit) {
  HttpServer server({}, [](const HttpRequest&, const PeerInfo&) {
    return HttpResponse{200, "", {}, std::string(100, 'x'), {}};
  });
  ASSERT_TRUE(server.Start().ok());
  HttpClientOptions o;
  o.max_body_size = 99;
  auto r = HttpFetch({"GET", server.BaseUrl() + "/", {}, ""}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kBodyLimit);
  o.max_body_size = 100;
  auto ok = HttpFetch({"GET", server.BaseUrl() + "/", {}, ""}, o);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->body.size(), 100u);
}

TEST(HttpClientTest, RequestBodyLimitGives413) {
  HttpServerConfig c;
  c.max_body_size = 10;
  HttpServer server(c, Echo);
  ASSERT_TRUE(server.Start().ok());
  auto r =
      HttpFetch({"POST", server.BaseUrl() + "/", {}, std::string(11, 'a')});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status, 413);
  auto fits = HttpFetch({"POST", server.BaseUrl() + "/", {}, "0123456789"});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->status, 200);
}

TEST(HttpClientTest, TimesOutOnAServerThatNeverAnswers) {
  testing::SilentListener silent;
  HttpClientOptions o;
  o.request_timeout = 200ms;
  o.connect_timeout = 200ms;
  auto start = std::chrono::steady_clock::now();
  auto r = HttpFetch({"GET",
                      "http://127.0.0.1:" + std::to_string(silent.port()) + "/",
                      {},
                      ""},
                     o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTimeout);
  EXPECT_NE(r.error().what.find("200 ms"), std::string::npos);
  // TLS: the handshake never completes; connect_timeout applies.
  auto t =
      HttpFetch({"GET",
                 "https://127.0.0.1:" + std::to_string(silent.port()) + "/",
                 {},
                 ""},
                o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().rule, rules::kTimeout);
  EXPECT_NE(t.error().what.find("TLS handshake"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(HttpClientTest, MalformedResponsesAreProtocolErrors) {
  for (const char* reply :
       {"SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"}) {
    testing::ScriptedServer peer(reply);
    auto r = HttpFetch({"GET", peer.url(), {}, ""});
    ASSERT_FALSE(r.ok()) << reply;
    EXPECT_EQ(r.error().rule, rules::kHttpProtocol) << r.error().ToString();
  }
}

TEST(HttpClientTest, ChunkedAndCloseDelimitedBodies) {
  {
    testing::ScriptedServer peer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    auto r = HttpFetch({"GET", peer.url(), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->body, "abcde");
  }
  {
    testing::ScriptedServer peer("HTTP/1.0 200 OK\r\n\r\nuntil close");
    auto r = HttpFetch({"GET", peer.url(), {}, ""});
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->body, "until close");
  }
  {  // The chunked body exceeds the limit only in its second chunk.
    testing::ScriptedServer peer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
    HttpClientOptions o;
    o.max_body_size = 5;
    auto r = HttpFetch({"GET", peer.url(), {}, ""}, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().rule, rules::kBodyLimit);
  }
  {  // Content-Length promises more than arrives.
    testing::ScriptedServer peer(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    auto r = HttpFetch({"GET", peer.url(), {}, ""});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().rule, rules::kClosed);
    EXPECT_NE(r.error().what.find("mid-response"), std::string::npos);
  }
  {  // Closed without a byte.
    testing::ScriptedServer peer("");
    auto r = HttpFetch({"GET", peer.url(), {}, ""});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().rule, rules::kClosed);
  }
}

TEST(HttpClientTest, InterimResponsesAreSkipped) {
  testing::ScriptedServer peer(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  auto r = HttpFetch({"POST", peer.url(), {}, "x"});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpClientTest, ConnectionRefused) {
  auto r =
      HttpFetch({"GET",
                 "http://127.0.0.1:" + std::to_string(testing::ClosedPort()),
                 {},
                 ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kConnect);
}

TEST(HttpClientTest, BadRequestInputIsRefusedBeforeConnecting) {
  auto url = HttpFetch({"GET", "http://h/ x", {}, ""});
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().offset, 9u);  // the space
  auto inject =
      HttpFetch({"GET", "http://127.0.0.1:1/", {{"X", "a\r\nEvil: 1"}}, ""});
  ASSERT_FALSE(inject.ok());
  EXPECT_NE(inject.error().what.find("CR, LF"), std::string::npos);
  auto method = HttpFetch({"GE T", "http://127.0.0.1:1/", {}, ""});
  ASSERT_FALSE(method.ok());
  EXPECT_NE(method.error().what.find("not a token"), std::string::npos);
}

// A DM session: several POSTs on one connection.
void ExpectOneConnectionForThreeRequests(HttpServerConfig config,
                                         HttpClientOptions options) {
  HttpServer server(config, Echo);
  ASSERT_TRUE(server.Start().ok());
  HttpSession session(options);
  for (int i = 0; i < 3; ++i) {
    auto r = session.Fetch({"POST",
                            LocalhostUrl(server, "/dm"),
                            {{"Content-Type", "application/vnd.syncml.dm+xml"}},
                            "<SyncML>" + std::to_string(i) + "</SyncML>"});
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->body, "POST /dm\n<SyncML>" + std::to_string(i) + "</SyncML>");
    EXPECT_EQ(r->connection.reused, i > 0);
    EXPECT_EQ(r->connection.connection, 1u);
    EXPECT_EQ(FindHeader(r->headers, "X-Request-Index"), std::to_string(i));
  }
  EXPECT_TRUE(session.connected());
  EXPECT_EQ(session.connections_opened(), 1u);
  EXPECT_EQ(server.accepted_connections(), 1u);
}

TEST(HttpClientTest, KeepAliveSessionUsesOneConnection) {
  ExpectOneConnectionForThreeRequests({}, {});
}

TEST(HttpClientTest, KeepAliveSessionOverTlsUsesOneConnection) {
  ExpectOneConnectionForThreeRequests(TlsServerConfig("server"),
                                      TrustingFixtureCa());
}

TEST(HttpClientTest, SessionReconnectsAfterConnectionClose) {
  HttpServer server({}, [](const HttpRequest& req, const PeerInfo& p) {
    HttpResponse r = Echo(req, p);
    if (p.request_index == 0) r.headers.emplace_back("Connection", "close");
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  HttpSession session;
  auto a = session.Fetch({"GET", server.BaseUrl() + "/a", {}, ""});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(FindHeader(a->headers, "connection"), "close");
  EXPECT_FALSE(session.connected());
  auto b = session.Fetch({"GET", server.BaseUrl() + "/b", {}, ""});
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_FALSE(b->connection.reused);
  EXPECT_EQ(b->connection.connection, 2u);
  EXPECT_EQ(server.accepted_connections(), 2u);
}

void ExpectResendAfterIdleClose(HttpServerConfig c, HttpClientOptions o) {
  c.idle_timeout = 100ms;
  HttpServer server(c, Echo);
  ASSERT_TRUE(server.Start().ok());
  HttpSession session(o);
  auto a = session.Fetch({"GET", LocalhostUrl(server, "/a"), {}, ""});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  std::this_thread::sleep_for(300ms);  // the server closes the idle one
  auto b = session.Fetch({"POST", LocalhostUrl(server, "/b"), {}, "x"});
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(b->body, "POST /b\nx");
  EXPECT_FALSE(b->connection.reused);
  EXPECT_EQ(session.connections_opened(), 2u);
  EXPECT_EQ(server.accepted_connections(), 2u);
}

TEST(HttpClientTest, SessionResendsWhenTheServerDroppedTheIdleConnection) {
  ExpectResendAfterIdleClose({}, {});
}

TEST(HttpClientTest, TlsSessionResendsWhenTheServerDroppedTheIdleConnection) {
  ExpectResendAfterIdleClose(TlsServerConfig("server"), TrustingFixtureCa());
}

TEST(HttpClientTest, SessionReconnectsWhenTheOriginChanges) {
  HttpServer one({}, Echo), two({}, Echo);
  ASSERT_TRUE(one.Start().ok());
  ASSERT_TRUE(two.Start().ok());
  HttpSession session;
  ASSERT_TRUE(session.Fetch({"GET", one.BaseUrl() + "/", {}, ""}).ok());
  auto r = session.Fetch({"GET", two.BaseUrl() + "/", {}, ""});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->connection.reused);
  EXPECT_EQ(session.connections_opened(), 2u);
}

TEST(HttpClientTest, TraceRecordsBothDirectionsOnBothSides) {
  std::mutex mu;
  std::vector<HttpTraceEvent> server_events, client_events;
  HttpServerConfig c;
  c.trace = [&](const HttpTraceEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    server_events.push_back(e);
  };
  HttpServer server(c, Echo);
  ASSERT_TRUE(server.Start().ok());
  HttpClientOptions o;
  o.trace = [&](const HttpTraceEvent& e) { client_events.push_back(e); };
  auto r = HttpFetch({"PUT", server.BaseUrl() + "/t", {}, "body"}, o);
  ASSERT_TRUE(r.ok());
  server.Stop();

  ASSERT_EQ(client_events.size(), 2u);
  EXPECT_EQ(client_events[0].direction, HttpTraceEvent::Direction::kSent);
  EXPECT_TRUE(client_events[0].is_request);
  EXPECT_EQ(client_events[0].method, "PUT");
  EXPECT_EQ(client_events[0].target, "/t");
  EXPECT_EQ(client_events[0].body, "body");
  EXPECT_EQ(FindHeader(client_events[0].headers, "Content-Length"), "4");
  EXPECT_EQ(client_events[0].peer, r->connection.peer);
  EXPECT_EQ(client_events[1].direction, HttpTraceEvent::Direction::kReceived);
  EXPECT_FALSE(client_events[1].is_request);
  EXPECT_EQ(client_events[1].status, 200);
  EXPECT_EQ(client_events[1].body, "PUT /t\nbody");

  ASSERT_EQ(server_events.size(), 2u);
  EXPECT_EQ(server_events[0].direction, HttpTraceEvent::Direction::kReceived);
  EXPECT_EQ(server_events[0].method, "PUT");
  EXPECT_EQ(server_events[0].body, "body");
  EXPECT_EQ(server_events[1].direction, HttpTraceEvent::Direction::kSent);
  EXPECT_EQ(server_events[1].status, 200);
  EXPECT_EQ(server_events[1].body, "PUT /t\nbody");
  EXPECT_EQ(server_events[0].connection, 1u);
}

TEST(HttpClientTest, HeadGetsLengthButNoBody) {
  HttpServer server({}, Echo);
  ASSERT_TRUE(server.Start().ok());
  HttpSession session;
  auto h = session.Fetch({"HEAD", server.BaseUrl() + "/abc", {}, ""});
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->body, "");
  EXPECT_EQ(FindHeader(h->headers, "content-length"), "10");  // "HEAD /abc\n"
  // The connection stays usable: the HEAD response had no body to skip.
  auto g = session.Fetch({"GET", server.BaseUrl() + "/abc", {}, ""});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->body, "GET /abc\n");
  EXPECT_TRUE(g->connection.reused);
}

// --- A real independent peer: openssl s_server ---------------------------

class OpenSslServerTest : public ::testing::Test {
 protected:
  // Starts `openssl s_server -WWW` serving files from a temp dir with `cert`;
  // returns its port (0 on failure, with a message).
  std::uint16_t StartSServer(const std::string& cert,
                             std::vector<std::string> extra = {}) {
    if (omaiop::testing::FindOnPath("openssl").empty()) {
      ADD_FAILURE() << "openssl CLI not found: run scripts/setup (package "
                       "openssl)";
      return 0;
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("omaiop_sserver_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "doc.xml") << kDoc;
    server_ = std::make_unique<testing::ChildProcess>(
        Concat(
            {"openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW", "-cert",
             TlsFixture(cert + ".pem"), "-key", TlsFixture(cert + ".key")},
            extra),
        dir_.string());
    if (!server_->WaitFor("ACCEPT 127.0.0.1:", 5s) ||
        !server_->WaitFor("\n", 1s)) {
      ADD_FAILURE() << "openssl s_server did not start: " << server_->output();
      return 0;
    }
    std::string out = server_->output();
    auto pos = out.find("ACCEPT 127.0.0.1:") + 17;
    return static_cast<std::uint16_t>(std::stoi(out.substr(pos)));
  }
  static std::vector<std::string> Concat(std::vector<std::string> a,
                                         const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static constexpr char kDoc[] =
      "<wap-provisioningdoc version=\"1.1\"></wap-provisioningdoc>\n";
  std::filesystem::path dir_;
  std::unique_ptr<testing::ChildProcess> server_;
};

TEST_F(OpenSslServerTest, FetchesAFileOverVerifiedTls) {
  std::uint16_t port = StartSServer("server");
  ASSERT_NE(port, 0);
  auto r = HttpFetch(
      {"GET", "https://localhost:" + std::to_string(port) + "/doc.xml", {}, ""},
      TrustingFixtureCa());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kDoc);
  EXPECT_TRUE(r->connection.tls_verified);
  EXPECT_EQ(r->connection.peer_cert_subject, "CN=localhost,O=omaiop test");
}

TEST_F(OpenSslServerTest, SelfSignedPeerIsRejected) {
  std::uint16_t port = StartSServer("selfsigned");
  ASSERT_NE(port, 0);
  auto r = HttpFetch(
      {"GET", "https://localhost:" + std::to_string(port) + "/doc.xml", {}, ""},
      TrustingFixtureCa());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rules::kTlsVerify);
  EXPECT_NE(r.error().what.find("self-signed certificate"), std::string::npos)
      << r.error().what;
}

// s_server presents the trusted certificate only to a client whose SNI is
// "localhost" and the self-signed one otherwise: proves the SNI we send.
TEST_F(OpenSslServerTest, SniSelectsTheCertificate) {
  std::uint16_t port =
      StartSServer("selfsigned", {"-servername", "localhost", "-cert2",
                                  TlsFixture("server.pem"), "-key2",
                                  TlsFixture("server.key")});
  ASSERT_NE(port, 0);
  auto by_name = HttpFetch(
      {"GET", "https://localhost:" + std::to_string(port) + "/doc.xml", {}, ""},
      TrustingFixtureCa());
  ASSERT_TRUE(by_name.ok()) << by_name.error().ToString();
  EXPECT_EQ(by_name->body, kDoc);
  // By IP literal no SNI is sent, so the self-signed default comes back.
  auto by_ip = HttpFetch(
      {"GET", "https://127.0.0.1:" + std::to_string(port) + "/doc.xml", {}, ""},
      TrustingFixtureCa());
  ASSERT_FALSE(by_ip.ok());
  EXPECT_NE(by_ip.error().what.find("self-signed certificate"),
            std::string::npos)
      << by_ip.error().what;
}

}  // namespace
}  // namespace omaiop::sim::network
