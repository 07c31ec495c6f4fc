#include "sim/network/http_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <optional>

#include "sim/network/tls_util.h"
#include "sim/network/url.h"

namespace omaiop::sim::network {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using codec::Error;
constexpr std::size_t kNoOffset = codec::Diagnostic::kNoOffset;
using Request = http::request<http::string_body>;

bool IsTchar(char c) {  // RFC 9110 §5.6.2
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9'))
    return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsTchar(c)) return false;
  return true;
}

bool IsIpLiteral(const std::string& s) {
  in_addr a4;
  in6_addr a6;
  return inet_pton(AF_INET, s.c_str(), &a4) == 1 ||
         inet_pton(AF_INET6, s.c_str(), &a6) == 1;
}

std::string EndpointString(const tcp::endpoint& ep) {
  auto a = ep.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(ep.port());
}

std::string Ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

// OpenSSL 3 reports a TCP close without close_notify as this reason; older
// Asio does not map it to stream_truncated.
bool IsTlsTruncation(const beast::error_code& ec) {
  if (ec == ssl::error::stream_truncated) return true;
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
             SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

// The peer went away: a kept-alive connection the server closed.
bool IsClosedError(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || IsTlsTruncation(ec);
}

HttpHeaders FieldsOf(const http::fields& fields) {
  HttpHeaders out;
  for (const auto& f : fields)
    out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

}  // namespace

struct HttpSession::Impl {
  struct VerifyFailure {
    int code = 0;
    int depth = -1;
    std::string subject;
  };

  explicit Impl(HttpClientOptions o) : opt(std::move(o)) {}

  HttpClientOptions opt;
  asio::io_context ioc;
  std::unique_ptr<ssl::context> ssl_ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  bool tls_established = false;
  std::string origin;  // of the open connection
  beast::flat_buffer buffer;
  ConnectionInfo info;
  VerifyFailure failure;  // first one the verify callback saw
  std::uint64_t opened = 0;

  beast::tcp_stream& lowest() {
    return secure ? beast::get_lowest_layer(*secure) : *plain;
  }
  bool is_open() { return (plain || secure) && lowest().socket().is_open(); }
  // Async operations run to completion (or their deadline) on this thread;
  // the async API is used only because Beast's timeouts need it.
  void RunIo() {
    ioc.restart();
    ioc.run();
  }

  codec::Status EnsureSslContext();
  codec::Status Connect(const Url& url);
  void Close();
  codec::Result<HttpResponse> Exchange(const Request& req, bool reused,
                                       bool* retryable);
  void Trace(HttpTraceEvent e) {
    if (!opt.trace) return;
    e.time = std::chrono::system_clock::now();
    e.peer = info.peer;
    e.connection = info.connection;
    e.tls = info.tls;
    opt.trace(e);
  }
};

codec::Status HttpSession::Impl::EnsureSslContext() {
  if (ssl_ctx) return codec::OkStatus();
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  const TlsClientConfig& t = opt.tls;
  if (t.ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(t.ca_file, ec);
  if (ec)
    return Error(
        "cannot load TLS trust anchors \"" + t.ca_file + "\": " + ec.message(),
        kNoOffset, rules::kTlsConfig);
  if (!t.client_cert_file.empty()) {
    ctx->use_certificate_chain_file(t.client_cert_file, ec);
    if (ec)
      return Error("cannot load client certificate \"" + t.client_cert_file +
                       "\": " + ec.message(),
                   kNoOffset, rules::kTlsConfig);
    const std::string& key =
        t.client_key_file.empty() ? t.client_cert_file : t.client_key_file;
    ctx->use_private_key_file(key, ssl::context::pem, ec);
    if (ec)
      return Error("cannot load client key \"" + key + "\": " + ec.message(),
                   kNoOffset, rules::kTlsConfig);
  }
  ssl_ctx = std::move(ctx);
  return codec::OkStatus();
}

void HttpSession::Impl::Close() {
  beast::error_code ec;
  if (secure) {
    if (tls_established && lowest().socket().is_open()) {
      // Send close_notify (RFC 8446 §6.1) and wait briefly for the peer's.
      lowest().expires_after(std::chrono::milliseconds(250));
      secure->async_shutdown([](beast::error_code) {});
      RunIo();
    }
    lowest().socket().close(ec);
    secure.reset();
  }
  if (plain) {
    plain->socket().shutdown(tcp::socket::shutdown_both, ec);
    plain->socket().close(ec);
    plain.reset();
  }
  tls_established = false;
  origin.clear();
  buffer.clear();
}

codec::Status HttpSession::Impl::Connect(const Url& url) {
  Close();
  info = ConnectionInfo{};
  const auto deadline = Clock::now() + opt.connect_timeout;
  const std::string where =
      url.HostHeader() +
      (url.port_explicit ? "" : ":" + std::to_string(url.port));

  tcp::resolver resolver(ioc);
  asio::steady_timer timer(ioc);
  bool timed_out = false;
  beast::error_code rec = asio::error::would_block;
  tcp::resolver::results_type endpoints;
  timer.expires_at(deadline);
  timer.async_wait([&](beast::error_code ec) {
    if (!ec) {
      timed_out = true;
      resolver.cancel();
    }
  });
  resolver.async_resolve(
      url.host, std::to_string(url.port), tcp::resolver::numeric_service,
      [&](beast::error_code ec, tcp::resolver::results_type r) {
        rec = ec;
        endpoints = std::move(r);
        timer.cancel();
      });
  RunIo();
  if (timed_out)
    return Error("resolving \"" + url.host + "\" timed out after " +
                     Ms(opt.connect_timeout),
                 kNoOffset, rules::kTimeout);
  if (rec)
    return Error("cannot resolve \"" + url.host + "\": " + rec.message(),
                 kNoOffset, rules::kResolve);

  if (url.tls()) {
    OMAIOP_RETURN_IF_ERROR(EnsureSslContext());
    secure.emplace(ioc, *ssl_ctx);
  } else {
    plain.emplace(ioc);
  }
  beast::error_code cec = asio::error::would_block;
  tcp::endpoint ep;
  lowest().expires_at(deadline);
  lowest().async_connect(endpoints,
                         [&](beast::error_code ec, const tcp::endpoint& e) {
                           cec = ec;
                           ep = e;
                         });
  RunIo();
  if (cec) {
    Close();
    if (cec == beast::error::timeout)
      return Error("connecting to " + where + " timed out after " +
                       Ms(opt.connect_timeout),
                   kNoOffset, rules::kTimeout);
    return Error("cannot connect to " + where + ": " + cec.message(), kNoOffset,
                 rules::kConnect);
  }
  ++opened;
  info.connection = opened;
  info.peer = EndpointString(ep);

  if (url.tls()) {
    const TlsClientConfig& t = opt.tls;
    SSL* ssl = secure->native_handle();
    const std::string name = t.server_name.empty() ? url.host : t.server_name;
    const bool name_is_ip =
        t.server_name.empty() ? url.host_is_ip() : IsIpLiteral(name);
    if (!name_is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());  // SNI
    if (t.verify_hostname) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (name_is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      } else {
        X509_VERIFY_PARAM_set_hostflags(param,
                                        X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
      }
    }
    failure = VerifyFailure{};
    secure->set_verify_mode(t.verify_peer ? ssl::verify_peer
                                          : ssl::verify_none);
    secure->set_verify_callback([this](bool preverified,
                                       ssl::verify_context& vctx) {
      if (!preverified && failure.code == 0) {
        X509_STORE_CTX* s = vctx.native_handle();
        failure.code = X509_STORE_CTX_get_error(s);
        failure.depth = X509_STORE_CTX_get_error_depth(s);
        if (X509* c = X509_STORE_CTX_get_current_cert(s))
          failure.subject = internal::X509NameString(X509_get_subject_name(c));
      }
      return preverified;
    });
    beast::error_code hec = asio::error::would_block;
    lowest().expires_at(deadline);
    secure->async_handshake(ssl::stream_base::client,
                            [&](beast::error_code ec) { hec = ec; });
    RunIo();
    if (hec) {
      const long vr = SSL_get_verify_result(ssl);
      const std::string ssl_errors = internal::DrainOpenSslErrors();
      Close();
      if (hec == beast::error::timeout)
        return Error("TLS handshake with " + info.peer + " timed out after " +
                         Ms(opt.connect_timeout),
                     kNoOffset, rules::kTimeout);
      const int code = failure.code != 0 ? failure.code : int(vr);
      if (t.verify_peer && code != X509_V_OK) {
        const bool name_problem = code == X509_V_ERR_HOSTNAME_MISMATCH ||
                                  code == X509_V_ERR_IP_ADDRESS_MISMATCH;
        std::string what =
            "TLS server certificate of " + info.peer +
            " not trusted: " + X509_verify_cert_error_string(code) +
            " (X509 verify error " + std::to_string(code);
        if (failure.depth >= 0)
          what += ", depth " + std::to_string(failure.depth);
        if (!failure.subject.empty())
          what += ", subject \"" + failure.subject + "\"";
        if (name_problem) what += ", expected name \"" + name + "\"";
        what += ")";
        return Error(what, kNoOffset,
                     name_problem ? rules::kTlsHostname : rules::kTlsVerify);
      }
      return Error("TLS handshake with " + info.peer +
                       " failed: " + hec.message() +
                       (ssl_errors.empty() ? "" : " [" + ssl_errors + "]"),
                   kNoOffset, rules::kTlsHandshake);
    }
    tls_established = true;
    info.tls = true;
    const long vr = SSL_get_verify_result(ssl);
    const internal::PeerCertNames peer = internal::PeerCertificate(ssl);
    info.tls_verified = peer.present && vr == X509_V_OK;
    if (!info.tls_verified)
      info.tls_verify_error = peer.present ? X509_verify_cert_error_string(vr)
                                           : "no peer certificate";
    info.peer_cert_subject = peer.subject;
    info.peer_cert_issuer = peer.issuer;
    info.tls_version = SSL_get_version(ssl);
    info.tls_cipher = SSL_get_cipher_name(ssl);
  }
  origin = url.Origin();
  return codec::OkStatus();
}

codec::Result<HttpResponse> HttpSession::Impl::Exchange(const Request& req,
                                                        bool reused,
                                                        bool* retryable) {
  *retryable = false;
  const auto deadline = Clock::now() + opt.request_timeout;
  auto timeout_error = [&](const char* doing) {
    Close();
    return Error(std::string(doing) + " " + info.peer + " timed out after " +
                     Ms(opt.request_timeout),
                 kNoOffset, rules::kTimeout);
  };

  {
    HttpTraceEvent e;
    e.direction = HttpTraceEvent::Direction::kSent;
    e.is_request = true;
    e.method = std::string(req.method_string());
    e.target = std::string(req.target());
    e.headers = FieldsOf(req);
    e.body = req.body();
    Trace(std::move(e));
  }
  beast::error_code wec = asio::error::would_block;
  auto on_write = [&](beast::error_code ec, std::size_t) { wec = ec; };
  lowest().expires_at(deadline);
  if (secure)
    http::async_write(*secure, req, on_write);
  else
    http::async_write(*plain, req, on_write);
  RunIo();
  if (wec == beast::error::timeout) return timeout_error("sending to");
  if (wec) {
    *retryable = reused && IsClosedError(wec);
    Close();
    return Error(
        "sending the request to " + info.peer + " failed: " + wec.message(),
        kNoOffset, IsClosedError(wec) ? rules::kClosed : rules::kIo);
  }

  // Interim 1xx responses (RFC 9110 §15.2) are skipped; 101 is final.
  for (int interim = 0;; ++interim) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(opt.max_body_size);
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        opt.max_header_size, std::numeric_limits<std::uint32_t>::max())));
    if (req.method() == http::verb::head) parser.skip(true);
    beast::error_code rec = asio::error::would_block;
    auto on_read = [&](beast::error_code ec, std::size_t) { rec = ec; };
    // Header first: Beast 1.74's eager full-message read loses the
    // body_limit error for a Content-Length that is over the limit when the
    // whole message arrives in one buffer; the header-only read reports it.
    lowest().expires_at(deadline);
    if (secure)
      http::async_read_header(*secure, buffer, parser, on_read);
    else
      http::async_read_header(*plain, buffer, parser, on_read);
    RunIo();
    if (!rec) {
      rec = asio::error::would_block;
      if (secure)
        http::async_read(*secure, buffer, parser, on_read);
      else
        http::async_read(*plain, buffer, parser, on_read);
      RunIo();
    }

    if (rec && secure && IsTlsTruncation(rec) && parser.is_header_done() &&
        !parser.chunked() && !parser.content_length()) {
      // A close-delimited body ended by a bare TCP close.
      if (!opt.accept_tls_truncation) {
        Close();
        return Error("TLS connection from " + info.peer +
                         " closed without close_notify before the end of a "
                         "close-delimited body: it may be truncated",
                     kNoOffset, rules::kTlsTruncated);
      }
      rec = {};
      parser.put_eof(rec);
    }
    if (rec == beast::error::timeout) return timeout_error("waiting for");
    if (rec) {
      const bool nothing = !parser.got_some();
      *retryable = reused && nothing && IsClosedError(rec);
      Close();
      if (rec == http::error::body_limit)
        return Error("response body from " + info.peer + " exceeds " +
                         std::to_string(opt.max_body_size) + " bytes",
                     kNoOffset, rules::kBodyLimit);
      if (rec == http::error::header_limit)
        return Error("response header from " + info.peer + " exceeds " +
                         std::to_string(opt.max_header_size) + " bytes",
                     kNoOffset, rules::kHeaderLimit);
      if (IsClosedError(rec) && nothing)
        return Error(info.peer + " closed the connection without responding",
                     kNoOffset, rules::kClosed);
      if (rec == http::error::partial_message)
        return Error(info.peer + " closed the connection mid-response",
                     kNoOffset, rules::kClosed);
      if (rec.category() ==
          http::make_error_code(http::error::body_limit).category())
        return Error(
            "malformed HTTP response from " + info.peer + ": " + rec.message(),
            kNoOffset, rules::kHttpProtocol);
      return Error("reading the response from " + info.peer +
                       " failed: " + rec.message(),
                   kNoOffset, rules::kIo);
    }

    http::response<http::string_body> msg = parser.release();
    HttpResponse r;
    r.status = static_cast<int>(msg.result_int());
    r.reason = std::string(msg.reason());
    r.headers = FieldsOf(msg);
    r.body = std::move(msg.body());
    r.connection = info;
    r.connection.reused = reused;
    {
      HttpTraceEvent e;
      e.direction = HttpTraceEvent::Direction::kReceived;
      e.is_request = false;
      e.status = r.status;
      e.reason = r.reason;
      e.headers = r.headers;
      e.body = r.body;
      Trace(std::move(e));
    }
    if (r.status >= 100 && r.status < 200 && r.status != 101 && interim < 8)
      continue;
    if (!msg.keep_alive()) Close();
    return r;
  }
}

