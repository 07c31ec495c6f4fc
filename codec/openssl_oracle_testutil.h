// Test-only helpers: OpenSSL as an independent ASN.1/DER oracle for the
// ber_tlv, asn1 and pkcs15 tests. `openssl asn1parse` (CLI) gives a second
// parse tree; the C API gives reference encodings of OIDs, INTEGERs and BIT
// STRINGs. Not part of the library (header only, included by *_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "codec/ber_tlv.h"
#include "codec/bytes.h"
#include "tests/test_util.h"

namespace omaiop::codec::testing {

inline constexpr char kInstallOpenSsl[] =
    "the openssl CLI is needed as an oracle: install it with "
    "`apt-get install openssl` (scripts/setup installs it)";

// One line of `openssl asn1parse` output.
struct Asn1ParseNode {
  std::size_t offset, depth, header_length, length;
  bool constructed;
  std::string rest;  // "OBJECT            :2.23.43.7.1"
  bool operator==(const Asn1ParseNode& o) const {
    return offset == o.offset && depth == o.depth &&
           header_length == o.header_length && length == o.length &&
           constructed == o.constructed;
  }
};

inline bool HaveOpenSslCli() {
  return std::system("command -v openssl >/dev/null 2>&1") == 0;
}

// Runs `openssl asn1parse -inform DER` on `der`. Returns nullopt (and adds a
// gtest failure with the output) if the tool is missing or rejects the input.
inline std::optional<std::vector<Asn1ParseNode>> OpenSslAsn1Parse(
    ByteView der) {
  if (!HaveOpenSslCli()) {
    ADD_FAILURE() << kInstallOpenSsl;
    return std::nullopt;
  }
  char path[] = "/tmp/omaiop_asn1parse_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemp failed";
    return std::nullopt;
  }
  if (!der.empty() &&
      write(fd, der.data(), der.size()) != static_cast<ssize_t>(der.size())) {
    close(fd);
    unlink(path);
    ADD_FAILURE() << "write failed";
    return std::nullopt;
  }
  close(fd);
  std::string cmd =
      std::string("openssl asn1parse -inform DER -in ") + path + " 2>&1";
  int status = 0;
  std::string out = omaiop::testing::RunCommand(cmd, &status);
  unlink(path);
  if (status != 0 || out.find("Error") != std::string::npos) {
    ADD_FAILURE() << "openssl asn1parse rejected " << ToHex(der) << ":\n"
                  << out;
    return std::nullopt;
  }
  static const std::regex kLine(
      R"(^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(cons|prim):\s*(.*)$)");
  std::vector<Asn1ParseNode> nodes;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    nodes.push_back({std::stoul(m[1]), std::stoul(m[2]), std::stoul(m[3]),
                     std::stoul(m[4]), m[5] == "cons", m[6]});
  }
  return nodes;
}

// Our tree flattened the way asn1parse prints it (pre-order).
inline std::vector<Asn1ParseNode> Flatten(std::span<const Tlv> tlvs) {
  std::vector<Asn1ParseNode> out;
  ForEachTlv(tlvs, [&](const Tlv& t, std::size_t depth) {
    out.push_back({t.offset, depth, t.header_length, t.value.size(),
                   t.constructed(), ""});
  });
  return out;
}

// Parses `der` with both our parser (strict DER, no padding) and OpenSSL and
// expects identical trees.
inline void ExpectSameTreeAsOpenSsl(ByteView der) {
  BerTlvOptions strict;
  strict.strict_der = true;
  strict.allow_padding = false;
  auto ours = ParseTlvs(der, strict);
  ASSERT_TRUE(ours.ok()) << ours.error().ToString() << " in " << ToHex(der);
  auto theirs = OpenSslAsn1Parse(der);
  ASSERT_TRUE(theirs.has_value());
  auto flat = Flatten(*ours);
  ASSERT_EQ(flat.size(), theirs->size()) << ToHex(der);
  for (std::size_t i = 0; i < flat.size(); ++i) {
    EXPECT_EQ(flat[i], (*theirs)[i])
        << "node " << i << " of " << ToHex(der)
        << ": ours off=" << flat[i].offset << " d=" << flat[i].depth
        << " hl=" << flat[i].header_length << " l=" << flat[i].length
        << "; openssl off=" << (*theirs)[i].offset
        << " d=" << (*theirs)[i].depth << " hl=" << (*theirs)[i].header_length
        << " l=" << (*theirs)[i].length;
  }
}

// DER of an OID per OpenSSL (OBJ_txt2obj numeric form + i2d_ASN1_OBJECT).
inline std::optional<Bytes> OpenSslOidDer(const std::string& dotted) {
  ASN1_OBJECT* obj = OBJ_txt2obj(dotted.c_str(), /*no_name=*/1);
  if (obj == nullptr) return std::nullopt;
  unsigned char* der = nullptr;
  int n = i2d_ASN1_OBJECT(obj, &der);
  ASN1_OBJECT_free(obj);
  if (n <= 0) return std::nullopt;
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

// Dotted text of a DER OID per OpenSSL (d2i_ASN1_OBJECT + OBJ_obj2txt).
inline std::optional<std::string> OpenSslOidText(ByteView der) {
  const unsigned char* p = der.data();
  ASN1_OBJECT* obj =
      d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size()));
  if (obj == nullptr) return std::nullopt;
  char buf[1024];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, /*no_name=*/1);
  ASN1_OBJECT_free(obj);
  if (n <= 0 || n >= static_cast<int>(sizeof buf)) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace omaiop::codec::testing
