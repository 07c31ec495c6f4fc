#include "codec/pkcs15.h"

#include <algorithm>
#include <cstdio>

#include "codec/asn1.h"

namespace omaiop::codec::pkcs15 {
namespace {

using asn1::kTagBitString;
using asn1::kTagInteger;
using asn1::kTagOctetString;
using asn1::kTagOid;
using asn1::kTagSequence;
using asn1::kTagUtf8String;

constexpr TlvTag kTagAppTemplate = 0x61;
constexpr TlvTag kTagAid = 0x4F;
constexpr TlvTag kTagAppLabel = 0x50;
constexpr TlvTag kTagAppPath = 0x51;
constexpr TlvTag kTagDiscretionary = 0x73;
constexpr TlvTag kTagPathLength = 0x80;  // length [0] IMPLICIT INTEGER
constexpr TlvTag kTagExternalDo = 0xA0;  // externalIDO [0]
constexpr TlvTag kTagOidDo = 0xA1;       // oidDO [1]
constexpr TlvTag kTagSubClass = 0xA0;    // subClassAttributes [0]
constexpr TlvTag kTagTypeAttrs = 0xA1;   // typeAttributes [1]

// The encoded octets of a parsed TLV (header + value). The header precedes
// the value in the same buffer the tree was parsed from.
ByteView RawTlv(const Tlv& t) {
  return ByteView(t.value.data() - t.header_length, t.total_length());
}

bool IsContextConstructed(TlvTag tag) {
  return TagClassOf(tag) == TagClass::kContextSpecific && TagIsConstructed(tag);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// Raw card text (EF.DIR label, TS 102 221 Annex A may be UCS2): quoted when
// printable UTF-8, hex otherwise, so that text and JSON output stay valid.
std::string RenderText(ByteView raw) {
  std::string s = AsString(raw);
  bool printable = asn1::IsValidUtf8(s);
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) printable = false;
  return printable ? Quote(s) : ToHex(raw);
}

Status ParseCommonObjectAttributes(const Tlv& seq, CommonObjectAttributes& out,
                                   const Pkcs15Options& options) {
  OMAIOP_RETURN_IF_ERROR(asn1::ExpectTag(
      seq, kTagSequence, "CommonObjectAttributes", kRuleCommon));
  for (const Tlv& c : seq.children) {
    switch (c.tag) {
      case kTagUtf8String: {
        OMAIOP_ASSIGN_OR_RETURN(
            out.label, asn1::DecodeUtf8Value(c.value, c.value_offset()));
        break;
      }
      case kTagBitString: {
        OMAIOP_ASSIGN_OR_RETURN(
            out.flags, asn1::DecodeNamedBitsValue(c.value, c.value_offset(),
                                                  options.ber.strict_der));
        break;
      }
      case kTagOctetString:
        out.auth_id = Bytes(c.value.begin(), c.value.end());
        break;
      default:
        break;  // userConsent, accessControlRules, extensions: not needed
    }
  }
  return OkStatus();
}

Status ParseCommonDataObjectAttributes(const Tlv& seq,
                                       CommonDataObjectAttributes& out) {
  OMAIOP_RETURN_IF_ERROR(asn1::ExpectTag(
      seq, kTagSequence, "CommonDataObjectAttributes", kRuleDodf));
  for (const Tlv& c : seq.children) {
    if (c.tag == kTagUtf8String) {
      OMAIOP_ASSIGN_OR_RETURN(out.application_name,
                              asn1::DecodeUtf8Value(c.value, c.value_offset()));
    } else if (c.tag == kTagOid) {
      OMAIOP_ASSIGN_OR_RETURN(out.application_oid,
                              asn1::DecodeOidValue(c.value, c.value_offset()));
    }
  }
  return OkStatus();
}

// ObjectValue: the path alternative (30) or anything else kept encoded.
Status ParseObjectValue(const Tlv& v, DataObject& out,
                        const Pkcs15Options& options) {
  if (v.tag == kTagSequence) {
    OMAIOP_ASSIGN_OR_RETURN(out.path, ParsePath(v, options));
  } else {
    ByteView raw = RawTlv(v);
    out.other_value.assign(raw.begin(), raw.end());
  }
  return OkStatus();
}

// Index of typeAttributes [1] in a PKCS15Object with >= 3 elements: after an
// optional subClassAttributes [0].
std::size_t TypeAttributesIndex(const Tlv& t) {
  return t.children[2].tag == kTagSubClass && t.children.size() > 3 ? 3 : 2;
}

Result<DataObject> ParseDataObject(const Tlv& t, const Pkcs15Options& options) {
  DataObject obj;
  obj.offset = t.offset;
  if (t.tag == kTagSequence) {
    obj.type = DataObjectType::kOpaque;
  } else if (t.tag == kTagExternalDo) {
    obj.type = DataObjectType::kExternal;
  } else if (t.tag == kTagOidDo) {
    obj.type = DataObjectType::kOid;
  } else {
    return Error("DODF entry tag " + TagToHex(t.tag) +
                     " is none of opaqueDO 30, externalIDO A0, oidDO A1",
                 t.offset, kRuleDodf);
  }
  const auto& ch = t.children;
  if (ch.size() < 3) {
    return Error(
        "DODF entry needs commonObjectAttributes, classAttributes and "
        "typeAttributes [1]; found " +
            std::to_string(ch.size()) + " element(s)",
        t.offset, kRuleDodf);
  }
  OMAIOP_RETURN_IF_ERROR(
      ParseCommonObjectAttributes(ch[0], obj.common, options));
  OMAIOP_RETURN_IF_ERROR(ParseCommonDataObjectAttributes(ch[1], obj.data));
  const Tlv& type_attrs = ch[TypeAttributesIndex(t)];
  OMAIOP_RETURN_IF_ERROR(asn1::ExpectTag(type_attrs, kTagTypeAttrs,
                                         "typeAttributes [1]", kRuleDodf));
  if (type_attrs.children.size() != 1) {
    return Error("typeAttributes [1] must hold exactly one element, found " +
                     std::to_string(type_attrs.children.size()),
                 type_attrs.offset, kRuleDodf);
  }
  const Tlv& inner = type_attrs.children[0];
  switch (obj.type) {
    case DataObjectType::kOpaque:
      OMAIOP_RETURN_IF_ERROR(ParseObjectValue(inner, obj, options));
      break;
    case DataObjectType::kExternal: {
      ByteView raw = RawTlv(inner);
      obj.other_value.assign(raw.begin(), raw.end());
      break;
    }
    case DataObjectType::kOid: {
      // OidDO ::= SEQUENCE { id OBJECT IDENTIFIER, value ObjectValue }
      OMAIOP_RETURN_IF_ERROR(
          asn1::ExpectTag(inner, kTagSequence, "OidDO", kRuleDodf));
      if (inner.children.size() != 2) {
        return Error("OidDO must be SEQUENCE { OID, value }, found " +
                         std::to_string(inner.children.size()) + " element(s)",
                     inner.offset, kRuleDodf);
      }
      const Tlv& oid = inner.children[0];
      OMAIOP_RETURN_IF_ERROR(
          asn1::ExpectTag(oid, kTagOid, "OidDO.id", kRuleDodf));
      OMAIOP_ASSIGN_OR_RETURN(
          obj.oid, asn1::DecodeOidValue(oid.value, oid.value_offset()));
      OMAIOP_RETURN_IF_ERROR(ParseObjectValue(inner.children[1], obj, options));
      break;
    }
  }
  return obj;
}

std::string DataObjectTypeName(DataObjectType t) {
  switch (t) {
    case DataObjectType::kOpaque:
      return "opaqueDO";
    case DataObjectType::kExternal:
      return "externalIDO [0]";
    case DataObjectType::kOid:
      return "oidDO [1]";
  }
  return "?";
}

Result<OdfEntry> ParseOdfEntry(const Tlv& t, const Pkcs15Options& options) {
  if (!IsContextConstructed(t.tag)) {
    return Error("ODF entry tag " + TagToHex(t.tag) +
                     " is not a constructed context tag [n] (A0..A8)",
                 t.offset, kRuleOdf);
  }
  OdfEntry e;
  e.offset = t.offset;
  e.kind =
      static_cast<ObjectKind>(std::min<std::uint32_t>(TagNumberOf(t.tag), 255));
  if (t.children.size() != 1) {
    return Error("ODF entry " + TagToHex(t.tag) +
                     " must hold exactly one PathOrObjects element, found " +
                     std::to_string(t.children.size()),
                 t.offset, kRuleOdf);
  }
  const Tlv& c = t.children[0];
  if (c.tag == kTagSequence) {
    OMAIOP_ASSIGN_OR_RETURN(e.path, ParsePath(c, options));
  } else {
    ByteView raw = RawTlv(c);
    e.other.assign(raw.begin(), raw.end());
  }
  return e;
}

Result<ApplicationTemplate> ParseAppTemplate(const Tlv& t) {
  if (t.tag != kTagAppTemplate) {
    return Error(
        "expected application template tag 61, found " + TagToHex(t.tag),
        t.offset, kRuleDir);
  }
  ApplicationTemplate app;
  app.offset = t.offset;
  const Tlv* aid = t.Find(kTagAid);
  if (aid == nullptr) {
    return Error("application template without AID (4F)", t.offset, kRuleDir);
  }
  if (aid->value.empty() || aid->value.size() > 16) {
    return Error("AID of " + std::to_string(aid->value.size()) +
                     " octets (must be 1..16)",
                 aid->offset, "ISO/IEC 7816-4 §8.2.1.2");
  }
  app.aid.assign(aid->value.begin(), aid->value.end());
  if (const Tlv* l = t.Find(kTagAppLabel)) app.label = AsString(l->value);
  if (const Tlv* p = t.Find(kTagAppPath))
    app.path = Bytes(p->value.begin(), p->value.end());
  if (const Tlv* d = t.Find(kTagDiscretionary))
    app.discretionary = Bytes(d->value.begin(), d->value.end());
  return app;
}

Status AddDataObjectBody(TlvBuilder& b, const DataObject& o) {
  b.Open(kTagSequence);
  if (o.common.label) b.Add(kTagUtf8String, *o.common.label);
  if (o.common.flags)
    b.Add(kTagBitString, asn1::EncodeNamedBitsValue(*o.common.flags));
  if (o.common.auth_id) b.Add(kTagOctetString, *o.common.auth_id);
  b.Close();
  b.Open(kTagSequence);
  if (o.data.application_name) b.Add(kTagUtf8String, *o.data.application_name);
  if (o.data.application_oid) {
    OMAIOP_ASSIGN_OR_RETURN(Bytes oid,
                            asn1::EncodeOidValue(*o.data.application_oid));
    b.Add(kTagOid, oid);
  }
  b.Close();
  b.Open(kTagTypeAttrs);
  if (o.type == DataObjectType::kOid) {
    if (!o.oid) {
      return Error("oidDO without an OID", Diagnostic::kNoOffset, kRuleDodf);
    }
    OMAIOP_ASSIGN_OR_RETURN(Bytes oid, asn1::EncodeOidValue(*o.oid));
    b.Open(kTagSequence).Add(kTagOid, oid);
  }
  if (o.path) {
    OMAIOP_ASSIGN_OR_RETURN(Bytes path, EncodePath(*o.path));
    b.Raw(path);
  } else if (!o.other_value.empty()) {
    b.Raw(o.other_value);
  } else {
    return Error("data object needs a path or an encoded value",
                 Diagnostic::kNoOffset, kRuleDodf);
  }
  if (o.type == DataObjectType::kOid) b.Close();
  b.Close();
  return OkStatus();
}

ProtoNode PathNode(const Tlv& seq) { return DescribePath(seq); }

}  // namespace

// ---------------------------------------------------------------------------
// Path

PathKind ClassifyPath(ByteView path) {
  if (path.size() < 2) return PathKind::kEmpty;
  if (path[0] == 0x3F && path[1] == 0x00) return PathKind::kAbsolute;
  if (path[0] == 0x3F && path[1] == 0xFF) return PathKind::kRelativeCurrentDf;
  return PathKind::kRelative;
}

Result<std::vector<std::uint16_t>> SplitPathFids(ByteView path,
                                                 std::size_t offset) {
  if (path.size() % 2 != 0) {
    return Error("path of " + std::to_string(path.size()) +
                     " octets is not a sequence of 2-octet FIDs",
                 offset, "ISO/IEC 7816-4 §7.1.2");
  }
  std::vector<std::uint16_t> fids;
  for (std::size_t i = 0; i < path.size(); i += 2)
    fids.push_back(static_cast<std::uint16_t>(path[i] << 8 | path[i + 1]));
  return fids;
}

Bytes ResolvePath(ByteView app_df, ByteView path) {
  switch (ClassifyPath(path)) {
    case PathKind::kAbsolute:
    case PathKind::kEmpty:
      return Bytes(path.begin(), path.end());
    case PathKind::kRelativeCurrentDf: {
      Bytes out(app_df.begin(), app_df.end());
      out.insert(out.end(), path.begin() + 2, path.end());
      return out;
    }
    case PathKind::kRelative: {
      Bytes out(app_df.begin(), app_df.end());
      out.insert(out.end(), path.begin(), path.end());
      return out;
    }
  }
  return {};
}

Result<Path> ParsePath(const Tlv& seq, const Pkcs15Options& options) {
  OMAIOP_RETURN_IF_ERROR(asn1::ExpectTag(seq, kTagSequence, "Path", kRulePath));
  const auto& ch = seq.children;
  if (ch.empty() || ch[0].tag != kTagOctetString) {
    return Error("Path must start with an OCTET STRING (04)",
                 ch.empty() ? seq.offset : ch[0].offset, kRulePath);
  }
  Path p;
  p.path.assign(ch[0].value.begin(), ch[0].value.end());
  std::size_t i = 1;
  if (i < ch.size() && ch[i].tag == kTagInteger) {
    OMAIOP_ASSIGN_OR_RETURN(
        p.index, asn1::DecodeIntegerValue(ch[i].value, ch[i].value_offset()));
    ++i;
  }
  if (i < ch.size() && ch[i].tag == kTagPathLength) {
    OMAIOP_ASSIGN_OR_RETURN(
        p.length, asn1::DecodeIntegerValue(ch[i].value, ch[i].value_offset()));
    ++i;
  }
  if (i < ch.size()) {
    return Error("unexpected element " + TagToHex(ch[i].tag) + " in Path",
                 ch[i].offset, kRulePath);
  }
  if (options.strict_path && p.index.has_value() != p.length.has_value()) {
    return Error("Path index and length must be both present or both absent",
                 seq.offset, kRulePath);
  }
  return p;
}

Result<Bytes> EncodePath(const Path& path) {
  TlvBuilder b;
  b.Open(kTagSequence).Add(kTagOctetString, path.path);
  if (path.index) b.Add(kTagInteger, asn1::EncodeIntegerValue(*path.index));
  if (path.length)
    b.Add(kTagPathLength, asn1::EncodeIntegerValue(*path.length));
  b.Close();
  return b.Finish();  // fails only beyond the 0x83 (16 MB) length limit
}

ProtoNode DescribePath(const Tlv& seq) {
  ProtoNode n{"Path", "", seq.offset, seq.total_length(), {}, {}};
  auto p = ParsePath(seq);
  if (!p.ok()) {
    n.notes.push_back(p.error());
    return n;
  }
  static const char* const kKind[] = {"empty", "absolute (from MF 3F00)",
                                      "relative to current DF (3FFF)",
                                      "relative to the application DF"};
  const Tlv& os = seq.children[0];
  std::string fids;
  if (auto f = SplitPathFids(p->path, os.value_offset()); f.ok()) {
    for (std::uint16_t fid : *f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%s%04X", fids.empty() ? "" : " ", fid);
      fids += buf;
    }
  } else {
    fids = ToHex(p->path);
    n.notes.push_back(f.error());
  }
  n.value = fids;
  n.Add("path", fids, os.offset, os.total_length())
      .Add("kind", kKind[static_cast<int>(ClassifyPath(p->path))],
           os.value_offset(), os.value.size());
  for (std::size_t i = 1; i < seq.children.size(); ++i) {
    const Tlv& c = seq.children[i];
    if (c.tag == kTagInteger && p->index)
      n.Add("index", std::to_string(*p->index), c.offset, c.total_length());
    if (c.tag == kTagPathLength && p->length)
      n.Add("length [0]", std::to_string(*p->length), c.offset,
            c.total_length());
  }
  return n;
}

// ---------------------------------------------------------------------------
// EF.DIR

Result<std::optional<ApplicationTemplate>> ParseDirRecord(
    ByteView record, std::size_t base_offset, const Pkcs15Options& options) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Tlv> tlvs,
                          ParseTlvs(record, options.ber, base_offset));
  if (tlvs.empty()) return std::optional<ApplicationTemplate>();
  if (tlvs.size() > 1) {
    return Error("more than one data object in an EF.DIR record",
                 tlvs[1].offset, kRuleDir);
  }
  OMAIOP_ASSIGN_OR_RETURN(ApplicationTemplate app, ParseAppTemplate(tlvs[0]));
  return std::optional<ApplicationTemplate>(std::move(app));
}

