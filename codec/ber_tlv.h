// BER-TLV as smart cards use it: ISO/IEC 7816-4 §5.2 data objects, which are
// ITU-T X.690 (BER) identifier and length octets restricted to what cards
// send: tags of 1..3 octets, definite lengths of at most 4 octets (short form,
// 81 XX, 82 XXXX, 83 XXXXXX), and 00/FF filler between data objects.
//
// Hand-written rather than OpenSSL's ASN1_get_object because we need the
// card-file tolerances (filler bytes, 7816-4 tag limits), a tree with absolute
// offsets for ProtoNode output, and diagnostics naming the rule; OpenSSL serves
// as the independent oracle in the tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "codec/byte_reader.h"
#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

// Spec clauses cited by diagnostics.
inline constexpr char kRuleTag[] = "ISO/IEC 7816-4 §5.2.2.1, X.690 §8.1.2";
inline constexpr char kRuleLength[] = "ISO/IEC 7816-4 §5.2.2.2, X.690 §8.1.3";
inline constexpr char kRuleIndefinite[] = "X.690 §8.1.3.6 (not in DER/7816-4)";
inline constexpr char kRuleDerLength[] = "X.690 §10.1 (DER minimal length)";
inline constexpr char kRuleDerTag[] = "X.690 §8.1.2.2/§8.1.2.4.2";
inline constexpr char kRulePadding[] = "ISO/IEC 7816-4 §5.2.2 (00/FF filler)";

// A tag is held as its identifier octets read as a big-endian integer, the
// convention of ISO 7816-4 and EMV: 0x30, 0xA1, 0x5F2D, 0xBF8101.
using TlvTag = std::uint32_t;

enum class TagClass : std::uint8_t {
  kUniversal = 0,
  kApplication = 1,
  kContextSpecific = 2,
  kPrivate = 3,
};

// Number of identifier octets of a tag value (1..4; 0 for tag 0).
std::size_t TagSize(TlvTag tag);
TagClass TagClassOf(TlvTag tag);
bool TagIsConstructed(TlvTag tag);
// The tag number (X.690 §8.1.2): 0x61 → 1, 0x5F2D → 45, 0xBF8101 → 129.
std::uint32_t TagNumberOf(TlvTag tag);
// Builds the identifier octets of (class, constructed, number). Numbers up to
// 16383 (two subsequent octets: the ISO 7816-4 three-octet limit).
Result<TlvTag> MakeTag(TagClass cls, bool constructed, std::uint32_t number);
// Context-specific tag [n] with n < 31: 0x80|n, or 0xA0|n when constructed.
constexpr TlvTag ContextTag(std::uint8_t n, bool constructed) {
  return static_cast<TlvTag>((constructed ? 0xA0 : 0x80) | (n & 0x1F));
}
// Checks that a tag value is a well-formed identifier (what EncodeTag emits).
Status ValidateTag(TlvTag tag);
// "5F2D", "A1".
std::string TagToHex(TlvTag tag);
// "[APPLICATION 1] constructed", "UNIVERSAL 16 (SEQUENCE) constructed".
std::string DescribeTag(TlvTag tag);

struct BerTlvOptions {
  // X.690 §10 DER: reject non-minimal long-form lengths (81 05) and the
  // high-tag form for numbers below 31 (9F 02, common in EMV, legal in neither
  // X.690 nor 7816-4 but tolerated by default since cards do send it).
  bool strict_der = false;
  // ISO/IEC 7816-4 §5.2.2: "00" or "FF" octets may occur before, between or
  // after BER-TLV data objects (erased EEPROM, unused record tail). On by
  // default for card files; turn off to treat them as errors.
  bool allow_padding = true;
  // Nesting cap against stack exhaustion on hostile input.
  std::size_t max_depth = 32;
  // Parse the value of constructed tags into children.
  bool parse_children = true;
};

struct Tlv {
  TlvTag tag = 0;
  std::size_t offset = 0;         // absolute offset of the first tag octet
  std::size_t header_length = 0;  // tag + length octets
  ByteView value;                 // borrows the parsed buffer
  std::vector<Tlv> children;      // for constructed tags (if parsed)

