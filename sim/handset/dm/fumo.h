// FUMO 1.0 behaviour of the simulated handset (dm.md §4), with the firmware
// package authorised by the smart card (dm.md §1.4 seed feature "FUMO
// authorisation via card").
//
// OUR DESIGN: the DM_SC TS could not be read (dm.md §1.0), so the card file,
// its record format, when it is read, the result codes of a refusal and the
// options below are omaiop's choices, documented in docs/dm-smartcard.md
// ("FUMO authorisation by the card").
//
// Flow for Exec on <x>/Update (package pushed with Replace <x>/Update/PkgData,
// large objects included) and <x>/DownloadAndUpdate / <x>/Download (package
// fetched from PkgURL over HTTP(S)):
//   Exec -> Status 202 (accepted, asynchronous; dm.md §3.5) and the
//   operation is queued. RunPending() (the device's asynchronous part) then
//   downloads (State 30 -> 40, or 20 on failure), authorises (SHA-256 of the
//   package must equal one record of EF.FUMO-Auth) and updates
//   (50 -> 60 -> 100, or 80 / 70 on failure), and queues a Generic Alert
//   1226 whose Data is the FUMO ResultCode. When RunPending runs and when
//   the alert is sent is FumoOptions::report: in the same session (the
//   client's next message, after the server package that held the Exec) or
//   at the start of the next session (package 1, as a device that reboots
//   to update would).
//
// Every decision is a DmEvent (kinds fumo_* and generic_alert_*) in trace().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/syncml.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/dm/tree.h"
#include "sim/network/http_client.h"

namespace omaiop::sim::handset::dm {

// Generic Alert Meta Types (dm.md §4).
inline constexpr char kFumoTypeDownload[] =
    "org.openmobilealliance.dm.firmwareupdate.download";
inline constexpr char kFumoTypeUpdate[] =
    "org.openmobilealliance.dm.firmwareupdate.update";
inline constexpr char kFumoTypeDownloadAndUpdate[] =
    "org.openmobilealliance.dm.firmwareupdate.downloadandupdate";

// FUMO ResultCodes used here (dm.md §4).
namespace fumo_result {
inline constexpr int kSuccess = 200;
inline constexpr int kClientError = 400;
inline constexpr int kCorruptedPackage = 402;
inline constexpr int kValidationFailed = 404;  // failed package validation
inline constexpr int kNotAcceptable = 405;     // package not acceptable
inline constexpr int kUpdateFailed = 410;
inline constexpr int kBadUrl = 411;
inline constexpr int kDownloadServerError = 500;
inline constexpr int kDownloadNetwork = 503;
}  // namespace fumo_result

// --- the card's list of allowed packages (EF.FUMO-Auth, OUR DESIGN) ---------

// EF.FUMO-Auth: linear fixed, one SHA-256 digest (32 octets) per record; a
// record of only FF is free. Read needs PIN1, update ADM (the card issuer).
struct FumoCardOptions {
  // Absolute path: MF 3F00 / DF.DM-SC 7F66 / EF.FUMO-Auth 6F10 (OUR DESIGN,
  // fixtures/uicc/uicc-3g.xml).
  codec::Bytes ef_path = {0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x10};
  std::size_t digest_size = 32;  // SHA-256
};

struct CardAuthList {
  enum class Status {
    kOk,              // records read
    kNoCard,          // no card, or no open card session
    kPinUnavailable,  // PIN1 needed and not given / rejected / blocked
    kUnreadable,      // EF absent, wrong structure, transport failure
  };
  Status status = Status::kOk;
  std::vector<codec::Bytes> digests;  // used records, in record order
  std::size_t free_records = 0;
  std::size_t bad_records = 0;  // neither free nor digest_size long
  std::string detail;           // why not kOk; what was read
};
std::string_view CardAuthListStatusName(CardAuthList::Status s);

// Reads EF.FUMO-Auth through an open card session (PIN1 as the session has
// it: CardSessionOptions::pin1 or an earlier VerifyPin1).
CardAuthList ReadFumoAuthList(card::CardSession& session,
                              const FumoCardOptions& options = {});

// Where the agent gets the list: called once per authorisation (so a card
// inserted or a PIN entered between two Execs counts).
using CardAuthListSource = std::function<CardAuthList()>;
// A source reading through `session` (null or closed = kNoCard).
CardAuthListSource CardSessionAuthSource(card::CardSession* session,
                                         FumoCardOptions options = {});

// --- the agent
// ----------------------------------------------------------------

enum class FumoReportTiming {
  kSameSession,  // run + report in the client's reply to the Exec's package
  kNextSession,  // run + report in package 1 of the next session
};

struct FumoOptions {
  std::string fumo_uri = "./FUMO";  // the FUMO instance (<x>)
  // The card must authorise every package (dm.md §1.4). Off: every package
  // is accepted (a fumo_authorised event says "policy off").
  bool require_card_authorisation = true;
  // ResultCode when the package's SHA-256 is on no record: 404 "failed
  // package validation" (dm.md §4).
  int code_no_match = fumo_result::kValidationFailed;
  // ResultCode when the card cannot be consulted (no card, PIN1 not given
  // or rejected, EF.FUMO-Auth unreadable): 405 "package not acceptable"
  // (dm.md §4). Not 404: the package was not found bad, the device could
  // not validate it; not 410: no update was attempted.
  int code_card_unavailable = fumo_result::kNotAcceptable;
  // Card unavailable: keep the package (State 70 Update Failed / Have Data)
  // so the server can Exec Update again once the card is usable; off:
  // discard it (State 80).
  bool keep_package_when_card_unavailable = true;
  FumoReportTiming report = FumoReportTiming::kSameSession;
  // Meta Mark of the 1226 (dm.md §4: severity, non-informational for
  // failures). Values are [R]: FUMO's severity names are not in dm.md.
  std::string failure_mark = "critical";
  std::string success_mark;  // "" = no Mark
  // Download / DownloadAndUpdate fetch (HTTP GET of PkgURL; a DLOTA
  // descriptor is not interpreted).
  network::HttpClientOptions http;
  // ResultCode when PkgURL answers an HTTP status other than 200 [R: dm.md
  // lists 500 "download server error" and 412 for the alternate server].
  int code_download_http_error = fumo_result::kDownloadServerError;
  // On success ./DevDetail/FwV takes <x>/PkgVersion (when not empty).
  std::string fw_version_uri = "./DevDetail/FwV";
  FumoCardOptions card;
};

struct FumoOperation {
  enum class Kind { kDownload, kUpdate, kDownloadAndUpdate };
  Kind kind = Kind::kUpdate;
  std::string uri;         // the exec'd node
  std::string correlator;  // "" = none given (then none is echoed)
  std::string server_id;
};

class FumoAgent {
 public:
  FumoAgent(Tree& tree, FumoOptions options = {}, CardAuthListSource card = {});