Result<std::vector<ApplicationTemplate>> ParseDirRecords(
    std::span<const Bytes> records, const Pkcs15Options& options) {
  std::vector<ApplicationTemplate> apps;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto r = ParseDirRecord(records[i], 0, options);
    if (!r.ok()) {
      Diagnostic d = r.error();
      d.path = "EF.DIR record " + std::to_string(i + 1);
      return d;
    }
    if (r->has_value()) apps.push_back(std::move(**r));
  }
  return apps;
}

Result<std::vector<ApplicationTemplate>> ParseDirFile(
    ByteView content, const Pkcs15Options& options) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Tlv> tlvs,
                          ParseTlvs(content, options.ber));
  std::vector<ApplicationTemplate> apps;
  for (const Tlv& t : tlvs) {
    OMAIOP_ASSIGN_OR_RETURN(ApplicationTemplate app, ParseAppTemplate(t));
    apps.push_back(std::move(app));
  }
  return apps;
}

Result<Bytes> EncodeDirRecord(const ApplicationTemplate& app,
                              std::size_t record_length) {
  if (app.aid.empty() || app.aid.size() > 16) {
    return Error(
        "AID of " + std::to_string(app.aid.size()) + " octets (must be 1..16)",
        Diagnostic::kNoOffset, "ISO/IEC 7816-4 §8.2.1.2");
  }
  if (app.discretionary) {
    // 73 is a constructed tag, so its value must be BER-TLV data objects.
    if (auto d = ParseTlvs(*app.discretionary); !d.ok()) {
      Diagnostic e = d.error();
      e.what = "discretionary data (73) is not BER-TLV: " + e.what;
      return e;
    }
  }
  TlvBuilder b;
  b.Open(kTagAppTemplate).Add(kTagAid, app.aid);
  if (app.label) b.Add(kTagAppLabel, *app.label);
  if (app.path) b.Add(kTagAppPath, *app.path);
  if (app.discretionary) b.Add(kTagDiscretionary, *app.discretionary);
  b.Close();
  OMAIOP_ASSIGN_OR_RETURN(Bytes out, b.Finish());
  if (record_length > 0) {
    if (out.size() > record_length) {
      return Error("application template of " + std::to_string(out.size()) +
                       " octets does not fit a " +
                       std::to_string(record_length) + "-octet record",
                   Diagnostic::kNoOffset, kRuleDir);
    }
    out.resize(record_length, 0xFF);  // TS 102 221 §13.1: unused bytes FF
  }
  return out;
}

