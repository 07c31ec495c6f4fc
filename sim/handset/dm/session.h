// The simulated handset's OMA DM 1.2 session engine (DM client): package 1
// (Alert 1200/1201 + DevInfo Replace), then the 3 <-> 4 loop over one
// kept-alive HTTP(S) connection, executing server commands on the Tree with
// the server's ServerID as caller (ACLs apply), Atomic with rollback,
// Sequence, UI alerts through a scripted user, multi-message packages
// (Alert 1222) in both directions, MaxMsgSize splitting, session abort
// (1223), client credentials (basic / MD5 digest, challenge and stale nonce)
// and the check of the server's credentials (SRVCRED). Package 0
// (OMA-TS-DM_Notification-V1_2 §6.2) triggers a server-initiated session.
//
// Facts: dm.md §3.1 (messages), §3.2 (flow), §3.4 (alerts), §3.5 (status
// codes), §3.7 (authentication), §3.8 (package 0). Behaviours dm.md marks
// [R] are DmClientOptions fields whose comment says so.
//
// Every decision is a DmEvent (kind + rule + detail) in trace(); every
// message exchanged is a DmMessageRecord (XML text) in messages().
//
// Large objects (dm.md §3.3) both ways: from the server (Add / Replace
// chunks with MoreData: 213, Meta Size check 424, Alert 1225 when a new
// command interrupts), and to it: a Results item that does not fit the
// server's MaxMsgSize goes in chunks, one per message, MoreData on all but
// the last, Meta Size only on the first.
// HMAC (x-syncml-hmac, dm.md §3.7) is used once the server asks for it
// (Chal syncml:auth-MAC) or the account says HMAC; a server's x-syncml-hmac
// is checked when SRVCRED is HMAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/dm_auth.h"
#include "codec/dm_notification.h"
#include "codec/result.h"
#include "codec/syncml.h"
#include "sim/handset/dm/tree.h"
#include "sim/network/http_client.h"

namespace omaiop::sim::handset::dm {

// --- decision trace
// ----------------------------------------------------------- Stable names
// (DmEventKindName) are part of the harness contract: append new kinds, never
// rename.
enum class DmEventKind {
  kSessionStarted,        // package 1 built (trigger, session id)
  kSessionEnded,          // server closed the session (Final, no commands)
  kSessionAborted,        // Alert 1223 received or sent
  kMessageSent,           // one message POSTed
  kMessageReceived,       // one message parsed
  kTransportError,        // HTTP failure / non-200 / undecodable body
  kProtocolError,         // message breaks a DM rule (detail names it)
  kHeaderMismatch,        // SessionID / Target / VerProto not as expected
  kClientAuthChallenged,  // 401/407 + Chal on our SyncHdr: resend
  kClientAuthAccepted,    // 212 (or 200) on our SyncHdr
  kClientAuthFailed,      // challenges exhausted / 401 without Chal
  kNonceUpdated,          // NextNonce stored (client or server nonce)
  kServerAuthVerified,    // server Cred checked against SRVCRED
  kServerAuthFailed,      // server Cred missing / wrong: commands refused
  kCommandExecuted,       // a command succeeded on the tree
  kCommandFailed,         // a command failed (code + tree reason)
  kAtomicRolledBack,      // Atomic child failed: tree restored
  kSequenceStopped,       // Sequence child failed: rest not executed
  kUserAlert,             // UI alert shown to the scripted user + answer
  kNextMessage,           // Alert 1222 sent or received
  kMessageSplit,          // outgoing package split over messages (MaxMsgSize)
  kPackage0Accepted,      // notification digest verified
  kPackage0Rejected,      // notification unusable / digest wrong / refused
  kUnsupported,           // unknown command / auth type
  kChunkBuffered,         // large object chunk stored (213)
  kChunkAssembled,        // last chunk: object complete, command executed
  kChunkAbandoned,        // object interrupted (1225) or size mismatch (424)
  kChunkSent,             // one chunk of a large Results sent (MoreData)
  // Appended for FUMO (sim/handset/dm/fumo.h); the client-side ones first.
  kGenericAlertSent,    // client Generic Alert 1226 put into a message
  kGenericAlertStatus,  // the server's Status for a Generic Alert we sent
  kFumoExec,            // FUMO Exec accepted (202) or refused at once
  kFumoStateChanged,    // FUMO <x>/State moved (old -> new, why)
  kFumoAuthorised,      // package SHA-256 found on the card (or policy off)
  kFumoRefused,         // package refused (no match / card unavailable)
  kFumoDownload,        // PkgURL fetched (or the fetch failed)
  kFumoResult,          // operation ended: ResultCode queued for 1226
  kFumoCardRead,        // EF.FUMO-Auth read (records, free ones) or failed
  // Smart Card MOs (card_mo.h); the detail starts with the scmo_* name.
  kCardMoMounted,   // card MO files read into the tree / unmounted / locked
  kCardMoWritten,   // a tree change written to a card file (read back)
  kCardMoDenied,    // card refused (425), file full (420), card absent
  kCardMoSynced,    // resync: card -> tree, tree -> card, or unchanged
  kCardMoConflict,  // both sides changed: the conflict rule's decision
};
std::string_view DmEventKindName(DmEventKind kind);

struct DmEvent {
  DmEventKind kind;
  std::string rule;              // spec citation, e.g. "dm.md §3.7: ..."
  std::string detail;            // specifics (codes, URIs, ids)
  std::string ToString() const;  // "kind: detail [rule]"
};

class DmTrace {
 public:
  void Add(DmEventKind kind, std::string rule, std::string detail = {});
  const std::vector<DmEvent>& events() const { return events_; }
  std::size_t Count(DmEventKind kind) const;
  std::vector<DmEvent> Find(DmEventKind kind) const;
  void Clear() { events_.clear(); }
  std::string ToString() const;  // one event per line

