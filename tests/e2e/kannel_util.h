// Helpers shared by the Kannel e2e tests (kannel_smpp_test,
// kannel_sendota_test): a free loopback port for Kannel's own listeners and a
// minimal HTTP/1.0 client for smsbox's /cgi-bin/sendota. Processes are started
// with sim/process (ChildProcess), stopped by PID when the test ends.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace omaiop::testing {

inline std::uint16_t FreeLoopbackPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// One HTTP/1.0 request to 127.0.0.1:port; the whole response, or "" if the
// port does not answer. Kannel's smsbox speaks HTTP/1.0 and closes after the
// response, so reading to EOF is the framing.
inline std::string HttpRequest(std::uint16_t port, const std::string& method,
                               const std::string& target,
                               const std::vector<std::string>& headers,
                               const std::string& body) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "";
  std::string req = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  asio::write(s, asio::buffer(req), ec);
  std::string resp;
  char buf[1024];
  for (;;) {
    std::size_t n = s.read_some(asio::buffer(buf), ec);
    resp.append(buf, n);
    if (ec) break;
  }
  return resp;
}

}  // namespace omaiop::testing
