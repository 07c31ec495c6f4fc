// Card profiles: an XML description of a whole card (files, contents, access
// conditions, PINs, ATR, identity) validated against fixtures/uicc/
// profile.xsd and turned into a FileSystem + PinStore from which a Card is
// made. The PKCS#15 application used for OMA CP ProvSC and DM smart-card
// bootstrap is *described* (label, FIDs, data objects with OID and target
// path) and EF.ODF, EF.TokenInfo, EF.DODF and EF.DIR are generated with the
// codec/pkcs15 encoders, so that OIDs stay per-profile configuration
// (cp.md §3: the ProvSC OIDs are UNCERTAIN).
//
// Element and attribute reference: fixtures/uicc/profile.xsd. Every error
// names the profile file, the line and the XML path of the element.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/pkcs15.h"
#include "codec/result.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/pin.h"

namespace omaiop::sim::uicc {

// How an EF's content was given; the dump decodes it accordingly.
enum class ContentKind : std::uint8_t {
  kNone,  // FF (size only)
  kHex,
  kText,       // UTF-8 text
  kImsi,       // EF.IMSI coding (TS 31.102 §4.2.2)
  kIccid,      // EF.ICCID coding (TS 102 221 §13.2)
  kCpWbxml,    // fixture wap-provisioningdoc, PROV WBXML
  kDmWbxml,    // fixture SyncML DM message, WBXML
  kTndsWbxml,  // fixture DM DDF/TNDS MgmtTree, WBXML
  kEfDir,      // generated
  kOdf,        // generated
  kTokenInfo,  // generated
  kDodf,       // generated
};
std::string_view ContentKindName(ContentKind kind);

struct FileContent {
  ContentKind kind = ContentKind::kNone;
  std::string source;    // fixture path / description, for the dump
  std::size_t used = 0;  // bytes before the FF padding (transparent EFs)
};

// One data object of a PKCS#15 application, as described in the profile.
struct ProfileDataObject {
  std::string label;
  std::string oid;
  std::string role;         // "provsc-bootstrap", ... or "" (see profile.xsd)
  codec::Bytes path;        // as written into the DODF
  bool is_private = false;  // authId = PIN1 in the DODF; EF read PIN1
  FileRef ef = kNoFile;
};

struct ProfilePkcs15App {
  std::string label;
  codec::Bytes aid;
  FileRef df = kNoFile;
  codec::Bytes absolute_path;  // 3F00 ... of the application DF
  FileRef odf = kNoFile, token_info = kNoFile, dodf = kNoFile;
  std::vector<ProfileDataObject> objects;
};

struct Profile {
  std::string name;
  std::string description;
  std::string source;  // file the profile was read from ("" = string)
  std::string iccid;   // digits
  std::string imsi;    // digits
  std::optional<codec::Bytes> atr;  // override; nullopt = Card::Atr()
  FileSystem fs;
  PinStore pins;
  CardOptions options;
  std::vector<ProfilePkcs15App> pkcs15;
  std::map<FileRef, FileContent> contents;
  // Things that load but deserve a look, e.g. two data objects sharing an
  // OID (the default ProvSC Bootstrap and DM bootstrap OIDs coincide).
  std::vector<codec::Diagnostic> warnings;

  codec::ByteView Atr() const;
  // A fresh card in the profile's initial state.
  Card MakeCard() const;
};

struct ProfileLoadOptions {
  // Schema to validate against; empty = the copy of fixtures/uicc/
  // profile.xsd compiled into the library.
  std::string schema_path;
  bool validate = true;
  // Default OIDs for data objects with a role and no oid attribute.
  codec::pkcs15::ProvScOids provsc_oids;
  std::string dm_bootstrap_oid = codec::pkcs15::kOidDmBootstrap;
};

codec::Result<Profile> LoadProfile(const std::string& path,
                                   const ProfileLoadOptions& options = {});
// `base_dir` resolves fixture="..." paths; `name` names the input in
// diagnostics.
codec::Result<Profile> LoadProfileFromString(
    std::string_view xml, const std::string& base_dir,
    const ProfileLoadOptions& options = {},
    const std::string& name = "profile");

// EF.IMSI (TS 31.102 §4.2.2, uicc.md §3): length byte, then parity/type
// nibble and digits, nibble-swapped, F-padded to 9 bytes. 6..15 digits.
codec::Result<codec::Bytes> EncodeImsi(std::string_view digits);
codec::Result<std::string> DecodeImsi(codec::ByteView ef);
// EF.ICCID (TS 102 221 §13.2): 10 bytes BCD, nibble-swapped, F-padded.
codec::Result<codec::Bytes> EncodeIccid(std::string_view digits);
codec::Result<std::string> DecodeIccid(codec::ByteView ef);

// The schema text compiled in (fixtures/uicc/profile.xsd at build time).
std::string_view EmbeddedProfileSchema();

}  // namespace omaiop::sim::uicc
