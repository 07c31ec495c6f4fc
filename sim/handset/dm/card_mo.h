// Smart Card MOs (DM_SC seed feature "card-resident MOs", dm.md §1.4; DM 1.2
// RD 1.4.3.2-1/-5/-6, 1.4.3.3-6/-8, dm.md §1.1): management objects stored
// on the UICC, exposed in the DM tree under a mount point (default ./SCMO).
//
// OUR DESIGN (the DM_SC TS could not be read, dm.md §1.0); every choice is
// a CardMoOptions field and docs/dm-smartcard.md explains it:
//  - Card files: transparent EFs under DF 7F66 (fixtures/uicc/uicc-3g.xml),
//    each holding one WBXML TNDS MgmtTree (DM_TND 1.2 tables) followed by
//    FF padding. EF.DM-MO-DMAcc (6F01) holds the card's DMAcc subtree,
//    EF.DM-MO-Store (6F02) the MOs a server adds (dynamic provisioning).
//  - Mapping: the top-level nodes of each EF's MgmtTree become children of
//    the mount point; a new top-level child goes to the store EF.
//  - Writes: a server Add/Replace/Delete/Copy below the mount point is
//    applied to the tree tentatively, the affected EFs are re-encoded and
//    written (UPDATE BINARY, then read back) and only then is the tree
//    change final (Tree's SubtreeBackend hook). Card refuses for want of
//    PIN1/ADM ⇒ 425, EF too small ⇒ 420, card absent ⇒ option.
//  - Reads: Get answers from the tree copy (read_through re-reads the
//    card first); an EF the card will not let us read (PIN1 not verified)
//    makes the mount point "locked": Get/writes below it ⇒ 425.
//  - Synchronisation: per EF a last-synced snapshot (SHA-256 of the card
//    bytes and of the tree's encoding) tells who changed what since; the
//    conflict rule is an option (default: the card wins).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/tree.h"

namespace omaiop::sim::handset::dm {

// One card file holding MOs.
struct CardMoFile {
  std::string name;   // "EF.DM-MO-DMAcc"
  codec::Bytes path;  // absolute path: 3F00 7F66 6F01
  // The store receives top-level MOs no other file holds (exactly one file
  // should be the store; the last one marked wins).
  bool store = false;
};
// EF.DM-MO-DMAcc (6F01) and EF.DM-MO-Store (6F02) under DF.DM-SC 7F66.
std::vector<CardMoFile> DefaultCardMoFiles();

// What happens to the mounted subtree when the card goes away (Detach).
enum class CardAbsentPolicy {
  // The subtree leaves the tree (Get ⇒ 404: the MOs are not on the device,
  // dm.md §1.2 "remove MO information that originated from the card");
  // writes below the mount point ⇒ absent_write_status.
  kUnmount,
  // The tree copy stays; writes are accepted into the tree and pending until
  // the next Attach/Resync writes them to the card (if the card did not
  // change meanwhile; else the conflict rule decides).
  kKeepPending,
};
enum class ConflictRule {
  // The card's content replaces the tree copy; the device's pending change
  // is dropped (card data protected against unauthorised modification,
  // RD 1.4.1.6-1; the issuer's OTA update is authoritative).
  kCardWins,
  // The device's pending change is written over the card's new content.
  kDeviceWins,
};

struct CardMoOptions {
  bool enabled = true;
  std::string mount_uri = "./SCMO";
  std::vector<CardMoFile> files = DefaultCardMoFiles();
  // ACL of the mount point (nodes from the card may carry their own ACL in
  // the TNDS). Our default lets any server manage the card MOs; the card's
  // PIN1/ADM conditions are the real gate (RD 1.4.3.2-5/-6).
  std::string mount_acl = "Add=*&Delete=*&Get=*&Replace=*";
  // DDF type of the mount point node (our name).
  std::string mount_type = "urn:omaiop:mo:smartcard-mo:1.0";
  CardAbsentPolicy absent = CardAbsentPolicy::kUnmount;
  // Status of a write below the mount point while no card is attached
  // (kUnmount): 500 "command failed" is in dm.md §3.5's verified list; a
  // deployment may prefer 417 "retry later" ([R] RepPro) or 503.
  int absent_write_status = status::kCommandFailed;
  ConflictRule conflict = ConflictRule::kCardWins;
  // Get below the mount point re-reads the card (Resync) before answering.
  // Off (default): Get answers from the tree copy, which Attach/Resync keep
  // current (APDUs only at power-on, session start and writes).
  bool read_through = false;
  // Origin tag of mounted nodes: prefix + ICCID. Deliberately not the DM
  // bootstrap's "card:<ICCID>" (dm_bootstrap.h): the handset deletes nodes
  // of that origin the card's bootstrap no longer mentions, which must
  // never reach card-resident MOs (that deletion would be written to the
  // card). The binding removes its own nodes (Unmount).
  std::string origin_prefix = "card-mo:";
};

// One decision, for the DM trace and the Handset's events. `name` is a
// stable kind name (contract, add never rename): scmo_mounted,
// scmo_unmounted, scmo_locked, scmo_read_denied, scmo_written,
// scmo_write_denied, scmo_write_failed, scmo_device_full, scmo_pending,
// scmo_unchanged, scmo_synced_from_card, scmo_synced_to_card,
// scmo_conflict, scmo_pending_dropped, scmo_corrupt.
struct CardMoEvent {
  DmEventKind kind;
  std::string name;
  std::string rule;
  std::string detail;
  std::string ToString() const;  // "name: detail [rule]"
};

// Decodes a card MO file: trailing FF padding stripped; all FF (or empty)
// = no MOs (nullopt); else a WBXML TNDS MgmtTree, returned as XML text.
codec::Result<std::optional<std::string>> DecodeCardMoFile(codec::ByteView ef);

class CardMoBinding : public SubtreeBackend {
 public:
  explicit CardMoBinding(Tree& tree, CardMoOptions options = {});
  ~CardMoBinding() override;
  CardMoBinding(const CardMoBinding&) = delete;
  CardMoBinding& operator=(const CardMoBinding&) = delete;