HttpSession::HttpSession(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpSession::~HttpSession() { Close(); }

void HttpSession::Close() { impl_->Close(); }

bool HttpSession::connected() const { return impl_->is_open(); }

std::uint64_t HttpSession::connections_opened() const { return impl_->opened; }

codec::Result<HttpResponse> HttpSession::Fetch(const HttpRequest& request) {
  OMAIOP_ASSIGN_OR_RETURN(Url url, ParseUrl(request.url));
  if (!IsToken(request.method))
    return Error("HTTP method \"" + request.method + "\" is not a token",
                 kNoOffset, "RFC 9110 §9.1");
  Request req;
  req.version(11);
  req.method_string(request.method);
  req.target(url.target);
  req.set(http::field::host, url.HostHeader());
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name))
      return Error("header name \"" + name + "\" is not a token", kNoOffset,
                   "RFC 9110 §5.1");
    // CR, LF or NUL would let a value smuggle extra fields (RFC 9110 §5.5).
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return Error("header \"" + name + "\" value holds CR, LF or NUL",
                   kNoOffset, "RFC 9110 §5.5");
    if (beast::iequals(name, "host"))
      req.set(http::field::host, value);
    else
      req.insert(name, value);
  }
  if (!impl_->opt.user_agent.empty() &&
      req.find(http::field::user_agent) == req.end())
    req.set(http::field::user_agent, impl_->opt.user_agent);
  req.body() = request.body;
  req.prepare_payload();  // Content-Length, RFC 9112 §6.2

  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->is_open() && impl_->origin == url.Origin();
    if (!reused) OMAIOP_RETURN_IF_ERROR(impl_->Connect(url));
    bool retryable = false;
    auto r = impl_->Exchange(req, reused, &retryable);
    // The server closed the idle kept-alive connection before reading this
    // request: send it once more on a fresh connection.
    if (r.ok() || !retryable || attempt > 0) return r;
  }
}

codec::Result<HttpResponse> HttpFetch(const HttpRequest& request,
                                      const HttpClientOptions& options) {
  HttpRequest req = request;
  if (!FindHeader(req.headers, "connection"))
    req.headers.emplace_back("Connection", "close");
  HttpSession session(options);
  return session.Fetch(req);
}

}  // namespace omaiop::sim::network