 private:
  std::vector<DmEvent> events_;
};

// One message as exchanged, for the harness.
struct DmMessageRecord {
  bool sent = true;          // client -> server
  std::string content_type;  // HTTP Content-Type
  std::size_t wire_size = 0;
  std::string xml;      // the message as XML text (WBXML decoded)
  int http_status = 0;  // received messages
};

// --- account -----------------------------------------------------------------
// kHmac: no Cred; every request carries x-syncml-hmac (dm.md §3.7).
enum class DmAuthScheme { kNone, kBasic, kMd5, kHmac };

// What the session needs of a DMAcc account (dm.md §3.6 AppAuth CLCRED /
// SRVCRED). Nonces are raw octets (AAuthData); the client updates them from
// NextNonce and account() shows the current values.
struct DmAccount {
  std::string server_id;                          // DMAcc ServerID
  std::string server_url;                         // AppAddr Addr: where to POST
  DmAuthScheme client_auth = DmAuthScheme::kMd5;  // CLCRED AAuthType
  std::string client_name, client_secret;
  codec::Bytes client_nonce;
  // SRVCRED: checked on server messages when check_server_cred.
  bool check_server_cred = false;
  DmAuthScheme server_auth = DmAuthScheme::kMd5;
  std::string server_name, server_secret;
  codec::Bytes server_nonce;
};

// Reads ./DMAcc/<x> (DM 1.2 structure: AppAddr/<x>/Addr, AppAuth/<x>/
// AAuthLevel/Type/Name/Secret/Data) as the device. AAuthType BASIC or
// HTTP-BASIC -> kBasic, DIGEST / HTTP-DIGEST -> kMd5; an SRVCRED entry turns
// check_server_cred on. AAuthData is taken as the raw nonce octets.
codec::Result<DmAccount> AccountFromTree(const Tree& tree,
                                         std::string_view dmacc_uri);

// --- scripted user
// -------------------------------------------------------------
struct UiRequest {
  int alert_code = 0;   // 1100..1104, or 0 for a package 0 user prompt
  std::string options;  // first Item Data, e.g. "MINDT=10&MAXDT=30"
  std::vector<std::string> texts;  // following Items' Data (prompt, choices)
};
struct UiAnswer {
  enum class Kind { kAccept, kReject, kCancel, kTimeout };
  Kind kind = Kind::kAccept;
  // 1102: the text entered; 1103/1104: selected choice numbers ("1", "3").
  std::vector<std::string> data;
};
using UserInterface = std::function<UiAnswer(const UiRequest&)>;

// --- options -----------------------------------------------------------------
// Client-originated Generic Alerts (1226; FUMO reports, dm.md §4). The
// session asks its source at two points and sends what it gets in that
// message; an alert handed over is not asked for again.
enum class AlertPoint {
  kPackage1,            // built into package 1 (next to Alert 1200/1201)
  kAfterServerPackage,  // after the commands of a server message with Final
};
using GenericAlertSource =
    std::function<std::vector<codec::GenericAlert>(AlertPoint)>;

struct DmClientOptions {
  bool wbxml = false;  // application/vnd.syncml.dm+wbxml, else +xml
  // MaxMsgSize advertised in our SyncHdr Meta ("" = none).
  std::string max_msg_size = "16384";
  std::string max_obj_size;  // "" = none; also the LO limit (416 above)
  network::HttpClientOptions http;
  UserInterface ui;  // unset: every alert accepted (1100 shown, 1101 yes)
  // Client credential challenges accepted in a row before giving up: the
  // first challenge plus one stale-nonce retry (dm.md §3.7 "one more
  // challenge with a new nonce MUST be allowed").
  int max_client_auth_retries = 2;
  // Server messages with missing/wrong Cred answered 401/407 + Chal before
  // the client aborts the session (1223).
  int max_server_auth_failures = 2;
  int max_messages = 64;  // loop guard (messages sent)
  codec::NonceForm nonce_form = codec::NonceForm::kRawBytes;  // dm.md §3.7
  // Status for an accepted 1101 and for a rejected one: 200 / 304 [R: DM
  // 1.2 Protocol §10.x as remembered; not in dm.md].
  int confirm_reject_code = 304;
  // A Sequence stops at its first failing command and answers 215 for the
  // rest [R: RepPro; not in dm.md]. Off = every child executed.
  bool sequence_stop_on_failure = true;
  // Package 0 digest: also try libdmclient's default nonce "0x00000000"
  // (dm.md §3.8, [R]).
  bool pkg0_try_default_nonce = false;
  // A SyncHdr Target LocURI that is not our DevId is a protocol error that
  // ends the session (true) or only a trace event (false).
  bool strict_target = false;
  // Tree URI of the account (./DMAcc/<x>): at the end of a session the
  // current client/server nonces are written to its CLCRED/SRVCRED
  // AAuthData (dm.md §3.7: the nonce is kept for the next session).
  // "" = not written back.
  std::string account_uri;
  // Generic Alerts to send (unset = none).
  GenericAlertSource generic_alerts;
  // Source of the nonces sent in a Chal to the server; empty = codec::
  // FreshNonce (OpenSSL CSPRNG). Set only for reproducible simulations.
  std::function<codec::Bytes()> nonce_source;
};

// --- the session
// -----------------------------------------------------------------
struct SessionTrigger {
  enum class Kind { kClientInitiated, kServerInitiated };
  Kind kind = Kind::kClientInitiated;  // Alert 1201 / 1200
  std::string session_id;  // "" = client picks one (client-initiated)
  static SessionTrigger Client() { return {}; }
  static SessionTrigger Server(std::string sid) {
    return {Kind::kServerInitiated, std::move(sid)};
  }
};

struct CommandRecord {  // one server command as answered
  std::string cmd;      // "Get", "Replace", "Alert", ...
  std::string uri;      // item target ("" for Alert/Atomic/Sequence)
  int code = 0;
  std::string reason;
};

struct GenericAlertRecord {  // one Generic Alert the client sent
  std::string msg_id, cmd_id;
  codec::GenericAlert alert;
  int status = 0;  // server's Status code, 0 = none received
};

struct DmSessionOutcome {
  bool completed = false;  // the server ended it normally
  bool aborted = false;    // 1223 (either side)
  bool client_authenticated = false;
  bool server_authenticated = false;  // only meaningful with SRVCRED check
  std::string session_id;
  int messages_sent = 0, messages_received = 0;
  std::vector<CommandRecord> commands;
  std::vector<GenericAlertRecord> generic_alerts;  // sent by the client
  std::optional<codec::Diagnostic> error;          // why the session failed
  bool ok() const { return completed && !error; }
};

class CardMoBinding;

class DmClient {
 public:
  DmClient(Tree& tree, DmAccount account, DmClientOptions options = {});
  ~DmClient();  // detaches from the card MO binding's event sink
  DmClient(const DmClient&) = delete;
  DmClient& operator=(const DmClient&) = delete;