  // The card is present and its session open (`session` not owned; it
  // must outlive the attachment): reads every MO file (PIN1 per the
  // session's options) and reconciles with the tree (Resync). Fails only
  // when the card cannot be read at all (no MO file selectable); a file
  // refused for want of PIN1 leaves the mount point locked (event).
  codec::Status Attach(card::CardSession& session);
  // The card went away (power-off, session closed): per options().absent.
  void Detach();
  // The card is gone for good (removed, changed, rejected): its MOs leave
  // the tree whatever options().absent says, pending changes are dropped
  // (dm.md §1.2 "remove MO information that originated from the card").
  void Unmount(std::string_view why);
  // Re-reads the card and re-synchronises both directions (session start,
  // REFRESH): card changed ⇒ tree copy replaced; device change pending ⇒
  // written to the card; both ⇒ conflict rule.
  codec::Status Resync();
  // The MO files that changed on the card since the last sync, without
  // touching anything (file names).
  codec::Result<std::vector<std::string>> CardChangedFiles();

  bool attached() const { return session_ != nullptr; }
  bool mounted() const;
  bool locked() const;
  const std::string& iccid() const { return iccid_; }
  const CardMoOptions& options() const { return options_; }
  const std::vector<CardMoEvent>& events() const { return events_; }
  std::size_t CountEvents(std::string_view name) const;
  // Every event is also handed to each sink (DmClient routes them into its
  // trace; the Handset into its HandsetEvents). Returns an id for
  // RemoveSink.
  int AddSink(std::function<void(const CardMoEvent&)> sink);
  void RemoveSink(int id);
  // The TNDS (XML) this binding would write to file `i` for the tree now.
  codec::Result<std::string> TreeTndsFor(std::size_t i) const;

  // SubtreeBackend
  OpResult BeforeRead(const Tree& tree, const Caller& caller,
                      std::string_view uri) override;
  OpResult BeforeWrite(const Tree& tree, const SubtreeWrite& w) override;
  OpResult CommitWrite(const Tree& tree, const SubtreeWrite& w) override;
  void TreeRestored(const Tree& tree) override;

 private:
  struct FileState {
    CardMoFile file;
    std::size_t size = 0;           // EF size (from SELECT), 0 = unknown
    bool readable = false;          // read at the last sync
    bool locked = false;            // refused for want of PIN1
    bool corrupt = false;           // content not a TNDS: never overwritten
    codec::Bytes raw;               // card bytes at the last sync
    std::string card_hash;          // SHA-256 hex of raw
    codec::Bytes tree_enc;          // tree encoding at the last sync
    std::vector<std::string> tops;  // top-level names it holds
  };
  static FileState Fresh(const CardMoFile& f);
  void Emit(DmEventKind kind, std::string name, std::string rule,
            std::string detail);
  void EnsureMountNode();
  void RemoveMounted();
  std::size_t OwnerOf(const std::string& top) const;
  std::size_t StoreIndex() const;
  codec::Result<codec::Bytes> EncodeFor(std::size_t i) const;
  codec::Result<codec::Bytes> ReadFile(std::size_t i, std::size_t* size);
  // Replaces the tree nodes of file i by the TNDS in `raw`.
  codec::Status LoadFromCard(std::size_t i, const codec::Bytes& raw);
  // Writes `enc` (FF padded) to file i, reads back; fills `status` with the
  // DM status on failure.
  codec::Status WriteFile(std::size_t i, const codec::Bytes& enc, int* status);
  // Writes every file whose tree encoding changed; DM status on failure.
  OpResult Flush(std::string_view why);
  // Whether a write to w.uri lands at/below the mount point (or deletes it).
  bool Targets(const Tree& tree, const SubtreeWrite& w) const;
  // The refusal for a write while locked/absent, if any (emits the event).
  std::optional<OpResult> Refusal(const SubtreeWrite& w);
  std::string Origin() const { return options_.origin_prefix + iccid_; }

  Tree& tree_;
  CardMoOptions options_;
  card::CardSession* session_ = nullptr;
  std::string iccid_;       // card of the last sync ("" = never)
  bool mounted_ = false;    // nodes are in the tree
  bool suspended_ = false;  // our own tree edits: not written back
  std::vector<FileState> files_;
  std::vector<CardMoEvent> events_;
  std::map<int, std::function<void(const CardMoEvent&)>> sinks_;
  int next_sink_ = 1;
};

}  // namespace omaiop::sim::handset::dm
