#include "codec/ber_tlv.h"

#include <cstdio>
#include <string>

namespace omaiop::codec {
namespace {

constexpr std::size_t kMaxTagOctets = 3;     // ISO/IEC 7816-4 §5.2.2.1
constexpr std::size_t kMaxLengthOctets = 3;  // 81/82/83 (brief: 84+ rejected)
constexpr std::size_t kMaxLength = 0xFFFFFF;

const char* UniversalName(std::uint32_t n) {
  switch (n) {
    case 1:
      return "BOOLEAN";
    case 2:
      return "INTEGER";
    case 3:
      return "BIT STRING";
    case 4:
      return "OCTET STRING";
    case 5:
      return "NULL";
    case 6:
      return "OBJECT IDENTIFIER";
    case 10:
      return "ENUMERATED";
    case 12:
      return "UTF8String";
    case 16:
      return "SEQUENCE";
    case 17:
      return "SET";
    case 19:
      return "PrintableString";
    case 22:
      return "IA5String";
    case 23:
      return "UTCTime";
    case 24:
      return "GeneralizedTime";
    default:
      return nullptr;
  }
}

// Parses objects from `reader` until it is empty, appending to `out`. On error
// `out` holds what was parsed before it (used by DescribeTlvs).
Status ParseInto(ByteReader& reader, const BerTlvOptions& options,
                 std::size_t depth, std::vector<Tlv>& out) {
  while (!reader.empty()) {
    const std::uint8_t b = reader.peek();
    if (b == 0x00 || b == 0xFF) {
      if (options.allow_padding) {
        reader.Skip(1);
        continue;
      }
      return Error("filler octet " + ToHexLiteral(b) +
                       " where a tag was expected (padding not allowed)",
                   reader.offset(), kRulePadding);
    }
    if (depth >= options.max_depth) {
      return Error("nesting deeper than " + std::to_string(options.max_depth) +
                       " levels",
                   reader.offset(), "omaiop nesting cap (hostile input)");
    }
    auto header = ReadTlvHeader(reader, options);
    if (!header.ok()) return header.error();
    Tlv tlv = std::move(header).value();
    if (tlv.constructed() && options.parse_children) {
      ByteReader inner(tlv.value, tlv.value_offset());
      Status s = ParseInto(inner, options, depth + 1, tlv.children);
      if (!s.ok()) {
        out.push_back(std::move(tlv));
        return s.error();
      }
    }
    out.push_back(std::move(tlv));
  }
  return OkStatus();
}

}  // namespace

std::size_t TagSize(TlvTag tag) {
  if (tag == 0) return 0;
  std::size_t n = 1;
  while (tag > 0xFF) {
    tag >>= 8;
    ++n;
  }
  return n;
}

static std::uint8_t FirstOctet(TlvTag tag) {
  const std::size_t n = TagSize(tag);
  return n == 0 ? 0 : static_cast<std::uint8_t>(tag >> (8 * (n - 1)));
}

TagClass TagClassOf(TlvTag tag) {
  return static_cast<TagClass>(FirstOctet(tag) >> 6);
}

bool TagIsConstructed(TlvTag tag) { return (FirstOctet(tag) & 0x20) != 0; }

std::uint32_t TagNumberOf(TlvTag tag) {
  const std::size_t n = TagSize(tag);
  if (n == 0) return 0;
  const std::uint8_t first = FirstOctet(tag);
  if ((first & 0x1F) != 0x1F || n == 1) return first & 0x1F;
  std::uint32_t number = 0;
  for (std::size_t i = n - 1; i-- > 0;) {
    number = number << 7 | ((tag >> (8 * i)) & 0x7F);
  }
  return number;
}

Result<TlvTag> MakeTag(TagClass cls, bool constructed, std::uint32_t number) {
  const std::uint32_t first =
      static_cast<std::uint32_t>(cls) << 6 | (constructed ? 0x20u : 0u);
  if (number < 31) return first | number;
  if ((first | 0x1F) == 0xFF) {
    return Error(
        "private constructed tag with number >= 31 would start with "
        "FF, which ISO/IEC 7816-4 reserves",
        Diagnostic::kNoOffset, kRuleTag);
  }
  if (number < 128) return (first | 0x1F) << 8 | number;
  if (number < (1u << 14)) {
    return ((first | 0x1F) << 16) | (0x80 | (number >> 7)) << 8 |
           (number & 0x7F);
  }
  return Error("tag number " + std::to_string(number) +
                   " needs more than 3 identifier octets",
               Diagnostic::kNoOffset, kRuleTag);
}

Status ValidateTag(TlvTag tag) {
  const std::size_t n = TagSize(tag);
  if (n == 0)
    return Error("tag 00 is not a tag", Diagnostic::kNoOffset, kRuleTag);
  if (n > kMaxTagOctets) {
    return Error("tag " + TagToHex(tag) + " longer than 3 octets",
                 Diagnostic::kNoOffset, kRuleTag);
  }
  const std::uint8_t first = FirstOctet(tag);
  if (first == 0xFF) {
    return Error("tag FF is reserved (filler)", Diagnostic::kNoOffset,
                 kRuleTag);
  }
  const bool multi = (first & 0x1F) == 0x1F;
  if (multi != (n > 1)) {
    return Error("tag " + TagToHex(tag) +
                     ": low 5 bits 11111 must be followed by subsequent octets"
                     " and only then",
                 Diagnostic::kNoOffset, kRuleTag);
  }
  for (std::size_t i = n - 1; i-- > 0;) {
    const std::uint8_t o = static_cast<std::uint8_t>(tag >> (8 * i));
    const bool last = i == 0;
    if (((o & 0x80) != 0) == last) {
      return Error("tag " + TagToHex(tag) + ": bad continuation bit",
                   Diagnostic::kNoOffset, kRuleTag);
    }
  }
  if (n > 1 && static_cast<std::uint8_t>(tag >> (8 * (n - 2))) == 0x80) {
    return Error("tag " + TagToHex(tag) + ": leading 0x80 subsequent octet",
                 Diagnostic::kNoOffset, kRuleDerTag);
  }
  return OkStatus();
}

std::string TagToHex(TlvTag tag) {
  Bytes b;
  AppendTag(b, tag);
  return ToHex(b);
}

std::string DescribeTag(TlvTag tag) {
  static const char* const kClass[] = {"UNIVERSAL", "APPLICATION", "CONTEXT",
                                       "PRIVATE"};
  const TagClass cls = TagClassOf(tag);
  const std::uint32_t number = TagNumberOf(tag);
  // Appends rather than operator+ chains: GCC 12 -Wrestrict false positive.
  std::string s = "[";
  s += kClass[static_cast<int>(cls)];
  s += ' ';
  s += std::to_string(number);
  s += ']';
  if (cls == TagClass::kUniversal) {
    if (const char* name = UniversalName(number)) {
      s += ' ';
      s += name;
    }
  }
  if (TagIsConstructed(tag)) s += " constructed";
  return s;
}

Result<Tlv> ReadTlvHeader(ByteReader& reader, const BerTlvOptions& options) {
  Tlv tlv;
  tlv.offset = reader.offset();
  if (reader.empty()) {
    return Error("truncated tag: no octets left", tlv.offset, kRuleTag);
  }
  const std::uint8_t first = reader.peek();
  if (first == 0x00 || first == 0xFF) {
    return Error("octet " + ToHexLiteral(first) +
                     " is filler, not a tag (ISO 7816-4 reserves it)",
                 tlv.offset, kRuleTag);
  }
  reader.Skip(1);
  TlvTag tag = first;
  if ((first & 0x1F) == 0x1F) {
    // X.690 §8.1.2.4: subsequent octets, b8 = "more follow".
    std::uint32_t number = 0;
    for (std::size_t i = 1;; ++i) {
      if (reader.empty()) {
        return Error(
            "truncated tag: subsequent octet " + std::to_string(i) + " missing",
            tlv.offset, kRuleTag);
      }
      const std::uint8_t o = reader.peek();
      if (i == 1 && o == 0x80) {
        return Error("tag's first subsequent octet is 0x80 (leading zero bits)",
                     reader.offset(), kRuleDerTag);
      }
      reader.Skip(1);
      tag = tag << 8 | o;
      number = number << 7 | (o & 0x7F);
      if ((o & 0x80) == 0) break;
      if (i + 1 >= kMaxTagOctets) {
        return Error("tag longer than 3 octets", tlv.offset, kRuleTag);
      }
    }
    if (options.strict_der && number < 31) {
      return Error("tag number " + std::to_string(number) +
                       " in high-tag-number form (must be one octet)",
                   tlv.offset, kRuleDerTag);
    }
  }
  tlv.tag = tag;

  const std::size_t length_offset = reader.offset();
  if (reader.empty()) {
    return Error("truncated length: tag " + TagToHex(tag) + " has no length",
                 length_offset, kRuleLength);
  }
  const std::uint8_t l0 = reader.peek();
  reader.Skip(1);
  std::size_t len = 0;
  if (l0 < 0x80) {
    len = l0;
  } else if (l0 == 0x80) {
    return Error("indefinite length (0x80) not allowed", length_offset,
                 kRuleIndefinite);
  } else {
    const std::size_t n = l0 & 0x7F;
    if (n > kMaxLengthOctets) {
      return Error("length form " + ToHexLiteral(l0) + " (" +
                       std::to_string(n) +
                       " length octets) unsupported: at most 0x83",
                   length_offset, kRuleLength);
    }
    if (reader.remaining() < n) {
      return Error("truncated length: " + std::to_string(n) +
                       " length octets announced, " +
                       std::to_string(reader.remaining()) + " left",
                   length_offset, kRuleLength);
    }
    for (std::size_t i = 0; i < n; ++i) {
      len = len << 8 | reader.peek();
      reader.Skip(1);
    }
    if (options.strict_der) {
      const std::size_t min_n = len < 0x80      ? 0
                                : len <= 0xFF   ? 1
                                : len <= 0xFFFF ? 2
                                                : 3;
      if (n != min_n) {
        return Error("non-minimal length: " + std::to_string(len) + " in " +
                         std::to_string(n + 1) + " octets",
                     length_offset, kRuleDerLength);
      }
    }
  }
  tlv.header_length = reader.offset() - tlv.offset;
  if (reader.remaining() < len) {
    return Error("length " + std::to_string(len) + " of tag " + TagToHex(tag) +
                     " runs past the end (" +
                     std::to_string(reader.remaining()) + " octets left)",
                 length_offset, kRuleLength);
  }
  tlv.value = reader.rest().first(len);
  reader.Skip(len);
  return tlv;
}

Result<std::vector<Tlv>> ParseTlvs(ByteView data, const BerTlvOptions& options,
                                   std::size_t base_offset) {
  std::vector<Tlv> out;
  ByteReader reader(data, base_offset);
  Status s = ParseInto(reader, options, 0, out);
  if (!s.ok()) return s.error();
  return out;
}

Result<Tlv> ParseSingleTlv(ByteView data, const BerTlvOptions& options,
                           std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Tlv> tlvs,
                          ParseTlvs(data, options, base_offset));
  if (tlvs.empty()) {
    return Error("no data object (empty or only filler)", base_offset,
                 kRuleTag);
  }
  if (tlvs.size() > 1) {
    return Error("unexpected data object after the first one", tlvs[1].offset,
                 kRuleTag);
  }
  return std::move(tlvs[0]);
}

