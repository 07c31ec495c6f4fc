// The simulated handset: a CP client (sim/handset/cp) wired to a smart card
// behind any reader::CardReader (in-process virtual UICC or PC/SC).
//
// Card life cycle (ProvSC, cp.md §3, MEMORY): at power-on and at card
// insertion the handset opens a CardSession, reads the ICCID and the IMSI
// (PIN1 from the options or asked of the user), reads the ProvSC documents
// through PKCS#15 and applies Bootstrap, Config1 and Config2, in that order,
// as smart-card documents (origin "card:<ICCID>"). Card removal or change
// removes everything that came from that card (CpClient::RemoveOrigin).
//
// DM (dm.md §1.2, DM_Bootstrap §3.1.4.6): the handset owns a DM tree with
// the standard objects (dm_tree()). At power-on / insertion EF DM_Bootstrap
// (PKCS#15 DODF OID 2.23.43.7.1, dm.md §1.3) is read and applied silently as
// a DM bootstrap message (no response) with origin "card:<ICCID>"; the
// accounts of that origin the card no longer holds are deleted; card removal
// or change deletes every node of the card's origin. A policy switch
// (card_dm_bootstrap) disables the card bootstrap; a card rejected by the
// SIM lock (sim_lock_plmns) is not read at all.
//
// Smart Card MOs (dm/card_mo.h, our design: DM_SC seed features, dm.md
// §1.4): when the card has DF.DM-SC (7F66) and options.scmo.enabled, its MO
// files are mounted under options.scmo.mount_uri (./SCMO) at every load
// (after the DM bootstrap) and server writes below it go to the card;
// power-off/session close detaches (per scmo.absent), card removal/change/
// rejection unmounts. The binding's decisions are HandsetEvents named
// scmo_* (CardMoEvent names).
//
// NETWPIN / USERNETWPIN pushes take their key from the card's IMSI (cp.md
// §2.1): the CP client's IMSI provider is this handset's card.
//
// Every card step is a HandsetEvent (kind names below are a contract: add,
// never rename); the CP decisions themselves stay in cp().trace().
//   power_on, power_off, card_absent, card_opened, card_error, pin1_requested,
//   pin1_verified, pin1_rejected, imsi_read, imsi_unavailable, document_read,
//   document_absent, document_applied, document_rejected, dm_bootstrap_kept,
//   card_removed, card_inserted, card_changed, config2_written,
//   config2_write_failed, fetch, fetch_failed, fetch_applied, fetch_rejected,
//   dm_bootstrap_applied, dm_bootstrap_failed, dm_bootstrap_disabled,
//   dm_accounts_removed, card_rejected, dm_notification, dm_session,
//   dm_w7_account_added, dm_w7_account_skipped, dm_bootstrap_push_applied,
//   scmo_not_on_card, scmo_* (card_mo.h)
//
// Trusted HTTP (CP 1.2, cp.md §2.4 "or when fetched from PROVURL"):
// FetchFromProvUrl GETs a context's PROVURL over HTTPS (OpenSSL, certificate
// and host name verified against the caller's trust anchors) and hands the
// body to CpClient::ApplyDocument as a DocumentSource::HttpFetch; a failed
// verification is handed over too, so that the CP client records the
// fetch_rejected decision with OpenSSL's reason.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/card/provsc.h"
#include "sim/handset/cp/cp_client.h"
#include "sim/handset/dm/card_mo.h"
#include "sim/handset/dm/dm_bootstrap.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/dm/tree.h"
#include "sim/network/http_client.h"
#include "sim/reader/card_reader.h"

namespace omaiop::sim::handset {

struct HandsetOptions {
  cp::CpClientOptions cp;
  // Session options; `card.pin1` set = PIN1 known to the handset (never
  // asked of the user). Unset = asked of the user (SetUserAgent) when the
  // card demands it.
  card::CardSessionOptions card;
  card::ProvScOptions provsc;
  // PIN1 entries asked of the user per card session. Never more than the
  // card's tries left minus one, so the handset cannot block PIN1 on its
  // own (the last try is the user's decision, outside the simulator).
  int max_pin1_attempts = 3;
  // Apply the Config2 document at power-on / insertion (cp.md §3 lists it
  // among the documents the ME reads).
  bool apply_config2 = true;
  // Trusted HTTP fetch (FetchFromProvUrl). Timeouts and limits; `tls` is
  // replaced by the TlsClientConfig given to each fetch.
  network::HttpClientOptions http;
  // A plain http:// PROVURL: cp.md does not say whether a document fetched
  // without TLS is trusted (UNCERTAIN). false (default): not fetched, the
  // CP client records fetch_rejected ("no TLS"); true: fetched and treated
  // as if the channel were verified.
  bool trust_plain_http_provurl = false;
  // Refuse a fetched body whose Content-Type is not a CP type
  // (application/vnd.wap.connectivity-wbxml, text/vnd.wap.connectivity-xml;
  // cp.md §0). false: any type is handed to the CP client.
  bool require_cp_content_type = true;

