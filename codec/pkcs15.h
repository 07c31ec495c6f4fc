// The PKCS#15 structures a UICC carries for OMA DM / CP smart-card
// provisioning: EF.DIR application templates, EF.ODF, EF.DODF (oidDO and
// opaqueDO entries) and Path. Parsers for the handset, encoders for the
// virtual UICC, ProtoNode descriptions for `omaiop decode`.
//
// Sources: ETSI TS 102 221 §13.1 and ISO/IEC 7816-4 §8.2.1.1 (EF.DIR);
// PKCS#15 v1.1 (RSA Labs, 2000) ASN.1 module (ODF = PKCS15Objects, DODF =
// DataType, Path, CommonObjectAttributes); dm.md §1.3 for the OMA DM layout.
// The PKCS#15 module uses IMPLICIT TAGS, so [1] on a SEQUENCE replaces 30 by
// A1, while [n] on a CHOICE (PathOrObjects, ObjectValue) stays explicit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/ber_tlv.h"
#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec::pkcs15 {

// RID A0 00 00 00 63 + "PKCS-15" (dm.md §1.3, OpenSC dir.c).
inline constexpr std::array<std::uint8_t, 12> kPkcs15Aid = {
    0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};

// Default FIDs (PKCS#15 v1.1 defaults as OpenSC pkcs15.c uses them). Card
// issuers may differ; readers follow EF.DIR / ODF paths.
inline constexpr std::uint16_t kFidDir = 0x2F00;
inline constexpr std::uint16_t kFidPkcs15AppDf = 0x5015;
inline constexpr std::uint16_t kFidOdf = 0x5031;
inline constexpr std::uint16_t kFidTokenInfo = 0x5032;

// OMA DM bootstrap data object (dm.md §1.3). Verified only by a code comment
// in the SIMalliance Open Mobile API (Pkcs15 helper): "the OMA-DM specification
// requires a EF(DODF) containing the OID 2.23.43.7.1, followed by a Path
// object, referencing the EF(DM_Bootstrap)". The DM_Bootstrap smart-card
// appendix itself was not seen. DER: 06 04 67 2B 07 01.
inline constexpr char kOidDmBootstrap[] = "2.23.43.7.1";
// OMA LwM2M bootstrap analogue (Nordic sdk-nrf uicc_lwm2m), for reference.
inline constexpr char kOidLwm2mBootstrap[] = "2.23.43.9.1";

// ProvSC (WAP-186-PROVSC / OMA-WAP-TS-ProvSC-V1_1) provisioning files.
// UNCERTAIN (cp.md §3): the wap-provisioning arc {2 23 43 7} and the .1/.2/.3
// assignment below are inferred by analogy, not read from the ProvSC spec.
// Note that the inferred Bootstrap OID equals kOidDmBootstrap: either DM
// reused ProvSC's bootstrap OID (plausible: both name "the bootstrap file") or
// the inference is wrong. Hence these are configuration values: callers take
// a ProvScOids (e.g. from a card profile) and never compare against literals.
struct ProvScOids {
  std::string bootstrap = "2.23.43.7.1";  // UNCERTAIN
  std::string config1 = "2.23.43.7.2";    // UNCERTAIN
  std::string config2 = "2.23.43.7.3";    // UNCERTAIN
};

inline constexpr char kRuleDir[] =
    "ETSI TS 102 221 §13.1, ISO/IEC 7816-4 §8.2.1.1";
inline constexpr char kRuleOdf[] = "PKCS#15 v1.1 ASN.1: PKCS15Objects (EF.ODF)";
inline constexpr char kRuleDodf[] = "PKCS#15 v1.1 ASN.1: DataType (EF.DODF)";
inline constexpr char kRulePath[] = "PKCS#15 v1.1 ASN.1: Path";
inline constexpr char kRuleCommon[] =
    "PKCS#15 v1.1 ASN.1: CommonObjectAttributes";

struct Pkcs15Options {
  BerTlvOptions ber;  // padding tolerance (default on), strict DER, depth cap
  // PKCS#15 requires index and length to be both present or both absent;
  // real cards sometimes carry only one. Off = accept either.
  bool strict_path = false;
};

// ---------------------------------------------------------------------------
// Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL,
//                     length [0] INTEGER OPTIONAL }
//
// The octets are concatenated 2-byte FIDs (ISO/IEC 7816-4 §7.1.2, DM_Bootstrap
// terms): starting with 3F00 = absolute from the MF; starting with 3FFF =
// relative to the current DF; any other leading FID = relative to the current
// DF, which for a PKCS#15 file is the PKCS#15 application DF (OpenSC prefixes
// the app path to a 2-byte path; uicc.md §4). index/length select a byte
// range of a transparent EF (or a record number, for record EFs).
struct Path {
  Bytes path;
  std::optional<std::int64_t> index;
  std::optional<std::int64_t> length;