const ApplicationTemplate* FindApplication(
    std::span<const ApplicationTemplate> apps, ByteView aid, AidMatch match) {
  for (const ApplicationTemplate& a : apps) {
    if (match == AidMatch::kExact) {
      if (std::ranges::equal(a.aid, aid)) return &a;
    } else if (!aid.empty() && aid.size() <= a.aid.size() &&
               std::equal(aid.begin(), aid.end(), a.aid.begin())) {
      return &a;
    }
  }
  return nullptr;
}

ProtoNode DescribeDirRecord(ByteView record, std::size_t base_offset,
                            const Pkcs15Options& options) {
  ProtoNode root{"EF.DIR record", "", base_offset, record.size(), {}, {}};
  auto tlvs = ParseTlvs(record, options.ber, base_offset);
  if (!tlvs.ok()) {
    root.notes.push_back(tlvs.error());
    return root;
  }
  if (tlvs->empty()) {
    root.value = "empty";
    return root;
  }
  for (const Tlv& t : *tlvs) {
    auto app = ParseAppTemplate(t);
    if (!app.ok()) {
      ProtoNode raw = DescribeTlv(t);
      raw.notes.push_back(app.error());
      root.children.push_back(std::move(raw));
      continue;
    }
    ProtoNode& n =
        root.Add("Application template (61)", "", t.offset, t.total_length());
    for (const Tlv& c : t.children) {
      switch (c.tag) {
        case kTagAid:
          n.Add(
              "AID (4F)",
              ToHex(c.value) +
                  (std::ranges::equal(c.value, kPkcs15Aid) ? " (PKCS#15)" : ""),
              c.offset, c.total_length());
          break;
        case kTagAppLabel:
          n.Add("Label (50)", RenderText(c.value), c.offset, c.total_length());
          break;
        case kTagAppPath:
          n.Add("Path (51)", ToHex(c.value), c.offset, c.total_length());
          break;
        case kTagDiscretionary:
          n.Add("Discretionary data (73)", ToHex(c.value), c.offset,
                c.total_length());
          break;
        default:
          n.children.push_back(DescribeTlv(c));
      }
    }
  }
  if (tlvs->size() > 1)
    root.notes.push_back(Error("more than one data object in an EF.DIR record",
                               (*tlvs)[1].offset, kRuleDir));
  return root;
}