const Tlv* Tlv::Find(TlvTag child_tag) const {
  for (const Tlv& c : children)
    if (c.tag == child_tag) return &c;
  return nullptr;
}

std::vector<const Tlv*> Tlv::FindAll(TlvTag child_tag) const {
  std::vector<const Tlv*> out;
  for (const Tlv& c : children)
    if (c.tag == child_tag) out.push_back(&c);
  return out;
}

const Tlv* Tlv::FindPath(std::initializer_list<TlvTag> path) const {
  const Tlv* cur = this;
  for (TlvTag t : path) {
    cur = cur->Find(t);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

const Tlv* FindTlv(std::span<const Tlv> tlvs,
                   std::initializer_list<TlvTag> path) {
  if (path.size() == 0) return nullptr;
  const Tlv* cur = nullptr;
  for (const Tlv& t : tlvs) {
    if (t.tag == *path.begin()) {
      cur = &t;
      break;
    }
  }
  for (auto it = path.begin() + 1; cur != nullptr && it != path.end(); ++it)
    cur = cur->Find(*it);
  return cur;
}

static void Walk(std::span<const Tlv> tlvs, std::size_t depth,
                 const std::function<void(const Tlv&, std::size_t)>& fn) {
  for (const Tlv& t : tlvs) {
    fn(t, depth);
    Walk(t.children, depth + 1, fn);
  }
}

void ForEachTlv(std::span<const Tlv> tlvs,
                const std::function<void(const Tlv&, std::size_t)>& fn) {
  Walk(tlvs, 0, fn);
}

void AppendTag(Bytes& out, TlvTag tag) {
  const std::size_t n = TagSize(tag);
  for (std::size_t i = n; i-- > 0;)
    out.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
}

bool AppendLength(Bytes& out, std::size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else if (len <= 0xFF) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(len)});
  } else if (len <= 0xFFFF) {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(len >> 8),
                           static_cast<std::uint8_t>(len)});
  } else if (len <= kMaxLength) {
    out.insert(out.end(), {0x83, static_cast<std::uint8_t>(len >> 16),
                           static_cast<std::uint8_t>(len >> 8),
                           static_cast<std::uint8_t>(len)});
  } else {
    return false;
  }
  return true;
}

