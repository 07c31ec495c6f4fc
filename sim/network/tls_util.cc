#include "sim/network/tls_util.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <memory>

namespace omaiop::sim::network::internal {

std::string X509NameString(const X509_NAME* name) {
  if (!name) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()),
                                                &BIO_free);
  if (!bio) return "";
  // XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB keeps UTF-8 readable.
  if (X509_NAME_print_ex(bio.get(), name, 0,
                         XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return "";
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : "";
}

PeerCertNames PeerCertificate(const SSL* ssl) {
  PeerCertNames names;
  if (!ssl) return names;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      SSL_get1_peer_certificate(ssl), &X509_free);
  if (!cert) return names;
  names.present = true;
  names.subject = X509NameString(X509_get_subject_name(cert.get()));
  names.issuer = X509NameString(X509_get_issuer_name(cert.get()));
  return names;
}

std::string DrainOpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace omaiop::sim::network::internal