// ---------------------------------------------------------------------------
// EF.ODF

std::string ObjectKindName(ObjectKind kind) {
  static const char* const kNames[] = {
      "privateKeys",        "publicKeys",   "trustedPublicKeys",
      "secretKeys",         "certificates", "trustedCertificates",
      "usefulCertificates", "dataObjects",  "authObjects"};
  const auto n = static_cast<std::size_t>(kind);
  if (n < std::size(kNames)) return kNames[n];
  return "unknown [" + std::to_string(n) + "]";
}

Result<std::vector<OdfEntry>> ParseOdf(ByteView content,
                                       const Pkcs15Options& options,
                                       std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Tlv> tlvs,
                          ParseTlvs(content, options.ber, base_offset));
  std::vector<OdfEntry> out;
  for (const Tlv& t : tlvs) {
    OMAIOP_ASSIGN_OR_RETURN(OdfEntry e, ParseOdfEntry(t, options));
    out.push_back(std::move(e));
  }
  return out;
}

Result<Bytes> EncodeOdf(std::span<const OdfEntry> entries) {
  TlvBuilder b;
  for (const OdfEntry& e : entries) {
    if (static_cast<unsigned>(e.kind) > 30) {
      return Error("ODF kind number above 30 not supported",
                   Diagnostic::kNoOffset, kRuleOdf);
    }
    b.Open(ContextTag(static_cast<std::uint8_t>(e.kind), true));
    if (e.path) {
      OMAIOP_ASSIGN_OR_RETURN(Bytes path, EncodePath(*e.path));
      b.Raw(path);
    } else if (!e.other.empty()) {
      b.Raw(e.other);
    } else {
      return Error("ODF entry " + ObjectKindName(e.kind) +
                       " has neither a path nor an encoded alternative",
                   Diagnostic::kNoOffset, kRuleOdf);
    }
    b.Close();
  }
  return b.Finish();
}