Bytes EncodeTlv(TlvTag tag, ByteView value) {
  Bytes out;
  out.reserve(value.size() + 6);
  AppendTag(out, tag);
  AppendLength(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

void TlvBuilder::Fail(std::string what) {
  if (error_.empty()) error_ = std::move(what);
}

TlvBuilder& TlvBuilder::Add(TlvTag tag, ByteView value) {
  if (Status s = ValidateTag(tag); !s.ok()) Fail(s.error().what);
  AppendTag(out_, tag);
  if (!AppendLength(out_, value.size())) Fail("value too long for 0x83 form");
  out_.insert(out_.end(), value.begin(), value.end());
  return *this;
}

TlvBuilder& TlvBuilder::Raw(ByteView encoded) {
  out_.insert(out_.end(), encoded.begin(), encoded.end());
  return *this;
}

TlvBuilder& TlvBuilder::Open(TlvTag tag) {
  if (Status s = ValidateTag(tag); !s.ok()) Fail(s.error().what);
  open_.emplace_back(tag, out_.size());
  return *this;
}

TlvBuilder& TlvBuilder::Close() {
  if (open_.empty()) {
    Fail("Close() without Open()");
    return *this;
  }
  auto [tag, start] = open_.back();
  open_.pop_back();
  Bytes header;
  AppendTag(header, tag);
  if (!AppendLength(header, out_.size() - start))
    Fail("constructed value too long for 0x83 form");
  out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(start), header.begin(),
              header.end());
  return *this;
}

Result<Bytes> TlvBuilder::Finish() const {
  if (!error_.empty())
    return Error("TLV builder: " + error_, Diagnostic::kNoOffset, kRuleTag);
  if (!open_.empty()) {
    return Error("TLV builder: tag " + TagToHex(open_.back().first) +
                     " opened but not closed",
                 Diagnostic::kNoOffset, kRuleTag);
  }
  return out_;
}

ProtoNode DescribeTlv(const Tlv& tlv) {
  ProtoNode node;
  node.name = "Tag " + TagToHex(tlv.tag) + " " + DescribeTag(tlv.tag);
  node.offset = tlv.offset;
  node.length = tlv.total_length();
  if (!tlv.constructed() || tlv.children.empty()) node.value = ToHex(tlv.value);
  node.Add("Tag", TagToHex(tlv.tag), tlv.offset, TagSize(tlv.tag));
  node.Add("Length", std::to_string(tlv.value.size()),
           tlv.offset + TagSize(tlv.tag), tlv.header_length - TagSize(tlv.tag));
  for (const Tlv& c : tlv.children) node.children.push_back(DescribeTlv(c));
  return node;
}

ProtoNode DescribeTlvs(ByteView data, const BerTlvOptions& options,
                       std::size_t base_offset) {
  ProtoNode root;
  root.name = "BER-TLV";
  root.offset = base_offset;
  root.length = data.size();
  std::vector<Tlv> tlvs;
  ByteReader reader(data, base_offset);
  Status s = ParseInto(reader, options, 0, tlvs);
  for (const Tlv& t : tlvs) root.children.push_back(DescribeTlv(t));
  if (!s.ok()) root.notes.push_back(s.error());
  return root;
}

}  // namespace omaiop::codec
