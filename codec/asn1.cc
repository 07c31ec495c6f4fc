#include "codec/asn1.h"

#include <limits>
#include <vector>

namespace omaiop::codec::asn1 {
namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

void AppendBase128(Bytes& out, std::uint64_t v) {
  std::uint8_t tmp[10];
  int n = 0;
  do {
    tmp[n++] = static_cast<std::uint8_t>(v & 0x7F);
    v >>= 7;
  } while (v != 0);
  while (n-- > 0)
    out.push_back(static_cast<std::uint8_t>(tmp[n] | (n ? 0x80 : 0)));
}

}  // namespace

Result<Bytes> EncodeOidValue(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::size_t pos = 0;
  while (true) {
    const std::size_t start = pos;
    std::uint64_t v = 0;
    while (pos < dotted.size() && dotted[pos] != '.') {
      const char c = dotted[pos];
      if (c < '0' || c > '9') {
        return Error("OID '" + std::string(dotted) + "': '" +
                         std::string(1, c) + "' is not a digit",
                     pos, kRuleOid);
      }
      const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
      if (v > (kU64Max - d) / 10) {
        return Error("OID '" + std::string(dotted) + "': arc overflows 64 bits",
                     start, kRuleOid);
      }
      v = v * 10 + d;
      ++pos;
    }
    if (pos == start) {
      return Error("OID '" + std::string(dotted) + "': empty arc", start,
                   kRuleOid);
    }
    if (dotted[start] == '0' && pos - start > 1) {
      return Error("OID '" + std::string(dotted) + "': arc with leading zero",
                   start, kRuleOid);
    }
    arcs.push_back(v);
    if (pos == dotted.size()) break;
    ++pos;  // '.'
  }
  if (arcs.size() < 2) {
    return Error("OID '" + std::string(dotted) + "': needs at least two arcs",
                 0, kRuleOid);
  }
  if (arcs[0] > 2) {
    return Error(
        "OID '" + std::string(dotted) + "': first arc must be 0, 1 or 2", 0,
        "X.660 §A.2, X.690 §8.19.4");
  }
  if (arcs[0] < 2 && arcs[1] >= 40) {
    return Error("OID '" + std::string(dotted) +
                     "': second arc must be < 40 under arc 0 or 1",
                 0, "X.690 §8.19.4");
  }
  if (arcs[1] > kU64Max - 80) {
    return Error("OID '" + std::string(dotted) +
                     "': first subidentifier overflows 64 bits",
                 0, kRuleOid);
  }
  Bytes out;
  AppendBase128(out, arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) AppendBase128(out, arcs[i]);
  return out;
}

Result<Bytes> EncodeOid(std::string_view dotted) {
  OMAIOP_ASSIGN_OR_RETURN(Bytes content, EncodeOidValue(dotted));
  return EncodeTlv(kTagOid, content);
}

Result<std::string> DecodeOidValue(ByteView content, std::size_t offset) {
  if (content.empty()) {
    return Error("empty OBJECT IDENTIFIER", offset, "X.690 §8.19.2");
  }
  std::string out;
  std::size_t i = 0;
  bool first = true;
  while (i < content.size()) {
    const std::size_t start = i;
    if (content[i] == 0x80) {
      return Error("OID subidentifier starts with 0x80 (not minimal)",
                   offset + i, "X.690 §8.19.2");
    }
    std::uint64_t v = 0;
    while (true) {
      if (i >= content.size()) {
        return Error("truncated OID subidentifier (last octet has bit 8 set)",
                     offset + start, "X.690 §8.19.2");
      }
      const std::uint8_t b = content[i++];
      if (v > (kU64Max >> 7)) {
        return Error("OID arc overflows 64 bits", offset + start, kRuleOid);
      }
      v = v << 7 | (b & 0x7F);
      if ((b & 0x80) == 0) break;
    }
    if (first) {
      // X.690 §8.19.4: first subidentifier = 40 * X + Y.
      if (v < 40) {
        out = "0." + std::to_string(v);
      } else if (v < 80) {
        out = "1." + std::to_string(v - 40);
      } else {
        out = "2." + std::to_string(v - 80);
      }
      first = false;
    } else {
      out += '.';
      out += std::to_string(v);
    }
  }
  return out;
}

Bytes EncodeIntegerValue(std::int64_t v) {
  Bytes out;
  for (int i = 7; i >= 0; --i)
    out.push_back(
        static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
  // Drop redundant leading octets (X.690 §8.3.2).
  std::size_t skip = 0;
  while (skip + 1 < out.size() &&
         ((out[skip] == 0x00 && (out[skip + 1] & 0x80) == 0) ||
          (out[skip] == 0xFF && (out[skip + 1] & 0x80) != 0)))
    ++skip;
  out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(skip));
  return out;
}

