// The simulated handset's OMA CP client intake (CP 1.2; facts in
// specs/cp.md §0, §2.1–§2.4, §3, §4): SMS segments -> WDP reassembly and port
// dispatch -> WSP push -> SEC/MAC authentication (IMSI from the card, PIN
// from the user) -> WBXML (PROV) -> Document -> Validate -> bootstrap
// context or trusted continuous provisioning -> settings store. Documents
// that do not come by push (smart card, trusted HTTP fetch from a PROVURL)
// enter at ApplyDocument().
//
// Every decision is a CpEvent naming its rule; each completed datagram (and
// each discarded segment or expired incomplete datagram) yields one
// PushOutcome whose ToJson() is the line `omaiop smsc serve --json` prints.
//
// Admission (cp.md §2.4, §3), after SEC/MAC verified or absent:
//   document with a BOOTSTRAP/PROVURL (not the trusted TPS's own PROVURL):
//     authenticated push / card / trusted fetch -> ContextManager::Bootstrap;
//     settings under the new context id ("card:<ICCID>" for the card);
//     unauthenticated -> bootstrap_unauthenticated (UnauthenticatedPolicy);
//     OTA while a card context exists -> card_precedence (option).
//   otherwise: trusted TPS (Push-Flag + X-Wap-Initiator-URI = PROVURL, or a
//     TLS-verified fetch from PROVURL) -> that context's id; else SEC/MAC
//     verified -> "ota"; else untrusted and unauthenticated -> rejected.
//
// PushOutcome JSON (field names are a contract: add, never rename):
//   "accepted"       bool   document accepted and applied
//   "source"         string "sms" | "card" | "http"
//   "stage"          string last stage reached: "sms" | "wdp" | "wsp" |
//                           "security" | "wbxml" | "document" | "trust" |
//                           "store"
//   "reject_rule"    string|null  rule of the rejecting decision
//   "reject_reason"  string|null  what was wrong
//   "sender"         string  SMS originator / ICCID / fetched URL
//   "destination"    string  SMS destination ("" for card / http)
//   "dst_port", "src_port"  int|null  WDP ports (null when not WDP)
//   "segments"       int    SMS segments that made the datagram
//   "sec"            string "NETWPIN" | "USERPIN" | "USERNETWPIN" |
//                           "USERPINMAC" | "none" | "invalid(<n>)"
//   "mac_check"      string "verified" | "mismatch" | "malformed" | "none"
//   "pin_attempts"   int    PINs the user entered for this push
//   "push_flag_authenticated" bool  WSP Push-Flag bit 0x01
//   "initiator_uri"  string|null  X-Wap-Initiator-URI
//   "origin"         string|null  origin the settings were stored under
//                                 ("ctx:<n>", "ota", "card:<ICCID>", ...)
//   "context_created" string|null  id of the context a bootstrap created
//   "settings_applied" [string]  "KIND/id" of each item stored
//   "events"         [{"kind","rule","path","detail"}]  decisions, in order
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "codec/result.h"
#include "codec/sms_udh.h"
#include "codec/wbxml_language.h"
#include "sim/handset/cp/context.h"
#include "sim/handset/cp/settings_store.h"
#include "sim/handset/cp/trace.h"
#include "sim/handset/cp/validator.h"

namespace omaiop::sim::handset::cp {

using SmsTime = std::chrono::system_clock::time_point;

struct SmsMeta {
  std::string originator;   // TP-OA of the SMS-DELIVER (sender address)
  std::string destination;  // the handset's own address
  SmsTime time{};           // arrival time: reassembly timeouts count from it
};

// The IMSI the NETWPIN key is made of (cp.md §2.1). The real provider reads
// EF_IMSI from the card; an error (no card, no IMSI) rejects NETWPIN and
// USERNETWPIN pushes.
using ImsiProvider = std::function<codec::Result<std::string>()>;
// Package 0 of DM (a WSP push of application/vnd.syncml.notification, WSP
// code 0x44, dm.md §3.2 row 0) is not CP: the push is handed to this
// handler, which returns whether it took it and says what it did.
using DmNotificationHandler =
    std::function<bool(codec::ByteView pkg0, std::string* detail)>;
// A DM-profile bootstrap (WSP application/vnd.syncml.dm+wbxml, WINA 0x42;
// DM_Bootstrap: dm.md §2.1-§2.3) pushed with SEC/MAC. The CP client checks
// SEC/MAC exactly as for a CP document (dm.md §2.2: same scheme) and hands
// the authenticated WBXML to this handler; an unauthenticated one is
// refused (dm.md §2.2: "should not accept").
using DmBootstrapHandler =
    std::function<bool(codec::ByteView wbxml, std::string* detail)>;

struct PinRequest {
  codec::SecMethod method = codec::SecMethod::kUserPin;
  std::string sender;
  int max_attempts = 3;
  std::string previous_error;  // why the previous attempt failed, or ""
};

// The person holding the handset: asked for the PIN delivered out of band
// (USERPIN, USERNETWPIN, USERPINMAC; cp.md §2.1, §4 "Security UI").
class UserAgent {
 public:
  virtual ~UserAgent() = default;
  // attempt counts from 1; nullopt = the user cancels.
  virtual std::optional<std::string> EnterPin(int attempt,
                                              const PinRequest& request) = 0;
};

// Answers from a queue, in order; nullopt (or an empty queue) = cancel.
class ScriptedUser : public UserAgent {
 public:
  ScriptedUser() = default;
  explicit ScriptedUser(std::vector<std::optional<std::string>> answers);
  void Push(std::optional<std::string> answer) { answers_.push_back(answer); }
  std::optional<std::string> EnterPin(int attempt,
                                      const PinRequest& request) override;
  const std::vector<PinRequest>& requests() const { return requests_; }
  std::size_t remaining() const { return answers_.size(); }