  friend bool operator==(const Path&, const Path&) = default;
};

enum class PathKind { kEmpty, kAbsolute, kRelativeCurrentDf, kRelative };
PathKind ClassifyPath(ByteView path);
// "3F00 5015 5031"; odd lengths are an error naming the offset.
Result<std::vector<std::uint16_t>> SplitPathFids(ByteView path,
                                                 std::size_t offset = 0);
// Absolute path for `path` found in an application whose DF is at absolute
// `app_df` (e.g. 3F00 5015 or 3F00 7F50): absolute paths unchanged, 3FFF
// prefix replaced by app_df, other relative paths appended to app_df.
Bytes ResolvePath(ByteView app_df, ByteView path);

Result<Path> ParsePath(const Tlv& sequence, const Pkcs15Options& options = {});
// Fails only beyond the 0x83 (16 MB) length limit.
Result<Bytes> EncodePath(const Path& path);
ProtoNode DescribePath(const Tlv& sequence);

// ---------------------------------------------------------------------------
// EF.DIR: application template 61 { 4F AID, [50 label], [51 path],
// [73 discretionary data] }, one per record of the linear fixed EF (TS 102
// 221) or concatenated in a transparent EF (ISO 7816-4). Unused record
// space is FF.
struct ApplicationTemplate {
  Bytes aid;                           // 4F, 1..16 octets
  std::optional<std::string> label;    // 50, raw octets (TS 102 221 Annex A)
  std::optional<Bytes> path;           // 51
  std::optional<Bytes> discretionary;  // 73 value, raw
  std::size_t offset = 0;              // of the 61 tag (0 when built)

  bool operator==(const ApplicationTemplate& o) const {
    return aid == o.aid && label == o.label && path == o.path &&
           discretionary == o.discretionary;
  }
};

// One record. Returns nullopt for an empty (all FF / 00) record.
Result<std::optional<ApplicationTemplate>> ParseDirRecord(
    ByteView record, std::size_t base_offset = 0,
    const Pkcs15Options& options = {});
// Every record of a linear fixed EF.DIR; a failing record's diagnostic names
// the record number in `path` ("EF.DIR record 2") and its offset within it.
Result<std::vector<ApplicationTemplate>> ParseDirRecords(
    std::span<const Bytes> records, const Pkcs15Options& options = {});
// A transparent EF.DIR: templates one after another, with filler.
Result<std::vector<ApplicationTemplate>> ParseDirFile(
    ByteView content, const Pkcs15Options& options = {});

// 61 L {...}; record_length > 0 pads with FF to that size (error if the
// template does not fit). AID must be 1..16 octets (ISO 7816-4 §8.2.1.2).
Result<Bytes> EncodeDirRecord(const ApplicationTemplate& app,
                              std::size_t record_length = 0);

enum class AidMatch {
  kExact,
  // SELECT by partial DF name (ISO 7816-4 §7.1.1, TS 102 221 §8.5.2): the
  // given AID is a prefix of the template's AID.
  kPrefix,
};
const ApplicationTemplate* FindApplication(
    std::span<const ApplicationTemplate> apps, ByteView aid,
    AidMatch match = AidMatch::kExact);

ProtoNode DescribeDirRecord(ByteView record, std::size_t base_offset = 0,
                            const Pkcs15Options& options = {});

// ---------------------------------------------------------------------------
// EF.ODF: PKCS15Objects ::= CHOICE { privateKeys [0] ..., dataObjects [7]
// ..., authObjects [8] ..., ... }, each wrapping PathOrObjects whose usual
// alternative is a Path (30).
enum class ObjectKind : std::uint8_t {
  kPrivateKeys = 0,
  kPublicKeys = 1,
  kTrustedPublicKeys = 2,
  kSecretKeys = 3,
  kCertificates = 4,
  kTrustedCertificates = 5,
  kUsefulCertificates = 6,
  kDataObjects = 7,
  kAuthObjects = 8,
  // Other context numbers (extensions) are carried through by number.
};
std::string ObjectKindName(ObjectKind kind);

struct OdfEntry {
  ObjectKind kind = ObjectKind::kDataObjects;
  // Set when PathOrObjects is the path alternative; otherwise `other` holds
  // the encoded alternative (objects [0], indirect-protected [1], ...).
  std::optional<Path> path;
  Bytes other;
  std::size_t offset = 0;

  bool operator==(const OdfEntry& o) const {
    return kind == o.kind && path == o.path && other == o.other;
  }
};

