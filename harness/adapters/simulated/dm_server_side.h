// omaiop's side of a role dm_server case (omaiop = DM server, IUT = a DM
// client): the scripted sim::servers::DmServer behind an HTTP front on an
// ephemeral loopback port, the packages the case's <server-commands> steps
// queue, and the judgement of <expect-status> / <expect-event> on what the
// client sent (the server's session log, as on the wire).
//
// Used by the simulated adapter (IUT = the simulated handset's DmClient,
// dm_server_role.cc) and by the dm_client adapter (IUT = a real DM client
// process). Each <dm-session> gets a fresh DmServer playing the packages
// queued since the previous session; the front stays, so the URL the IUT
// was given is valid for the whole case. The front can apply DM client
// DEFECTS (sim/handset/dm/client_defects.h) to the client's messages before
// the server sees them: that is how the simulated client is made
// non-conformant to prove a case.
//
// <server-commands>: inline SyncML commands (<Get xmlns="SYNCML:SYNCML1.2">
// <CmdID>2</CmdID><Item>...</Item></Get>, CmdIDs renumbered when sent), or
// inline DM script commands (dm_script.h: <Get expect="200"><Item
// target="./X"/></Get>), or file="script.xml" (a <DmScript>, every package).
// Each inline step is one server package.
//
// Events for <expect-event kind=...> (rule/path/detail are substrings):
//   violation   a client rule violation found by the server: rule = rule id
//               (e.g. dm.status.missing), path = spec reference, detail =
//               evidence
//   results     a Results item the client sent: path = source LocURI,
//               detail = the data
//   status      a Status for a server command: path = target URI, detail =
//               "<Cmd> <code>"
//   session     one per session: path = SessionID, detail = the client's
//               Alert code (1200 server-initiated, 1201 client-initiated)
//   client_authenticated  the client's credentials verified: path = its
//               LocURI
//   session_end the server ended the session (Final without commands)
// plus whatever the adapter adds (the simulated client's own trace).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/adapters/adapter.h"
#include "harness/script/testcase.h"
#include "sim/handset/dm/client_defects.h"
#include "sim/network/http_server.h"
#include "sim/servers/dm_server.h"

namespace omaiop::harness::adapters {

struct DmServerSideOptions {
  // Where the HTTP front listens (port 0 = ephemeral).
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string server_id = "omaiop-dms";
  // Client credentials the server demands (CLCRED of the client's account).
  sim::servers::DmAuthMode client_auth = sim::servers::DmAuthMode::kDigest;
  std::string client_user = "handset";
  std::string client_secret = "handset-secret";
  codec::Bytes client_nonce = codec::Bytes{'c', 'n', 'o', 'n', 'c', 'e'};
  // Server credentials sent in every server message (SRVCRED) and used for
  // the package 0 digest; "" = none (package 0 then cannot be verified).
  std::string server_secret = "server-secret";
  codec::Bytes server_nonce = codec::Bytes{'s', 'n', 'o', 'n', 'c', 'e'};
  // Defects applied to the client's messages by the front.
  std::vector<sim::handset::dm::DmClientDefectId> defects;
};

// One generic event for <expect-event>.
struct DmCaseEvent {
  std::string kind, rule, path, detail;
};

// A Status the client sent for a server command (resolved by MsgRef/CmdRef).
struct DmStatusSeen {
  std::string cmd;                   // the server command answered
  std::vector<std::string> targets;  // its item targets / TargetRefs
  int code = 0;
  std::string ref;  // "MsgRef 2 CmdRef 3"
};

class DmServerSide {
 public:
  DmServerSide(const script::TestCase& tc, DmServerSideOptions options,
               std::shared_ptr<Recorder> recorder);
  ~DmServerSide();

  // Starts the HTTP front (127.0.0.1, ephemeral port).
  codec::Status Start();
  // The URL a DM client POSTs to (DMAcc AppAddr).
  std::string url() const;
  const DmServerSideOptions& options() const { return options_; }
  // Takes server_id and the client/server credentials (not the address,
  // nor the defects) from `o` for the sessions that follow: the IUT's
  // account changed between sessions (e.g. a card DM bootstrap).
  void SetCredentials(const DmServerSideOptions& o);

  // <server-commands>: queues the package(s) for the next session.
  StepOutcome QueueCommands(const script::ServerCommandsStep& s);
  bool has_queued() const { return !queued_.packages.empty(); }
  void QueuePackage(sim::servers::ScriptPackage p);

  // Starts a session: a new DmServer playing the queued packages.
  void BeginSession();
  // Package 0 for a server-initiated session of the current server
  // (session id as sent in package 0; the client answers Alert 1200 with it).
  codec::Bytes Package0(std::uint16_t session_id, codec::DmUiMode ui_mode);
  // Records the current session's messages and violations in the trace and
  // keeps them for the judging steps.
  void EndSession();
  // Sessions the current server has ended (Final without commands).
  std::size_t EndedSessions() const;
  bool session_ran() const { return ran_; }

  StepOutcome ExpectStatus(const script::ExpectStatusStep& e) const;
  StepOutcome ExpectEvent(const script::ExpectEventStep& e) const;
  // Events added by the adapter (e.g. the simulated client's trace).
  void AddEvents(std::vector<DmCaseEvent> events);
  // The first violation's rule id, "" if none.
  std::string FirstViolationRule() const;
  std::string ViolationsSummary() const;
  const std::vector<DmStatusSeen>& statuses() const { return statuses_; }
  const std::vector<DmCaseEvent>& events() const { return events_; }

 private:
  sim::network::HttpResponse Forward(const sim::network::HttpRequest& req);
  std::vector<DmCaseEvent> AllEvents() const;

  script::TestCase tc_;
  DmServerSideOptions options_;
  std::shared_ptr<Recorder> rec_;
  std::unique_ptr<sim::network::HttpServer> front_;
  mutable std::mutex mu_;  // guards server_ (the front's thread reads it)
  std::shared_ptr<sim::servers::DmServer> server_;
  sim::servers::DmScript queued_;
  bool ran_ = false;
  std::vector<sim::servers::DmRuleViolation> violations_;
  std::vector<DmStatusSeen> statuses_;
  std::vector<DmCaseEvent> events_;
  std::vector<std::string> applied_defects_;  // by the front, this session
};

// Steps that only queue work for the next DM session (dm-session,
// server-commands, user-accept/-reject); any other step runs it first.
inline bool IsDmQueueStep(const script::Step& step) {
  return std::holds_alternative<script::DmSessionStep>(step.body) ||
         std::holds_alternative<script::ServerCommandsStep>(step.body) ||
         std::holds_alternative<script::UserAcceptStep>(step.body) ||
         std::holds_alternative<script::UserRejectStep>(step.body);
}

}  // namespace omaiop::harness::adapters