 private:
  std::deque<std::optional<std::string>> answers_;
  std::vector<PinRequest> requests_;
};

// What to do with a pushed document that carries no SEC/MAC and does not
// come from a trusted TPS (cp.md §2.4, MEMORY: "must not be accepted as a
// bootstrap; may at most be offered to the user as unauthenticated, never
// creating a TPS context").
enum class UnauthenticatedPolicy {
  kReject,  // default: discard it
  // The user accepts it: stored under origin "ota-unauthenticated"; a
  // BOOTSTRAP in it never creates a context.
  kAcceptUntrusted,
};

inline constexpr char kOriginOtaUnauthenticated[] = "ota-unauthenticated";

struct CpClientOptions {
  ValidationPolicy validation;
  ContextPolicy contexts;
  StorePolicy store;
  // PROV token tables used to decode (public id 0x0B for every version,
  // cp.md §1.3). k11Wlan is a superset; a CP 1.0 device sets k10 (and
  // validation.cp10_device).
  codec::ProvVersion prov_version = codec::ProvVersion::k11Wlan;
  // Unknown WBXML tokens: false = skip them with a wbxml_token_ignored event
  // (forward compatibility, cp.md §4); true = reject the document. Which a
  // device must do is UNCERTAIN (faults.h wbxml-unknown-tag).
  bool wbxml_strict = false;
  // PIN tries per push (cp.md §2.4: Android MAX_PIN_INPUT_TIMES = 3).
  int max_pin_attempts = 3;
  codec::MacVerifyOptions mac;  // lower-case MAC accepted (Nokia) by default
  codec::UserPinMacOptions user_pin_mac;
  UnauthenticatedPolicy unauthenticated = UnauthenticatedPolicy::kReject;
  // Continuous provisioning from a trusted TPS (Push-Flag + initiator URI =
  // PROVURL) without SEC/MAC: accepted by default (cp.md §2.4 names only the
  // trust headers); true = also demand a verified SEC/MAC. UNCERTAIN.
  bool require_sec_for_continuous = false;
  // (MEMORY, cp.md §3) a smart-card bootstrap takes precedence: while a
  // card-created context exists, an OTA bootstrap is refused.
  bool card_bootstrap_precedence = true;
  // A document with two BOOTSTRAPs carrying PROVURL is rejected as a whole
  // (cp.md §1.2 "only one", ProvBoot B-C-008); false = keep the first (the
  // validator drops the rest). Which is right is UNCERTAIN.
  bool reject_multiple_provurl = true;
  // (MEMORY, cp.md §3) the unused tail of a card EF is 0xFF padding after
  // the WBXML: stripped before decoding.
  bool strip_card_padding = true;
  // Incomplete concatenated datagrams are dropped this long after their
  // first segment arrived. TS 23.040 sets no value: implementation choice.
  std::chrono::seconds reassembly_timeout{300};
  // Hostile input guard: beyond this many incomplete datagrams the oldest
  // is dropped (reported by the next Expire()).
  std::size_t max_pending_datagrams = 64;
  // WDP destination port of connectionless WSP push (cp.md §0, §2.3).
  std::uint16_t push_port = codec::kWdpPortWapPush;
  // DELIBERATE DEFECT, never set in a conformant handset: a NETWPIN /
  // USERPIN / USERNETWPIN MAC that does not verify is taken as verified (the
  // mac_verified decision says "DEFECT"). It exists so a test case can be
  // shown to fail against a defective handset (`omaiop cp judge --defect
  // accept-bad-mac`, fixtures/iut/command_handset_defective.xml).
  bool defect_accept_bad_mac = false;
};

// Where a non-pushed document comes from (ApplyDocument).
struct DocumentSource {
  enum class Kind { kSmartCard, kHttpFetch };
  Kind kind = Kind::kSmartCard;
  std::string iccid;  // kSmartCard: settings origin is "card:<ICCID>"
  std::string file;   // kSmartCard: ProvSC file ("Bootstrap", "Config1"...)
  std::string url;    // kHttpFetch: the URL fetched (a context's PROVURL)
  bool tls_verified = false;  // kHttpFetch: server certificate verified
  std::string tls_error;      // kHttpFetch: why verification failed