  DmSessionOutcome RunSession(const SessionTrigger& trigger);
  // Package 0 (dm.md §3.8): parse, check the server-identifier is the
  // account's ServerID, verify the digest H(B64(H(ServerID:secret)):nonce:
  // B64(H(trigger))) with the SRVCRED secret and nonce, ask the user when
  // ui-mode is user-interaction, then RunSession(Server(SessionIdForSyncHdr(
  // id))). A refused notification returns an outcome with `error` set and
  // sends nothing.
  DmSessionOutcome OnPackage0(codec::ByteView pkg0);

  const DmTrace& trace() const { return trace_; }
  const std::vector<DmMessageRecord>& messages() const { return messages_; }
  const DmAccount& account() const { return account_; }
  void set_ui(UserInterface ui) { options_.ui = std::move(ui); }
  void set_generic_alert_source(GenericAlertSource s) {
    options_.generic_alerts = std::move(s);
  }
  // Card-resident MOs (card_mo.h, not owned): re-synchronised at every
  // session start (Resync when attached), and their events go to trace().
  void set_card_mo(CardMoBinding* binding);

 private:
  struct Session;
  Tree& tree_;
  DmAccount account_;
  DmClientOptions options_;
  DmTrace trace_;
  std::vector<DmMessageRecord> messages_;
  int next_session_ = 1;
  CardMoBinding* card_mo_ = nullptr;
  int card_mo_sink_ = 0;
};

}  // namespace omaiop::sim::handset::dm