  // Registers the Exec handlers on <x>/Update, <x>/Download and
  // <x>/DownloadAndUpdate (the nodes must exist: BuildStandardObjects).
  OpResult Install();
  void set_card_source(CardAuthListSource s) { card_ = std::move(s); }
  const FumoOptions& options() const { return options_; }

  // Runs the accepted operations (the device's asynchronous part).
  void RunPending();
  bool has_pending() const { return !pending_.empty(); }
  // Alerts of finished operations, handed over (not returned again).
  std::vector<codec::GenericAlert> TakeAlerts();
  const std::vector<codec::GenericAlert>& alerts() const { return alerts_; }
  // For DmClientOptions::generic_alerts: runs and reports per `report`.
  GenericAlertSource AlertSource();

  int state() const;  // <x>/State
  const DmTrace& trace() const { return trace_; }
  // SHA-256 (hex) of the last package installed, "" if none.
  const std::string& installed_digest() const { return installed_; }

 private:
  OpResult OnExec(FumoOperation::Kind kind, const ExecRequest& r);
  void Run(const FumoOperation& op);
  // Fetches PkgURL; on failure sets *code.
  std::optional<codec::Bytes> Download(const FumoOperation& op, int* code);
  // Authorises and applies `pkg`; returns the ResultCode.
  int Update(const FumoOperation& op, const codec::Bytes& pkg);
  void SetState(FumoState s, const std::string& why);
  void Report(const FumoOperation& op, int code);
  std::string Uri(std::string_view leaf) const;

  Tree& tree_;
  FumoOptions options_;
  CardAuthListSource card_;
  std::vector<FumoOperation> pending_;
  std::vector<codec::GenericAlert> alerts_;
  std::optional<codec::Bytes> downloaded_;  // Download result, for Update
  std::string installed_;
  DmTrace trace_;
};

// SHA-256 (OpenSSL EVP) of `data`.
codec::Bytes Sha256(codec::ByteView data);

}  // namespace omaiop::sim::handset::dm
