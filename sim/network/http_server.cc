#include "sim/network/http_server.h"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <limits>
#include <mutex>

#include "sim/network/tls_util.h"

namespace omaiop::sim::network {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using codec::Error;
constexpr std::size_t kNoOffset = codec::Diagnostic::kNoOffset;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What every session needs; shared so that sessions destroyed late (when the
// io_context goes away) still find it.
struct Shared {
  HttpServerConfig config;
  HttpHandler handler;
  std::shared_ptr<ssl::context> ssl_ctx;
  std::shared_ptr<std::atomic<std::uint64_t>> accepted;
  std::atomic<std::size_t> active{0};
  std::mutex trace_mu;  // the sink sees one event at a time

  void Trace(HttpTraceEvent e, const PeerInfo& peer) {
    if (!config.trace) return;
    e.time = std::chrono::system_clock::now();
    e.peer =
        (peer.address.find(':') != std::string::npos ? "[" + peer.address + "]"
                                                     : peer.address) +
        ":" + std::to_string(peer.port);
    e.connection = peer.connection;
    e.tls = peer.tls;
    std::lock_guard<std::mutex> lock(trace_mu);
    config.trace(e);
  }
};

HttpHeaders FieldsOf(const http::fields& fields) {
  HttpHeaders out;
  for (const auto& f : fields)
    out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

bool HasCrLf(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) !=
         std::string_view::npos;
}

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(std::shared_ptr<Shared> shared, tcp::socket&& socket, PeerInfo peer)
      : shared_(std::move(shared)),
        stream_(MakeStream(std::move(socket), *shared_)),
        peer_(std::move(peer)) {}
  ~Session() { --shared_->active; }

  void Run() {
    if constexpr (kTls) {
      lowest().expires_after(shared_->config.idle_timeout);
      stream_.async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            self->OnHandshake(ec);
          });
    } else {
      ReadHeader();
    }
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, Shared& shared) {
    if constexpr (kTls)
      return Stream(std::move(socket), *shared.ssl_ctx);
    else
      return Stream(std::move(socket));
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const HttpServerConfig& config() const { return shared_->config; }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Abort();  // not TLS, or the client refused our cert
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
      peer_.tls_version = SSL_get_version(ssl);
      if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
        peer_.server_name = sni;
      const internal::PeerCertNames cert = internal::PeerCertificate(ssl);
      peer_.client_cert_present = cert.present;
      peer_.client_cert_verified =
          cert.present && SSL_get_verify_result(ssl) == X509_V_OK;
      peer_.client_cert_subject = cert.subject;
      peer_.client_cert_issuer = cert.issuer;
      handshake_done_ = true;
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        config().max_header_size, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(config().max_body_size);
    lowest().expires_after(config().idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    // The header is read on its own (not eagerly with the body) also because
    // Beast 1.74 loses the body_limit error of an oversized Content-Length
    // when header and body arrive in one buffer of an eager read.
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    // RFC 9110 §10.1.1: answer 100 before the client sends the body.
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      interim_ = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, 11);
      lowest().expires_after(config().idle_timeout);
      http::async_write(
          stream_, *interim_,
          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->Abort();
            self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    lowest().expires_after(config().idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnRequest(ec);
        });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return SendError(413, "request body larger than " +
                                std::to_string(config().max_body_size) +
                                " bytes");
    if (ec == http::error::header_limit)
      return SendError(431, "request header larger than " +
                                std::to_string(config().max_header_size) +
                                " bytes");
    if (ec.category() ==
            http::make_error_code(http::error::body_limit).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
      return SendError(400, "malformed request: " + ec.message());
    // end of stream, idle timeout, reset, truncated: nothing to answer.
    if (ec == http::error::end_of_stream) return Close();
    Abort();
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> msg = parser_->release();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.url = std::string(msg.target());
    req.headers = FieldsOf(msg);
    req.body = std::move(msg.body());
    {
      HttpTraceEvent e;
      e.direction = HttpTraceEvent::Direction::kReceived;
      e.is_request = true;
      e.method = req.method;
      e.target = req.url;
      e.headers = req.headers;
      e.body = req.body;
      shared_->Trace(std::move(e), peer_);
    }
    HttpResponse res;
    try {
      res = shared_->handler ? shared_->handler(req, peer_)
                             : HttpResponse{404, "", {}, "no handler\n", {}};
    } catch (const std::exception& e) {
      res = HttpResponse{
          500, "", {}, std::string("handler failed: ") + e.what() + "\n", {}};
    } catch (...) {
      res = HttpResponse{500, "", {}, "handler failed\n", {}};
    }
    ++peer_.request_index;
    bool keep = msg.keep_alive();
    if (auto c = FindHeader(res.headers, "connection");
        c && beast::iequals(*c, "close"))
      keep = false;
    Send(res, keep, msg.method() == http::verb::head, msg.version());
  }

  void SendError(int status, std::string text) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "text/plain");
    r.body = std::move(text) + "\n";
    Send(r, /*keep=*/false, /*head=*/false, 11);
  }

  void Send(const HttpResponse& r, bool keep, bool head, unsigned version) {
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(version == 10 ? 10 : 11);
    const bool valid_status = r.status >= 100 && r.status <= 999;
    out->result(static_cast<unsigned>(valid_status ? r.status : 500));
    if (valid_status && !r.reason.empty() && !HasCrLf(r.reason))
      out->reason(r.reason);
    for (const auto& [name, value] : r.headers) {
      // Framing is ours (RFC 9112 §6); CR/LF would split the field.
      if (beast::iequals(name, "content-length") ||
          beast::iequals(name, "transfer-encoding") ||
          beast::iequals(name, "connection") || name.empty() || HasCrLf(name) ||
          name.find(':') != std::string::npos || HasCrLf(value))
        continue;
      out->insert(name, value);
    }
    out->body() = r.body;
    out->prepare_payload();
    out->keep_alive(keep);
    if (head) {  // RFC 9110 §9.3.2: the length a GET would have, no body
      out->body().clear();
      out->content_length(r.body.size());
    }
    {
      HttpTraceEvent e;
      e.direction = HttpTraceEvent::Direction::kSent;
      e.is_request = false;
      e.status = static_cast<int>(out->result_int());
      e.reason = std::string(out->reason());
      e.headers = FieldsOf(*out);
      e.body = out->body();
      shared_->Trace(std::move(e), peer_);
    }
    response_ = out;
    lowest().expires_after(config().idle_timeout);
    http::async_write(stream_, *out,
                      [self = this->shared_from_this(), keep](
                          beast::error_code ec, std::size_t) {
                        if (ec) return self->Abort();
                        if (!keep) return self->Close();
                        self->ReadHeader();
                      });
  }

  // Graceful close: TLS close_notify, then a lingering close (RFC 9112
  // §9.6) so unread request bytes do not turn into a reset that destroys
  // the response in the client's receive buffer.
  void Close() {
    if constexpr (kTls) {
      if (handshake_done_) {
        lowest().expires_after(std::chrono::seconds(1));
        stream_.async_shutdown([self = this->shared_from_this()](
                                   beast::error_code) { self->Abort(); });
        return;
      }
      return Abort();
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      Drain();
    }
  }

  void Drain() {
    lowest().expires_after(std::chrono::milliseconds(500));
    lowest().async_read_some(
        asio::buffer(drain_),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->drained_ += n;
          // Bounded: a client trickling bytes cannot hold the connection.
          if (ec || self->drained_ > kMaxDrain) return self->Abort();
          self->Drain();
        });
  }

  void Abort() {
    beast::error_code ec;
    lowest().socket().close(ec);
  }

  std::shared_ptr<Shared> shared_;
  Stream stream_;
  PeerInfo peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<void> response_;  // alive until written
  std::shared_ptr<http::response<http::empty_body>> interim_;
  std::array<char, 4096> drain_;
  std::size_t drained_ = 0;
  bool handshake_done_ = false;
  static constexpr std::size_t kMaxDrain = 64 * 1024;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::shared_ptr<Shared> shared;
  std::vector<std::thread> threads;

  void Accept() {
    acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec,
                                                          tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) OnAccept(std::move(socket));
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    PeerInfo peer;
    peer.connection = ++*shared->accepted;
    if (shared->active.load() >= shared->config.max_connections) {
      beast::error_code ec;
      socket.close(ec);
      return;
    }
    beast::error_code ec;
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;
    peer.address = remote.address().to_string();
    peer.port = remote.port();
    peer.tls = shared->ssl_ctx != nullptr;
    ++shared->active;
    if (shared->ssl_ctx)
      std::make_shared<Session<TlsStream>>(shared, std::move(socket), peer)
          ->Run();
    else
      std::make_shared<Session<beast::tcp_stream>>(shared, std::move(socket),
                                                   peer)
          ->Run();
  }
};

