// OMA DM 1.2 authentication helpers (OMA-TS-DM_Security-V1_2 §5.1.3, §5.1.4):
// SyncHdr Cred values for syncml:auth-basic / syncml:auth-md5, the
// x-syncml-hmac transport header (build, parse, verify) and nonce handling.
// MD5 and base64 come from OpenSSL; no I/O, no clocks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::codec {

// --- primitives (shared with dm_notification) ------------------------------

// MD5 (RFC 1321), 16 octets.
Bytes Md5(ByteView data);
// Standard base64 (RFC 4648 §4) with '=' padding, no line breaks.
std::string Base64Encode(ByteView data);
// Strict base64 decode. Whitespace (SP, TAB, CR, LF) is skipped since
// b64-formatted SyncML Data and NextNonce may be folded. A character outside
// the alphabet, misplaced '=' or a length that is not a multiple of 4 is a
// diagnostic at base_offset + its index in `text`.
Result<Bytes> Base64Decode(std::string_view text, std::size_t base_offset = 0);
// B64(H(data)), the building block of every DM digest.
std::string B64Md5(ByteView data);

// --- authentication types ----------------------------------------------------

enum class DmAuthType { kBasic, kMd5, kHmac };
// "syncml:auth-basic", "syncml:auth-md5", "syncml:auth-MAC".
std::string_view DmAuthTypeName(DmAuthType t);
// Matches the Meta/Type text of a Cred or Chal. Case-sensitive as written in
// the spec; unknown types are a diagnostic.
Result<DmAuthType> ParseDmAuthType(std::string_view meta_type);

// syncml:auth-basic Cred Data: B64(username ":" password).
std::string BasicCredential(std::string_view username,
                            std::string_view password);

// How the nonce enters H(B64(H(user:pwd)) ":" nonce).
//  kRawBytes: the base64-DECODED NextNonce octets (spec, and what libdmclient
//    does with a received NextNonce, utils.c).
//  kBase64Text: the NextNonce text itself, undecoded. libdmclient's own
//    outgoing challenge (credentials.c get_challenge) stores the b64 text as
//    its nonce, so a peer built on it expects this form. Named so that a test
//    case can exercise both server behaviours explicitly.
enum class NonceForm { kRawBytes, kBase64Text };

// The nonce octets to hash for a NextNonce as carried in Meta (Format b64).
Result<Bytes> NonceForDigest(std::string_view next_nonce_b64, NonceForm form);

// syncml:auth-md5 Cred Data (OMA-TS-DM_Security-V1_2 §5.1.3.2):
// B64(H(B64(H(username ":" password)) ":" nonce)), nonce given as octets.
std::string Md5Credential(std::string_view username, std::string_view password,
                          ByteView nonce);
// Constant-time comparison of a received Cred Data against the expected one.
bool VerifyMd5Credential(std::string_view cred_data, std::string_view username,
                         std::string_view password, ByteView nonce);
bool VerifyBasicCredential(std::string_view cred_data,
                           std::string_view username,
                           std::string_view password);

// --- HMAC integrity (x-syncml-hmac) ------------------------------------------

inline constexpr std::string_view kHmacHeaderName = "x-syncml-hmac";

struct HmacHeader {
  std::string algorithm = "MD5";  // only MD5 is defined
  std::string username;           // SyncHdr Source/LocName of the sender
  std::string mac;                // B64(H(B64(H(user:pwd)):nonce:B64(H(body))))
};

// How the final digest is encoded in mac=.
//  kBase64OfDigest: B64 of the 16 raw MD5 octets, as the formula in
//    OMA-TS-DM_Security-V1_2 §5.1.4 reads (default).
//  kBase64OfHexDigest: B64 of the 32 lower-case hex digits of the digest.
//    The spec's own example header (username "Robert Jordan",
//    mac=NTI2OTJh...) decodes to hex text "52692a00...", which is
//    MD5("Bruce2:OhBehave:Nonce") in hex: the example is illustrative only,
//    but it shows this form, so peers may use it [R]. Named so a test case
//    can accept or reject it explicitly.
enum class MacEncoding { kBase64OfDigest, kBase64OfHexDigest };

// mac = B64(H(B64(H(username ":" password)) ":" nonce ":" B64(H(body)))).
std::string ComputeHmacMac(std::string_view username, std::string_view password,
                           ByteView nonce, ByteView body,
                           MacEncoding encoding = MacEncoding::kBase64OfDigest);
// Header value `algorithm=MD5, username="<u>", mac=<m>` (no header name).
std::string BuildHmacHeaderValue(const HmacHeader& h);
// Complete header line without CRLF: `x-syncml-hmac: algorithm=MD5, ...`.
std::string BuildHmacHeaderLine(const HmacHeader& h);
// Parses a header value, or a whole line starting with "x-syncml-hmac:"
// (name case-insensitive). Parameters in any order, optional whitespace
// around ',' and '=', names case-insensitive, values token or quoted-string
// (with \-escapes). Unknown parameters are ignored; duplicate, missing
// username/mac, empty mac, non-MD5 algorithm, control characters,
// unterminated quotes and a mac that is not base64 of 16 octets or of 32 hex
// digits (see MacEncoding) are diagnostics at base_offset + index.
Result<HmacHeader> ParseHmacHeader(std::string_view text,
                                   std::size_t base_offset = 0);
// Checks h.mac against the body; a mismatch names the expected username.
Status VerifyHmac(const HmacHeader& h, std::string_view password,
                  ByteView nonce, ByteView body,
                  MacEncoding encoding = MacEncoding::kBase64OfDigest);

// --- nonces -----------------------------------------------------------------

// Decodes a NextNonce (Meta Format b64) to the octets to store as AAuthData.
Result<Bytes> DecodeNextNonce(std::string_view next_nonce_b64,
                              std::size_t base_offset = 0);
// A fresh random nonce from OpenSSL RAND_bytes; 16 octets (128 bits) is the
// recommended minimum (OMA-TS-DM_Security-V1_2 §5.1.3.3).
Result<Bytes> FreshNonce(std::size_t octets = 16);

}  // namespace omaiop::codec