Result<std::vector<OdfEntry>> ParseOdf(ByteView content,
                                       const Pkcs15Options& options = {},
                                       std::size_t base_offset = 0);
Result<Bytes> EncodeOdf(std::span<const OdfEntry> entries);
// The first entry of `kind` with a path, e.g. the DODF.
const OdfEntry* FindOdfEntry(std::span<const OdfEntry> entries,
                             ObjectKind kind);
ProtoNode DescribeOdf(ByteView content, const Pkcs15Options& options = {},
                      std::size_t base_offset = 0);

// ---------------------------------------------------------------------------
// EF.DODF: DataType ::= CHOICE { opaqueDO DataObject{Opaque} (30),
// externalIDO [0] (A0), oidDO [1] (A1) }, each a PKCS15Object:
// SEQUENCE { CommonObjectAttributes, CommonDataObjectAttributes,
//            subClassAttributes [0] OPTIONAL, typeAttributes [1] }.

// CommonObjectFlags ::= BIT STRING { private(0), modifiable(1) }
inline constexpr std::uint32_t kFlagPrivate = 1u << 0;
inline constexpr std::uint32_t kFlagModifiable = 1u << 1;

struct CommonObjectAttributes {
  std::optional<std::string> label;    // UTF8String
  std::optional<std::uint32_t> flags;  // named bits
  std::optional<Bytes> auth_id;  // OCTET STRING; present ⇒ PIN-protected
  friend bool operator==(const CommonObjectAttributes&,
                         const CommonObjectAttributes&) = default;
};

struct CommonDataObjectAttributes {
  std::optional<std::string> application_name;  // UTF8String
  std::optional<std::string> application_oid;   // dotted
  friend bool operator==(const CommonDataObjectAttributes&,
                         const CommonDataObjectAttributes&) = default;
};

enum class DataObjectType { kOpaque, kExternal, kOid };

struct DataObject {
  DataObjectType type = DataObjectType::kOid;
  CommonObjectAttributes common;
  CommonDataObjectAttributes data;
  std::optional<std::string> oid;  // OidDO.id (kOid only)
  // The object value when it is ReferencedValue.path (the usual case).
  std::optional<Path> path;
  // Otherwise the encoded ObjectValue alternative (direct [0] value, URL,
  // protected forms) or, for externalIDO, its whole typeAttributes content.
  Bytes other_value;
  std::size_t offset = 0;

  bool operator==(const DataObject& o) const {
    return type == o.type && common == o.common && data == o.data &&
           oid == o.oid && path == o.path && other_value == o.other_value;
  }
};

Result<std::vector<DataObject>> ParseDodf(ByteView content,
                                          const Pkcs15Options& options = {},
                                          std::size_t base_offset = 0);
Result<Bytes> EncodeDataObject(const DataObject& object);
Result<Bytes> EncodeDodf(std::span<const DataObject> objects);

// Path of the oidDO whose OID equals `oid` (e.g. kOidDmBootstrap).
std::optional<Path> FindDataObjectByOid(std::span<const DataObject> objects,
                                        std::string_view oid);
const DataObject* FindDataObjectByLabel(std::span<const DataObject> objects,
                                        std::string_view label);
ProtoNode DescribeDodf(ByteView content, const Pkcs15Options& options = {},
                       std::size_t base_offset = 0);

// ---------------------------------------------------------------------------
// EF.TokenInfo (default 5032; OpenSC reads it before anything else, uicc.md
// §4): TokenInfo ::= SEQUENCE { version INTEGER, serialNumber OCTET STRING,
// manufacturerID UTF8String OPTIONAL, label [0] UTF8String OPTIONAL,
// tokenflags BIT STRING, ... }. Later optional fields are skipped.
inline constexpr char kRuleTokenInfo[] = "PKCS#15 v1.1 ASN.1: TokenInfo";
// TokenFlags ::= BIT STRING { readonly(0), loginRequired(1),
//                             prnGeneration(2), eidCompliant(3) }
inline constexpr std::uint32_t kTokenReadOnly = 1u << 0;
inline constexpr std::uint32_t kTokenLoginRequired = 1u << 1;

struct TokenInfo {
  std::int64_t version = 0;  // v1(0)
  Bytes serial_number;
  std::optional<std::string> manufacturer_id;
  std::optional<std::string> label;
  std::uint32_t token_flags = 0;
  friend bool operator==(const TokenInfo&, const TokenInfo&) = default;
};

Result<TokenInfo> ParseTokenInfo(ByteView content,
                                 const Pkcs15Options& options = {},
                                 std::size_t base_offset = 0);
Result<Bytes> EncodeTokenInfo(const TokenInfo& info);

}  // namespace omaiop::codec::pkcs15