  bool constructed() const { return TagIsConstructed(tag); }
  std::size_t value_offset() const { return offset + header_length; }
  std::size_t total_length() const { return header_length + value.size(); }
  // First direct child with `child_tag`, or nullptr.
  const Tlv* Find(TlvTag child_tag) const;
  std::vector<const Tlv*> FindAll(TlvTag child_tag) const;
  // Follows a chain of child tags: t.FindPath({0x30, 0x06}).
  const Tlv* FindPath(std::initializer_list<TlvTag> path) const;
};

// Reads the identifier and length octets at the reader's position. The
// returned Tlv has tag/offset/header_length and a value view (no children).
// Does not skip padding.
Result<Tlv> ReadTlvHeader(ByteReader& reader,
                          const BerTlvOptions& options = {});

// Parses a sequence of data objects (a card file, a record, a constructed
// value), skipping 00/FF filler if allowed. `base_offset` is where data[0]
// sits in the outermost buffer.
Result<std::vector<Tlv>> ParseTlvs(ByteView data,
                                   const BerTlvOptions& options = {},
                                   std::size_t base_offset = 0);
// Exactly one data object; only filler (if allowed) may follow it.
Result<Tlv> ParseSingleTlv(ByteView data, const BerTlvOptions& options = {},
                           std::size_t base_offset = 0);
// The tree borrows the input: parsing a temporary buffer would dangle.
Result<std::vector<Tlv>> ParseTlvs(Bytes&& data, const BerTlvOptions& = {},
                                   std::size_t = 0) = delete;
Result<Tlv> ParseSingleTlv(Bytes&& data, const BerTlvOptions& = {},
                           std::size_t = 0) = delete;

// First top-level object along a tag path, e.g. FindTlv(tlvs, {0x61, 0x4F}).
const Tlv* FindTlv(std::span<const Tlv> tlvs,
                   std::initializer_list<TlvTag> path);
// Pre-order walk of a tree; depth 0 for the given roots.
void ForEachTlv(std::span<const Tlv> tlvs,
                const std::function<void(const Tlv&, std::size_t depth)>& fn);

// Encoding (DER: minimal lengths). Lengths above 0xFFFFFF cannot be expressed
// within the ISO 7816-4 limit used here; the builder reports that as an error.
void AppendTag(Bytes& out, TlvTag tag);
// Appends a minimal definite length; returns false if len > 0xFFFFFF.
bool AppendLength(Bytes& out, std::size_t len);
Bytes EncodeTlv(TlvTag tag, ByteView value);

// Builds nested DER:
//   TlvBuilder b;
//   b.Open(0xA1).Open(0x30).Add(0x0C, AsBytes("label")).Close().Close();
//   Result<Bytes> der = b.Finish();
class TlvBuilder {
 public:
  TlvBuilder& Add(TlvTag tag, ByteView value);
  TlvBuilder& Add(TlvTag tag, std::string_view value) {
    return Add(tag, AsBytes(value));
  }
  // Appends already-encoded octets (a nested encoding, a raw TLV).
  TlvBuilder& Raw(ByteView encoded);
  TlvBuilder& Open(TlvTag tag);
  TlvBuilder& Close();
  // All opened tags must be closed. Fails on an invalid tag or a length over
  // the 3-octet limit.
  Result<Bytes> Finish() const;

 private:
  void Fail(std::string what);

  Bytes out_;
  std::vector<std::pair<TlvTag, std::size_t>> open_;
  std::string error_;
};

// ProtoNode tree of parsed TLVs: one node per object, value in hex for
// primitive ones.
ProtoNode DescribeTlv(const Tlv& tlv);
// Parses `data` and describes every object; a parse failure becomes a note on
// the root node (what was parsed before it is still shown).
ProtoNode DescribeTlvs(ByteView data, const BerTlvOptions& options = {},
                       std::size_t base_offset = 0);

}  // namespace omaiop::codec