  static DocumentSource SmartCard(std::string iccid,
                                  std::string file = "Bootstrap");
  static DocumentSource HttpFetch(std::string url, bool tls_verified,
                                  std::string tls_error = {});
};

enum class MacCheck { kNone, kVerified, kMismatch, kMalformed };
std::string_view MacCheckName(MacCheck m);  // "none", "verified", ...

struct PushOutcome {
  bool accepted = false;
  std::string source = "sms";
  std::string stage = "sms";
  std::string reject_rule;
  std::string reject_reason;
  std::string sender;
  std::string destination;
  std::optional<std::uint16_t> dst_port, src_port;
  std::size_t segments = 0;
  std::string sec = "none";
  MacCheck mac_check = MacCheck::kNone;
  int pin_attempts = 0;
  bool push_flag_authenticated = false;
  std::optional<std::string> initiator_uri;
  std::optional<std::string> origin;
  std::optional<std::string> context_created;
  std::vector<std::string> settings_applied;  // "NAPDEF/GPRS_NAP1"
  std::vector<CpEvent> events;

  // Events of `kind` in this outcome.
  std::size_t Count(EventKind kind) const;
  nlohmann::json ToJson() const;  // fields as listed at the top
};

nlohmann::json EventToJson(const CpEvent& e);

class CpClient {
 public:
  explicit CpClient(CpClientOptions options = {});

  void SetImsiProvider(ImsiProvider provider) { imsi_ = std::move(provider); }
  // Unset: a DM notification push is rejected like any non-CP content type.
  void SetDmNotificationHandler(DmNotificationHandler h) {
    dm_notification_ = std::move(h);
  }
  // Unset: a DM bootstrap push is rejected like any non-CP content type.
  void SetDmBootstrapHandler(DmBootstrapHandler h) {
    dm_bootstrap_ = std::move(h);
  }
  void SetUserAgent(UserAgent* user) { user_ = user; }  // not owned

  // One SMS TP-User-Data (8-bit, with UDH). nullopt while a concatenated
  // datagram waits for more segments (or a duplicate was ignored); else the
  // outcome of the completed datagram or of the discarded segment. A copy
  // of a segment arriving after its datagram completed starts a new
  // datagram, which expires incomplete (reported by Expire()).
  std::optional<PushOutcome> OnSmsSegment(codec::ByteView tp_user_data,
                                          const SmsMeta& meta);
  // Drops incomplete datagrams older than the reassembly timeout (and those
  // evicted by max_pending_datagrams): one rejected outcome each.
  std::vector<PushOutcome> Expire(SmsTime now);
  // A reassembled WDP datagram (also for bearers other than SMS).
  PushOutcome OnWdpDatagram(const codec::WdpDatagram& datagram,
                            const SmsMeta& meta, std::size_t segments = 1);

  // A document from the smart card or a trusted HTTP fetch: WBXML (first
  // octet 0x01..0x03) or XML text.
  PushOutcome ApplyDocument(codec::ByteView wbxml_or_xml,
                            const DocumentSource& source);

  // Removes every setting and context of `origin` (e.g. "card:<ICCID>" when
  // the card is removed), including settings later stored by the TPS of a
  // context that origin created. A context id ("ctx:<n>") removes that
  // context and its settings. Returns the number of items removed.
  std::size_t RemoveOrigin(std::string_view origin);

  const SettingsStore& store() const { return store_; }
  const ContextManager& contexts() const { return contexts_; }
  const EventSink& trace() const { return trace_; }  // every event so far
  std::size_t pending_datagrams() const { return groups_.size(); }
  const CpClientOptions& options() const { return options_; }
  nlohmann::json StateJson() const;  // {"contexts": [...], "store": {...}}

 private:
  struct Run;
  struct Admission;
  // (originator, 16-bit reference?, reference, total)
  using Key = std::tuple<std::string, bool, std::uint16_t, std::uint8_t>;
  struct Group {
    SmsMeta meta;
    std::optional<codec::SmsPorts> ports;
    std::map<std::uint8_t, codec::Bytes> segments;
    std::vector<CpEvent> events;
  };

  PushOutcome Finish(Run& run);
  PushOutcome ExpireGroup(const Key& key, Group& group, std::string why);
  bool Authenticate(Run& run, codec::SecMethod method,
                    const std::optional<std::string>& mac, codec::ByteView body,
                    bool* authenticated);
  void ProcessWbxml(Run& run, codec::ByteView body, std::size_t base_offset,
                    const Admission& admission);
  void ProcessDocument(Run& run, const Document& doc,
                       const Admission& admission);

  CpClientOptions options_;
  ContextManager contexts_;
  SettingsStore store_;
  EventSink trace_;
  ImsiProvider imsi_;
  DmNotificationHandler dm_notification_;
  DmBootstrapHandler dm_bootstrap_;
  UserAgent* user_ = nullptr;
  std::map<Key, Group> groups_;
  std::vector<PushOutcome> evicted_;
};

}  // namespace omaiop::sim::handset::cp