  // The DM tree's standard objects (DevInfo, DevDetail, DMAcc, Inbox, FUMO).
  dm::DeviceConfig dm_device;
  // DM_Bootstrap §3.1.4.6 (dm.md §1.2): the device "MAY have a configurable
  // policy disabling card bootstrap". false = EF DM_Bootstrap is not read.
  bool card_dm_bootstrap = true;
  // How the card's DM bootstrap is applied (origin is set by the handset).
  dm::BootstrapOptions dm_bootstrap;
  // SIM lock (dm.md §1.2: the card bootstrap is read only "if the card is
  // not rejected (e.g. SIM-lock)"). Non-empty: a card whose IMSI does not
  // start with one of these MCC+MNC prefixes (or whose IMSI cannot be read)
  // is rejected: nothing on it is read or applied (card_rejected event).
  std::vector<std::string> sim_lock_plmns;
  // Smart Card MOs: mounted when enabled and the card has the DF holding
  // the first MO file (DF.DM-SC 7F66 by default).
  dm::CardMoOptions scmo;
  // CP profile of the DM bootstrap (dm.md §2.1): a w7 APPLICATION the CP
  // client stored (card or OTA) becomes ./DMAcc/<x> (dm::AddW7Account) with
  // the document's origin. A ServerID that already has a DMAcc (e.g. from
  // the card's DM-profile bootstrap) is not added twice: precedence between
  // profiles is not in dm.md (§2.4), so the account already there wins.
  bool cp_w7_to_dmacc = true;
  // A DM-profile bootstrap pushed OTA (WSP application/vnd.syncml.dm+wbxml
  // with SEC/MAC, dm.md §2.2) is applied to the DM tree with origin "ota".
  bool accept_dm_bootstrap_push = true;
};

struct HandsetEvent {
  std::string kind;    // see the list at the top
  std::string rule;    // spec citation, "" when none applies
  std::string detail;  // specifics (ICCID, file, error text)
};

// What a card poll saw.
enum class CardChange { kNone, kRemoved, kInserted, kChanged };
std::string_view CardChangeName(CardChange c);  // "none", "removed", ...

// One ProvSC document as read and applied at the last card load.
struct CardDocumentState {
  card::CardDocument document;
  std::optional<cp::PushOutcome> outcome;  // unset for the DM bootstrap
};

class Handset {
 public:
  explicit Handset(reader::CardReader& reader, HandsetOptions options = {});
  ~Handset();
  Handset(const Handset&) = delete;
  Handset& operator=(const Handset&) = delete;

  // The person holding the handset (not owned): PINs for USERPIN-family
  // pushes and, when options.card.pin1 is unset, the card's PIN1 (asked
  // with a PinRequest whose sender is "PIN1 card:<ICCID>").
  void SetUserAgent(cp::UserAgent* user);

  // Powers on: reconciles the card (as OnCardInserted, or as
  // OnCardRemoved when the slot is empty). An absent card is not an error
  // (card_absent event); a card that cannot be read is (card_error event).
  codec::Status PowerOn();
  // Closes the card session. Settings stay in the phone's memory; the next
  // PowerOn re-reads the card and replaces (or removes) its settings.
  void PowerOff();
  bool powered() const { return powered_; }

