// ProvSC (WAP-186-PROVSC / OMA-WAP-TS-ProvSC-V1_1, cp.md §3) and the OMA DM
// smart-card bootstrap (dm.md §1.3): the handset finds the provisioning
// documents through PKCS#15 and reads them from the card:
//   EF.DIR (PKCS#15 AID) → application DF → EF.ODF (5031) → dataObjects [7]
//   → EF.DODF → data object by OID (oidDO id, or opaqueDO applicationOID)
//   and/or label → Path → READ BINARY in chunks.
// The result is the raw WBXML plus where it came from, for the CP client
// (origin "card:<ICCID>") and the DM client. Config2 can be written back
// (UPDATE BINARY after VERIFY PIN1, then read back and compared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/pkcs15.h"
#include "codec/result.h"
#include "sim/handset/card/card_session.h"

namespace omaiop::sim::handset::card {

enum class CardDocumentKind : std::uint8_t {
  kBootstrap,    // ProvSC Bootstrap (issuer, ME read-only)
  kConfig1,      // ProvSC Config1 (operator, ME read-only)
  kConfig2,      // ProvSC Config2 (ME read/update after PIN1)
  kDmBootstrap,  // EF(DM_Bootstrap), dm.md §1.3
};
std::string_view CardDocumentKindName(CardDocumentKind kind);

// How one document is looked up in the DODF.
struct DocumentSelector {
  std::string oid;    // "" = by label only
  std::string label;  // "" = by OID only
  // WBXML public ids the document may carry; used to tell apart objects
  // that share an OID (the inferred ProvSC Bootstrap OID equals the DM
  // bootstrap OID). Empty = no check.
  std::vector<std::uint32_t> public_ids;
};

struct ProvScOptions {
  // UNCERTAIN (cp.md §3): the ProvSC OIDs 2.23.43.7.1/.2/.3 are inferred by
  // analogy with the DM bootstrap OID, not read from the ProvSC spec; they
  // are options for that reason. The labels are the ones our card profiles
  // (fixtures/uicc/*.xml) use — omaiop's choice, not a spec value — and
  // serve as a tie-break and as a fallback when no object carries the OID.
  DocumentSelector bootstrap{"2.23.43.7.1", "ProvSC Bootstrap", {0x0B}};
  DocumentSelector config1{"2.23.43.7.2", "ProvSC Config1", {0x0B}};
  DocumentSelector config2{"2.23.43.7.3", "ProvSC Config2", {0x0B}};
  // dm.md §1.3: OID 2.23.43.7.1 → EF(DM_Bootstrap) [V-code only]. SyncML
  // 1.2 (0x1201) and 1.1 (0x0FD3) public ids.
  DocumentSelector dm_bootstrap{
      codec::pkcs15::kOidDmBootstrap, "DM Bootstrap", {0x1201, 0x0FD3}};
  // Accept an opaqueDO whose CommonDataObjectAttributes.applicationOID is
  // the OID (what OpenSC reads, uicc.md §4) besides oidDO entries.
  bool match_application_oid = true;
  // Look the label up when no object carries the OID.
  bool fallback_to_label = true;
  // AIDs that name the provisioning application in EF.DIR, in order.
  // UNCERTAIN (uicc.md §4, from memory): the WIM AID A000000063 "WAP-WIM"
  // may be added here.
  std::vector<codec::Bytes> aids{codec::Bytes(codec::pkcs15::kPkcs15Aid.begin(),
                                              codec::pkcs15::kPkcs15Aid.end())};
  // Where to look when EF.DIR names no PKCS#15 application: PKCS#15 default
  // DF 3F00 5015 (OpenSC) and DF.PKCS-15 7F50 on a 2G SIM (dm.md §1.3).
  std::vector<codec::Bytes> fallback_df_paths{{0x3F, 0x00, 0x50, 0x15},
                                              {0x3F, 0x00, 0x7F, 0x50}};
  std::uint16_t odf_fid = codec::pkcs15::kFidOdf;
  // Unused EF tail after the WBXML END: 0xFF (cp.md §3, MEMORY). Stripped
  // from `CardDocument::bytes` when set.
  bool strip_padding = true;
  std::uint8_t padding_byte = 0xFF;
  // WriteConfig2 fills the rest of the EF with padding_byte, so that no
  // stale tail of a longer previous document follows the new one.
  bool pad_on_write = true;
  codec::pkcs15::Pkcs15Options pkcs15;
};

// One data object of the DODF, with the file it was listed in.
struct DodfEntry {
  codec::pkcs15::DataObject object;
  codec::Bytes dodf_path;  // absolute path (or AID-relative) of the DODF
};

struct CardDocument {
  CardDocumentKind kind = CardDocumentKind::kBootstrap;
  codec::Bytes bytes;  // the WBXML (padding stripped if so configured)
  // Where it came from.
  codec::Bytes path;     // absolute path of the EF (3F00 ...), or
  codec::Bytes app_aid;  // the application AID, when `path` is relative
  std::string oid;       // OID that matched ("" if found by label)
  std::string label;     // object label ("" if none)
  bool found_by_label = false;
  bool is_private = false;  // DODF authId present (PIN-protected)
  std::size_t offset = 0;   // Path.index (0 if absent)
  std::size_t ef_size = 0;  // size of the EF (or Path.length range)
  std::size_t padding = 0;  // bytes stripped
  std::optional<std::uint32_t> public_id;  // from the WBXML header
  std::string origin;                      // "card:<ICCID>"
};

struct ProvScDocuments {
  std::string iccid;
  std::optional<CardDocument> bootstrap, config1, config2, dm_bootstrap;
};

// One ProvScReader per open CardSession: the located application and DODF
// entries are cached and not re-read (a new card needs a new session).
class ProvScReader {
 public:
  // `session` must be open (CardSession::Open).
  explicit ProvScReader(CardSession& session, ProvScOptions options = {});

