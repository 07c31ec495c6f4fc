// A scripted OMA DM 1.2 server that real DM clients connect to over HTTP or
// HTTPS (sim/network/http_server.h). Facts: specs/dm.md §3.1–§3.8.
//
// Per session (keyed by SyncHdr SessionID + client Source LocURI) it
//  - authenticates the client (none, syncml:auth-basic, syncml:auth-md5 with
//    a Chal/NextNonce on missing (407) or wrong (401) credentials, a fresh
//    nonce on every challenge and a next nonce with the 212; dm.md §3.7),
//  - plays a DmScript (dm_script.h): one server package per client package,
//    then a package with only Final, which ends the session (dm.md §3.2),
//  - checks every client message strictly; each broken rule becomes a
//    DmRuleViolation (rule id, spec reference, evidence),
//  - checks the client's Generic Alerts (1226: Item Source, Meta Type; FUMO
//    types need Format int, a numeric Data and a Correlator only if an Exec
//    of ours carried it; dm.md §4) and the script's <ExpectAlert>s,
//  - answers in the client's encoding (XML or WBXML),
//  - injects the named faults of dm_faults.h into its own messages,
//  - logs every message in and out, decoded to XML text.
// Package 0 (server-initiated sessions, dm.md §3.8) is built by
// BuildPackage0 and handed to a NotificationSink.
//
// Client packages may span messages (no Final: the server answers Alert
// 1222) and carry large objects in chunks (MoreData: 213 per chunk, Meta
// Size checked at the last, 424 on a mismatch, Alert 1225 when a chunked
// object is interrupted; dm.md §3.2/§3.3). Not done: the server's own
// packages are always one message and it never chunks what it sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/dm_auth.h"
#include "codec/dm_notification.h"
#include "codec/result.h"
#include "codec/syncml.h"
#include "sim/network/http_server.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/dm_script.h"