  // The card was taken out: its settings and contexts are removed.
  void OnCardRemoved();
  // A card is in the slot: opened and loaded. A different ICCID than the
  // card loaded before = card change: the old card's settings are removed
  // first. The same card: its settings are replaced by what it holds now.
  codec::Status OnCardInserted();
  // Waits up to `timeout` for a slot change (CardReader::WaitForChange) and
  // acts on it. A present card that was loaded is checked by re-reading its
  // ICCID: a failing session (the card was swapped or reset) or another
  // ICCID is reported as kChanged.
  codec::Result<CardChange> PollCard(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // ProvSC Config2 write-back (cp.md §3: ME read/update after PIN1): `doc`
  // is a wap-provisioningdoc as XML text or WBXML (first octet 0x01..0x03);
  // XML is encoded with the PROV 1.1 tables. Written through
  // ProvScReader::WriteConfig2 (VERIFY PIN1, UPDATE BINARY, read back), then
  // the card is re-loaded; returns the Config2 outcome of that load.
  codec::Result<cp::PushOutcome> WriteConfig2(codec::ByteView doc,
                                              std::string_view pin);

  // Fetches the document at a context's PROVURL (`context_or_url`: a
  // context id "ctx:<n>", or the URL itself) and applies it through the CP
  // client (DocumentSource::HttpFetch with the TLS verdict). A TLS failure
  // (untrusted, self-signed, expired, wrong host) is not an error here: the
  // outcome is rejected with a fetch_rejected event naming OpenSSL's reason.
  // Errors: unknown context, transport failures other than TLS (refused,
  // timeout), an HTTP status other than 200, a non-CP Content-Type (see
  // require_cp_content_type).
  codec::Result<cp::PushOutcome> FetchFromProvUrl(
      std::string_view context_or_url, const network::TlsClientConfig& tls);

  // An SMS TP-User-Data segment arriving for this handset.
  std::optional<cp::PushOutcome> OnSmsSegment(codec::ByteView tp_user_data,
                                              const cp::SmsMeta& meta);

  // The card's IMSI (read once per card session; PIN1 if needed). Errors:
  // no card, PIN1 unavailable, unreadable EF.
  codec::Result<std::string> Imsi();

  cp::CpClient& cp() { return client_; }
  const cp::CpClient& cp() const { return client_; }
  // The card session (null while no card is open).
  card::CardSession* session() { return session_.get(); }
  // ICCID of the card whose settings are loaded ("" = none).
  const std::string& loaded_iccid() const { return loaded_iccid_; }
  // "card:<ICCID>" of the loaded card ("" = none).
  std::string card_origin() const;
  // Documents of the last card load, in the order applied.
  const std::vector<CardDocumentState>& card_documents() const {
    return documents_;
  }
  // The DM smart-card bootstrap (dm.md §1.3) of the loaded card, for the
  // DM client; not applied by the CP client.
  const std::optional<card::CardDocument>& dm_bootstrap() const {
    return dm_bootstrap_;
  }
  // The handset's DM tree (standard objects + what bootstraps added).
  dm::Tree& dm_tree() { return dm_tree_; }
  const dm::Tree& dm_tree() const { return dm_tree_; }
  // DMAcc instance URIs (dm::FindDmAccounts) and those of the loaded card.
  std::vector<std::string> dm_accounts() const;
  std::vector<std::string> card_dm_accounts() const;
  // DM package 0 pushed by SMS (dm.md §3.2 row 0): the CP client hands a
  // WSP push of application/vnd.syncml.notification to the handset, which
  // keeps it (dm_notification event) until taken here.
  std::vector<codec::Bytes> TakeDmNotifications();
  // A client-initiated DM session (Alert 1201) with the account at
  // `account_uri` (./DMAcc/<x>), posting to `server_url` when given instead
  // of its AppAddr; the nonces are written back to the account.
  codec::Result<dm::DmSessionOutcome> RunDmSession(std::string_view account_uri,
                                                   dm::DmClientOptions options,
                                                   std::string server_url = {});
  // The session package 0 asks for (dm.md §3.8): the account whose ServerID
  // is the notification's server identifier (an error if none), its digest
  // checked with that account's SRVCRED by DmClient::OnPackage0.
  codec::Result<dm::DmSessionOutcome> RunDmSessionForPackage0(
      codec::ByteView pkg0, dm::DmClientOptions options,
      std::string server_url = {});
  // The last card DM bootstrap report (unset: none applied since load).
  const std::optional<dm::BootstrapReport>& dm_bootstrap_report() const {
    return dm_report_;
  }
  // The card-resident MO binding (null until a card with DF.DM-SC was
  // loaded with options.scmo.enabled). RunDmSession* hand it to their
  // DmClient (set_card_mo): resync at session start, card_mo_* trace.
  dm::CardMoBinding* card_mo() { return card_mo_.get(); }
  const std::vector<HandsetEvent>& events() const { return events_; }
  std::size_t CountEvents(std::string_view kind) const;
  const HandsetOptions& options() const { return options_; }

  // {"powered", "card": {...} | null, "documents": [...], "events": [...],
  //  "cp": CpClient::StateJson(), "dm": {"accounts", "card_accounts",
  //  "tree" (secrets redacted)}}
  nlohmann::json StateJson() const;

 private:
  void Event(std::string kind, std::string rule, std::string detail);
  codec::Status Load();
  // keep_dm: the same card is being re-read; its DM accounts are
  // reconciled by ApplyCardDmBootstrap instead of being deleted.
  void Unload(std::string_view why, bool keep_dm = false);
  void ApplyCardDmBootstrap(const card::CardDocument& d);
  bool SimLockRejects(const codec::Result<std::string>& imsi);
  // cp_w7_to_dmacc: maps the store's w7 accounts not yet in the tree.
  void SyncW7Accounts();
  void CloseSession();
  void AttachCardMo();
  // Runs `op`; when it fails for want of PIN1, asks the user and retries.
  template <typename Op>
  auto WithPin1(Op op) -> decltype(op());
  bool AskPin1(const std::string& why);

  reader::CardReader& reader_;
  HandsetOptions options_;
  cp::CpClient client_;
  cp::UserAgent* user_ = nullptr;
  std::unique_ptr<card::CardSession> session_;
  bool powered_ = false;
  int pin1_asked_ = 0;
  // PIN1 for new sessions: options.card.pin1, or the one the user entered
  // (or WriteConfig2 was given) since power-on.
  std::optional<std::string> pin1_;
  std::optional<std::string> imsi_;
  std::string loaded_iccid_;
  std::vector<CardDocumentState> documents_;
  std::optional<card::CardDocument> dm_bootstrap_;
  std::vector<HandsetEvent> events_;
  dm::Tree dm_tree_;
  std::optional<dm::BootstrapReport> dm_report_;
  std::vector<codec::Bytes> dm_notifications_;
  std::unique_ptr<dm::CardMoBinding> card_mo_;
};

}  // namespace omaiop::sim::handset