const OdfEntry* FindOdfEntry(std::span<const OdfEntry> entries,
                             ObjectKind kind) {
  for (const OdfEntry& e : entries)
    if (e.kind == kind && e.path) return &e;
  return nullptr;
}

ProtoNode DescribeOdf(ByteView content, const Pkcs15Options& options,
                      std::size_t base_offset) {
  ProtoNode root{"EF.ODF", "", base_offset, content.size(), {}, {}};
  auto tlvs = ParseTlvs(content, options.ber, base_offset);
  if (!tlvs.ok()) {
    root.notes.push_back(tlvs.error());
    return root;
  }
  for (const Tlv& t : *tlvs) {
    auto e = ParseOdfEntry(t, options);
    if (!e.ok()) {
      ProtoNode raw = DescribeTlv(t);
      raw.notes.push_back(e.error());
      root.children.push_back(std::move(raw));
      continue;
    }
    ProtoNode& n = root.Add(ObjectKindName(e->kind) + " [" +
                                std::to_string(static_cast<int>(e->kind)) + "]",
                            "", t.offset, t.total_length());
    const Tlv& c = t.children[0];
    if (e->path) {
      n.children.push_back(PathNode(c));
      n.value = n.children.back().value;
    } else {
      n.children.push_back(DescribeTlv(c));
    }
  }
  return root;
}

