// OMA DM 1.2 Notification "package 0" (OMA-TS-DM_Notification-V1_2 §6.2):
// the General Notification Initiated Session Alert a server sends (WAP Push,
// application/vnd.syncml.notification) to make a client open a DM session.
//
//   digest(128) | version(10) ui-mode(2) initiator(1) future-use(27)
//               | sessionid(16) | length-identifier(8) | server-identifier
//               | trigger-body (vendor specific)
// big-endian; the "trigger" = everything after the digest.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

inline constexpr std::size_t kDmNotificationDigestSize = 16;
inline constexpr std::size_t kDmNotificationHeaderSize = 8;
inline constexpr std::uint16_t kDmNotificationVersion12 = 11;  // version×10

enum class DmUiMode : std::uint8_t {
  kNotSpecified = 0,
  kBackground = 1,
  kInformative = 2,
  kUserInteraction = 3,
};
enum class DmInitiator : std::uint8_t { kClient = 0, kServer = 1 };

std::string_view DmUiModeName(DmUiMode m);

struct DmNotification {
  std::array<std::uint8_t, kDmNotificationDigestSize> digest{};
  std::uint16_t version = kDmNotificationVersion12;  // 10 bits used
  DmUiMode ui_mode = DmUiMode::kNotSpecified;
  DmInitiator initiator = DmInitiator::kServer;
  std::uint32_t future_use = 0;  // 27 bits used; must be 0
  std::uint16_t session_id = 0;
  std::string server_id;  // DMAcc ServerID
  Bytes trigger_body;     // vendor specific, may be empty
  // Encode only: write this length-identifier instead of server_id.size()
  // (negative tests). Parse leaves it empty.
  std::optional<std::uint8_t> length_identifier_override;
  // Parse only: warnings that do not make the message unusable.
  std::vector<Diagnostic> warnings;
};

struct DmNotificationParseOptions {
  // Reject versions other than 11 (DM 1.2). A tester may relax this to look
  // at 1.1/1.3 notifications.
  bool require_version_12 = true;
  // Session id 0 is outside 1..0xFFFF [R: the digest's reading of §6.2]; by
  // default an error, optionally just a warning.
  bool reject_session_id_zero = true;
};

// Parses a package 0. base_offset: where data[0] sits in the outer buffer.
Result<DmNotification> ParseDmNotification(
    ByteView data, std::size_t base_offset = 0,
    const DmNotificationParseOptions& options = {});

// Writes exactly what the struct says (digest included, fields masked to
// their bit widths), so negative tests can send wrong digests/versions.
Bytes EncodeDmNotification(const DmNotification& n);
// The trigger (header + server-id + body) EncodeDmNotification would write.
Bytes EncodeDmNotificationTrigger(const DmNotification& n);

// digest = H(B64(H(server-id ":" password)) ":" nonce ":" B64(H(trigger)))
// with H = MD5, B64 = base64; credentials are the SRVCRED ones.
std::array<std::uint8_t, kDmNotificationDigestSize> ComputeNotificationDigest(
    std::string_view server_id, std::string_view password, ByteView nonce,
    ByteView trigger);
// Fills n.digest from its own trigger and the given credentials.
void SignDmNotification(DmNotification& n, std::string_view password,
                        ByteView nonce);

// libdmclient (package0.c) retries once with the nonce text "0x00000000"
// when the stored nonce fails. Whether the spec allows such a default nonce
// is [R]; it is only tried when the caller asks for it.
inline constexpr std::string_view kLibdmclientDefaultNonce = "0x00000000";

struct NotificationDigestOptions {
  std::optional<Bytes>
      fallback_nonce;  // e.g. AsBytes(kLibdmclientDefaultNonce)
};
enum class NotificationNonceUsed { kStored, kFallback };

// Checks the digest of a whole package 0 (as received) against the
// credentials. The server id used is the caller's (DMAcc ServerID), not the
// one in the message. Mismatch: diagnostic at base_offset (the digest).
Result<NotificationNonceUsed> VerifyNotificationDigest(
    ByteView pkg0, std::string_view server_id, std::string_view password,
    ByteView nonce, const NotificationDigestOptions& options = {},
    std::size_t base_offset = 0);

// SyncHdr SessionID for a notified session id: upper-case hex, no leading
// zeros ("4A2", "1"); OMA-TS-DM_Notification-V1_2 §6.2.
std::string SessionIdForSyncHdr(std::uint16_t session_id);

// Dissection with absolute offsets; bit fields name their bit positions.
// Never fails: what cannot be parsed becomes a note.
ProtoNode DescribeDmNotification(ByteView data, std::size_t base_offset = 0);

}  // namespace omaiop::codec
