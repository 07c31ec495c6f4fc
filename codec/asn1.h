// DER content encodings (ITU-T X.690) of the ASN.1 types PKCS#15 uses:
// OBJECT IDENTIFIER, INTEGER, OCTET STRING, UTF8String, BIT STRING (named bit
// lists), plus tag constants. The TLV framing is codec/ber_tlv.h.
//
// Hand-written because the PKCS#15 codecs need offsets and spec-clause
// diagnostics on hostile input; OpenSSL (OBJ_txt2obj, i2d_ASN1_OBJECT,
// asn1parse) is the oracle in asn1_test / pkcs15_test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/ber_tlv.h"
#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::codec::asn1 {

// Universal tags (X.680 §8.4).
inline constexpr TlvTag kTagBoolean = 0x01;
inline constexpr TlvTag kTagInteger = 0x02;
inline constexpr TlvTag kTagBitString = 0x03;
inline constexpr TlvTag kTagOctetString = 0x04;
inline constexpr TlvTag kTagNull = 0x05;
inline constexpr TlvTag kTagOid = 0x06;
inline constexpr TlvTag kTagUtf8String = 0x0C;
inline constexpr TlvTag kTagPrintableString = 0x13;
inline constexpr TlvTag kTagSequence = 0x30;
inline constexpr TlvTag kTagSet = 0x31;

inline constexpr char kRuleOid[] = "X.690 §8.19";
inline constexpr char kRuleInteger[] = "X.690 §8.3";
inline constexpr char kRuleBitString[] = "X.690 §8.6, §11.2";
inline constexpr char kRuleUtf8[] = "X.690 §8.23, RFC 3629";

// OBJECT IDENTIFIER. Dotted text is validated (X.660 / X.690 §8.19.4): at
// least two arcs, first arc 0..2, second arc < 40 under arcs 0 and 1, decimal
// digits without leading zeros, every arc within 64 bits.
Result<Bytes> EncodeOidValue(std::string_view dotted);
// Full TLV: 06 L <content>.
Result<Bytes> EncodeOid(std::string_view dotted);
// Content octets → dotted text. Rejects empty content, a subidentifier
// starting with 0x80 (§8.19.2), a truncated last subidentifier and arcs that
// overflow 64 bits. `offset` is the absolute offset of content[0].
Result<std::string> DecodeOidValue(ByteView content, std::size_t offset = 0);

// INTEGER, two's complement, minimal octets (§8.3.2).
Bytes EncodeIntegerValue(std::int64_t v);
Bytes EncodeInteger(std::int64_t v);
// Rejects empty content, non-minimal encodings (§8.3.2) and values outside
// int64.
Result<std::int64_t> DecodeIntegerValue(ByteView content,
                                        std::size_t offset = 0);

// UTF8String: validates the octets are well-formed UTF-8 (no overlongs, no
// surrogates, <= U+10FFFF).
Result<std::string> DecodeUtf8Value(ByteView content, std::size_t offset = 0);
bool IsValidUtf8(std::string_view s);

// BIT STRING holding a named bit list (PKCS#15 flags): bit i of `bits` is
// named bit i, i.e. bit 7 of the first content octet after the unused-bits
// octet for i = 0. DER (X.690 §11.2.2) drops trailing zero bits.
Bytes EncodeNamedBitsValue(std::uint32_t bits);
Bytes EncodeNamedBits(std::uint32_t bits);
// Accepts any valid BIT STRING whose set bits are < 32; the unused-bits octet
// must be 0..7 (0 if no bits). With `strict_der`, unused bits must be zero and
// there must be no trailing zero bits.
Result<std::uint32_t> DecodeNamedBitsValue(ByteView content,
                                           std::size_t offset = 0,
                                           bool strict_der = false);

// OCTET STRING / UTF8String TLVs (content is taken as is).
Bytes EncodeOctetString(ByteView v);
Bytes EncodeUtf8String(std::string_view v);

// Checks that `tlv` has `tag`, with a diagnostic naming both.
Status ExpectTag(const Tlv& tlv, TlvTag tag, std::string_view what,
                 std::string_view rule);

}  // namespace omaiop::codec::asn1