// ---------------------------------------------------------------------------
// EF.DODF

Result<std::vector<DataObject>> ParseDodf(ByteView content,
                                          const Pkcs15Options& options,
                                          std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(std::vector<Tlv> tlvs,
                          ParseTlvs(content, options.ber, base_offset));
  std::vector<DataObject> out;
  for (const Tlv& t : tlvs) {
    OMAIOP_ASSIGN_OR_RETURN(DataObject o, ParseDataObject(t, options));
    out.push_back(std::move(o));
  }
  return out;
}

Result<Bytes> EncodeDataObject(const DataObject& o) {
  TlvBuilder b;
  switch (o.type) {
    case DataObjectType::kOpaque:
      b.Open(kTagSequence);
      break;
    case DataObjectType::kExternal:
      b.Open(kTagExternalDo);
      break;
    case DataObjectType::kOid:
      b.Open(kTagOidDo);
      break;
  }
  OMAIOP_RETURN_IF_ERROR(AddDataObjectBody(b, o));
  b.Close();
  return b.Finish();
}

Result<Bytes> EncodeDodf(std::span<const DataObject> objects) {
  Bytes out;
  for (const DataObject& o : objects) {
    OMAIOP_ASSIGN_OR_RETURN(Bytes one, EncodeDataObject(o));
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

std::optional<Path> FindDataObjectByOid(std::span<const DataObject> objects,
                                        std::string_view oid) {
  for (const DataObject& o : objects)
    if (o.type == DataObjectType::kOid && o.oid && *o.oid == oid && o.path)
      return o.path;
  return std::nullopt;
}

const DataObject* FindDataObjectByLabel(std::span<const DataObject> objects,
                                        std::string_view label) {
  for (const DataObject& o : objects)
    if (o.common.label && *o.common.label == label) return &o;
  return nullptr;
}

ProtoNode DescribeDodf(ByteView content, const Pkcs15Options& options,
                       std::size_t base_offset) {
  ProtoNode root{"EF.DODF", "", base_offset, content.size(), {}, {}};
  auto tlvs = ParseTlvs(content, options.ber, base_offset);
  if (!tlvs.ok()) {
    root.notes.push_back(tlvs.error());
    return root;
  }
  for (const Tlv& t : *tlvs) {
    auto o = ParseDataObject(t, options);
    if (!o.ok()) {
      ProtoNode raw = DescribeTlv(t);
      raw.notes.push_back(o.error());
      root.children.push_back(std::move(raw));
      continue;
    }
    ProtoNode& n = root.Add(DataObjectTypeName(o->type), o->oid.value_or(""),
                            t.offset, t.total_length());
    const Tlv& coa = t.children[0];
    ProtoNode& c =
        n.Add("CommonObjectAttributes", "", coa.offset, coa.total_length());
    for (const Tlv& x : coa.children) {
      if (x.tag == kTagUtf8String && o->common.label)
        c.Add("label", Quote(*o->common.label), x.offset, x.total_length());
      if (x.tag == kTagBitString && o->common.flags) {
        std::string f;
        if (*o->common.flags & kFlagPrivate) f += "private ";
        if (*o->common.flags & kFlagModifiable) f += "modifiable ";
        if (f.empty()) f = "none";
        c.Add("flags", f, x.offset, x.total_length());
      }
      if (x.tag == kTagOctetString)
        c.Add("authId", ToHex(x.value), x.offset, x.total_length());
    }
    const Tlv& cdoa = t.children[1];
    ProtoNode& d = n.Add("CommonDataObjectAttributes", "", cdoa.offset,
                         cdoa.total_length());
    for (const Tlv& x : cdoa.children) {
      if (x.tag == kTagUtf8String && o->data.application_name)
        d.Add("applicationName", Quote(*o->data.application_name), x.offset,
              x.total_length());
      if (x.tag == kTagOid && o->data.application_oid)
        d.Add("applicationOID", *o->data.application_oid, x.offset,
              x.total_length());
    }
    const Tlv& ta = t.children[TypeAttributesIndex(t)];
    ProtoNode& a =
        n.Add("typeAttributes [1]", "", ta.offset, ta.total_length());
    if (ta.children.empty()) continue;
    const Tlv& inner = ta.children[0];
    const Tlv* value = &inner;
    if (o->type == DataObjectType::kOid) {
      ProtoNode& od =
          a.Add("OidDO", *o->oid, inner.offset, inner.total_length());
      const Tlv& oid = inner.children[0];
      od.Add("id", *o->oid, oid.offset, oid.total_length());
      value = &inner.children[1];
      if (o->path) {
        od.children.push_back(PathNode(*value));
      } else {
        od.children.push_back(DescribeTlv(*value));
      }
    } else if (o->path) {
      a.children.push_back(PathNode(*value));
    } else {
      a.children.push_back(DescribeTlv(*value));
    }
  }
  return root;
}

// ---------------------------------------------------------------------------
// EF.TokenInfo

Result<TokenInfo> ParseTokenInfo(ByteView content, const Pkcs15Options& options,
                                 std::size_t base_offset) {
  OMAIOP_ASSIGN_OR_RETURN(Tlv seq,
                          ParseSingleTlv(content, options.ber, base_offset));
  OMAIOP_RETURN_IF_ERROR(
      asn1::ExpectTag(seq, kTagSequence, "TokenInfo", kRuleTokenInfo));
  const auto& ch = seq.children;
  TokenInfo info;
  std::size_t i = 0;
  auto missing = [&](const char* what) {
    return Error(std::string("TokenInfo: missing ") + what,
                 i < ch.size() ? ch[i].offset : seq.offset, kRuleTokenInfo);
  };
  if (i >= ch.size() || ch[i].tag != kTagInteger) return missing("version");
  OMAIOP_ASSIGN_OR_RETURN(info.version, asn1::DecodeIntegerValue(
                                            ch[i].value, ch[i].value_offset()));
  ++i;
  if (i >= ch.size() || ch[i].tag != kTagOctetString)
    return missing("serialNumber");
  info.serial_number.assign(ch[i].value.begin(), ch[i].value.end());
  ++i;
  if (i < ch.size() && ch[i].tag == kTagUtf8String) {
    OMAIOP_ASSIGN_OR_RETURN(
        info.manufacturer_id,
        asn1::DecodeUtf8Value(ch[i].value, ch[i].value_offset()));
    ++i;
  }
  if (i < ch.size() && ch[i].tag == 0x80) {  // label [0] IMPLICIT UTF8String
    OMAIOP_ASSIGN_OR_RETURN(
        info.label, asn1::DecodeUtf8Value(ch[i].value, ch[i].value_offset()));
    ++i;
  }
  if (i >= ch.size() || ch[i].tag != kTagBitString)
    return missing("tokenflags");
  OMAIOP_ASSIGN_OR_RETURN(
      info.token_flags,
      asn1::DecodeNamedBitsValue(ch[i].value, ch[i].value_offset(),
                                 options.ber.strict_der));
  return info;
}

Result<Bytes> EncodeTokenInfo(const TokenInfo& info) {
  TlvBuilder b;
  b.Open(kTagSequence)
      .Add(kTagInteger, asn1::EncodeIntegerValue(info.version))
      .Add(kTagOctetString, info.serial_number);
  if (info.manufacturer_id) b.Add(kTagUtf8String, *info.manufacturer_id);
  if (info.label) b.Add(0x80, *info.label);
  b.Add(kTagBitString, asn1::EncodeNamedBitsValue(info.token_flags)).Close();
  return b.Finish();
}

}  // namespace omaiop::codec::pkcs15
