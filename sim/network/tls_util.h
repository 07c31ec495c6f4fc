// OpenSSL helpers shared by the client and the server (not API).
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

namespace omaiop::sim::network::internal {

// RFC 2253 form, e.g. "CN=localhost,O=omaiop test"; "" for null.
std::string X509NameString(const X509_NAME* name);

struct PeerCertNames {
  bool present = false;
  std::string subject;
  std::string issuer;
};
// The certificate the peer presented on `ssl` (after the handshake).
PeerCertNames PeerCertificate(const SSL* ssl);

// Drains OpenSSL's thread-local error queue into one line ("" if empty).
std::string DrainOpenSslErrors();

}  // namespace omaiop::sim::network::internal