HttpServer::HttpServer(HttpServerConfig config, HttpHandler handler)
    : config_(std::move(config)),
      handler_(std::move(handler)),
      accepted_(std::make_shared<std::atomic<std::uint64_t>>(0)) {}

HttpServer::~HttpServer() { Stop(); }

codec::Status HttpServer::Start() {
  if (impl_) return codec::OkStatus();
  auto impl = std::make_unique<Impl>();
  impl->shared = std::make_shared<Shared>();
  Shared& sh = *impl->shared;
  sh.config = config_;
  sh.handler = handler_;
  sh.accepted = accepted_;

  beast::error_code ec;
  if (config_.tls) {
    const TlsServerConfig& t = *config_.tls;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain_file(t.cert_file, ec);
    if (ec)
      return Error("cannot load server certificate \"" + t.cert_file +
                       "\": " + ec.message(),
                   kNoOffset, rules::kTlsConfig);
    ctx->use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec)
      return Error(
          "cannot load server key \"" + t.key_file + "\": " + ec.message(),
          kNoOffset, rules::kTlsConfig);
    if (t.client_cert != TlsServerConfig::ClientCert::kNone) {
      ctx->load_verify_file(t.client_ca_file, ec);
      if (ec)
        return Error("cannot load client CA file \"" + t.client_ca_file +
                         "\": " + ec.message(),
                     kNoOffset, rules::kTlsConfig);
      // Advertise the acceptable issuers in CertificateRequest.
      if (STACK_OF(X509_NAME)* names =
              SSL_load_client_CA_file(t.client_ca_file.c_str()))
        SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
      ssl::verify_mode mode = ssl::verify_peer;
      if (t.client_cert == TlsServerConfig::ClientCert::kRequired)
        mode |= ssl::verify_fail_if_no_peer_cert;
      ctx->set_verify_mode(mode, ec);
    }
    sh.ssl_ctx = std::move(ctx);
  }

  asio::ip::address address = asio::ip::make_address(config_.bind_address, ec);
  if (ec)
    return Error(
        "bad bind address \"" + config_.bind_address + "\": " + ec.message(),
        kNoOffset, rules::kConnect);
  tcp::endpoint endpoint(address, config_.port);
  impl->acceptor.emplace(impl->ioc);
  tcp::acceptor& acc = *impl->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error("cannot listen on " + config_.bind_address + ":" +
                     std::to_string(config_.port) + ": " + ec.message(),
                 kNoOffset, rules::kConnect);
  port_ = acc.local_endpoint(ec).port();
  impl->Accept();
  Impl* raw = impl.get();
  for (int i = 0; i < std::max(1, config_.threads); ++i)
    impl->threads.emplace_back([raw] {
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (...) {
          // A throwing completion handler must not end the server.
        }
      }
    });
  impl_ = std::move(impl);
  return codec::OkStatus();
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  beast::error_code ec;
  impl_->acceptor->close(ec);
  impl_->acceptor.reset();
  // Destroying the io_context destroys the pending handlers and with them
  // every session and its socket.
  impl_.reset();
}

std::string HttpServer::BaseUrl() const {
  std::string host = config_.bind_address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(config_.tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(port_);
}

}  // namespace omaiop::sim::network