namespace omaiop::sim::servers {

inline constexpr char kDmXmlContentType[] = "application/vnd.syncml.dm+xml";
inline constexpr char kDmWbxmlContentType[] = "application/vnd.syncml.dm+wbxml";
inline constexpr char kDmNotificationContentType[] =
    "application/vnd.syncml.notification";

// kHmac: x-syncml-hmac transport header on every client message, checked
// per message; a Chal of type syncml:auth-MAC with a NextNonce in each reply
// and SyncHdr status 200 (not 212) (dm.md §3.7).
enum class DmAuthMode { kNone, kBasic, kDigest, kHmac };
// "none", "basic", "digest", "hmac"
std::string_view DmAuthModeName(DmAuthMode m);
std::optional<DmAuthMode> DmAuthModeByName(std::string_view name);

struct DmServerConfig {
  network::HttpServerConfig http;  // port (0 = ephemeral), TLS, trace
  // Expected SyncHdr Target LocURI of client messages; empty = any.
  std::string server_uri;
  // ServerID: SyncHdr Source LocURI of server messages (dm.md §3.6).
  std::string server_id = "omaiop";
  // Client authentication (CLCRED).
  DmAuthMode client_auth = DmAuthMode::kNone;
  std::string username;
  std::string password;
  // The nonce clients hold for us at the first session (AAuthData).
  codec::Bytes client_nonce;
  codec::NonceForm nonce_form = codec::NonceForm::kRawBytes;
  int max_auth_attempts = 3;          // then 401 without Chal, session ends
  bool next_nonce_on_success = true;  // Chal with NextNonce in the 212
  // Server credentials sent in every server SyncHdr (SRVCRED), when set.
  // kBasic / kMd5: SyncHdr Cred; kHmac: x-syncml-hmac header on replies.
  std::optional<codec::DmAuthType> server_cred;
  std::string server_password;  // with server_id as the name
  codec::Bytes server_nonce;    // the nonce the client gave us
  // Sent as MaxMsgSize in every server SyncHdr Meta; a client message (HTTP
  // body) larger than it, once advertised, is a violation (dm.md §3.3 [R]).
  std::optional<std::size_t> max_msg_size;
  DmScript script;
  std::vector<DmFaultId> faults;  // applied to every server message
  // Source of the challenge nonces (16 octets each); empty = codec::
  // FreshNonce (OpenSSL CSPRNG). Set for reproducible runs (the harness's
  // simulated peers), never for a server facing real clients.
  std::function<codec::Bytes()> nonce_source;
};

struct DmRuleViolation {
  std::string session;         // "SessionID|client LocURI"
  std::string msg_id;          // client MsgID of the offending message
  std::string rule;            // stable id, e.g. "dm.hdr.session-id"
  std::string spec_ref;        // e.g. "dm.md §3.1; OMA-TS-DM_RepPro-V1_2"
  std::string evidence;        // what was seen
  std::string ToJson() const;  // {"type":"violation",...}
};

struct DmLoggedMessage {
  enum class Direction { kIn, kOut };
  std::string session;
  Direction direction = Direction::kIn;
  std::size_t index = 0;  // 0-based position in the session log
  int http_status = 0;    // responses
  std::string content_type;
  bool wbxml = false;
  codec::Bytes body;  // as on the wire
  std::string xml;    // decoded ("" when it did not parse)
  std::string msg_id;
  std::vector<std::string> applied_faults;  // out: fault names
  std::string ToJson() const;               // {"type":"message",...}
};

// An Alert the client sent other than 1200/1201/1222/1223 (e.g. a FUMO
// Generic Alert 1226, dm.md §4).
struct DmClientAlert {
  std::string msg_id;
  codec::Command alert;
};

// A large object the client sent in chunks (dm.md §3.3), as reassembled.
struct DmLargeObject {
  std::string uri;                  // Item Source (or Target) LocURI
  std::optional<std::size_t> size;  // Meta Size of the first chunk
  std::size_t chunks = 0;
  std::string data;  // the chunks' Data, concatenated
  int status = 0;    // 200, or 424 on a size mismatch
};

struct DmSessionLog {
  std::string key;  // "SessionID|client LocURI"
  std::string session_id;
  std::string client_uri;
  bool authenticated = false;
  bool ended = false;             // final package sent (or aborted)
  std::size_t packages_sent = 0;  // script packages sent
  std::vector<DmLoggedMessage> messages;
  std::vector<DmRuleViolation> violations;
  std::vector<DmClientAlert> client_alerts;
  std::vector<DmLargeObject> large_objects;  // completed or abandoned
};

struct DmEvent {
  enum class Kind { kMessage, kViolation, kSessionEnd };
  Kind kind;
  const DmLoggedMessage* message = nullptr;
  const DmRuleViolation* violation = nullptr;
  const DmSessionLog* session = nullptr;  // always set
};
// Called (on the server thread, under the server lock) as things happen.
using DmEventSink = std::function<void(const DmEvent&)>;

// --- package 0 ---------------------------------------------------------------

struct Package0Options {
  std::string server_id;
  std::string server_password;  // SRVCRED secret
  codec::Bytes nonce;           // SRVCRED nonce (AAuthData)
  codec::DmUiMode ui_mode = codec::DmUiMode::kNotSpecified;
  std::uint16_t session_id = 1;
  codec::Bytes trigger_body;
};
// Signed package 0 (dm.md §3.8), ready for a WAP push of content type
// application/vnd.syncml.notification.
codec::Bytes BuildPackage0(const Package0Options& o);
using NotificationSink = std::function<void(const codec::Bytes& pkg0)>;

// --- server ------------------------------------------------------------------

class DmServer {
 public:
  explicit DmServer(DmServerConfig config, DmEventSink on_event = {});
  ~DmServer();
  DmServer(const DmServer&) = delete;
  DmServer& operator=(const DmServer&) = delete;

  codec::Status Start();
  void Stop();
  std::uint16_t port() const;
  std::string BaseUrl() const;

  // The request handler (also usable without sockets).
  network::HttpResponse Handle(const network::HttpRequest& request);

  // Builds package 0 with the config's server id, hands it to `sink` and
  // expects a package 1 with Alert 1200 and that SessionID.
  codec::Bytes NotifySession(const Package0Options& o,
                             const NotificationSink& sink);

  std::vector<DmSessionLog> Sessions() const;  // snapshot, in creation order
  std::size_t ended_sessions() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  std::unique_ptr<network::HttpServer> http_;
};

}  // namespace omaiop::sim::servers