  // EF.DIR → PKCS#15 application → ODF → DODF(s). Idempotent.
  codec::Status Locate();
  // After Locate(): the application's absolute DF path ("" if reached by
  // AID only), its AID, and all DODF entries.
  const codec::Bytes& app_path() const { return app_path_; }
  const codec::Bytes& app_aid() const { return app_aid_; }
  const std::vector<DodfEntry>& objects() const { return objects_; }

  // nullopt: the card has no such object (not an error: a card may carry
  // only some of the documents). Errors: card/PKCS#15/path problems.
  codec::Result<std::optional<CardDocument>> Read(CardDocumentKind kind);
  // All four; any error aborts.
  codec::Result<ProvScDocuments> ReadAll();

  // VERIFY PIN1 with `pin`, UPDATE BINARY `wbxml` into the Config2 EF in
  // chunks (padding the rest of the EF if pad_on_write), then READ BINARY it
  // back and compare. Wrong PIN ⇒ error with the tries left.
  codec::Status WriteConfig2(codec::ByteView wbxml, std::string_view pin);

  const DocumentSelector& selector(CardDocumentKind kind) const;

 private:
  struct Target {
    const DodfEntry* entry = nullptr;
    std::string matched_oid;
    bool by_label = false;
  };
  struct Located {
    FileInfo ef;
    std::size_t offset = 0;
    std::size_t length = 0;
  };

  codec::Result<FileInfo> SelectInApp(codec::ByteView pkcs15_path,
                                      std::string_view name);
  codec::Result<codec::Bytes> ReadWholeEf(codec::ByteView pkcs15_path,
                                          std::string_view name);
  codec::Result<std::vector<Target>> Candidates(CardDocumentKind kind);
  codec::Result<Located> Resolve(const Target& t, std::string_view name);
  codec::Result<CardDocument> Fetch(CardDocumentKind kind, const Target& t);
  codec::Bytes Absolute(codec::ByteView pkcs15_path) const;

  CardSession& session_;
  ProvScOptions options_;
  bool located_ = false;
  codec::Bytes app_path_;
  codec::Bytes app_aid_;
  std::vector<DodfEntry> objects_;
};

// The WBXML public id of `wbxml` (WBXML 1.3 §5.5: version, mb_u_int32
// publicid); nullopt if it is given as a string-table index (0) or the
// header is truncated.
std::optional<std::uint32_t> WbxmlPublicId(codec::ByteView wbxml);

}  // namespace omaiop::sim::handset::card