Bytes EncodeInteger(std::int64_t v) {
  return EncodeTlv(kTagInteger, EncodeIntegerValue(v));
}

Result<std::int64_t> DecodeIntegerValue(ByteView content, std::size_t offset) {
  if (content.empty()) return Error("empty INTEGER", offset, "X.690 §8.3.1");
  if (content.size() > 1 &&
      ((content[0] == 0x00 && (content[1] & 0x80) == 0) ||
       (content[0] == 0xFF && (content[1] & 0x80) != 0))) {
    return Error("INTEGER not minimally encoded (redundant leading octet)",
                 offset, "X.690 §8.3.2");
  }
  if (content.size() > 8) {
    return Error("INTEGER of " + std::to_string(content.size()) +
                     " octets exceeds 64 bits",
                 offset, kRuleInteger);
  }
  std::uint64_t v = (content[0] & 0x80) ? kU64Max : 0;
  for (std::uint8_t b : content) v = v << 8 | b;
  return static_cast<std::int64_t>(v);
}

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<std::uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

Result<std::string> DecodeUtf8Value(ByteView content, std::size_t offset) {
  std::string s = AsString(content);
  if (!IsValidUtf8(s)) {
    return Error("UTF8String is not well-formed UTF-8", offset, kRuleUtf8);
  }
  return s;
}

Bytes EncodeNamedBitsValue(std::uint32_t bits) {
  int highest = -1;
  for (int i = 0; i < 32; ++i)
    if (bits & (1u << i)) highest = i;
  if (highest < 0) return Bytes{0x00};  // X.690 §11.2.2: empty bit string
  const std::size_t nbits = static_cast<std::size_t>(highest) + 1;
  const std::size_t octets = (nbits + 7) / 8;
  Bytes out(1 + octets, 0);
  out[0] = static_cast<std::uint8_t>(octets * 8 - nbits);
  for (int i = 0; i <= highest; ++i)
    if (bits & (1u << i))
      out[1 + i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
  return out;
}

Bytes EncodeNamedBits(std::uint32_t bits) {
  return EncodeTlv(kTagBitString, EncodeNamedBitsValue(bits));
}

Result<std::uint32_t> DecodeNamedBitsValue(ByteView content, std::size_t offset,
                                           bool strict_der) {
  if (content.empty()) {
    return Error("BIT STRING without its unused-bits octet", offset,
                 "X.690 §8.6.2");
  }
  const std::uint8_t unused = content[0];
  if (unused > 7) {
    return Error(
        "BIT STRING unused-bits octet " + std::to_string(unused) + " > 7",
        offset, "X.690 §8.6.2.2");
  }
  if (content.size() == 1 && unused != 0) {
    return Error("empty BIT STRING with non-zero unused-bits octet", offset,
                 "X.690 §8.6.2.3");
  }
  std::uint32_t bits = 0;
  const std::size_t nbits = (content.size() - 1) * 8 - unused;
  for (std::size_t i = 0; i < (content.size() - 1) * 8; ++i) {
    const bool set = content[1 + i / 8] & (0x80 >> (i % 8));
    if (!set) continue;
    if (i >= nbits) {
      if (strict_der) {
        return Error("BIT STRING unused bits are not zero",
                     offset + content.size() - 1, "X.690 §11.2.1");
      }
      continue;
    }
    if (i >= 32) {
      return Error("named bit " + std::to_string(i) + " beyond 31 is set",
                   offset + 1 + i / 8, kRuleBitString);
    }
    bits |= 1u << i;
  }
  const std::size_t last = nbits - 1;
  if (strict_der && nbits > 0 &&
      (content[1 + last / 8] & (0x80 >> (last % 8))) == 0) {
    return Error("BIT STRING has trailing zero bits (named bit list)", offset,
                 "X.690 §11.2.2");
  }
  return bits;
}

Bytes EncodeOctetString(ByteView v) { return EncodeTlv(kTagOctetString, v); }

Bytes EncodeUtf8String(std::string_view v) {
  return EncodeTlv(kTagUtf8String, AsBytes(v));
}

Status ExpectTag(const Tlv& tlv, TlvTag tag, std::string_view what,
                 std::string_view rule) {
  if (tlv.tag == tag) return OkStatus();
  return Error(std::string(what) + ": expected tag " + TagToHex(tag) +
                   ", found " + TagToHex(tlv.tag),
               tlv.offset, std::string(rule));
}

}  // namespace omaiop::codec::asn1
